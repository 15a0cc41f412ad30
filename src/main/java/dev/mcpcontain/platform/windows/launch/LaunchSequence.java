package dev.mcpcontain.platform.windows.launch;

import dev.mcpcontain.launch.ContainmentException;
import dev.mcpcontain.launch.ContainmentException.Reason;
import dev.mcpcontain.platform.windows.Win32;
import dev.mcpcontain.platform.windows.Win32CallException;
import dev.mcpcontain.platform.windows.acl.AceSpec;
import dev.mcpcontain.platform.windows.acl.Sddl;
import dev.mcpcontain.platform.windows.acl.Sid;
import dev.mcpcontain.platform.windows.plan.WindowsLaunchPlan;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out a {@link WindowsLaunchPlan} in a fixed order: AppContainer, folder grants, restricted token, job,
 * desktop, pipes, attribute list, suspended creation, job membership, verification, resume. Every call is checked;
 * any failure, before or after the child exists, terminates the child (never resumed), closes what was opened and
 * ends in a {@link ContainmentException}. There is no path that starts the server with less than the plan says.
 */
public final class LaunchSequence {

    private static final Logger LOG = LoggerFactory.getLogger(LaunchSequence.class);

    /** Applies the plan's ACL entries through the ledger (a {@link GrantReconciler} in production). */
    @FunctionalInterface
    public interface FolderGrants {
        /**
         * @param identity the AppContainer profile name (one per server configuration)
         * @return how to end this launch's lease, and the retired profiles to delete
         */
        Granted reconcile(String serverId, String identity, List<AceSpec> entries) throws IOException;
    }

    /** A launch's hold on its grants. */
    public record Granted(Runnable release, List<String> retiredProfiles) {
        public static final Granted NONE = new Granted(() -> { }, List.of());
    }

    private final Win32 win32;
    private final FolderGrants grants;
    private final String uniqueSuffix;

    /** @param uniqueSuffix makes window station and desktop names unique to this launch */
    public LaunchSequence(Win32 win32, FolderGrants grants, String uniqueSuffix) {
        this.win32 = win32;
        this.grants = grants;
        this.uniqueSuffix = uniqueSuffix;
    }

