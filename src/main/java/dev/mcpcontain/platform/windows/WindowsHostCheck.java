package dev.mcpcontain.platform.windows;

import dev.mcpcontain.launch.HostCheck;
import dev.mcpcontain.platform.windows.account.AgentAccountStore;
import dev.mcpcontain.policy.HostEnvironment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** What {@code mcp-contain check} reports on Windows; every feature is probed, not assumed from the version. */
final class WindowsHostCheck {

    private final HostEnvironment host;
    private final Supplier<Win32> win32;
    private final String osVersion;
    private final String arch;

    WindowsHostCheck(HostEnvironment host, Supplier<Win32> win32) {
        this(host, win32, System.getProperty("os.version", ""), System.getProperty("os.arch", ""));
    }

    WindowsHostCheck(HostEnvironment host, Supplier<Win32> win32, String osVersion, String arch) {
        this.host = host;
        this.win32 = win32;
        this.osVersion = osVersion;
        this.arch = arch;
    }

    HostCheck run() {
        List<HostCheck.Feature> features = new ArrayList<>();
        boolean x64 = arch.equals("amd64") || arch.equals("x86_64");
        features.add(new HostCheck.Feature("x64", x64, "os.arch " + arch,
                x64 ? "" : "use a 64-bit x64 JVM (structure layouts are those of x64)"));
        boolean windows10 = major(osVersion) >= 10;
        features.add(new HostCheck.Feature("windows-10-or-later", windows10, "Windows " + osVersion,
                windows10 ? "" : "Windows 10 or Server 2016 or later is required (nested jobs, AppContainer APIs)"));
        Win32 bindings = win32.get();
        boolean jobs = bindings.hasFunction("kernel32", "CreateJobObjectW")
                && bindings.hasFunction("kernel32", "IsProcessInJob");
        features.add(new HostCheck.Feature("job-objects", jobs, jobs ? "CreateJobObjectW, IsProcessInJob" : "missing",
                jobs ? "" : "kernel32 lacks the job object API"));
        boolean appContainer = bindings.hasFunction("userenv", "CreateAppContainerProfile")
                && bindings.hasFunction("kernel32", "UpdateProcThreadAttribute");
        features.add(new HostCheck.Feature("appcontainer", appContainer,
                appContainer ? "CreateAppContainerProfile, SECURITY_CAPABILITIES" : "missing",
                appContainer ? "" : "this Windows has no AppContainer API; only --isolation reduced can run"));
        boolean restricted = bindings.hasFunction("advapi32", "CreateRestrictedToken");
        features.add(new HostCheck.Feature("restricted-token", restricted, restricted ? "CreateRestrictedToken" : "missing",
                restricted ? "" : "advapi32 lacks CreateRestrictedToken"));
        features.add(jobNesting(bindings));
        features.add(agentAccount());
        features.add(agentSession());
        boolean ready = x64 && windows10 && jobs && appContainer && restricted;
        String mode = ready ? "windows/appcontainer (restricted token, Low integrity, job object)"
                : "cannot run with isolation full: " + features.stream().filter(f -> !f.available())
                        .map(HostCheck.Feature::name).toList();
        return new HostCheck("windows", mode, ready, features);
    }

    /**
     * Informational: inside a job, the server's job is nested and Windows allows it no UI limits (the window station
     * and desktop still isolate the UI); a job with UI limits of its own makes launches fail.
     */
    private static HostCheck.Feature jobNesting(Win32 bindings) {
        boolean inJob;
        try {
            inJob = bindings.isProcessInAnyJob(bindings.currentProcess());
        } catch (Win32CallException e) {
            return new HostCheck.Feature("job-ui-limits", false, "IsProcessInJob failed: " + e.getMessage(), "");
        }
        return inJob
                ? new HostCheck.Feature("job-ui-limits", false, "mcp-contain runs inside a job object: servers get"
                        + " nested jobs without UI limits (own window station and desktop still apply)",
                        "start the MCP host outside a job object to add job UI limits")
                : new HostCheck.Feature("job-ui-limits", true, "not in a job: servers get a top-level job with UI limits", "");
    }

    /** Informational: without it servers run as the user inside their AppContainer, and every launch says so. */
    private HostCheck.Feature agentAccount() {
        try {
            List<AgentAccountStore.Account> accounts = AgentAccountStore.in(host.dataDirectory()).accounts();
            return accounts.isEmpty()
                    ? new HostCheck.Feature("agent-account", false, "none set up (servers run as you, in an AppContainer)",
                            "run 'mcp-contain setup' once from an elevated prompt")
                    : new HostCheck.Feature("agent-account", true, accounts.stream()
                            .map(a -> a.userName() + " " + a.sid()).toList().toString(), "");
        } catch (java.io.IOException e) {
            return new HostCheck.Feature("agent-account", false, e.getMessage(), "run 'mcp-contain setup' elevated again");
        }
    }

    /**
     * Informational: where the agent's servers run. The services session (session 0) through the broker service is
     * the separate session; {@code setup --no-broker} (and setups older than the broker) run them in your session.
     */
    private HostCheck.Feature agentSession() {
        try {
            List<AgentAccountStore.Account> accounts = AgentAccountStore.in(host.dataDirectory()).accounts();
            boolean broker = accounts.stream().anyMatch(AgentAccountStore.Account::throughBroker);
            return broker
                    ? new HostCheck.Feature("agent-session", true, "services session (session 0), through the"
                            + " mcp-contain-broker service", "")
                    : new HostCheck.Feature("agent-session", false, accounts.isEmpty() ? "no agent account"
                            : "your own Windows session (CreateProcessWithLogonW)",
                            "run 'mcp-contain setup' elevated (without --no-broker) for the services session");
        } catch (java.io.IOException e) {
            return new HostCheck.Feature("agent-session", false, e.getMessage(), "run 'mcp-contain setup' elevated again");
        }
    }

    static int major(String version) {
        try {
            return Integer.parseInt(version.split("\\.")[0]);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
