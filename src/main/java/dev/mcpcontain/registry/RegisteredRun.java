package dev.mcpcontain.registry;

import dev.mcpcontain.policy.PolicyException;
import dev.mcpcontain.policy.RunRequest;
import dev.mcpcontain.profile.GrantSpec;
import dev.mcpcontain.run.McpOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code run NAME} of a registered server: its code checked against the pin, then its registered settings turned
 * into the request the run pipeline takes, always mediated (pins and audit). Options on the command line add grants
 * and variables; what the registry decides (command, manifest, user_config, name) cannot be overridden there.
 *
 * @param entry   the registered server
 * @param profile its profile
 * @param request the request: its command (not for manifests), grants, environment and name
 * @param options manifest and user_config (with the secrets), mediation on
 */
public record RegisteredRun(ServerEntry entry, String profile, RunRequest request, McpOptions options) {

    public boolean unsignedBundle() {
        return entry.source().equals("manifest") && !entry.signed();
    }

    public static RegisteredRun prepare(RegistryStore store, ServerEntry entry, RunRequest given, McpOptions mcp) {
        String name = entry.name();
        if (mcp.manifest().isPresent() || !mcp.userConfig().isEmpty()) {
            throw PolicyException.refused("'" + name + "' is registered: its manifest and user_config come from the"
                    + " registry; change them with 'mcp-contain configure " + name + "'");
        }
        if (given.serverName().isPresent() && !given.serverName().get().equals(name)) {
            throw PolicyException.refused("'" + name + "' is registered under that name; --name "
                    + given.serverName().get() + " cannot rename it");
        }
        if (mcp.mediate().isPresent() && !mcp.mediate().get()) {
            throw PolicyException.refused("'" + name + "' is registered: its runs are always mediated (pins, audit);"
                    + " to run it unmediated use 'mcp-contain run -- COMMAND'");
        }
        CodeCheck.verify(store, entry);
        List<GrantSpec> grants = new ArrayList<>();
        for (String spec : entry.grants()) {
            grants.add(GrantSpec.parse(spec));
        }
        if (entry.source().equals("npm")) {
            // The installed package and its dependencies, read-only: outside the home and /var are not visible.
            grants.add(GrantSpec.parse(Path.of(entry.codePath()).resolve("node_modules") + ":ro"));
        }
        grants.addAll(given.grants());
        Optional<Path> manifest = entry.source().equals("manifest") ? Optional.of(Path.of(entry.manifest()))
                : Optional.empty();
        List<String> env = new ArrayList<>(entry.env());
        Map<String, List<String>> userConfig = new LinkedHashMap<>(entry.userConfig());
        if (manifest.isPresent()) {
            userConfig.putAll(store.secrets(name));
        } else {
            // Without a manifest the secrets are environment variables (imported from a host's "env").
            store.secrets(name).forEach((variable, values) -> env.add(variable + "=" + values.get(values.size() - 1)));
        }
        env.addAll(given.env());
        List<String> allowHosts = new ArrayList<>(entry.allowHosts());
        allowHosts.addAll(given.allowHosts());
        RunRequest request = new RunRequest(manifest.isPresent() ? List.of() : entry.command(), grants,
                given.consented(), given.network(), env, Optional.of(name), given.isolation(), allowHosts);
        McpOptions options = new McpOptions(manifest, userConfig, Optional.of(true), mcp.auditFile(), mcp.dryRun());
        return new RegisteredRun(entry, entry.profile(), request, options);
    }
}
