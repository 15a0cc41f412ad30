package dev.mcpcontain.platform.windows;

import dev.mcpcontain.launch.ContainedProcess;
import dev.mcpcontain.launch.ContainmentBackend;
import dev.mcpcontain.launch.ContainmentException;
import dev.mcpcontain.launch.ContainmentException.Reason;
import dev.mcpcontain.launch.HostCheck;
import dev.mcpcontain.launch.PlatformClasses;
import dev.mcpcontain.platform.windows.account.AccountAdmin;
import dev.mcpcontain.platform.windows.account.AgentAccountStore;
import dev.mcpcontain.platform.windows.acl.AceSpec;
import dev.mcpcontain.platform.windows.acl.AclLedger;
import dev.mcpcontain.platform.windows.acl.CapabilitySids;
import dev.mcpcontain.platform.windows.acl.GrantReconciler;
import dev.mcpcontain.platform.windows.acl.Sid;
import dev.mcpcontain.platform.windows.acl.Win32AclEditor;
import dev.mcpcontain.platform.windows.broker.BrokerClient;
import dev.mcpcontain.platform.windows.broker.BrokerClientWin32;
import dev.mcpcontain.platform.windows.launch.AgentLaunchSequence;
import dev.mcpcontain.platform.windows.launch.CommandLineQuoting;
import dev.mcpcontain.platform.windows.launch.EnvironmentBlock;
import dev.mcpcontain.platform.windows.launch.InnerRuntime;
import dev.mcpcontain.platform.windows.launch.LaunchSequence;
import dev.mcpcontain.platform.windows.plan.AppContainerNames;
import dev.mcpcontain.platform.windows.plan.ChildVerification;
import dev.mcpcontain.platform.windows.plan.FolderAccessPlan;
import dev.mcpcontain.platform.windows.plan.JobLimits;
import dev.mcpcontain.platform.windows.plan.WindowsLaunchPlan;
import dev.mcpcontain.policy.ContainmentPolicy;
import dev.mcpcontain.policy.HostEnvironment;
import dev.mcpcontain.profile.Profile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The Windows backend: a job object for every server, an AppContainer per server with network capabilities only
 * when the profile allows network, folder grants as ACL entries for the AppContainer SID (recorded in the
 * ledger), a restricted token at Low integrity, its own window station and desktop, and a child verified before
 * it is resumed. {@code isolation: reduced} keeps only the job object and says so on every launch.
 */
public final class WindowsBackend implements ContainmentBackend<WindowsLaunchPlan> {

    static final String LIMITS_WITHOUT_MECHANISM = "windows: the openFiles, fileSize, tmpSize and homeSize limits have no"
            + " Windows mechanism and are not enforced (memory, processes, cpus and cpuSeconds are, by the job object)";

    private final HostEnvironment host;
    private final Supplier<Win32> win32;
    private final int logicalProcessors;
    private final Function<String, Optional<AgentAccountStore.Account>> agentAccounts;
    private final InnerRuntime innerRuntime;
    private final Supplier<BrokerClientWin32> brokerClient;
    private Win32 bound;


    public WindowsBackend(HostEnvironment host) {
        this(host, WindowsBackend::loadBindings, Runtime.getRuntime().availableProcessors(),
                name -> storedAccount(host, name), InnerRuntime.current());
    }

    WindowsBackend(HostEnvironment host, Supplier<Win32> win32, int logicalProcessors) {
        this(host, win32, logicalProcessors, name -> Optional.empty(), InnerRuntime.current());
    }

    WindowsBackend(HostEnvironment host, Supplier<Win32> win32, int logicalProcessors,
            Function<String, Optional<AgentAccountStore.Account>> agentAccounts, InnerRuntime innerRuntime) {
        this(host, win32, logicalProcessors, agentAccounts, innerRuntime,
                () -> PlatformClasses.create(PlatformClasses.WINDOWS_BROKER_CLIENT, BrokerClientWin32.class));
    }

    WindowsBackend(HostEnvironment host, Supplier<Win32> win32, int logicalProcessors,
            Function<String, Optional<AgentAccountStore.Account>> agentAccounts, InnerRuntime innerRuntime,
            Supplier<BrokerClientWin32> brokerClient) {
        this.brokerClient = brokerClient;
        this.host = host;
        this.win32 = win32;
        this.logicalProcessors = logicalProcessors;
        this.agentAccounts = agentAccounts;
        this.innerRuntime = innerRuntime;
    }

