package dev.mcpcontain.audit;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads the audit log back. A line that is not a whole record (only possible as the fragment of a write cut short
 * by a crash) is reported, never silently skipped, and never hides the records after it.
 */
public final class AuditReader {

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** One record as read, with its raw line so that {@code --json} prints exactly what was written. */
    public record Entry(long lineNumber, String line, AuditEvent event) {}

    /** A line that could not be read as a record. */
    public record Damaged(long lineNumber, String reason) {}

    public record Result(List<Entry> entries, List<Damaged> damaged) {}

    private AuditReader() {}

    public static Result read(Path file, AuditQuery query) throws IOException {
        List<Entry> entries = new ArrayList<>();
        List<Damaged> damaged = new ArrayList<>();
        scan(file, query, entries::add, damaged::add);
        return new Result(entries, damaged);
    }

    public static void scan(Path file, AuditQuery query, Consumer<Entry> entries, Consumer<Damaged> damaged)
            throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            long number = 0;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                AuditEvent event;
                try {
                    JsonNode tree = JSON.readTree(line);
                    if (tree == null || !tree.isObject()) {
                        damaged.accept(new Damaged(number, "not a JSON object"));
                        continue;
                    }
                    event = JSON.treeToValue(rawId(tree), AuditEvent.class);
                } catch (IOException | IllegalArgumentException e) {
                    damaged.accept(new Damaged(number, "not a complete record (cut short by a crash?)"));
                    continue;
                }
                if (query.matches(event)) {
                    entries.accept(new Entry(number, line, event));
                }
            }
        }
    }

    /** The id is written raw (a JSON number or string); keep it as its JSON text in the record. */
    private static JsonNode rawId(JsonNode tree) {
        JsonNode id = tree.get("id");
        if (id != null && !id.isNull()) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) tree).put("id", id.toString());
        }
        return tree;
    }
}
