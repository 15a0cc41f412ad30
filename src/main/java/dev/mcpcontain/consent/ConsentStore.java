package dev.mcpcontain.consent;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpcontain.state.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The user's answers to folder requests, per server and per folder, in {@code consents.json} under the config
 * directory:
 *
 * <pre>{@code
 * {"servers": {"secure-filesystem-server": {"/home/ann/Desktop": {"access": "ro", "decidedAt": "...", "via": "terminal"}}}}
 * }</pre>
 *
 * A damaged file is an error, never "no decisions": silently re-asking could train the user to click through.
 */
public final class ConsentStore {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    public enum Answer {
        READ_ONLY("ro"), READ_WRITE("rw"), DENIED("denied");

        private final String label;

        Answer(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        static Answer of(String label) {
            for (Answer a : values()) {
                if (a.label.equals(label)) {
                    return a;
                }
            }
            throw new IllegalArgumentException("'" + label + "' is not ro, rw or denied");
        }
    }

    /** One remembered answer. */
    public record Decision(String server, Path path, Answer answer, String decidedAt, String via) {}

    private final Path file;

    public ConsentStore(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    public synchronized Optional<Decision> decision(String server, Path path) {
        return list(Optional.of(server)).stream().filter(d -> d.path().equals(path)).findFirst();
    }

    public synchronized List<Decision> list(Optional<String> server) {
        List<Decision> decisions = new ArrayList<>();
        ObjectNode root = read();
        for (Iterator<Map.Entry<String, JsonNode>> servers = root.path("servers").fields(); servers.hasNext();) {
            Map.Entry<String, JsonNode> s = servers.next();
            if (server.isPresent() && !server.get().equals(s.getKey())) {
                continue;
            }
            for (Iterator<Map.Entry<String, JsonNode>> folders = s.getValue().fields(); folders.hasNext();) {
                Map.Entry<String, JsonNode> f = folders.next();
                JsonNode d = f.getValue();
                try {
                    decisions.add(new Decision(s.getKey(), Path.of(f.getKey()), Answer.of(d.path("access").asText()),
                            d.path("decidedAt").asText(), d.path("via").asText()));
                } catch (IllegalArgumentException e) {
                    throw new ConsentException(file + ": servers." + s.getKey() + "[\"" + f.getKey() + "\"].access: "
                            + e.getMessage() + " (fix it or remove the entry with 'mcp-contain grants revoke')");
                }
            }
        }
        return decisions;
    }

    public synchronized void record(String server, Path path, Answer answer, String via) {
        ObjectNode root = read();
        ObjectNode servers = root.has("servers") ? (ObjectNode) root.get("servers") : root.putObject("servers");
        ObjectNode folders = servers.has(server) ? (ObjectNode) servers.get(server) : servers.putObject(server);
        ObjectNode decision = folders.putObject(path.toString());
        decision.put("access", answer.label());
        decision.put("decidedAt", Instant.now().toString());
        decision.put("via", via);
        write(root);
    }

    /** Forgets an answer: the next run asks again. */
    public synchronized boolean revoke(String server, Path path) {
        ObjectNode root = read();
        JsonNode folders = root.path("servers").path(server);
        if (!folders.isObject() || !folders.has(path.toString())) {
            return false;
        }
        ((ObjectNode) folders).remove(path.toString());
        if (folders.isEmpty()) {
            ((ObjectNode) root.get("servers")).remove(server);
        }
        write(root);
        return true;
    }

    private ObjectNode read() {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return JSON.createObjectNode();
        } catch (IOException e) {
            throw new ConsentException(file + ": cannot read: " + e.getMessage());
        }
        try {
            JsonNode root = JSON.readTree(content);
            if (root == null || !root.isObject() || root.has("servers") && !root.get("servers").isObject()) {
                throw new ConsentException(file + ": not a consent file ({\"servers\": {...}}); fix or remove it");
            }
            for (JsonNode folders : root.path("servers")) {
                if (!folders.isObject()) {
                    throw new ConsentException(file + ": each server maps folders to decisions; fix or remove it");
                }
            }
            return (ObjectNode) root;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ConsentException(file + ": damaged (" + dev.mcpcontain.state.JsonProblems.describe(e)
                    + "); fix or remove it");
        } catch (IOException e) {
            throw new ConsentException(file + ": damaged (" + e.getMessage().lines().findFirst().orElse("")
                    + "); fix or remove it");
        }
    }

    private void write(ObjectNode root) {
        try {
            PrivateFiles.writeAtomically(file, JSON.writeValueAsBytes(root));
        } catch (IOException e) {
            throw new ConsentException("cannot write " + file + ": " + e.getMessage());
        }
    }
}
