package dev.mcpcontain.mediation;

import dev.mcpcontain.audit.AuditLog;
import dev.mcpcontain.audit.SecretRedactor;
import dev.mcpcontain.consent.ConsentPrompt;
import dev.mcpcontain.consent.ConsentResolver;
import dev.mcpcontain.consent.ConsentStore;
import dev.mcpcontain.consent.FolderRequest;
import dev.mcpcontain.consent.TerminalPrompt;
import dev.mcpcontain.consent.UserGrant;
import dev.mcpcontain.launch.ContainedProcess;
import dev.mcpcontain.launch.ContainmentBackend;
import dev.mcpcontain.launch.LaunchPlan;
import dev.mcpcontain.launch.Launcher;
import dev.mcpcontain.manifest.Manifest;
import dev.mcpcontain.manifest.ManifestLaunch;
import dev.mcpcontain.manifest.ManifestLoader;
import dev.mcpcontain.pins.PinStore;
import dev.mcpcontain.policy.ContainmentPolicy;
import dev.mcpcontain.policy.HostEnvironment;
import dev.mcpcontain.policy.PolicyException;
import dev.mcpcontain.policy.RunRequest;
import dev.mcpcontain.profile.GrantSpec;
import dev.mcpcontain.state.StateFiles;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MCP-aware part of {@code mcp-contain run}: a manifest turned into the request (command, environment,
 * consented folders), the decision whether to mediate, and the mediated run itself, in which this JVM stays as
 * the relay between the host's stdio and the contained server.
 *
 * <pre>{@code
 * MediatedRun run = MediatedRun.prepare(launcher, profile, request, options);  // instead of launcher.resolve
 * ... plan, dry run, backend.prepare(plan) as usual ...
 * if (run.mediates()) return run.relay(backend, plan);                         // instead of the exec hand-off
 * }</pre>
 */
public final class MediatedRun {


    /** Made on first use: most launches log nothing, and SLF4J's start-up would be paid by every one. */
    private static Logger log() {
        return LoggerFactory.getLogger(MediatedRun.class);
    }

    /** Set to 1 to never prompt for consent, as if there were no terminal (scripts, tests). */
    public static final String NO_PROMPT_VARIABLE = "MCP_CONTAIN_NO_PROMPT";

    /**
     * @param manifest   {@code --manifest FILE}
     * @param userConfig {@code --user-config KEY=VALUE}, several values for a multiple option
     * @param mediate    {@code --mediate} / {@code --no-mediate}; empty: on when a manifest, a pin or tool rules exist
     * @param auditFile  {@code --audit FILE}; empty: the data directory's audit.jsonl
     * @param dryRun     ask nothing, remember nothing
     */
    public record Options(Optional<Path> manifest, Map<String, List<String>> userConfig, Optional<Boolean> mediate,
            Optional<Path> auditFile, boolean dryRun) {

        public static Options none() {
            return new Options(Optional.empty(), Map.of(), Optional.empty(), Optional.empty(), false);
        }
    }

    private final Launcher launcher;
    private final ContainmentPolicy policy;
    private final Optional<Manifest> manifest;
    private final Set<String> extraSensitive;
    private final boolean mediate;
    private final Options options;

    private MediatedRun(Launcher launcher, ContainmentPolicy policy, Optional<Manifest> manifest,
            Set<String> extraSensitive, boolean mediate, Options options) {
        this.launcher = launcher;
        this.policy = policy;
        this.manifest = manifest;
        this.extraSensitive = extraSensitive;
        this.mediate = mediate;
        this.options = options;
    }