    public WindowsProcess start(WindowsLaunchPlan plan, boolean inheritStdio) {
        List<Win32.Handle> closeAfterCreate = new ArrayList<>();
        List<Win32.Handle> heldWhileRunning = new ArrayList<>();
        List<Win32.Handle> parentEnds = new ArrayList<>();
        Win32.AttributeList attributes = null;
        Win32.Handle job = null;
        Win32.CreatedProcess child = null;
        Granted granted = Granted.NONE;
        try {
            Optional<Sid> appContainerSid = Optional.empty();
            if (plan.appContainer().isPresent()) {
                WindowsLaunchPlan.AppContainer ac = plan.appContainer().get();
                Sid sid = win32.createAppContainerProfile(ac.name(), "mcp-contain " + plan.policy().serverId(),
                        "Contained MCP server " + plan.policy().serverId(), ac.capabilitySids());
                if (!sid.equals(ac.sid())) {
                    throw new ContainmentException(Reason.VERIFICATION_FAILED, "Windows gave AppContainer " + ac.name()
                            + " the SID " + sid + ", not the expected " + ac.sid() + "; refusing to grant folders to it");
                }
                appContainerSid = Optional.of(sid);
                try {
                    granted = grants.reconcile(plan.policy().serverId(), ac.name(), plan.folderAccess());
                } catch (IOException e) {
                    throw new ContainmentException(Reason.LAUNCH_FAILED, "cannot update the folder grants: " + e.getMessage(), e);
                }
                deleteProfiles(win32, granted.retiredProfiles());
            }

            Optional<Win32.Handle> token = Optional.empty();
            Sid user = null;
            if (plan.restrictedToken()) {
                Win32.Handle own = win32.openProcessToken(win32.currentProcess(), Win32.TOKEN_ALL_ACCESS);
                closeAfterCreate.add(own);
                user = win32.tokenUser(own);
                Win32.Handle restricted = win32.createRestrictedToken(own, Win32.DISABLE_MAX_PRIVILEGE,
                        List.of(Sid.ADMINISTRATORS), List.of());
                closeAfterCreate.add(restricted);
                win32.setIntegrityLevel(restricted, Sid.integrity(Win32.SECURITY_MANDATORY_LOW_RID));
                token = Optional.of(restricted);
            }

            job = win32.createJobObject();
            win32.setExtendedLimits(job, plan.job());
            // Windows nests a new job under the jobs the child is born in only if no job of the hierarchy sets UI
            // limits; so UI limits go on the job only when this launcher is in no job (then the server's job is a
            // top-level job). Otherwise the window station and desktop (Sddl) carry the UI isolation alone.
            boolean nested = win32.isProcessInAnyJob(win32.currentProcess());
            if (!nested) {
                win32.setUiRestrictions(job, plan.job().uiRestrictions());
            } else {
                LOG.warn("mcp-contain runs inside a job object, so the server's job is nested and Windows allows it no"
                        + " UI limits; the server's own window station and desktop still isolate clipboard, atoms,"
                        + " window messages, hooks, desktop switching, ExitWindows and SystemParametersInfo");
            }
            if (plan.job().cpuRate().isPresent()) {
                win32.setCpuRateHardCap(job, plan.job().cpuRate().getAsInt());
            }

            String desktop = plan.existingDesktop();
            if (plan.ownDesktop()) {
                desktop = createDesktop(user, appContainerSid, heldWhileRunning);
            }

            Win32.Handle childIn;
            Win32.Handle childOut;
            Win32.Handle childErr;
            OutputStream stdin;
            InputStream stdout;
            InputStream stderr;
            if (inheritStdio) {
                childIn = inheritableCopyOf(Win32.STD_INPUT, "stdin", closeAfterCreate);
                childOut = inheritableCopyOf(Win32.STD_OUTPUT, "stdout", closeAfterCreate);
                childErr = inheritableCopyOf(Win32.STD_ERROR, "stderr", closeAfterCreate);
                stdin = OutputStream.nullOutputStream();
                stdout = InputStream.nullInputStream();
                stderr = InputStream.nullInputStream();
            } else {
                Win32.Pipe in = pipe(closeAfterCreate, parentEnds, true);
                Win32.Pipe out = pipe(closeAfterCreate, parentEnds, false);
                Win32.Pipe err = pipe(closeAfterCreate, parentEnds, false);
                childIn = in.read();
                childOut = out.write();
                childErr = err.write();
                stdin = HandleStreams.output(win32, in.write());
                stdout = HandleStreams.input(win32, out.read());
                stderr = HandleStreams.input(win32, err.read());
            }

            attributes = win32.createAttributeList(appContainerSid.isPresent() ? 3 : 2);
            win32.setHandleList(attributes, List.copyOf(new LinkedHashSet<>(List.of(childIn, childOut, childErr))));
            // Born in the job: there is no moment at which a suspended child exists outside it.
            win32.setJobList(attributes, List.of(job));
            if (appContainerSid.isPresent()) {
                win32.setSecurityCapabilities(attributes, appContainerSid.get(),
                        plan.appContainer().get().capabilitySids());
            }

            int flags = Win32.CREATE_SUSPENDED | Win32.EXTENDED_STARTUPINFO_PRESENT | Win32.CREATE_UNICODE_ENVIRONMENT
                    | Win32.CREATE_NO_WINDOW;
            child = win32.createProcess(token, plan.application(), plan.commandLine(), flags,
                    plan.environmentBlock(), plan.currentDirectory(),
                    new Win32.Startup(desktop, childIn, childOut, childErr, attributes));
            LOG.debug("created suspended process {} for {}", child.processId(), plan.policy().serverId());

            Win32.Handle childToken = win32.openProcessToken(child.process(), Win32.TOKEN_QUERY);
            closeAfterCreate.add(childToken);
            List<String> problems = plan.verification().problems(win32, childToken, child.process(), job);
            if (!problems.isEmpty()) {
                throw new ContainmentException(Reason.VERIFICATION_FAILED, "the started server is not contained as"
                        + " the policy asks (" + String.join("; ", problems) + "); it was terminated before it ran");
            }

            int previousSuspendCount = win32.resumeThread(child.thread());
            if (previousSuspendCount != 1) {
                throw new ContainmentException(Reason.LAUNCH_FAILED, "ResumeThread reported suspend count "
                        + previousSuspendCount + " instead of 1; the server was terminated");
            }
            closeQuietly(child.thread());
            LOG.info("started {} as process {} ({})", plan.policy().serverId(), child.processId(), plan.mode());
            WindowsProcess started = new WindowsProcess(win32, child.process(), job, child.processId(), stdin,
                    stdout, stderr, heldWhileRunning, granted.release());
            granted = Granted.NONE;
            parentEnds.clear();
            heldWhileRunning.clear();
            job = null;
            child = null;
            return started;
        } catch (Win32CallException e) {
            throw new ContainmentException(Reason.LAUNCH_FAILED, e.getMessage(), e);
        } finally {
            if (child != null) {
                abandon(child);
            }
            granted.release().run();
            if (job != null) {
                // Kill-on-close: anything that made it into the job dies with this handle.
                closeQuietly(job);
            }
            if (attributes != null) {
                win32.deleteAttributeList(attributes);
            }
            // The child's pipe ends must go at once, or the parent never sees EOF when the server exits.
            closeAfterCreate.forEach(this::closeQuietly);
            parentEnds.forEach(this::closeQuietly);
            heldWhileRunning.forEach(this::closeQuietly);
        }
    }

