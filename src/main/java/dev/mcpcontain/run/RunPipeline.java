package dev.mcpcontain.run;

import dev.mcpcontain.launch.ContainedProcess;
import dev.mcpcontain.launch.ContainmentBackend;
import dev.mcpcontain.launch.ExecHandoff;
import dev.mcpcontain.launch.LaunchPlan;
import dev.mcpcontain.policy.ContainmentPolicy;
import dev.mcpcontain.policy.ProtectedNames;
import dev.mcpcontain.policy.RunRequest;
import dev.mcpcontain.profile.Profile;
import dev.mcpcontain.registry.AdminPolicy;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One run of a server, in stages, the same for the CLI and the Java API:
 *
 * <ol>
 *   <li>{@link #resolve}: a manifest (if any) turned into the request with the folders the user consented to, the
 *       profile and request resolved into one frozen policy, and the decision whether to mediate;</li>
 *   <li>{@link #plan}: the backend's plan for that policy, with the policy's own notices beside it (nothing has
 *       happened yet: {@code --dry-run} stops here);</li>
 *   <li>prepare and start, in one of three ways: {@link #startOnPipes} for a Java host, the server's stdio on
 *       pipes (mediated in this JVM when the run is); {@link #runAttached} for the CLI, either the relay on this
 *       process's stdio, or the plan handed to the native supervisor that replaces the launcher script, or
 *       supervised from here.</li>
 * </ol>
 */
public final class RunPipeline {

    private final Launcher launcher;
    private final Diagnostics diagnostics;

    public RunPipeline(Launcher launcher) {
        this.launcher = launcher;
        this.diagnostics = new Diagnostics(launcher.verbosity());
    }

    public Diagnostics diagnostics() {
        return diagnostics;
    }

    /** Stage 1: manifest and consent, policy, mediation decision. Starts nothing, asks only for consent. */
    public ResolvedRun resolve(String profile, RunRequest request, McpOptions options) {
        return resolve(profile, request, options, Optional.empty());
    }

    /**
     * Stage 1 for a run that may be a registered server's ({@code run NAME}): the administrator's policy
     * ({@link AdminPolicy}) is checked around every step: which server may run, its profile, then the resolved
     * policy (network, isolation, folders), then mediation.
     *
     * @param registered the registered server's name and whether its code is an unsigned bundle; empty for an
     *                   ad-hoc command or {@code --manifest}
     */
    public ResolvedRun resolve(String profile, RunRequest request, McpOptions options,
            Optional<Registered> registered) {
        AdminPolicy admin = AdminPolicy.forHost(launcher.host());
        // Plain code where it costs nothing to read: each lambda call site costs every launch start-up time.
        admin.checkServer(registered.isPresent() ? Optional.of(registered.get().name()) : Optional.empty(),
                registered.isPresent() ? registered.get().unsignedBundle() : options.manifest().isPresent());
        admin.checkProfile(profile);
        ManifestStage.Outcome manifest = ManifestStage.apply(launcher, profile, request, options, diagnostics::warn);
        ContainmentPolicy policy = launcher.resolve(profile, manifest.request());
        admin.checkRun(policy);
        List<String> notices = new ArrayList<>();
        boolean mediates = admin.mediation(MediationStage.decide(launcher.host(), policy,
                manifest.manifest().isPresent(), options.mediate(), notices::add, diagnostics::info),
                options.mediate());
        return new ResolvedRun(policy, manifest.manifest(), manifest.sensitiveEnv(), mediates, options, notices);
    }

    /** A registered server's run, as the administrator's policy sees it. */
    public record Registered(String name, boolean unsignedBundle) {}

    /** Stage 2: the backend's plan, and what the policy warns of on this host. */
    public PlannedRun<?> plan(ResolvedRun run) {
        return plan(run, launcher.backend());
    }

    private <P extends LaunchPlan> PlannedRun<P> plan(ResolvedRun run, ContainmentBackend<P> backend) {
        P plan = backend.plan(run.policy());
        List<String> notices = new ArrayList<>(run.notices());
        notices.addAll(notices(run.policy()));
        return new PlannedRun<>(run, backend, plan, notices);
    }

    /**
     * Notices that follow from the policy alone: in a writable grant, protected names that do not exist yet
     * cannot be pinned read-only (reduced isolation protects none, and says so itself).
     */
    private List<String> notices(ContainmentPolicy policy) {
        if (policy.isolation() == Profile.Isolation.REDUCED) {
            return List.of();
        }
        return ProtectedNames.absentInWritableGrants(policy, launcher.host().home());
    }

    /** Stage 3 for Java hosts: prepares and starts; the returned process's stdio is the host's side. */
    public ContainedProcess startOnPipes(PlannedRun<?> planned) throws IOException {
        announce(planned);
        planned.prepare();
        ContainedProcess server = planned.start(false);
        if (!planned.run().mediates()) {
            return server;
        }
        return new MediationStage(launcher.host(), planned.run()).wrap(server, diagnostics);
    }

    /**
     * Stage 3 for the CLI: prepares, then relays this process's stdio (mediated), hands the plan to the native
     * supervisor over the descriptor the launcher script names (no JVM stays resident), or supervises from here
     * with the same stdio (started without the script: {@code java -jar}, tests). Returns the exit code.
     */
    public int runAttached(PlannedRun<?> planned) throws IOException, InterruptedException {
        announce(planned);
        planned.prepare();
        if (planned.plan().egressSocket().isPresent()) {
            // The filtering proxy (--allow-host) lives in this JVM, which therefore stays for the server's lifetime.
            try (dev.mcpcontain.network.EgressProxy proxy = EgressService.start(planned.plan())) {
                return attachedInThisJvm(planned);
            }
        }
        if (planned.run().mediates()) {
            return attachedInThisJvm(planned);
        }
        String channel = launcher.host().variables().get(ExecHandoff.CHANNEL_FD_VARIABLE);
        if (channel != null && planned.canHandOff()) {
            try (OutputStream stream = new FileOutputStream(channelPath(channel))) {
                planned.handOff(stream);
            }
            return 0;
        }
        try (ContainedProcess process = planned.start(true)) {
            return process.waitFor();
        }
    }

    /** The relay on this process's stdio (mediated), or the server supervised from here with the same stdio. */
    private int attachedInThisJvm(PlannedRun<?> planned) throws IOException, InterruptedException {
        if (planned.run().mediates()) {
            // The server starts first: the pin, audit log and redactor are made while it boots.
            ContainedProcess server = planned.start(false);
            return new MediationStage(launcher.host(), planned.run()).relayOnOwnStdio(server, diagnostics);
        }
        try (ContainedProcess process = planned.start(true)) {
            return process.waitFor();
        }
    }

    /** Warnings always; the plan's steps with {@code -v}. */
    private void announce(PlannedRun<?> planned) {
        for (String warning : planned.warnings()) {
            diagnostics.warn(warning);
        }
        if (diagnostics.verbose()) {
            for (String step : planned.plan().describe()) {
                diagnostics.info(step);
            }
        }
    }

    private static String channelPath(String fd) {
        boolean digits = !fd.isEmpty() && fd.length() <= 4;
        for (int i = 0; i < fd.length(); i++) {
            digits &= Character.isDigit(fd.charAt(i));
        }
        if (!digits || !Files.exists(Path.of("/proc/self/fd/" + fd))) {
            throw new IllegalStateException(ExecHandoff.CHANNEL_FD_VARIABLE + "=" + fd + " names no open descriptor");
        }
        return "/proc/self/fd/" + fd;
    }
}