    /** Resolves the policy, taking the command, environment and folder requests from the manifest if there is one. */
    public static MediatedRun prepare(Launcher launcher, String profile, RunRequest request, Options options) {
        HostEnvironment host = launcher.host();
        Optional<Manifest> manifest = Optional.empty();
        Set<String> sensitive = new TreeSet<>();
        RunRequest effective = request;
        if (options.manifest().isPresent()) {
            if (!request.command().isEmpty()) {
                throw PolicyException.refused("give either --manifest or a server command, not both");
            }
            Manifest m = ManifestLoader.load(options.manifest().get(), log()::warn);
            manifest = Optional.of(m);
            ManifestLaunch launch = ManifestLaunch.resolve(m, options.userConfig(), new ManifestLaunch.Context(
                    host.home(), host.workingDirectory(), launcher.knownFolders(), ManifestLaunch.Context.currentPlatform()));
            String server = request.serverName().orElse(launch.serverName());
            ConsentResolver.Outcome consent = consent(launcher, profile, request, server, launch.folders(),
                    options.dryRun());
            consent.notices().forEach(log()::warn);
            List<GrantSpec> consented = new ArrayList<>(request.consented());
            consented.addAll(consent.consented());
            List<String> env = new ArrayList<>(launch.env());
            env.addAll(request.env());
            effective = new RunRequest(launch.command(), request.grants(), consented, request.network(), env,
                    Optional.of(server), request.isolation(), request.allowHosts());
            sensitive.addAll(launch.sensitiveEnv());
        } else if (!options.userConfig().isEmpty()) {
            throw PolicyException.refused("--user-config needs --manifest");
        }
        ContainmentPolicy policy = launcher.resolve(profile, effective);
        boolean toolRules = !policy.toolAllow().isEmpty() || !policy.toolDeny().isEmpty();
        boolean mediate;
        if (options.mediate().isPresent()) {
            mediate = options.mediate().get();
            if (!mediate && toolRules) {
                throw PolicyException.refused("profile '" + policy.profileName() + "' restricts tools (tools.allow/"
                        + "tools.deny), which only mediation enforces: drop --no-mediate or use a profile without tool rules");
            }
        } else {
            mediate = manifest.isPresent() || toolRules
                    || new PinStore(StateFiles.pins(host)).exists(policy.serverId());
        }
        if (!mediate && manifest.isPresent()) {
            log().warn("--no-mediate: tool definitions are not pinned and nothing is audited for server '{}'",
                    policy.serverId());
        }
        return new MediatedRun(launcher, policy, manifest, sensitive, mediate, options);
    }

    private static ConsentResolver.Outcome consent(Launcher launcher, String profile, RunRequest request,
            String server, List<FolderRequest> folders, boolean dryRun) {
        if (folders.isEmpty()) {
            return new ConsentResolver.Outcome(List.of(), List.of());
        }
        HostEnvironment host = launcher.host();
        List<Path> granted = new ArrayList<>();
        List<GrantSpec> grants = new ArrayList<>(launcher.profiles().resolve(profile).profile().grants());
        grants.addAll(request.grants());
        for (GrantSpec grant : grants) {
            UserGrant.canonicalPath(grant, host, launcher.knownFolders()).ifPresent(granted::add);
        }
        boolean noPrompt = dryRun || "1".equals(host.variables().get(NO_PROMPT_VARIABLE));
        LazyTerminal terminal = new LazyTerminal();
        try {
            return new ConsentResolver(new ConsentStore(StateFiles.consents(host)),
                    noPrompt ? Optional.empty() : Optional.of(terminal)).resolve(server, folders, granted, dryRun);
        } finally {
            terminal.close();
        }
    }

    public ContainmentPolicy policy() {
        return policy;
    }

    public boolean mediates() {
        return mediate;
    }

    public Optional<Manifest> manifest() {
        return manifest;
    }

    /** The mediation the relay will apply, with the audit log opened. */
    public MediationSettings settings(AuditLog audit) {
        HostEnvironment host = launcher.host();
        Optional<PinnedTools> declared = manifest.flatMap(m -> m.staticTools()
                .map(tools -> new PinnedTools(tools, m.staticServerInfo(), m.staticToolsOrigin())));
        return MediationSettings.of(policy.serverId(), ToolRules.of(policy.toolAllow(), policy.toolDeny()), declared,
                new PinStore(StateFiles.pins(host)), audit, redactor(host));
    }