    /** AppContainer profiles of retired configurations; one that will not go is left for the next launch to retry. */
    static void deleteProfiles(Win32 win32, List<String> names) {
        for (String name : names) {
            try {
                win32.deleteAppContainerProfile(name);
            } catch (Win32CallException e) {
                LOG.warn("could not delete the AppContainer profile {} of a retired configuration: {}", name, e.getMessage());
            }
        }
    }

    /** Terminates a child that must not run; it has not been resumed. */
    private void abandon(Win32.CreatedProcess child) {
        try {
            win32.terminateProcess(child.process(), 125);
        } catch (Win32CallException e) {
            LOG.error("could not terminate suspended process {}: {}", child.processId(), e.getMessage());
        }
        closeQuietly(child.thread());
        closeQuietly(child.process());
    }

    private Win32.Pipe pipe(List<Win32.Handle> closeAfterCreate, List<Win32.Handle> parentEnds, boolean childReads) {
        Win32.Pipe pipe = win32.createPipe();
        Win32.Handle childEnd = childReads ? pipe.read() : pipe.write();
        Win32.Handle parentEnd = childReads ? pipe.write() : pipe.read();
        closeAfterCreate.add(childEnd);
        parentEnds.add(parentEnd);
        win32.setInheritable(childEnd, true);
        return pipe;
    }

    private Win32.Handle inheritableCopyOf(int which, String name, List<Win32.Handle> closeAfterCreate) {
        Win32.Handle own = win32.stdHandle(which);
        if (own == null) {
            throw new ContainmentException(Reason.LAUNCH_FAILED, "mcp-contain's " + name + " is not open; the MCP"
                    + " client must connect stdin, stdout and stderr");
        }
        Win32.Handle copy = win32.duplicate(own, true);
        closeAfterCreate.add(copy);
        return copy;
    }

    private String createDesktop(Sid user, Optional<Sid> appContainer, List<Win32.Handle> held) {
        return createDesktop(win32, "mcp-contain-" + uniqueSuffix, Sddl.windowStation(user, Optional.empty(), appContainer),
                Sddl.desktop(user, Optional.empty(), appContainer), held);
    }

    /** Window station and desktop of one name; the process's own window station is restored whatever happens. */
    public static String createDesktop(Win32 win32, String name, String stationSddl, String desktopSddl, List<Win32.Handle> held) {
        Win32.Handle previous = win32.processWindowStation();
        Win32.Handle station = win32.createWindowStation(name, stationSddl);
        held.add(station);
        win32.setProcessWindowStation(station);
        try {
            held.add(win32.createDesktop(name, desktopSddl));
        } finally {
            win32.setProcessWindowStation(previous);
        }
        return name + "\\" + name;
    }

    private void closeQuietly(Win32.Handle handle) {
        try {
            win32.closeHandle(handle);
        } catch (Win32CallException e) {
            LOG.debug("CloseHandle({}) failed: {}", handle, e.getMessage());
        }
    }
}
