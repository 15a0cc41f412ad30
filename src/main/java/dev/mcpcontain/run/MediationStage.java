package dev.mcpcontain.run;

import dev.mcpcontain.approval.ApprovalPolicy;
import dev.mcpcontain.approval.ApprovalStore;
import dev.mcpcontain.audit.AuditLog;
import dev.mcpcontain.audit.SecretRedactor;
import dev.mcpcontain.launch.ContainedProcess;
import dev.mcpcontain.mediation.Approvals;
import dev.mcpcontain.mediation.MediatedProcess;
import dev.mcpcontain.mediation.MediationSettings;
import dev.mcpcontain.mediation.PinnedTools;
import dev.mcpcontain.mediation.Relay;
import dev.mcpcontain.mediation.TerminalToolPrompt;
import dev.mcpcontain.mediation.ToolRules;
import dev.mcpcontain.pins.PinStore;
import dev.mcpcontain.policy.ContainmentPolicy;
import dev.mcpcontain.policy.HostEnvironment;
import dev.mcpcontain.policy.PolicyException;
import dev.mcpcontain.state.StateFiles;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The mediation stage of a run: whether the relay stays between host and server, and the relay itself, either on
 * this process's stdio (the CLI) or behind a {@link MediatedProcess} (the Java API). The relay's protocol half
 * lives in {@code dev.mcpcontain.mediation}; this class only wires it to a run.
 */
final class MediationStage {

    private final HostEnvironment host;
    private final ResolvedRun run;

    MediationStage(HostEnvironment host, ResolvedRun run) {
        this.host = host;
        this.run = run;
    }

    /**
     * Mediate when asked to, or by default with a manifest, tool rules, tool approvals or a pin; never drop tool rules.
     * {@code --no-mediate} over approvals (the strict profile asks by annotations) is the user's explicit choice for a
     * program that is not an MCP server (the escape suite's probes run under strict), said with -v; over allow/deny
     * lists it is refused.
     */
    static boolean decide(HostEnvironment host, ContainmentPolicy policy, boolean manifest, Optional<Boolean> asked,
            Consumer<String> warn) {
        return decide(host, policy, manifest, asked, warn, line -> { });
    }

    static boolean decide(HostEnvironment host, ContainmentPolicy policy, boolean manifest, Optional<Boolean> asked,
            Consumer<String> warn, Consumer<String> info) {
        boolean toolLists = !policy.toolAllow().isEmpty() || !policy.toolDeny().isEmpty();
        boolean approvals = !policy.toolApprovals().allowsEverything();
        boolean toolRules = toolLists || approvals;
        if (asked.isPresent()) {
            if (!asked.get() && toolLists) {
                throw PolicyException.refused("profile '" + policy.profileName() + "' restricts tools (tools.allow/"
                        + "tools.deny), which only mediation enforces: drop --no-mediate or use a profile without tool rules");
            }
            if (!asked.get() && approvals) {
                // A warning, not a refusal: the user turned the relay off on purpose, but must see what that drops.
                warn.accept("--no-mediate: the tool approvals of profile '" + policy.profileName()
                        + "' (tools.approval/defaultApproval) are not enforced for server '" + policy.serverId() + "'");
            }
            if (!asked.get() && manifest) {
                warn.accept("--no-mediate: tool definitions are not pinned and nothing is audited for server '"
                        + policy.serverId() + "'");
            }
            return asked.get();
        }
        return manifest || toolRules || new PinStore(StateFiles.pins(host)).exists(policy.serverId());
    }

    Path auditFile() {
        return run.options().auditFile().orElse(StateFiles.audit(host));
    }

    /** The mediation the relay will apply, with the audit log opened (null: none). */
    MediationSettings settings(AuditLog audit) {
        ContainmentPolicy policy = run.policy();
        Optional<PinnedTools> declared = run.manifest().flatMap(m -> m.staticTools()
                .map(tools -> new PinnedTools(tools, m.staticServerInfo(), m.staticToolsOrigin())));
        boolean noPrompt = "1".equals(host.variables().get(ManifestStage.NO_PROMPT_VARIABLE));
        Approvals approvals = new Approvals(new ApprovalPolicy(policy.toolApprovals(), policy.grantedFolders()),
                new ApprovalStore(StateFiles.approvals(host)),
                noPrompt ? Optional::empty : TerminalToolPrompt::open, Approvals.DEFAULT_TIMEOUT);
        return MediationSettings.of(policy.serverId(), ToolRules.of(policy.toolAllow(), policy.toolDeny()), declared,
                new PinStore(StateFiles.pins(host)), audit, redactor()).withApprovals(approvals);
    }

    /**
     * Secrets the audit log must never show: the values of every variable the profile or the manifest marks
     * sensitive, as the server sees them and as the launcher's own environment has them, plus the launcher's
     * variables whose names say they hold a secret (the server never sees those, but a host could pass one on).
     */
    SecretRedactor redactor() {
        ContainmentPolicy policy = run.policy();
        Set<String> names = new TreeSet<>(policy.sensitiveNames());
        names.addAll(run.sensitiveEnv());
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
     * Relays this process's stdin and stdout to the started server until it exits; returns its exit code. The
     * server was started first, so the pin, the audit log and the redactor are made while it boots; it gets no
     * byte from the host before they are ready, and is stopped if they fail.
     */
    int relayOnOwnStdio(ContainedProcess server, Diagnostics diagnostics) throws IOException, InterruptedException {
        Thread stopper = new Thread(() -> stopQuietly(server), "mcp-contain stop server");
        Runtime.getRuntime().addShutdownHook(stopper);
        Path auditFile = auditFile();
        try (AuditLog audit = AuditLog.open(auditFile)) {
            Relay relay = new Relay(server, new FileOutputStream(FileDescriptor.out), settings(audit));
            diagnostics.info("mediating server '" + run.policy().serverId() + "': tools checked against "
                    + relay.pinOrigin() + "; audit log " + auditFile);
            int code = relay.run(new FileInputStream(FileDescriptor.in), new FileOutputStream(FileDescriptor.err));
            try {
                Runtime.getRuntime().removeShutdownHook(stopper);
            } catch (IllegalStateException e) {
                // Already shutting down: the hook stops the server.
            }
            return code;
        } catch (IOException | RuntimeException e) {
            server.kill();
            throw e;
        }
    }

    /** The started server behind an in-process relay whose host side is the returned process's stdio. */
    ContainedProcess wrap(ContainedProcess server, Diagnostics diagnostics) throws IOException {
        AuditLog audit = null;
        try {
            audit = AuditLog.open(auditFile());
            AuditLog opened = audit;
            return MediatedProcess.wrap(server, settings(audit), () -> closeQuietly(opened, diagnostics));
        } catch (IOException | RuntimeException e) {
            server.kill();
            if (audit != null) {
                closeQuietly(audit, diagnostics);
            }
            throw e;
        }
    }

    private static void closeQuietly(AuditLog audit, Diagnostics diagnostics) {
        try {
            audit.close();
        } catch (IOException e) {
            diagnostics.warn("closing the audit log " + audit.file() + ": " + e);
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
}
