package dev.mcpcontain.pins;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What differs between the pinned tools and the ones a server lists: tools added, removed, and changed with the
 * members that changed (description, inputSchema, ...). Empty when the two sets are equal.
 */
public record ToolDrift(List<String> added, List<String> removed, Map<String, List<String>> changed) {

    public ToolDrift {
        added = List.copyOf(added);
        removed = List.copyOf(removed);
        changed = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(changed));
    }

    /** Compares a complete listing with the pin. */
    public static ToolDrift between(ToolSet pinned, ToolSet listed) {
        ToolDrift partial = ofPage(pinned, listed);
        List<String> removed = new ArrayList<>();
        for (String name : pinned.names()) {
            if (!listed.contains(name)) {
                removed.add(name);
            }
        }
        return new ToolDrift(partial.added, removed, partial.changed);
    }

    /** Compares one page of a listing: added and changed tools show at once, removed ones only at the end. */
    public static ToolDrift ofPage(ToolSet pinned, ToolSet page) {
        List<String> added = new ArrayList<>();
        Map<String, List<String>> changed = new LinkedHashMap<>();
        for (String name : page.names()) {
            JsonNode listed = page.tool(name).orElseThrow();
            JsonNode expected = pinned.tool(name).orElse(null);
            if (expected == null) {
                added.add(name);
            } else if (!expected.equals(listed)) {
                changed.put(name, changedMembers(expected, listed));
            }
        }
        return new ToolDrift(added, List.of(), changed);
    }

    private static List<String> changedMembers(JsonNode expected, JsonNode listed) {
        TreeSet<String> members = new TreeSet<>();
        for (Iterator<String> it = expected.fieldNames(); it.hasNext();) {
            members.add(it.next());
        }
        for (Iterator<String> it = listed.fieldNames(); it.hasNext();) {
            members.add(it.next());
        }
        List<String> differing = new ArrayList<>();
        for (String member : members) {
            JsonNode a = expected.get(member);
            JsonNode b = listed.get(member);
            if (a == null ? b != null : !a.equals(b)) {
                differing.add(member);
            }
        }
        return differing;
    }

    public boolean isEmpty() {
        return added.isEmpty() && removed.isEmpty() && changed.isEmpty();
    }

    /** e.g. {@code added: evil; removed: read_file; changed: echo (description, inputSchema)} */
    public String summary() {
        List<String> parts = new ArrayList<>();
        if (!added.isEmpty()) {
            parts.add("added: " + String.join(", ", added));
        }
        if (!removed.isEmpty()) {
            parts.add("removed: " + String.join(", ", removed));
        }
        if (!changed.isEmpty()) {
            List<String> items = new ArrayList<>();
            changed.forEach((name, members) -> items.add(name + " (" + String.join(", ", members) + ")"));
            parts.add("changed: " + String.join(", ", items));
        }
        return parts.isEmpty() ? "no differences" : String.join("; ", parts);
    }
}
