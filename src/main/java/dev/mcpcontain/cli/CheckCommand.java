package dev.mcpcontain.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpcontain.policy.HostEnvironment;
import dev.mcpcontain.registry.AdminPolicy;
import dev.mcpcontain.registry.RegistryStore;
import dev.mcpcontain.registry.SecretStorage;
import java.util.Map;
import dev.mcpcontain.run.Launcher;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code mcp-contain check [--json]}: what this host can enforce, which mode {@code run} will use, the
 * administrator's policy in force ({@code adminPolicy} in the JSON) and where sensitive values go ({@code secrets}).
 */
@Command(name = "check", mixinStandardHelpOptions = true, description = "Report what this host can enforce, which mode 'run' will use, and the admin policy in force.")
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
        // The administrator's policy in force (a broken one is refused here as it would be at run).
        HostEnvironment host = HostEnvironment.current();
        AdminPolicy admin = AdminPolicy.forHost(host);
        Map<String, String> secrets = RegistryStore.forHost(host).secretStorageStatus();
        var out = spec.commandLine().getOut();
        if (json) {
            ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ObjectNode node = (ObjectNode) mapper.readTree(report.toJson());
            node.set("adminPolicy", mapper.valueToTree(admin.toJson()));
            node.set("secrets", mapper.valueToTree(secrets));
            out.print(mapper.writeValueAsString(node) + "\n");
        } else {
            out.print(report.toText());
            admin.describe().forEach(out::println);
            out.println("secrets: " + secrets.get("store") + (secrets.containsKey("reason")
                    ? " (" + secrets.get("reason") + ")" : "") + "; " + SecretStorage.MODE_VARIABLE + "="
                    + secrets.get("mode"));
        }
        out.flush();
        return report.ready() ? ExitCodes.OK : ExitCodes.REFUSED;
    }
}
