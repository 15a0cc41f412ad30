package dev.mcpcontain.cli;

import dev.mcpcontain.manifest.Manifest;
import dev.mcpcontain.manifest.ManifestLaunch;
import dev.mcpcontain.manifest.ManifestLoader;
import dev.mcpcontain.policy.ProgramLocator;
import dev.mcpcontain.policy.ServerIdentity;
import dev.mcpcontain.registry.CodeCheck;
import dev.mcpcontain.registry.NpmInstall;
import dev.mcpcontain.registry.RegistryException;
import dev.mcpcontain.registry.RegistryServerJson;
import dev.mcpcontain.registry.ServerEntry;
import dev.mcpcontain.registry.UserConfigValues;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mcp-contain add SOURCE}: register a server under a name, its code hashed and pinned. */
@Command(name = "add", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Register a server: 'run NAME' then runs it contained and mediated, its code checked against"
                + " the hash taken now.",
                "SOURCE: an MCPB manifest.json (its folder is the bundle); a .mcpb bundle (its signature verified and"
                        + " reported, unsigned and self-signed ones flagged; unpacked safely into mcp-contain's"
                        + " store); an MCP Registry server.json (its stdio npm package installed at its exact version,"
                        + " environmentVariables as --user-config settings); npm:PACKAGE@VERSION (installed now into"
                        + " mcp-contain's store without lifecycle scripts, registry signatures verified) or"
                        + " npm:FILE.tgz; or '-- COMMAND...'."})
public final class AddCommand implements Callable<Integer> {

    @Mixin
    VerboseMixin verbose;

    @Option(names = "--name", paramLabel = "NAME", description = "The name to register under (default: from the source).")
    String name;

    @Mixin
    ServerSettings settings;