    private static Optional<AgentAccountStore.Account> storedAccount(HostEnvironment host, String name) {
        try {
            return AgentAccountStore.in(host.dataDirectory()).find(name);
        } catch (IOException e) {
            throw new ContainmentException(Reason.UNENFORCEABLE, e.getMessage()
                    + " (run 'mcp-contain setup' elevated to write it again)", e);
        }
    }

    /** Loaded by name so that this class (and its plan) can be used where JNA's Windows libraries are absent. */
    private static Win32 loadBindings() {
        return PlatformClasses.create(PlatformClasses.WINDOWS_BINDINGS, Win32.class);
    }

    private synchronized Win32 win32() {
        if (bound == null) {
            bound = win32.get();
        }
        return bound;
    }

    @Override
    public String name() {
        return "windows";
    }

    @Override
    public HostCheck check() {
        return new WindowsHostCheck(host, this::win32).run();
    }

    @Override
    public WindowsLaunchPlan plan(ContainmentPolicy policy) {
        if (policy.network() == Profile.Network.ALLOW_LIST) {
            throw new ContainmentException(Reason.UNENFORCEABLE, "an outbound allow-list (--allow-host, network.allow)"
                    + " is not available on Windows: an AppContainer either has the internetClient capability (every"
                    + " host) or no network at all, and mcp-contain cannot force a server's traffic through a filtering"
                    + " proxy there. Use --network none, or --network host if the server may reach every host");
        }
        if (policy.isolation() == Profile.Isolation.LANDLOCK) {
            throw new ContainmentException(Reason.UNENFORCEABLE, "isolation 'landlock' is a Linux mode and means"
                    + " nothing on Windows: use --isolation full (AppContainer) or --isolation reduced (job object only)");
        }
        String application = checkedProgram(policy.program());
        String commandLine = CommandLineQuoting.commandLine(policy.command());
        String environment = EnvironmentBlock.build(policy.environment());
        JobLimits job = JobLimits.from(policy.limits(), logicalProcessors);
        List<String> warnings = new ArrayList<>();
        List<String> steps = new ArrayList<>();
        warnings.add(LIMITS_WITHOUT_MECHANISM);

        if (policy.isolation() == Profile.Isolation.REDUCED) {
            if (policy.network() == Profile.Network.NONE) {
                throw new ContainmentException(Reason.UNENFORCEABLE, "network 'none' needs an AppContainer on Windows,"
                        + " which isolation 'reduced' does not use: use --isolation full, or --network host");
            }
            warnings.add(0, "reduced isolation: the server runs as you with your files, registry and network;"
                    + " only the job object (limits, kill on close) and the environment filter apply");
            steps.add("job object: " + job.describe());
            steps.add(stdioStep());
            steps.add("create suspended, as you (no AppContainer, no restricted token): " + commandLine);
            steps.add("verify before resume: " + ChildVerification.jobOnly().describe());
            steps.add("resume; closing the launcher closes the job and kills the whole tree");
            return WindowsLaunchPlan.builder(policy)
                    .mode("windows/reduced (job object only)")
                    .description(steps, warnings)
                    .process(application, commandLine, environment, policy.workingDirectory().toString())
                    .job(job)
                    .verification(ChildVerification.jobOnly())
                    .build();
        }

        Optional<AgentAccountStore.Account> agent = agentAccounts.apply(policy.agentUser());
        Optional<Sid> agentSid = agent.map(a -> Sid.parse(a.sid()));
        boolean broker = agent.map(AgentAccountStore.Account::throughBroker).orElse(false);
        String name = AppContainerNames.forConfiguration(policy.serverId(), configuration(policy, agentSid));
        Sid sid = CapabilitySids.appContainer(name);
        List<String> capabilities = policy.network() == Profile.Network.HOST
                ? List.of(CapabilitySids.INTERNET_CLIENT) : List.of();
        WindowsLaunchPlan.AppContainer appContainer = new WindowsLaunchPlan.AppContainer(name, sid, capabilities);
        List<Sid> trustees = agentSid.map(a -> List.of(sid, a)).orElse(List.of(sid));
        List<AceSpec> folderAccess;
        try {
            // An LPAC (the broker's) does not get what ALL APPLICATION PACKAGES may read, so Program Files needs
            // entries; the Windows folder stays readable through ALL RESTRICTED APPLICATION PACKAGES.
            List<String> readableAlready = broker ? systemRootOnly() : systemDirectories();
            folderAccess = new ArrayList<>(FolderAccessPlan.entries(policy, trustees, readableAlready,
                    lowLabelConsents()));
        } catch (FolderAccessPlan.LowLabelNeeded e) {
            throw new ContainmentException(Reason.UNENFORCEABLE, "windows: the writable grant " + e.path() + " cannot"
                    + " be written by the server: its token is Low integrity (every AppContainer token is), and your"
                    + " folders count as Medium. Labelling the folder Low makes it writable for the server, and also"
                    + " for every other Low-integrity process you run. To accept that for this folder, run"
                    + " 'mcp-contain setup --allow-low-label \"" + e.path() + "\"' (recorded in the grant ledger;"
                    + " --revoke-grants removes the label), or grant it read-only");
        }
        if (!broker) {
            agentSid.ifPresent(a -> folderAccess.addAll(innerLauncherAccess(a)));
        }
        ChildVerification verification = new ChildVerification(Optional.of(sid), appContainer.capabilitySids(),
                Win32.SECURITY_MANDATORY_LOW_RID, true, false, agentSid);
        if (agent.isEmpty()) {
            warnings.add("windows: no agent account '" + policy.agentUser() + "': the server runs as you (inside its"
                    + " AppContainer); run 'mcp-contain setup' once from an elevated prompt for a separate account");
        }
        if (policy.network() == Profile.Network.HOST) {
            warnings.add("windows: loopback (localhost) stays blocked inside an AppContainer even with network host");
        }

        if (broker) {
            AgentAccountStore.Account a = agent.get();
            steps.add("identity: agent account " + a.userName() + " (" + a.sid() + ") through the mcp-contain-broker"
                    + " service (LocalSystem): it checks who you are on its pipe, logs the agent on with S4U in the"
                    + " services session (session 0, not yours) and starts the server there as a less-privileged"
                    + " AppContainer (LPAC); stdio travels over three per-run pipes only you can open, relayed by this"
                    + " launcher; closing it makes the broker close the server's job");
        }
        agent.filter(a -> !a.throughBroker()).ifPresent(a -> steps.add("identity: agent account " + a.userName() + " (" + a.sid() + "): the inner"
                + " launcher starts under it with CreateProcessWithLogonW (java @argfile, suspended, user SID checked,"
                + " then in a kill-on-close job, on the server's desktop) and applies the steps below as that account;"
                + " same Windows session as yours"));
        steps.add("AppContainer " + name + " (" + sid + "), capabilities: "
                + (capabilities.isEmpty() ? "none (no network)" : String.join(", ", capabilities) + " (outbound network)"));
        steps.add("folder ACL entries (and Low labels) for this configuration's AppContainer, journalled in "
                + AclLedger.in(host.dataDirectory()).file() + ", each read back from the folder; other configurations"
                + " of this server that no running launch holds are revoked first:");
        folderAccess.forEach(ace -> steps.add("  " + ace.describe()));
        steps.add("token: restricted copy of yours (all privileges removed but SeChangeNotify, Administrators"
                + " deny-only), Low integrity");
        steps.add("job object: " + job.describe());
        steps.add("own window station and desktop: full access for you and SYSTEM; the server may not create or switch"
                + " desktops, hook, exit Windows or change system parameters");
        steps.add(stdioStep());
        steps.add("create suspended inside the job (JOB_LIST) with SECURITY_CAPABILITIES: " + commandLine);
        steps.add("verify before resume: " + verification.describe() + "; on any mismatch terminate, exit 125");
        steps.add("resume; closing the launcher closes the job and kills the whole tree");
        String mode = broker ? "windows/broker (agent account " + agent.get().userName() + ", services session, LPAC,"
                + " restricted token, Low integrity, job object)"
                : "windows/appcontainer (" + agent.map(a -> "agent account " + a.userName() + ", ").orElse("")
                + "restricted token, Low integrity, job object)";
        return WindowsLaunchPlan.builder(policy)
                .mode(mode)
                .description(steps, warnings)
                .process(application, commandLine, environment, policy.workingDirectory().toString())
                .job(job)
                .appContainer(appContainer)
                .restrictedToken(true)
                .folderAccess(folderAccess)
                .ownDesktop()
                .verification(verification)
                .agentAccount(agent)
                .build();
    }

