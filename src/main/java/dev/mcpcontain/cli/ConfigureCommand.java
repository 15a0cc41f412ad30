package dev.mcpcontain.cli;

import dev.mcpcontain.manifest.Manifest;
import dev.mcpcontain.registry.ServerEntry;
import dev.mcpcontain.registry.UserConfigValues;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code mcp-contain configure NAME}: change a registration's settings; its code and pin stay as they are. */
@Command(name = "configure", mixinStandardHelpOptions = true,
        description = "Change a registered server's profile, grants, environment or user_config. Each kind given"
                + " replaces the registered one (user_config: key by key).")
public final class ConfigureCommand implements Callable<Integer> {

    @Mixin
    VerboseMixin verbose;

    @Mixin
    ServerSettings settings;

    @Parameters(paramLabel = "NAME")
    String name;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        Registration registration = new Registration();
        ServerEntry entry = registration.store.get(name);
        String profile = settings.profile != null ? settings.profile : entry.profile();
        List<String> grants = settings.grants.isEmpty() ? entry.grants() : settings.grants;
        List<String> env = settings.env.isEmpty() ? entry.env() : settings.env;
        List<String> allowHosts = settings.allowHosts.isEmpty() ? entry.allowHosts() : settings.allowHosts;
        registration.checkSettings(profile, grants);
        // Without --user-config the secrets stay where they are, untouched (and the keyring is not contacted).
        Map<String, List<String>> plain = entry.userConfig();
        List<String> secretKeys = entry.secretKeys();
        if (!settings.userConfig.isEmpty()) {
            if (entry.manifest() == null) {
                throw new dev.mcpcontain.registry.RegistryException("--user-config: '" + name
                        + "' has no manifest (it sets a manifest's user_config)");
            }
            Manifest manifest = registration.manifest(entry);
            UserConfigValues values = registration.userConfig(manifest, settings.userConfig, entry.userConfig(),
                    registration.store.secrets(name));
            registration.saveSecrets(name, values.secrets(), err);
            plain = values.plain();
            secretKeys = new ArrayList<>(values.secrets().keySet());
        }
        registration.store.save(entry.withSettings(profile, grants, allowHosts, env, plain, secretKeys));
        err.println("mcp-contain: configured '" + name + "' (see 'mcp-contain show " + name + "')");
        return ExitCodes.OK;
    }
}
