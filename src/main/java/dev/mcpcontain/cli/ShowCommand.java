package dev.mcpcontain.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpcontain.pins.PinStore;
import dev.mcpcontain.policy.HostEnvironment;
import dev.mcpcontain.registry.RegistryStore;
import dev.mcpcontain.state.StateFiles;
import java.io.PrintWriter;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mcp-contain show NAME [--json]}: one registration: code and its hash, profile, grants, pins. */
@Command(name = "show", mixinStandardHelpOptions = true,
        description = "Show a registered server: its code and hash, profile, grants, settings and pins (never secrets).")
public final class ShowCommand implements Callable<Integer> {

    @Mixin
    VerboseMixin verbose;

    @Option(names = "--json", description = "Machine-readable output.")
    boolean json;

    @Parameters(paramLabel = "NAME")
    String name;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        HostEnvironment host = HostEnvironment.current();
        RegistryStore store = RegistryStore.forHost(host);
        JsonNode shown = RegistryJson.show(store.get(name), store, new PinStore(StateFiles.pins(host)));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(RegistryJson.JSON.writeValueAsString(shown));
        } else {
            for (Iterator<Map.Entry<String, JsonNode>> it = shown.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> field = it.next();
                JsonNode v = field.getValue();
                out.printf("%-11s %s%n", field.getKey() + ":", v.isTextual() ? v.textValue() : v.toString());
            }
        }
        out.flush();
        return ExitCodes.OK;
    }
}
