package dev.mcpcontain.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpcontain.approval.ApprovalStore;
import dev.mcpcontain.pins.PinStore;
import dev.mcpcontain.profile.ProfileStore;
import dev.mcpcontain.registry.ServerEntry;
import dev.mcpcontain.policy.HostEnvironment;
import dev.mcpcontain.registry.RegistryStore;
import dev.mcpcontain.state.StateFiles;
import java.io.PrintWriter;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mcp-contain show NAME [--json]}: one registration: code and its hash, profile, grants, pins, and approvals
 * (the profile's tool rules and the decisions remembered for the server).
 */
@Command(name = "show", mixinStandardHelpOptions = true,
        description = "Show a registered server: its code and hash, profile, grants, settings, pins and approvals"
                + " (never secret values).")
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
        ServerEntry entry = store.get(name);
        Object rules;
        try {
            rules = new ProfileStore(Optional.of(host.configDirectory().resolve("profiles"))).resolve(entry.profile())
                    .profile().tools();
        } catch (RuntimeException e) {
            rules = "profile '" + entry.profile() + "': " + e.getMessage();
        }
        JsonNode shown = RegistryJson.show(entry, store, new PinStore(StateFiles.pins(host)),
                RegistryJson.approvals(name, new ApprovalStore(StateFiles.approvals(host)), rules));
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