    /**
     * Everything that decides the server's identity, grants and capabilities, as text for the identity hash: the
     * command, the paths with their access and origin, network, isolation and the agent account.
     */
    static String configuration(ContainmentPolicy policy, Optional<Sid> agent) {
        StringBuilder text = new StringBuilder();
        policy.command().forEach(arg -> text.append("arg ").append(arg).append('\n'));
        policy.paths().forEach(rule -> text.append("path ").append(rule.access()).append(' ').append(rule.origin())
                .append(' ').append(rule.path()).append('\n'));
        text.append("network ").append(policy.network()).append('\n');
        text.append("isolation ").append(policy.isolation()).append('\n');
        agent.ifPresent(sid -> text.append("agent ").append(sid).append('\n'));
        return text.toString();
    }

    /** Folders the user consented to label Low (mcp-contain setup --allow-low-label), from the ledger. */
    private java.util.function.Predicate<String> lowLabelConsents() {
        try {
            List<String> consented = AclLedger.in(host.dataDirectory()).read().consents().stream()
                    .map(c -> c.path().toLowerCase(Locale.ROOT)).toList();
            return path -> consented.contains(path.toLowerCase(Locale.ROOT));
        } catch (IOException e) {
            throw new ContainmentException(Reason.UNENFORCEABLE, e.getMessage(), e);
        }
    }

