package dev.mcpcontain.platform.windows;

import dev.mcpcontain.launch.ContainmentException;
import dev.mcpcontain.launch.ContainmentException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The first stage of a launch under the agent account. CreateProcessWithLogonW takes no attribute list, so it
 * starts the inner launcher ({@link AgentInnerLauncher}) as the agent, suspended, in a kill-on-close job, with the
 * server's stdio as its own and on a window station and desktop of its own; the inner launcher then runs the
 * whole {@link LaunchSequence} as the agent and verifies the server (user SID included) before resuming it.
 * Folder grants are made here, for both the AppContainer SID and the agent account, because the agent may not
 * change the ACLs of the user's folders.
 */
public final class AgentLaunchSequence {

    private final Win32 win32;
    private final LaunchSequence.FolderGrants grants;
    private final UnaryOperator<byte[]> unprotect;
    private final WindowsBackend.InnerRuntime runtime;
    private final Path handOverDirectory;
    private final String uniqueSuffix;

    AgentLaunchSequence(Win32 win32, LaunchSequence.FolderGrants grants, UnaryOperator<byte[]> unprotect,
            WindowsBackend.InnerRuntime runtime, Path handOverDirectory, String uniqueSuffix) {
        this.win32 = win32;
        this.grants = grants;
        this.unprotect = unprotect;
        this.runtime = runtime;
        this.handOverDirectory = handOverDirectory;
        this.uniqueSuffix = uniqueSuffix;
    }

    /** The outer job only ties the tree to this launcher; the inner launcher's job carries the server's limits. */
    static JobLimits outerJob() {
        return new JobLimits(JobLimits.LIMIT_KILL_ON_JOB_CLOSE | JobLimits.LIMIT_DIE_ON_UNHANDLED_EXCEPTION, 0, 0, 0,
                JobLimits.UI_ALL, java.util.OptionalInt.empty());
    }

