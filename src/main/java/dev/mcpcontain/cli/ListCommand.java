package dev.mcpcontain.cli;

import dev.mcpcontain.policy.HostEnvironment;
import dev.mcpcontain.registry.RegistryStore;
import dev.mcpcontain.registry.ServerEntry;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code mcp-contain list [--json]}: the registered servers of this account. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = "List registered servers (--json: the MCP Registry's server list shape).")
public final class ListCommand implements Callable<Integer> {

    @Mixin
    VerboseMixin verbose;

    @Option(names = "--json", description = "Machine-readable output.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        RegistryStore store = RegistryStore.forHost(HostEnvironment.current());
        List<ServerEntry> entries = store.list();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(RegistryJson.JSON.writeValueAsString(RegistryJson.list(entries, store)));
        } else if (entries.isEmpty()) {
            out.println("no registered servers in " + store.directory() + " (add one with 'mcp-contain add')");
        } else {
            out.printf("%-24s %-11s %-12s %s%n", "NAME", "SOURCE", "PROFILE", "CODE SHA256");
            for (ServerEntry e : entries) {
                out.printf("%-24s %-11s %-12s %s%n", e.name(), e.source(), e.profile(), e.codeSha256().substring(0, 16));
            }
        }
        out.flush();
        return ExitCodes.OK;
    }
}
