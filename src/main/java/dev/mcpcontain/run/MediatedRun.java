package dev.mcpcontain.run;

import dev.mcpcontain.audit.AuditLog;
import dev.mcpcontain.launch.ContainedProcess;
import dev.mcpcontain.manifest.Manifest;
import dev.mcpcontain.mediation.MediationSettings;
import dev.mcpcontain.policy.ContainmentPolicy;
import dev.mcpcontain.policy.RunRequest;
import java.io.IOException;
import java.util.Optional;

/**
 * The Java API for a run with {@code run}'s MCP-aware options (manifest, consent, mediation): the first stage of
 * the {@link RunPipeline}, kept so the host can look at the policy before starting.
 *
 * <pre>{@code
 * MediatedRun run = MediatedRun.prepare(Launcher.forCurrentUser(), "default", request, McpOptions.none());
 * try (ContainedProcess server = run.start()) {   // mediated in this JVM when run.mediates()
 *     server.stdin(); server.stdout();
 * }
 * }</pre>
 */
public final class MediatedRun {

    /** Set to 1 to never prompt for consent, as if there were no terminal (scripts, tests). */
    public static final String NO_PROMPT_VARIABLE = ManifestStage.NO_PROMPT_VARIABLE;

    private final Launcher launcher;
    private final ResolvedRun run;

    private MediatedRun(Launcher launcher, ResolvedRun run) {
        this.launcher = launcher;
        this.run = run;
    }

    /** Resolves the policy, taking the command, environment and folder requests from the manifest if there is one. */
    public static MediatedRun prepare(Launcher launcher, String profile, RunRequest request, McpOptions options) {
        return new MediatedRun(launcher, launcher.pipeline().resolve(profile, request, options));
    }

    public ContainmentPolicy policy() {
        return run.policy();
    }

    public boolean mediates() {
        return run.mediates();
    }

    public Optional<Manifest> manifest() {
        return run.manifest();
    }

    /** The mediation the relay will apply, with the given audit log (null: none). */
    public MediationSettings settings(AuditLog audit) {
        return new MediationStage(launcher.host(), run).settings(audit);
    }

    /**
     * Plans, prepares and starts the contained server. The returned process's stdin and stdout carry the host's
     * side (through the relay in this JVM when the run is mediated); closing it stops the server's tree.
     */
    public ContainedProcess start() throws IOException {
        RunPipeline pipeline = launcher.pipeline();
        return pipeline.startOnPipes(pipeline.plan(run));
    }
}
