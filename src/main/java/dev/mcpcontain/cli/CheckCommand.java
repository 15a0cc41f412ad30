package dev.mcpcontain.cli;

import dev.mcpcontain.run.Launcher;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code mcp-contain check [--json]}: what this host can enforce, and which mode {@code run} will use. */
@Command(name = "check", mixinStandardHelpOptions = true, description = "Report what this host can enforce and which mode 'run' will use.")
public final class CheckCommand implements Callable<Integer> {

    @Mixin
    VerboseMixin verbose;

    @Option(names = "--json", description = "Machine-readable output.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        HostReport report = HostReport.of(Launcher.forCurrentUser());
        var out = spec.commandLine().getOut();
        out.print(json ? report.toJson() : report.toText());
        if (!json) {
            // The administrator's policy in force (a broken one is refused here as it would be at run).
            dev.mcpcontain.registry.AdminPolicy.forHost(dev.mcpcontain.policy.HostEnvironment.current()).describe()
                    .forEach(out::println);
        }
        out.flush();
        return report.ready() ? ExitCodes.OK : ExitCodes.REFUSED;
    }
}