    /** The agent must read the JVM and the launcher's classes, and write the hand-over directory. */
    private List<AceSpec> innerLauncherAccess(Sid agent) {
        List<AceSpec> entries = new ArrayList<>();
        List<String> system = systemDirectories();
        java.util.Set<String> dirs = new java.util.LinkedHashSet<>();
        Path javaBin = Path.of(innerRuntime.javaExecutable()).getParent();
        if (javaBin != null && javaBin.getParent() != null) {
            dirs.add(javaBin.getParent().toString());
        }
        for (String entry : innerRuntime.classpath()) {
            if (entry.isEmpty()) {
                continue;
            }
            Path p = Path.of(entry);
            dirs.add(entry.toLowerCase(Locale.ROOT).endsWith(".jar") && p.getParent() != null ? p.getParent().toString() : entry);
        }
        for (String dir : dirs) {
            if (!FolderAccessPlan.isUnder(dir, system)) {
                entries.add(new AceSpec(dir, agent, false, AceSpec.READ_EXECUTE, AceSpec.INHERIT_TO_CHILDREN,
                        "inner launcher runtime"));
            }
        }
        entries.add(new AceSpec(handOverDirectory().toString(), agent, false, AceSpec.MODIFY,
                AceSpec.INHERIT_TO_CHILDREN, "inner launcher hand-over"));
        return entries;
    }

    Path handOverDirectory() {
        return host.dataDirectory().resolve("agent-launch");
    }

    private static String stdioStep() {
        return "stdio: three pipes, only the child's ends inheritable and listed in PROC_THREAD_ATTRIBUTE_HANDLE_LIST;"
                + " job and token handles never inheritable";
    }

    /** Executables only: batch files are re-parsed by cmd.exe and App Execution Aliases fail in an AppContainer. */
    static String checkedProgram(String program) {
        String lower = program.toLowerCase(Locale.ROOT).replace('/', '\\');
        if (lower.endsWith(".cmd") || lower.endsWith(".bat")) {
            throw new ContainmentException(Reason.UNENFORCEABLE, "'" + program + "' is a batch file: cmd.exe parses"
                    + " its arguments by other rules, so mcp-contain does not start batch files. Run the program it"
                    + " wraps directly (for npx: node \"<npm prefix>\\node_modules\\npm\\bin\\npx-cli.js\" ARGS)");
        }
        if (lower.contains("\\microsoft\\windowsapps\\")) {
            throw new ContainmentException(Reason.UNENFORCEABLE, "'" + program + "' is an App Execution Alias, which"
                    + " cannot start inside an AppContainer: pass the real executable's path (e.g. from python.org or"
                    + " nodejs.org installs)");
        }
        return program;
    }

    /** Directories every AppContainer can already read; program paths under them need no ACL entry. */
    List<String> systemDirectories() {
        List<String> dirs = new ArrayList<>();
        for (String name : List.of("SYSTEMROOT", "PROGRAMFILES", "PROGRAMFILES(X86)", "PROGRAMW6432")) {
            variable(name).ifPresent(dirs::add);
        }
        return dirs;
    }

    private List<String> systemRootOnly() {
        return variable("SYSTEMROOT").map(List::of).orElse(List.of());
    }

