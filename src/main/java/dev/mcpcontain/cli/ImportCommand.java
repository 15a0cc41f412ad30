package dev.mcpcontain.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpcontain.hosts.EntryImport;
import dev.mcpcontain.hosts.Host;
import dev.mcpcontain.hosts.HostConfigFile;
import dev.mcpcontain.hosts.NpxPackage;
import dev.mcpcontain.hosts.ServerSlot;
import dev.mcpcontain.policy.GrantGuard;
import dev.mcpcontain.policy.PolicyException;
import dev.mcpcontain.policy.ProgramLocator;
import dev.mcpcontain.registry.RegistryException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mcp-contain import HOST}: every stdio server of a host's configuration registered, and its entry rewritten
 * to {@code mcp-contain run NAME}. All entries are checked before anything is written; the registrations are
 * undone if the file cannot be replaced.
 */
@Command(name = "import", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Contain every stdio server of a host's configuration: each is registered (its code pinned,"
                + " its folder arguments granted, its secrets moved to the secret store) and its entry rewritten to"
                + " run 'mcp-contain run NAME'. Remote, disabled and already contained entries are left as they are."
                + " Every other key of the file is kept; the original is backed up beside it first.",
                "HOST and its default file (Linux): claude-desktop ~/.config/Claude/claude_desktop_config.json,"
                        + " vscode ~/.config/Code/User/mcp.json, cursor ~/.cursor/mcp.json, claude-code ~/.claude.json"
                        + " (its top-level and per-project servers).",
                "--dry-run prints a unified diff on stdout; everything else goes to stderr."})
public final class ImportCommand implements Callable<Integer> {

    @Mixin
    VerboseMixin verbose;

    @Parameters(index = "0", paramLabel = "HOST", description = "claude-desktop, vscode, cursor or claude-code")
    String hostName;

    @Option(names = "--config", paramLabel = "FILE", description = "The host's file (default: its user-wide"
            + " file; a project's .vscode/mcp.json, .cursor/mcp.json or .mcp.json is given here).")
    Path config;

    @Option(names = "--dry-run", description = "Print the change as a unified diff on stdout; write and register"
            + " nothing.")
    boolean dryRun;

    @Option(names = "--prefix", paramLabel = "TEXT", description = "Put TEXT before every registered name (when"
            + " names are already registered).")
    String prefix;

    @Option(names = "--profile", paramLabel = "NAME|FILE", description = "Containment profile of the imported"
            + " servers (default: default).")
    String profile;

    @Option(names = "--launcher", paramLabel = "FILE", description = "The mcp-contain the entries run (default:"
            + " this one).")
    Path launcherPath;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = OneLineWriter.wrap(spec.commandLine().getErr());
        Host host = host(hostName);
        Registration registration = new Registration();
        String chosenProfile = profile == null ? "default" : profile;
        Path file = HostFileEdit.file(host, config, registration.host());
        HostConfigFile parsed = HostConfigFile.read(file, false);
        HostFileEdit.requireOwnFile(parsed, registration.host());
        String launcher = HostFileEdit.launcher(launcherPath, registration.host());
        EntryImport.Context context = HostFileEdit.context(host, file, registration.host(), launcher);

