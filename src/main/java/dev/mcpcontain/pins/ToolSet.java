package dev.mcpcontain.pins;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Tool definitions by name, in the order the server listed them. Two sets are equal when every tool object is
 * equal as JSON (member order ignored, everything else compared: description, schemas, annotations, title).
 */
public final class ToolSet {

    private final Map<String, JsonNode> byName;

    private ToolSet(Map<String, JsonNode> byName) {
        this.byName = Collections.unmodifiableMap(byName);
    }

    public static ToolSet empty() {
        return new ToolSet(new LinkedHashMap<>());
    }

    /** @throws IllegalArgumentException for a tool without a string name or a name listed twice */
    public static ToolSet of(Collection<JsonNode> tools) {
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        for (JsonNode tool : tools) {
            add(byName, tool);
        }
        return new ToolSet(byName);
    }

    public ToolSet plus(Collection<JsonNode> tools) {
        Map<String, JsonNode> byName = new LinkedHashMap<>(this.byName);
        for (JsonNode tool : tools) {
            add(byName, tool);
        }
        return new ToolSet(byName);
    }

    private static void add(Map<String, JsonNode> byName, JsonNode tool) {
        JsonNode name = tool == null ? null : tool.get("name");
        if (name == null || !name.isTextual()) {
            throw new IllegalArgumentException("a listed tool has no name");
        }
        if (byName.putIfAbsent(name.textValue(), tool) != null) {
            throw new IllegalArgumentException("tool '" + name.textValue() + "' is listed twice");
        }
    }

    public Optional<JsonNode> tool(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    public Collection<String> names() {
        return byName.keySet();
    }

    public List<JsonNode> tools() {
        return new ArrayList<>(byName.values());
    }

    public int size() {
        return byName.size();
    }
}