    @Parameters(paramLabel = "SOURCE", arity = "0..*", description = "manifest.json, FILE.mcpb, server.json, npm:PACKAGE@VERSION, or -- COMMAND...")
    List<String> source = new ArrayList<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = OneLineWriter.wrap(spec.commandLine().getErr());
        boolean command = spec.commandLine().getParseResult().originalArgs().contains("--");
        if (source.isEmpty() || (!command && source.size() != 1)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "expected one SOURCE (manifest.json, FILE.mcpb, server.json, npm:PACKAGE@VERSION) or '-- COMMAND...'");
        }
        Registration registration = new Registration();
        String profile = settings.profile == null ? "default" : settings.profile;
        registration.checkSettings(profile, settings.grants);
        String now = Instant.now().toString();
        String origin = command ? String.join(" ", source) : source.get(0);
        if (command) {
            return addCommand(registration, profile, now, err);
        }
        if (NpmInstall.isSource(origin)) {
            return addNpm(registration, profile, origin, now, err);
        }
        Path file = Path.of(origin).toAbsolutePath();
        if (Files.isDirectory(file)) {
            file = file.resolve("manifest.json");
        }
        if (origin.endsWith(".mcpb")) {
            return new BundleAdd(registration, settings, name, err).add(Path.of(origin).toAbsolutePath(), profile,
                    now);
        }
        if (RegistryServerJson.isSource(file)) {
            if (!Files.isRegularFile(file)) {
                throw new RegistryException(file + ": no such file");
            }
            return new ServerJsonAdd(registration, settings, name, err).add(file, profile, now);
        }
        return addManifest(registration, profile, file, now, err);
    }

    static String available(Registration registration, String name, String derived) {
        String chosen = name != null ? name : derived;
        registration.store.serverDirectory(chosen);
        if (registration.store.exists(chosen)) {
            throw new RegistryException("'" + chosen + "' is already registered (see 'mcp-contain show " + chosen
                    + "'; change it with 'configure', re-pin with 'update', or 'remove' it first)");
        }
        return chosen;
    }

    private int addManifest(Registration registration, String profile, Path file, String now, PrintWriter err) {
        if (!Files.isRegularFile(file)) {
            throw new RegistryException(file + ": no such manifest");
        }
        Manifest manifest = ManifestLoader.load(file, w -> err.println("mcp-contain: warning: " + w));
        String server = available(registration, name, ManifestLaunch.serverName(manifest.name()));
        // No .mcpb signature can exist for a manifest folder: an unsigned bundle, which policy may refuse.
        registration.admin.checkServer(Optional.of(server), true);
        UserConfigValues values = registration.userConfig(manifest, settings.userConfig, Map.of(), Map.of());
        registration.store.ensureServerDirectory(server);
        try {
            Path bundle = manifest.directory();
            String sha = CodeCheck.pin(registration.store, server, bundle);
            ServerEntry entry = new ServerEntry(server, "manifest", file.toString(), List.of(), file.toString(),
                    bundle.toString(), sha, false, profile, settings.grants, settings.allowHosts, settings.env, values.plain(),
                    new ArrayList<>(values.secrets().keySet()), now, now);
            registration.saveSecrets(server, values.secrets(), err);
            registration.store.save(entry);
            done(entry, err);
            err.println("mcp-contain: warning: '" + server + "' is an unsigned bundle (a manifest folder carries no"
                    + " signature)");
            return ExitCodes.OK;
        } catch (RuntimeException e) {
            registration.store.remove(server);
            throw e;
        }
    }

    private int addNpm(Registration registration, String profile, String origin, String now, PrintWriter err) {
        refuseUserConfig();
        String spec = origin.substring("npm:".length());
        String derived = spec.endsWith(".tgz") ? Path.of(spec).getFileName().toString().replaceAll("\\.tgz$", "")
                : spec.replaceAll("^@[^/]+/", "").replaceAll("@[^@]*$", "");
        String server = available(registration, name, ManifestLaunch.serverName(derived));
        registration.admin.checkServer(Optional.of(server), false);
        registration.store.ensureServerDirectory(server);
        Path prefix = registration.store.ensureCodeDirectory(server);
        try {
            err.flush();
            NpmInstall installed = NpmInstall.install(prefix, spec, new PrintStream(System.err, true,
                    StandardCharsets.UTF_8));
            String sha = CodeCheck.pin(registration.store, server, prefix);
            ServerEntry entry = new ServerEntry(server, "npm", origin, installed.command(), null, prefix.toString(),
                    sha, installed.signed(), profile, settings.grants, settings.allowHosts, settings.env, Map.of(), List.of(),
                    now, now);
            registration.store.save(entry);
            done(entry, err);
            return ExitCodes.OK;
        } catch (RuntimeException e) {
            registration.store.remove(server);
            throw e;
        }
    }

    private int addCommand(Registration registration, String profile, String now, PrintWriter err) {
        refuseUserConfig();
        ProgramLocator.Located located = ProgramLocator.forHost(registration.host()).locate(source,
                registration.host().workingDirectory());
        List<String> command = new ArrayList<>(source);
        command.set(0, located.executable().toString());
        // The code is the main file: the binary itself, or an interpreter's script.
        Path program = located.mainPath();
        String server = available(registration, name, ServerIdentity.of(command, program, located.mainIsScript()));
        registration.admin.checkServer(Optional.of(server), false);
        registration.store.ensureServerDirectory(server);
        try {
            String sha = CodeCheck.pin(registration.store, server, program);
            ServerEntry entry = new ServerEntry(server, "command", String.join(" ", source), command, null,
                    program.toString(), sha, false, profile, settings.grants, settings.allowHosts, settings.env, Map.of(),
                    List.of(), now, now);
            registration.store.save(entry);
            done(entry, err);
            return ExitCodes.OK;
        } catch (RuntimeException e) {
            registration.store.remove(server);
            throw e;
        }
    }

    private void refuseUserConfig() {
        if (!settings.userConfig.isEmpty()) {
            throw new RegistryException("--user-config needs a manifest, .mcpb or server.json source (it sets a"
                    + " manifest's user_config)");
        }
    }

    static void done(ServerEntry entry, PrintWriter err) {
        err.println("mcp-contain: registered '" + entry.name() + "' (" + entry.source() + "), code " + entry.codePath()
                + " sha256 " + entry.codeSha256() + "; run it with 'mcp-contain run " + entry.name() + "'");
    }
}
