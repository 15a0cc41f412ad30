package dev.mcpcontain.cli;

import dev.mcpcontain.manifest.Manifest;
import dev.mcpcontain.manifest.ManifestLaunch;
import dev.mcpcontain.manifest.ManifestLoader;
import dev.mcpcontain.registry.CodeCheck;
import dev.mcpcontain.registry.NpmInstall;
import dev.mcpcontain.registry.RegistryException;
import dev.mcpcontain.registry.RegistryServerJson;
import dev.mcpcontain.registry.ServerEntry;
import dev.mcpcontain.registry.UserConfigValues;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code add server.json}: the MCP Registry description's stdio npm package installed at exactly its version into
 * the store (as {@code add npm:} does: no lifecycle scripts, registry signatures checked), and an MCPB manifest
 * written beside it from what server.json says about arguments and environment variables. The manifest is part of
 * the hashed code; its user_config takes {@code --user-config}, secrets through the secrets path.
 */
final class ServerJsonAdd {

    private final Registration registration;
    private final ServerSettings settings;
    private final String name;
    private final PrintWriter err;

    ServerJsonAdd(Registration registration, ServerSettings settings, String name, PrintWriter err) {
        this.registration = registration;
        this.settings = settings;
        this.name = name;
        this.err = err;
    }

    int add(Path file, String profile, String now) {
        byte[] content;
        try {
            content = dev.mcpcontain.state.SmallFiles.read(file, 16 << 20);
        } catch (IOException e) {
            throw new RegistryException(file + ": cannot read: " + e.getMessage(), e);
        }
        RegistryServerJson described = RegistryServerJson.parse(file, content);
        described.warnings().forEach(w -> err.println("mcp-contain: warning: " + w));
        String server = AddCommand.available(registration, name, ManifestLaunch.serverName(described.derivedName()));
        registration.admin.checkServer(Optional.of(server), false);
        registration.store.ensureServerDirectory(server);
        Path prefix = registration.store.ensureCodeDirectory(server);
        try {
            err.flush();
            String spec = described.packageName() + "@" + described.packageVersion();
            NpmInstall installed = NpmInstall.install(prefix, spec, new PrintStream(System.err, true,
                    StandardCharsets.UTF_8));
            if (!installed.packageName().equals(described.packageName())) {
                throw new RegistryException(file + ": npm installed '" + installed.packageName() + "', not '"
                        + described.packageName() + "'");
            }
            String bin = prefix.relativize(Path.of(installed.command().get(1))).toString().replace('\\', '/');
            Path manifestFile = prefix.resolve("manifest.json");
            Files.write(manifestFile, RegistryServerJson.JSON_WRITER.writeValueAsBytes(described.manifestFor(bin)));
            Manifest manifest = ManifestLoader.load(manifestFile, w -> err.println("mcp-contain: warning: " + w));
            UserConfigValues values = registration.userConfig(manifest, settings.userConfig, Map.of(), Map.of());
            String sha = CodeCheck.pin(registration.store, server, prefix);
            ServerEntry entry = new ServerEntry(server, "server.json", file.toString(), List.of(),
                    manifestFile.toString(), prefix.toString(), sha, installed.signed(), profile, settings.grants,
                    settings.allowHosts, settings.env, values.plain(), new ArrayList<>(values.secrets().keySet()), now,
                    now);
            registration.saveSecrets(server, values.secrets(), err);
            registration.store.save(entry);
            AddCommand.done(entry, err);
            return ExitCodes.OK;
        } catch (IOException e) {
            registration.store.remove(server);
            throw new RegistryException(prefix + ": cannot write the manifest: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            registration.store.remove(server);
            throw e;
        }
    }
}
