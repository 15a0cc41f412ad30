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

    /** A bundle (a manifest folder, never signed, or a .mcpb) without a signature from a trusted chain. */
    public boolean unsignedBundle() {
        return (entry.source().equals("manifest") || entry.source().equals("mcpb")) && !entry.signed();
    }

    /**
     * {@link #unsignedBundle()}, and under {@code requireSignedBundles} a .mcpb's kept copy checked again against
     * today's trust anchors: a certificate since removed from {@code bundle-signers.pem} (or a kept copy gone,
     * changed or signed by someone else than at add) no longer vouches for it. Without that field nothing is read.
     */
    public boolean unsignedBundleNow(RegistryStore store, AdminPolicy admin) {
        if (unsignedBundle() || !admin.requireSignedBundles() || !entry.source().equals("mcpb")
                || entry.signature() == null) {
            return unsignedBundle();
        }
        Path kept = store.bundleFile(entry.name());
        try {
            dev.mcpcontain.bundle.SignatureStatus now = dev.mcpcontain.bundle.BundleSignature.verify(kept,
                    dev.mcpcontain.bundle.BundleSignature.locate(kept),
                    dev.mcpcontain.bundle.BundleTrust.load(admin.bundleSignersFile(), true));
            return !now.trusted() || !now.fingerprint().equals(entry.signature().fingerprint());
        } catch (RegistryException e) {
            return true;
        }
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
        if (entry.source().equals("npm") || entry.source().equals("server.json")) {
            // The installed package and its dependencies, read-only: outside the home and /var are not visible.
            grants.add(GrantSpec.parse(Path.of(entry.codePath()).resolve("node_modules") + ":ro"));
        } else if (entry.source().equals("mcpb")) {
            // The bundle as unpacked into the store, read-only.
            grants.add(GrantSpec.parse(entry.codePath() + ":ro"));
        }
        grants.addAll(given.grants());
        Optional<Path> manifest = Optional.ofNullable(entry.manifest()).map(Path::of);
        List<String> env = new ArrayList<>(entry.env());
        Map<String, List<String>> userConfig = new LinkedHashMap<>(entry.userConfig());
        Map<String, List<String>> secrets = store.requireSecrets(entry);
        if (manifest.isPresent()) {
            userConfig.putAll(secrets);
        } else {
            // Without a manifest the secrets are environment variables (imported from a host's "env").
            secrets.forEach((variable, values) -> env.add(variable + "=" + values.get(values.size() - 1)));
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