    public WindowsProcess start(WindowsLaunchPlan plan, boolean inheritStdio) {
        AgentAccountStore.Account account = plan.agentAccount().orElseThrow();
        Sid agent = Sid.parse(account.sid());
        Sid appContainer = plan.appContainer().orElseThrow().sid();
        List<Win32.Handle> closeAfterCreate = new ArrayList<>();
        List<Win32.Handle> held = new ArrayList<>();
        List<Win32.Handle> parentEnds = new ArrayList<>();
        Win32.Handle job = null;
        Win32.CreatedProcess inner = null;
        Path handOver = handOverDirectory.resolve(uniqueSuffix + ".json");
        boolean started = false;
        try {
            grants.reconcile(plan.policy().serverId(), plan.folderAccess());
            Win32.Handle own = win32.openProcessToken(win32.currentProcess(), Win32.TOKEN_QUERY);
            closeAfterCreate.add(own);
            Sid user = win32.tokenUser(own);

            job = win32.createJobObject();
            win32.setExtendedLimits(job, outerJob());
            win32.setUiRestrictions(job, JobLimits.UI_ALL);

            String desktop = LaunchSequence.createDesktop(win32, "mcp-contain-" + uniqueSuffix,
                    Sddl.windowStationOrDesktop(user, Optional.of(agent), Optional.of(appContainer)), held);
            Files.write(handOver, InnerPlan.of(plan, desktop).toJson());

            Win32.Handle[] childEnds = new Win32.Handle[3];
            OutputStream stdin = OutputStream.nullOutputStream();
            InputStream stdout = InputStream.nullInputStream();
            InputStream stderr = InputStream.nullInputStream();
            if (inheritStdio) {
                int[] which = {Win32.STD_INPUT, Win32.STD_OUTPUT, Win32.STD_ERROR};
                for (int i = 0; i < 3; i++) {
                    Win32.Handle ownStd = win32.stdHandle(which[i]);
                    if (ownStd == null) {
                        throw new ContainmentException(Reason.LAUNCH_FAILED, "mcp-contain's stdio is not fully open;"
                                + " the MCP client must connect stdin, stdout and stderr");
                    }
                    childEnds[i] = win32.duplicate(ownStd, true);
                    closeAfterCreate.add(childEnds[i]);
                }
            } else {
                for (int i = 0; i < 3; i++) {
                    Win32.Pipe pipe = win32.createPipe();
                    childEnds[i] = i == 0 ? pipe.read() : pipe.write();
                    Win32.Handle parentEnd = i == 0 ? pipe.write() : pipe.read();
                    closeAfterCreate.add(childEnds[i]);
                    parentEnds.add(parentEnd);
                    win32.setInheritable(childEnds[i], true);
                }
                stdin = HandleStreams.output(win32, parentEnds.get(0));
                stdout = HandleStreams.input(win32, parentEnds.get(1));
                stderr = HandleStreams.input(win32, parentEnds.get(2));
            }

            List<String> argv = new ArrayList<>(List.of(runtime.javaExecutable(), "-Xmx96m", "-XX:TieredStopAtLevel=1",
                    "-cp", String.join(";", runtime.classpath()), AgentInnerLauncher.class.getName(), handOver.toString()));
            char[] password = password(account);
            try {
                inner = win32.createProcessWithLogon(account.userName(), password, runtime.javaExecutable(),
                        CommandLineQuoting.commandLine(argv), Win32.CREATE_SUSPENDED | Win32.CREATE_UNICODE_ENVIRONMENT
                                | Win32.CREATE_NO_WINDOW, plan.environmentBlock(), handOverDirectory.toString(), desktop,
                        childEnds[0], childEnds[1], childEnds[2]);
            } finally {
                Arrays.fill(password, '\0');
            }
            win32.assignProcessToJob(job, inner.process());
            if (!win32.isProcessInJob(inner.process(), job)) {
                throw new ContainmentException(Reason.VERIFICATION_FAILED, "the inner launcher is not in its job object;"
                        + " it was terminated before it ran");
            }
            int previous = win32.resumeThread(inner.thread());
            if (previous != 1) {
                throw new ContainmentException(Reason.LAUNCH_FAILED, "ResumeThread reported suspend count " + previous
                        + " instead of 1; the inner launcher was terminated");
            }
            closeQuietly(inner.thread());
            WindowsProcess process = new WindowsProcess(win32, inner.process(), job, inner.processId(), stdin, stdout,
                    stderr, held);
            started = true;
            parentEnds.clear();
            held.clear();
            job = null;
            inner = null;
            return process;
        } catch (Win32CallException e) {
            throw new ContainmentException(Reason.LAUNCH_FAILED, e.getMessage(), e);
        } catch (IOException e) {
            throw new ContainmentException(Reason.LAUNCH_FAILED, "cannot prepare the agent launch: " + e.getMessage(), e);
        } finally {
            if (inner != null) {
                try {
                    win32.terminateProcess(inner.process(), 125);
                } catch (Win32CallException e) {
                    // The job handle below still kills it.
                }
                closeQuietly(inner.thread());
                closeQuietly(inner.process());
            }
            if (job != null) {
                closeQuietly(job);
            }
            closeAfterCreate.forEach(this::closeQuietly);
            parentEnds.forEach(this::closeQuietly);
            held.forEach(this::closeQuietly);
            if (!started) {
                try {
                    Files.deleteIfExists(handOver);
                } catch (IOException e) {
                    // Left for the next setup; readable only by you and the agent.
                }
            }
        }
    }

    private char[] password(AgentAccountStore.Account account) {
        byte[] clear;
        try {
            clear = unprotect.apply(Base64.getDecoder().decode(account.protectedPassword()));
        } catch (RuntimeException e) {
            throw new ContainmentException(Reason.UNENFORCEABLE, "cannot read the agent account's password (" + e.getMessage()
                    + "); run 'mcp-contain setup' elevated again");
        }
        try {
            java.nio.CharBuffer chars = java.nio.charset.StandardCharsets.UTF_8.decode(java.nio.ByteBuffer.wrap(clear));
            char[] password = new char[chars.remaining()];
            chars.get(password);
            return password;
        } finally {
            Arrays.fill(clear, (byte) 0);
        }
    }

    private void closeQuietly(Win32.Handle handle) {
        try {
            win32.closeHandle(handle);
        } catch (Win32CallException e) {
            // Nothing more to do; the job's kill-on-close still applies.
        }
    }
}
