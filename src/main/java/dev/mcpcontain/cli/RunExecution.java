package dev.mcpcontain.cli;

import dev.mcpcontain.policy.RunRequest;
import dev.mcpcontain.run.Launcher;
import dev.mcpcontain.run.PlannedRun;
import dev.mcpcontain.run.RunPipeline;
import java.io.PrintWriter;
import java.util.List;

/**
 * What {@code run} does once its options are known: the {@link RunPipeline}, with {@code --dry-run} stopping after
 * the plan. Writes nothing to stdout except the report of {@code --dry-run}, which starts nothing.
 */
final class RunExecution {

    private RunExecution() {}

    static int execute(RunOptions options, int verbosity, PrintWriter out) throws Exception {
        RunPipeline pipeline = Launcher.forCurrentUser(verbosity).pipeline();
        RunRequest request = new RunRequest(options.command(), options.grants(), List.of(), options.network(),
                options.env(), options.name(), options.isolation(), options.allowHosts());
        PlannedRun<?> planned = pipeline.plan(pipeline.resolve(options.profile(), request, options.mcp()));
        if (options.dryRun()) {
            DryRunReport.print(planned, out);
            return ExitCodes.OK;
        }
        return pipeline.runAttached(planned);
    }
}