        Plan plan = plan(host, parsed, file, launcher, context, registration, err);
        List<EntryImport> imports = plan.imports();
        List<Optional<NpxPackage>> packages = plan.packages();
        List<List<String>> commands = plan.commands();
        List<String> collisions = plan.collisions();
        List<String> leftAlone = plan.leftAlone();
        if (!collisions.isEmpty()) {
            throw new RegistryException(file + ": " + String.join("; ", collisions) + "; nothing was changed (import"
                    + " with --prefix TEXT, or 'mcp-contain remove' the registered one first)");
        }
        for (EntryImport entry : imports) {
            registration.admin.checkServer(Optional.of(entry.name()), false);
            registration.checkSettings(chosenProfile, entry.grants());
        }
        for (String line : leftAlone) {
            err.println("mcp-contain: left as it is: " + line);
        }
        if (imports.isEmpty()) {
            err.println("mcp-contain: " + file + ": no stdio server to import; nothing was changed");
            return ExitCodes.OK;
        }
        Map<String, ObjectNode> rewritten = new LinkedHashMap<>();
        for (int i = 0; i < imports.size(); i++) {
            EntryImport entry = imports.get(i);
            rewritten.put(entry.slot().pointer(), entry.rewritten());
            report(entry, packages.get(i), err);
        }
        String newText = parsed.replacing(rewritten);
        if (dryRun) {
            HostFileEdit.finish(parsed, newText, true, true, out, err, () -> { });
            return ExitCodes.OK;
        }
        List<String> registered = new ArrayList<>();
        Runnable undo = () -> registered.forEach(name -> {
            try {
                if (Files.isDirectory(registration.store.serverDirectory(name), LinkOption.NOFOLLOW_LINKS)) {
                    registration.store.remove(name);
                }
            } catch (RuntimeException e) {
                err.println("mcp-contain: warning: could not undo the registration of '" + name + "': "
                        + e.getMessage());
            }
        });
        String now = Instant.now().toString();
        try {
            for (int i = 0; i < imports.size(); i++) {
                EntryImport entry = imports.get(i);
                // Claimed first, and undone only once claimed: a name another import got meanwhile stays theirs.
                registration.store.claimServerDirectory(entry.name());
                registered.add(entry.name());
                if (packages.get(i).isPresent()) {
                    ImportedServers.registerPackage(registration, entry, packages.get(i).get(), chosenProfile, now, err);
                } else {
                    ImportedServers.register(registration, entry, commands.get(i), chosenProfile, now, err);
                }
            }
        } catch (RuntimeException e) {
            undo.run();
            String message = Main.message(e).replace("; nothing was registered", "");
            throw new RegistryException(message + "; nothing was registered and " + file + " was not changed", e);
        }
        HostFileEdit.finish(parsed, newText, false, true, out, err, undo);
        return ExitCodes.OK;
    }

    /**
     * Every entry of the file: what is imported (with its located command, or its npx package), what is left as it
     * is and why, and the name collisions. Nothing is written.
     *
     * @param imports    the entries to register and rewrite
     * @param commands   for each, the command with its program made absolute
     * @param packages   for each, the npx package installed instead of running npx
     * @param leftAlone  "'KEY' (POINTER): why", for the user
     * @param collisions names taken twice in the file, or already registered
     */
    private record Plan(List<EntryImport> imports, List<List<String>> commands, List<Optional<NpxPackage>> packages,
            List<String> leftAlone, List<String> collisions) {}

    private Plan plan(Host host, HostConfigFile parsed, Path file, String launcher, EntryImport.Context context,
            Registration registration, PrintWriter err) {
        GrantGuard guard = new GrantGuard(GrantGuard.hostHomes(registration.host().home(), Path.of("/etc/passwd")),
                registration.host().uid(), GrantGuard.commandPath(registration.host().variable("PATH").orElse(null)));
        List<EntryImport> imports = new ArrayList<>();
        List<List<String>> commands = new ArrayList<>();
        List<Optional<NpxPackage>> packages = new ArrayList<>();
        Map<String, ServerSlot> byName = new LinkedHashMap<>();
        List<String> leftAlone = new ArrayList<>();
        List<String> collisions = new ArrayList<>();
        for (ServerSlot slot : ServerSlot.all(host, parsed.root(), file)) {
            ServerSlot.Kind kind = slot.kind(launcher);
            if (kind != ServerSlot.Kind.STDIO) {
                leftAlone.add(describe(slot) + ": " + switch (kind) {
                    case REMOTE -> "a remote server (url); mcp-contain contains local processes only";
                    case DISABLED -> "disabled";
                    case CONTAINED -> "already runs through mcp-contain";
                    default -> "not a server entry (no command, no url)";
                });
                continue;
            }
            String name = EntryImport.registryName(prefix, slot);
            Object result = EntryImport.of(name, slot, context);
            if (result instanceof EntryImport.Skip skip) {
                leftAlone.add(describe(slot) + ": " + skip.reason());
                continue;
            }
            EntryImport entry = readOnlyWhereRunRefusesWriting((EntryImport) result, guard, err);
            Optional<NpxPackage> npx = NpxPackage.of(entry.command());
            Optional<List<String>> command = npx.isPresent() ? Optional.of(entry.command())
                    : located(entry, registration);
            if (command.isEmpty()) {
                leftAlone.add(describe(slot) + ": its program '" + entry.command().get(0) + "' is not found (the host"
                        + " cannot start it either)");
                continue;
            }
            commands.add(command.get());
            packages.add(npx);
            ServerSlot other = byName.put(name, slot);
            if (other != null) {
                collisions.add("'" + name + "' would be the name of both " + other.pointer() + " and " + slot.pointer());
            } else if (registration.store.exists(name)) {
                collisions.add("'" + name + "' (" + slot.pointer() + ") is already registered");
            }
            imports.add(entry);
        }
        return new Plan(imports, commands, packages, leftAlone, collisions);
    }

    /**
     * A folder run would refuse to grant writable (a home, a git work tree, a folder holding one: see
     * {@link GrantGuard}) is granted read-only instead, and the user told how to choose otherwise: the imported entry
     * starts, and nothing is opened wider than run allows.
     */
    private static EntryImport readOnlyWhereRunRefusesWriting(EntryImport entry, GrantGuard guard, PrintWriter err) {
        List<String> grants = new ArrayList<>();
        for (String grant : entry.grants()) {
            if (grant.endsWith(":rw")) {
                String folder = grant.substring(0, grant.length() - ":rw".length());
                try {
                    guard.check(Path.of(folder).toRealPath(), false, "'" + grant + "'", folder + ":rw,unprotected");
                } catch (PolicyException | java.io.IOException e) {
                    err.println("mcp-contain: " + describe(entry.slot()) + ": " + folder + " is granted read-only: "
                            + Main.message(e) + " (change it with 'mcp-contain configure " + entry.name()
                            + " --grant ...')");
                    grant = folder + ":ro";
                }
            }
            grants.add(grant);
        }
        return entry.withGrants(grants);
    }

    static Host host(String id) {
        try {
            return Host.parse(id);
        } catch (IllegalArgumentException e) {
            throw new RegistryException(e.getMessage());
        }
    }

    private static String describe(ServerSlot slot) {
        return "'" + slot.key() + "' (" + slot.pointer() + ")";
    }

    /** The command with its program made absolute, as {@code add -- COMMAND} registers it; empty if not found. */
    private static Optional<List<String>> located(EntryImport entry, Registration registration) {
        Path cwd = entry.cwd().orElse(registration.host().workingDirectory());
        ProgramLocator.Located located;
        try {
            located = ProgramLocator.forHost(registration.host()).locate(entry.command(), cwd);
        } catch (PolicyException e) {
            return Optional.empty();
        }
        List<String> command = new ArrayList<>(entry.command());
        command.set(0, located.executable().toString());
        return Optional.of(command);
    }

    private static void report(EntryImport entry, Optional<NpxPackage> npx, PrintWriter err) {
        err.println("mcp-contain: import " + describe(entry.slot()) + " as '" + entry.name() + "': "
                + String.join(" ", entry.command()));
        npx.ifPresent(p -> err.println("mcp-contain:   npx package: installed into the store as npm:"
                + p.exactSpec().orElse(p.query() + " (at the exact version npm resolves it to now)")
                + ", its code pinned; runs need no network"));
        for (String grant : entry.grants()) {
            err.println("mcp-contain:   grant " + grant + " (a folder argument of its command)");
        }
        if (!entry.secrets().isEmpty()) {
            err.println("mcp-contain:   secret store: " + String.join(", ", entry.secrets().keySet())
                    + " (removed from the host file)");
        }
        List<String> passed = entry.env().stream().filter(e -> !e.contains("=")).toList();
        if (!passed.isEmpty()) {
            err.println("mcp-contain:   from the host at each start: " + String.join(", ", passed)
                    + " (the host still resolves these)");
        }
    }
}
