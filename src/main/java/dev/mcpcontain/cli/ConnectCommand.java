package dev.mcpcontain.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpcontain.hosts.EntryImport;
import dev.mcpcontain.hosts.Host;
import dev.mcpcontain.hosts.HostConfigFile;
import dev.mcpcontain.registry.RegistryException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mcp-contain connect HOST NAME...}: registered servers added to a host's configuration. */
@Command(name = "connect", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Add registered servers to a host's configuration, each as an entry named NAME that runs"
                + " 'mcp-contain run NAME'. The file is created if missing; otherwise every other key is kept and"
                + " the original is backed up beside it first.",
                "HOST: claude-desktop, vscode, cursor or claude-code (Claude Code: the user-wide servers of"
                        + " ~/.claude.json, or a project's .mcp.json with --config)."})
public final class ConnectCommand implements Callable<Integer> {

    @Mixin
    VerboseMixin verbose;

    @Parameters(index = "0", paramLabel = "HOST", description = "claude-desktop, vscode, cursor or claude-code")
    String hostName;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "NAME", description = "Registered servers (see 'mcp-contain"
            + " list').")
    List<String> names = new ArrayList<>();

    @Option(names = "--config", paramLabel = "FILE", description = "The host's file (default: its user-wide file).")
    Path config;

    @Option(names = "--dry-run", description = "Print the change as a unified diff on stdout; write nothing.")
    boolean dryRun;

    @Option(names = "--launcher", paramLabel = "FILE", description = "The mcp-contain the entries run (default:"
            + " this one).")
    Path launcherPath;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = OneLineWriter.wrap(spec.commandLine().getErr());
        Host host = ImportCommand.host(hostName);
        Registration registration = new Registration();
        for (String name : names) {
            registration.store.get(name);
        }
        Path file = HostFileEdit.file(host, config, registration.host());
        HostConfigFile parsed = HostConfigFile.read(file, true);
        HostFileEdit.requireOwnFile(parsed, registration.host());
        String launcher = HostFileEdit.launcher(launcherPath, registration.host());
        EntryImport.Context context = HostFileEdit.context(host, file, registration.host(), launcher);
        JsonNode serversNode = parsed.root().get(host.serversKey());
        if (serversNode != null && !serversNode.isObject()) {
            throw new RegistryException(file + ": '" + host.serversKey() + "' is not an object");
        }
        ObjectNode servers = serversNode == null ? parsed.root().objectNode() : (ObjectNode) serversNode;
        Map<String, ObjectNode> added = new LinkedHashMap<>();
        for (String name : names) {
            ObjectNode entry = EntryImport.connectEntry(name, context);
            JsonNode present = servers.get(name);
            if (present != null) {
                if (present.equals(entry)) {
                    err.println("mcp-contain: '" + name + "' is already connected in " + file);
                    continue;
                }
                throw new RegistryException(file + ": '/" + host.serversKey() + "/" + name + "' already exists and"
                        + " runs something else; rename or remove that entry first; nothing was changed");
            }
            added.put(name, entry);
        }
        if (added.isEmpty()) {
            return ExitCodes.OK;
        }
        err.println("mcp-contain: connect " + String.join(", ", added.keySet()) + " to " + host.id() + " (" + file
                + ")");
        HostFileEdit.finish(parsed, parsed.adding(host.serversKey(), added), dryRun, false, out, err, () -> { });
        return ExitCodes.OK;
    }
}
