package dev.mcpcontain.cli;

import dev.mcpcontain.policy.RunRequest;
import dev.mcpcontain.run.Launcher;
import dev.mcpcontain.registry.RegisteredRun;
import dev.mcpcontain.registry.RegistryStore;
import dev.mcpcontain.registry.ServerEntry;
import dev.mcpcontain.run.PlannedRun;
import dev.mcpcontain.run.ResolvedRun;
import dev.mcpcontain.run.RunPipeline;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;

/**
 * What {@code run} does once its options are known: the {@link RunPipeline}, with {@code --dry-run} stopping after
 * the plan. Writes nothing to stdout except the report of {@code --dry-run}, which starts nothing.
 */
final class RunExecution {

    private RunExecution() {}

    /** {@code run NAME} of a registered server; a word that is not a registered name stays a program. */
    private static Optional<ServerEntry> registered(RunOptions options, Launcher launcher) {
        if (!options.mayNameRegisteredServer()) {
            return Optional.empty();
        }
        String word = options.command().get(0);
        if (!word.matches("[a-z0-9][a-z0-9._-]{0,63}") || word.contains("..")) {
            return Optional.empty();
        }
        RegistryStore store = RegistryStore.forHost(launcher.host());
        return store.exists(word) ? store.find(word) : Optional.empty();
    }

    static int execute(RunOptions options, int verbosity, PrintWriter out) throws Exception {
        Launcher launcher = Launcher.forCurrentUser(verbosity);
        RunPipeline pipeline = launcher.pipeline();
        RunRequest request = new RunRequest(options.command(), options.grants(), List.of(), options.network(),
                options.env(), options.name(), options.isolation(), options.allowHosts());
        Optional<ServerEntry> registered = registered(options, launcher);
        ResolvedRun resolved;
        if (registered.isPresent()) {
            RegisteredRun run = RegisteredRun.prepare(RegistryStore.forHost(launcher.host()), registered.get(), request,
                    options.mcp());
            boolean unsigned = run.unsignedBundleNow(RegistryStore.forHost(launcher.host()),
                    dev.mcpcontain.registry.AdminPolicy.forHost(launcher.host()));
            resolved = pipeline.resolve(run.profile(), run.request(), run.options(),
                    Optional.of(new RunPipeline.Registered(run.entry().name(), unsigned)));
        } else {
            resolved = pipeline.resolve(options.profile(), request, options.mcp(), Optional.empty());
        }
        PlannedRun<?> planned = pipeline.plan(resolved);
        if (options.dryRun()) {
            DryRunReport.print(planned, out);
            return ExitCodes.OK;
        }
        return pipeline.runAttached(planned);
    }
}