    /** Windows variable names are case-insensitive; the host map may not be. */
    private Optional<String> variable(String name) {
        for (Map.Entry<String, String> e : host.variables().entrySet()) {
            if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
                return Optional.of(e.getValue());
            }
        }
        return Optional.empty();
    }

    @Override
    public void prepare(WindowsLaunchPlan windows) throws IOException {
        if (windows.agentAccount().isPresent()) {
            Files.createDirectories(handOverDirectory());
        }
        Path home = windows.policy().agentHome();
        Files.createDirectories(home.resolve("AppData").resolve("Roaming"));
        Files.createDirectories(home.resolve("AppData").resolve("Local").resolve("Temp"));
    }

    @Override
    public ContainedProcess start(WindowsLaunchPlan windows, boolean inheritStdio) {
        Win32 bindings = win32();
        requireX64(System.getProperty("os.arch", ""), pointerSize());
        GrantReconciler reconciler = new GrantReconciler(AclLedger.in(host.dataDirectory()),
                new Win32AclEditor(bindings), Clock.systemUTC());
        String launchId = uniqueSuffix();
        LaunchSequence.FolderGrants grants = (serverId, identity, entries) -> {
            AclLedger.Lease lease = GrantReconciler.leaseFor(identity, launchId);
            GrantReconciler.Result result = reconciler.reconcile(serverId, identity, entries, lease);
            return new LaunchSequence.Granted(() -> {
                try {
                    reconciler.release(lease);
                } catch (IOException e) {
                    // The lease names this process; the next launch drops it once the process is gone.
                }
            }, result.retired());
        };
        if (windows.agentAccount().map(AgentAccountStore.Account::throughBroker).orElse(false)) {
            return startThroughBroker(windows, inheritStdio, reconciler, launchId);
        }
        if (windows.agentAccount().isPresent()) {
            AccountAdmin admin = PlatformClasses.create(PlatformClasses.WINDOWS_ACCOUNT_ADMIN, AccountAdmin.class);
            return new AgentLaunchSequence(bindings, grants, admin::unprotect, innerRuntime, handOverDirectory(),
                    uniqueSuffix()).start(windows, inheritStdio);
        }
        return new LaunchSequence(bindings, grants, uniqueSuffix()).start(windows, inheritStdio);
    }

    /**
     * The broker path: the folder grants are made here, as you (the broker never changes an ACL), for the
     * configuration's AppContainer SID and the agent; the lease on them ends when the server does.
     */
    private ContainedProcess startThroughBroker(WindowsLaunchPlan windows, boolean inheritStdio,
            GrantReconciler reconciler, String launchId) {
        String identity = windows.appContainer().orElseThrow().name();
        AclLedger.Lease lease = GrantReconciler.leaseFor(identity, launchId);
        try {
            reconciler.reconcile(windows.policy().serverId(), identity, windows.folderAccess(), lease);
        } catch (IOException e) {
            throw new ContainmentException(Reason.LAUNCH_FAILED, "cannot update the folder grants: " + e.getMessage(), e);
        }
        Runnable release = () -> {
            try {
                reconciler.release(lease);
            } catch (IOException e) {
                // The lease names this process; the next launch drops it once the process is gone.
            }
        };
        try {
            return new BrokerClient(brokerClient.get()).start(windows, inheritStdio, release);
        } catch (RuntimeException e) {
            release.run();
            throw e;
        }
    }

    /**
     * Every structure layout here is x64's; a 32-bit (or ARM64-emulating-x86) JVM would pass them to Windows with
     * the wrong sizes and corrupt its stack. Checked at run time before any Windows call of a launch.
     */
    static void requireX64(String arch, int pointerSize) {
        if (!(arch.equals("amd64") || arch.equals("x86_64")) || pointerSize != 8) {
            throw new ContainmentException(Reason.UNSUPPORTED_PLATFORM, "mcp-contain needs a 64-bit x64 JVM on Windows"
                    + " (this one is os.arch " + arch + " with " + pointerSize + "-byte pointers); its Windows structures"
                    + " are laid out for x64. Install an x64 JDK 17+ and run mcp-contain with it");
        }
    }

    private static int pointerSize() {
        try {
            return Class.forName("com.sun.jna.Native").getField("POINTER_SIZE").getInt(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            return -1;
        }
    }

    private static String uniqueSuffix() {
        byte[] random = new byte[6];
        new SecureRandom().nextBytes(random);
        return ProcessHandle.current().pid() + "-" + HexFormat.of().formatHex(random);
    }
}
