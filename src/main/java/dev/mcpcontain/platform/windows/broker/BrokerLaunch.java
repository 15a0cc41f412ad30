package dev.mcpcontain.platform.windows.broker;

import dev.mcpcontain.platform.windows.Win32;
import dev.mcpcontain.platform.windows.Win32CallException;
import dev.mcpcontain.platform.windows.acl.CapabilitySids;
import dev.mcpcontain.platform.windows.acl.Sddl;
import dev.mcpcontain.platform.windows.acl.Sid;
import dev.mcpcontain.platform.windows.launch.LaunchSequence;
import dev.mcpcontain.platform.windows.plan.AppContainerNames;
import dev.mcpcontain.platform.windows.plan.ChildVerification;
import dev.mcpcontain.platform.windows.plan.JobLimits;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Starts one server for the broker, as the caller's agent account, in the services session (session 0): an S4U
 * logon of the agent (no password; the broker's SeTcbPrivilege makes the token usable), a restricted copy of that
 * token at Low integrity, a less-privileged AppContainer (LPAC), born in a kill-on-close job (JOB_LIST), on a window
 * station and desktop of its own, with the three per-run pipes as its only inherited handles. The child is verified
 * (AppContainer, LPAC, user, integrity, session, job) before it is resumed; any failure terminates it unresumed.
 */
public final class BrokerLaunch {

    /** The services session: where a service's processes run, never an interactive user's. */
    public static final int SERVICES_SESSION = 0;

    /** Capabilities a request may ask for: outbound network. Anything else is refused. */
    static final List<String> REQUESTABLE = List.of(CapabilitySids.INTERNET_CLIENT);

    /**
     * Capabilities an LPAC needs to start ordinary runtimes (node, python): the registry reads and COM that
     * ALL APPLICATION PACKAGES would otherwise have given.
     */
    static final List<String> LPAC_BASE = List.of("registryRead", "lpacCom");

    /** A started server the broker watches. */
    public record Launched(Win32.Handle process, Win32.Handle job, int processId, List<Win32.Handle> held) {}

    private final BrokerWin32 win32;

    public BrokerLaunch(BrokerWin32 win32) {
        this.win32 = win32;
    }

    /** The job the broker gives the server: what the caller asked, plus kill-on-close and never breakaway. */
    static JobLimits jobFor(BrokerMessages.Run run) {
        int flags = (run.limitFlags() | JobLimits.LIMIT_KILL_ON_JOB_CLOSE | JobLimits.LIMIT_DIE_ON_UNHANDLED_EXCEPTION)
                & ~(JobLimits.LIMIT_BREAKAWAY_OK | JobLimits.LIMIT_SILENT_BREAKAWAY_OK);
        return new JobLimits(flags, run.activeProcessLimit(), run.jobMemoryLimit(), run.perProcessUserTimeLimit(),
                JobLimits.UI_ALL, run.cpuRate() > 0 ? OptionalInt.of(run.cpuRate()) : OptionalInt.empty());
    }

    /** Refuses what the broker will never start, whoever asks. */
    static void check(BrokerMessages.Run run) {
        if (run == null || run.application() == null || run.commandLine() == null || run.environmentBlock() == null
                || run.currentDirectory() == null || run.appContainerName() == null || run.capabilities() == null) {
            throw new BrokerRefusal("incomplete run request");
        }
        if (!AppContainerNames.isOurs(run.appContainerName())) {
            throw new BrokerRefusal("AppContainer name '" + run.appContainerName() + "' is not one mcp-contain makes;"
                    + " the broker starts servers under mcp-contain's own identities only");
        }
        for (String capability : run.capabilities()) {
            if (!REQUESTABLE.contains(capability)) {
                throw new BrokerRefusal("capability '" + capability + "' may not be requested (only "
                        + String.join(", ", REQUESTABLE) + ")");
            }
        }
        if (!run.application().matches("(?i)[a-z]:\\\\.*|\\\\\\\\.*|/.*")) {
            throw new BrokerRefusal("application '" + run.application() + "' is not an absolute path");
        }
    }

    public static List<String> capabilities(BrokerMessages.Run run) {
        List<String> all = new ArrayList<>(run.capabilities());
        all.addAll(LPAC_BASE);
        return List.copyOf(new LinkedHashSet<>(all));
    }

    /**
     * @param childStdio the per-run pipes' server ends (stdin, stdout, stderr), connected by the caller; this method
     *                   makes them inheritable for the creation only
     */
    public Launched start(BrokerMessages.Run run, Sid agent, String agentUserName, List<Win32.Handle> childStdio,
            String uniqueSuffix) {
        check(run);
        Sid appContainer = CapabilitySids.appContainer(run.appContainerName());
        List<String> capabilityNames = capabilities(run);
        List<Sid> capabilities = CapabilitySids.capabilities(capabilityNames);
        JobLimits limits = jobFor(run);
        List<Win32.Handle> closeAfterCreate = new ArrayList<>();
        List<Win32.Handle> held = new ArrayList<>();
        Win32.AttributeList attributes = null;
        Win32.Handle job = null;
        Win32.CreatedProcess child = null;
        try {
            Win32.Handle logon = win32.logonS4U(agentUserName);
            closeAfterCreate.add(logon);
            Sid logonUser = win32.tokenUser(logon);
            if (!logonUser.equals(agent)) {
                throw new BrokerRefusal("the S4U logon of " + agentUserName + " gave a token of " + logonUser
                        + ", not the registered agent " + agent + "; run 'mcp-contain setup' elevated again");
            }
            int session = win32.tokenSessionId(logon);
            if (session != SERVICES_SESSION) {
                throw new BrokerRefusal("the agent's token is for session " + session + ", not the services session");
            }
            Win32.Handle token = win32.createRestrictedToken(logon, Win32.DISABLE_MAX_PRIVILEGE,
                    List.of(Sid.ADMINISTRATORS), List.of());
            closeAfterCreate.add(token);
            win32.setIntegrityLevel(token, Sid.integrity(Win32.SECURITY_MANDATORY_LOW_RID));

            job = win32.createJobObject();
            win32.setExtendedLimits(job, limits);
            if (!win32.isProcessInAnyJob(win32.currentProcess())) {
                win32.setUiRestrictions(job, limits.uiRestrictions());
            }
            if (limits.cpuRate().isPresent()) {
                win32.setCpuRateHardCap(job, limits.cpuRate().getAsInt());
            }
            String desktop;
            // SetProcessWindowStation is process-wide: two sessions making desktops at once would mix them up.
            synchronized (BrokerLaunch.class) {
                desktop = LaunchSequence.createDesktop(win32, "mcp-contain-" + uniqueSuffix,
                        Sddl.windowStation(Sid.LOCAL_SYSTEM, Optional.of(agent), Optional.of(appContainer)),
                        Sddl.desktop(Sid.LOCAL_SYSTEM, Optional.of(agent), Optional.of(appContainer)), held);
            }

            for (Win32.Handle h : childStdio) {
                win32.setInheritable(h, true);
            }
            attributes = win32.createAttributeList(4);
            win32.setHandleList(attributes, List.copyOf(new LinkedHashSet<>(childStdio)));
            win32.setJobList(attributes, List.of(job));
            win32.setSecurityCapabilities(attributes, appContainer, capabilities);
            win32.setLessPrivilegedAppContainer(attributes);
            int flags = Win32.CREATE_SUSPENDED | Win32.EXTENDED_STARTUPINFO_PRESENT | Win32.CREATE_UNICODE_ENVIRONMENT
                    | Win32.CREATE_NO_WINDOW;
            child = win32.createProcess(Optional.of(token), run.application(), run.commandLine(), flags,
                    run.environmentBlock(), run.currentDirectory(),
                    new Win32.Startup(desktop, childStdio.get(0), childStdio.get(1), childStdio.get(2), attributes));

            Win32.Handle childToken = win32.openProcessToken(child.process(), Win32.TOKEN_QUERY);
            closeAfterCreate.add(childToken);
            ChildVerification expected = new ChildVerification(Optional.of(appContainer), capabilities,
                    Win32.SECURITY_MANDATORY_LOW_RID, true, false, Optional.of(agent));
            List<String> problems = new ArrayList<>(expected.problems(win32, childToken, child.process(), job));
            if (!win32.tokenIsLessPrivilegedAppContainer(childToken)) {
                problems.add("the child is a full AppContainer, not a less-privileged one");
            }
            int childSession = win32.processSessionId(child.process());
            if (childSession != SERVICES_SESSION) {
                problems.add("the child runs in session " + childSession + ", not the services session");
            }
            if (!problems.isEmpty()) {
                throw new BrokerRefusal("the started server is not contained as asked (" + String.join("; ", problems)
                        + "); it was terminated before it ran");
            }
            int previous = win32.resumeThread(child.thread());
            if (previous != 1) {
                throw new BrokerRefusal("ResumeThread reported suspend count " + previous + " instead of 1");
            }
            closeQuietly(child.thread());
            Launched launched = new Launched(child.process(), job, child.processId(), List.copyOf(held));
            held.clear();
            job = null;
            child = null;
            return launched;
        } catch (Win32CallException e) {
            throw new BrokerRefusal("the broker could not start the server: " + e.getMessage());
        } finally {
            if (child != null) {
                try {
                    win32.terminateProcess(child.process(), 125);
                } catch (Win32CallException e) {
                    // The job handle closed below kills it.
                }
                closeQuietly(child.thread());
                closeQuietly(child.process());
            }
            if (job != null) {
                closeQuietly(job);
            }
            if (attributes != null) {
                win32.deleteAttributeList(attributes);
            }
            closeAfterCreate.forEach(this::closeQuietly);
            held.forEach(this::closeQuietly);
        }
    }

    private void closeQuietly(Win32.Handle handle) {
        try {
            win32.closeHandle(handle);
        } catch (Win32CallException e) {
            // Nothing more to do.
        }
    }
}
