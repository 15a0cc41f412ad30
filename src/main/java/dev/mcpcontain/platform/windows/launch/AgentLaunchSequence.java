package dev.mcpcontain.platform.windows.launch;

import dev.mcpcontain.launch.ContainmentException;
import dev.mcpcontain.launch.ContainmentException.Reason;
import dev.mcpcontain.platform.windows.Win32;
import dev.mcpcontain.platform.windows.Win32CallException;
import dev.mcpcontain.platform.windows.account.AgentAccountStore;
import dev.mcpcontain.platform.windows.acl.Sddl;
import dev.mcpcontain.platform.windows.acl.Sid;
import dev.mcpcontain.platform.windows.plan.InnerPlan;
import dev.mcpcontain.platform.windows.plan.JobLimits;
import dev.mcpcontain.platform.windows.plan.WindowsLaunchPlan;
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
    private final InnerRuntime runtime;
    private final Path handOverDirectory;
    private final String uniqueSuffix;

    public AgentLaunchSequence(Win32 win32, LaunchSequence.FolderGrants grants, UnaryOperator<byte[]> unprotect,
            InnerRuntime runtime, Path handOverDirectory, String uniqueSuffix) {
        this.win32 = win32;
        this.grants = grants;
        this.unprotect = unprotect;
        this.runtime = runtime;
        this.handOverDirectory = handOverDirectory;
        this.uniqueSuffix = uniqueSuffix;
    }

    /**
     * The outer job only ties the tree to this launcher; the inner launcher's job carries the server's limits.
     * It sets no UI limits: the inner launcher is in it when it creates the server, and Windows nests the server's
     * job under it only if neither job sets UI limits. No breakaway either, so the server stays in both jobs and
     * dies with this launcher.
     */
    static JobLimits outerJob() {
        return new JobLimits(JobLimits.LIMIT_KILL_ON_JOB_CLOSE | JobLimits.LIMIT_DIE_ON_UNHANDLED_EXCEPTION, 0, 0, 0,
                0, java.util.OptionalInt.empty());
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
        Path argFile = handOverDirectory.resolve(uniqueSuffix + ".args");
        boolean started = false;
        LaunchSequence.Granted granted = LaunchSequence.Granted.NONE;
        try {
            granted = grants.reconcile(plan.policy().serverId(), plan.appContainer().orElseThrow().name(),
                    plan.folderAccess());
            Win32.Handle own = win32.openProcessToken(win32.currentProcess(), Win32.TOKEN_QUERY);
            closeAfterCreate.add(own);
            Sid user = win32.tokenUser(own);
            if (!account.protectedFor().isEmpty() && !account.protectedFor().equals(user.toString())) {
                throw new ContainmentException(Reason.UNENFORCEABLE, "the agent account " + account.userName()
                        + " was set up for " + account.protectedFor() + ", not for you (" + user + "); its password is"
                        + " protected for that user. Run 'mcp-contain setup' elevated from your own account");
            }

            job = win32.createJobObject();
            win32.setExtendedLimits(job, outerJob());

            String desktop = LaunchSequence.createDesktop(win32, "mcp-contain-" + uniqueSuffix,
                    Sddl.windowStation(user, Optional.of(agent), Optional.of(appContainer)),
                    Sddl.desktop(user, Optional.of(agent), Optional.of(appContainer)), held);
            // Profiles of retired configurations are the agent's: the inner launcher deletes them.
            Files.write(handOver, InnerPlan.of(plan, desktop, granted.retiredProfiles()).toJson());
            String commandLine = innerCommandLine(argFile, handOver);

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

            // CreateProcessWithLogonW has no handle list: the new process inherits every handle of ours that is
            // inheritable at this moment. Ours are the three copies above, and the launcher's own stdio, which
            // Windows handed us inheritable: those are switched off for the call (the copies carry the same pipes).
            List<Win32.Handle> ownStdio = new ArrayList<>();
            for (int which : new int[] {Win32.STD_INPUT, Win32.STD_OUTPUT, Win32.STD_ERROR}) {
                Win32.Handle h = win32.stdHandle(which);
                if (h != null && !ownStdio.contains(h)) {
                    ownStdio.add(h);
                }
            }
            char[] password = password(account);
            List<Win32.Handle> switchedOff = new ArrayList<>();
            try {
                for (Win32.Handle h : ownStdio) {
                    win32.setInheritable(h, false);
                    switchedOff.add(h);
                }
                inner = win32.createProcessWithLogon(account.userName(), password, runtime.javaExecutable(),
                        commandLine, Win32.CREATE_SUSPENDED | Win32.CREATE_UNICODE_ENVIRONMENT
                                | Win32.CREATE_NO_WINDOW, plan.environmentBlock(), handOverDirectory.toString(), desktop,
                        childEnds[0], childEnds[1], childEnds[2]);
            } finally {
                Arrays.fill(password, '\0');
                for (Win32.Handle h : switchedOff) {
                    try {
                        win32.setInheritable(h, true);
                    } catch (Win32CallException e) {
                        // Left non-inheritable: nothing of ours needs it inheritable.
                    }
                }
            }
            // The process must be the agent before it may run: a wrong account is terminated unresumed.
            Win32.Handle innerToken = win32.openProcessToken(inner.process(), Win32.TOKEN_QUERY);
            closeAfterCreate.add(innerToken);
            Sid innerUser = win32.tokenUser(innerToken);
            if (!innerUser.equals(agent)) {
                throw new ContainmentException(Reason.VERIFICATION_FAILED, "the inner launcher runs as " + innerUser
                        + ", not the agent account " + agent + "; it was terminated before it ran");
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
                    stderr, held, granted.release());
            granted = LaunchSequence.Granted.NONE;
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
            granted.release().run();
            if (!started) {
                try {
                    Files.deleteIfExists(handOver);
                    Files.deleteIfExists(argFile);
                } catch (IOException e) {
                    // Left for the next setup; readable only by you and the agent.
                }
            }
        }
    }

    /**
     * {@code "java.exe" @"<argfile>"}: the JVM options, class path and arguments go in the argument file, because
     * CreateProcessWithLogonW refuses command lines over 1024 characters and a class path of nine jars under a
     * user's profile does not fit.
     */
    String innerCommandLine(Path argFile, Path handOver) throws IOException {
        List<String> args = List.of("-Xmx96m", "-XX:TieredStopAtLevel=1", "-cp", String.join(";", runtime.classpath()),
                AgentInnerLauncher.class.getName(), handOver.toString());
        try {
            Files.writeString(argFile, JavaArgFile.format(args, JavaArgFile.nativeEncoding()), JavaArgFile.nativeEncoding());
        } catch (IllegalArgumentException e) {
            throw new ContainmentException(Reason.LAUNCH_FAILED, "cannot start the inner launcher: " + e.getMessage()
                    + "; install mcp-contain under a path of plain characters");
        }
        String line = CommandLineQuoting.commandLine(List.of(runtime.javaExecutable(), "@" + argFile));
        if (line.length() > Win32.LOGON_COMMAND_LINE_MAX) {
            throw new ContainmentException(Reason.LAUNCH_FAILED, "the inner launcher's command line has " + line.length()
                    + " characters, more than the 1024 CreateProcessWithLogonW accepts; install Java and the data"
                    + " directory under shorter paths");
        }
        return line;
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
