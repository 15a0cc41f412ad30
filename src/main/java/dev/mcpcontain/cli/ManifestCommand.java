package dev.mcpcontain.cli;

import dev.mcpcontain.manifest.ManifestLoader;
import dev.mcpcontain.manifest.ManifestProblem;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code mcp-contain manifest validate FILE}: every problem of an MCPB manifest, each with its JSON path. */
@Command(mixinStandardHelpOptions = true, name = "manifest", description = "Check MCPB manifests.", subcommands = ManifestCommand.Validate.class)
public final class ManifestCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command (validate)");
    }

    /** Exit code of {@code validate} for a manifest with errors (warnings alone exit 0). */
    static final int INVALID = 1;

    @Command(mixinStandardHelpOptions = true, name = "validate", description = "Check a manifest.json strictly (as mcpb does) and print every problem"
            + " with its JSON path (warnings too).",
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:valid (warnings may have been printed)", "1:the manifest has errors",
                    "125:bad usage (no such option)"})
    static final class Validate implements Callable<Integer> {
        @Mixin
        VerboseMixin verbose;

        @Parameters(paramLabel = "FILE", description = "The manifest.json.")
        Path file;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            ManifestLoader.Checked checked = ManifestLoader.check(file, true);
            PrintWriter out = spec.commandLine().getOut();
            long errors = 0;
            long warnings = 0;
            for (ManifestProblem problem : checked.problems()) {
                out.println(problem.format(file.toString()));
                if (problem.error()) {
                    errors++;
                } else {
                    warnings++;
                }
            }
            out.println(file + ": " + (errors == 0 ? "valid" : errors + " error" + (errors == 1 ? "" : "s"))
                    + (warnings == 0 ? "" : ", " + warnings + " warning" + (warnings == 1 ? "" : "s")));
            out.flush();
            return errors == 0 ? ExitCodes.OK : INVALID;
        }
    }
}
