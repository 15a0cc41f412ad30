package dev.mcpcontain.hosts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpcontain.registry.RegistryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One server entry of a host file and where it sits: the object that holds it, its key there, and for Claude
 * Code's per-project entries the project folder.
 *
 * @param servers the {@code mcpServers} / {@code servers} object the entry is in
 * @param key     the entry's name in the host
 * @param pointer JSON pointer of the entry, for messages
 * @param project the project folder of a {@code projects.PATH.mcpServers} entry, else null
 */
public record ServerSlot(ObjectNode servers, String key, String pointer, Path project) {

    /** What an entry is, and so whether {@code import} rewrites it. */
    public enum Kind { STDIO, REMOTE, DISABLED, CONTAINED, INVALID }

    private static final Set<String> REMOTE_TYPES = Set.of("sse", "http", "streamable-http", "streamableHttp", "ws");
    private static final Set<String> LAUNCHER_NAMES = Set.of("mcp-contain", "mcp-contain.cmd", "mcp-contain.exe",
            "mcp-contain.bat");

    public JsonNode entry() {
        return servers.get(key);
    }

    public Kind kind(String launcher) {
        JsonNode entry = entry();
        if (!(entry instanceof ObjectNode)) {
            return Kind.INVALID;
        }
        if (entry.path("disabled").asBoolean(false)) {
            return Kind.DISABLED;
        }
        if (entry.has("url") || entry.has("serverUrl") || REMOTE_TYPES.contains(entry.path("type").asText(""))) {
            return Kind.REMOTE;
        }
        JsonNode command = entry.get("command");
        if (command == null || !command.isTextual() || command.textValue().isBlank()) {
            return Kind.INVALID;
        }
        String program = command.textValue();
        String base = program.substring(Math.max(program.lastIndexOf('/'), program.lastIndexOf('\\')) + 1);
        if (LAUNCHER_NAMES.contains(base) || program.equals(launcher)) {
            return Kind.CONTAINED;
        }
        return Kind.STDIO;
    }

    /** Every entry of the file, in file order: the host's servers object, and for Claude Code each project's. */
    public static List<ServerSlot> all(Host host, ObjectNode root, Path file) {
        List<ServerSlot> slots = new ArrayList<>();
        add(slots, root, host.serversKey(), "", null, file);
        if (host == Host.CLAUDE_CODE && root.get("projects") instanceof ObjectNode projects) {
            for (Iterator<Map.Entry<String, JsonNode>> it = projects.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> project = it.next();
                if (project.getValue() instanceof ObjectNode settings) {
                    add(slots, settings, "mcpServers", "/projects/" + escape(project.getKey()),
                            Path.of(project.getKey()), file);
                }
            }
        }
        return slots;
    }

    private static void add(List<ServerSlot> slots, ObjectNode parent, String key, String at, Path project, Path file) {
        JsonNode servers = parent.get(key);
        if (servers == null || servers.isNull()) {
            return;
        }
        if (!(servers instanceof ObjectNode object)) {
            throw new RegistryException(file + ": '" + at + "/" + key + "' is not an object");
        }
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        for (String name : names) {
            slots.add(new ServerSlot(object, name, at + "/" + key + "/" + escape(name), project));
        }
    }

    private static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }
}
