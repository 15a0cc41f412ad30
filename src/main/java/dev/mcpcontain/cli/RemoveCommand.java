package dev.mcpcontain.cli;

import dev.mcpcontain.policy.HostEnvironment;
import dev.mcpcontain.registry.RegistryStore;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code mcp-contain remove NAME}: forget a registration, its secrets and its installed code (not its pins). */
@Command(name = "remove", mixinStandardHelpOptions = true,
        description = "Remove a registered server: its entry, secrets (OS keyring or file) and installed code. Its tool pin and agent home"
                + " stay ('mcp-contain pins reset NAME' forgets the pin).")
public final class RemoveCommand implements Callable<Integer> {

    @Mixin
    VerboseMixin verbose;

    @Parameters(paramLabel = "NAME")
    String name;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        RegistryStore store = RegistryStore.forHost(HostEnvironment.current());
        store.get(name);
        store.remove(name).forEach(w -> spec.commandLine().getErr().println("mcp-contain: warning: " + w));
        spec.commandLine().getErr().println("mcp-contain: removed '" + name + "'");
        return ExitCodes.OK;
    }
}