    /**
     * Secrets the audit log must never show: the values of every variable the profile or the manifest marks
     * sensitive, as the server sees them and as the launcher's own environment has them, plus the launcher's
     * variables whose names say they hold a secret (the server never sees those, but a host could pass one on).
     */
    SecretRedactor redactor(HostEnvironment host) {
        Set<String> names = new TreeSet<>(policy.sensitiveNames());
        names.addAll(extraSensitive);
        host.variables().keySet().stream()
                .filter(n -> n.matches("(?i).*(TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|API_?KEY|PRIVATE_?KEY).*"))
                .forEach(names::add);
        Map<String, String> secrets = new HashMap<>();
        for (String name : names) {
            String serverValue = policy.environment().get(name);
            String hostValue = host.variables().get(name);
            if (serverValue != null) {
                secrets.put(name, serverValue);
            }
            if (hostValue != null && !hostValue.equals(serverValue)) {
                secrets.put(serverValue == null ? name : name + "@launcher", hostValue);
            }
        }
        return SecretRedactor.of(secrets, secrets.keySet());
    }

    /**
     * For Java hosts and proxies: plans, prepares and starts the contained server, mediated in this JVM. The
     * returned process's stdin and stdout carry the host's side of the relay; closing it stops the server's tree.
     */
    public ContainedProcess start() throws IOException {
        ContainmentBackend backend = launcher.backend();
        LaunchPlan plan = backend.plan(policy);
        plan.warnings().forEach(log()::warn);
        backend.prepare(plan);
        AuditLog audit = AuditLog.open(options.auditFile().orElse(StateFiles.audit(launcher.host())));
        try {
            return MediatedProcess.wrap(backend.start(plan, false), settings(audit), () -> closeQuietly(audit));
        } catch (IOException | RuntimeException e) {
            closeQuietly(audit);
            throw e;
        }
    }

    private static void closeQuietly(AuditLog audit) {
        try {
            audit.close();
        } catch (IOException e) {
            log().warn("closing the audit log {}: {}", audit.file(), e.toString());
        }
    }

    /**
     * Starts the planned server with its stdio on pipes and relays this process's stdin and stdout to it until
     * it exits. Returns the server's exit code. Nothing is ever written to stdout but the server's messages.
     */
    public int relay(ContainmentBackend backend, LaunchPlan plan) throws IOException, InterruptedException {
        Path auditFile = options.auditFile().orElse(StateFiles.audit(launcher.host()));
        try (AuditLog audit = AuditLog.open(auditFile)) {
            MediationSettings settings = settings(audit);
            ContainedProcess server = backend.start(plan, false);
            Thread stopper = new Thread(() -> stopQuietly(server), "mcp-contain stop server");
            Runtime.getRuntime().addShutdownHook(stopper);
            Relay relay = new Relay(server, new FileOutputStream(FileDescriptor.out), settings);
            log().info("mediating server '{}': tools checked against {}; audit log {}", policy.serverId(),
                    relay.pinOrigin(), auditFile);
            int code = relay.run(new FileInputStream(FileDescriptor.in), new FileOutputStream(FileDescriptor.err));
            try {
                Runtime.getRuntime().removeShutdownHook(stopper);
            } catch (IllegalStateException e) {
                // Already shutting down: the hook stops the server.
            }
            return code;
        }
    }

    private static void stopQuietly(ContainedProcess server) {
        if (!server.isAlive()) {
            return;
        }
        try {
            server.stop(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            server.kill();
        }
    }

    /** Opens the terminal only when there is something to ask, so a run without questions never touches it. */
    private static final class LazyTerminal implements ConsentPrompt {
        private Optional<TerminalPrompt> terminal;

        @Override
        public Optional<ConsentStore.Answer> ask(String server, FolderRequest request, Path canonical) {
            if (terminal == null) {
                terminal = TerminalPrompt.open();
            }
            return terminal.flatMap(t -> t.ask(server, request, canonical));
        }

        void close() {
            if (terminal != null) {
                terminal.ifPresent(TerminalPrompt::close);
            }
        }
    }
}
