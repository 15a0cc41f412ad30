package dev.mcpcontain.approval;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.mcpcontain.state.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The user's remembered tool approvals, one owner-only file ({@code approvals.json} under the config directory),
 * replaced atomically through {@link PrivateFiles} (a symlink planted at the file's place is replaced, never
 * followed). A damaged file is an error, never "no decisions": a deny must not silently disappear.
 */
public final class ApprovalStore {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    /** The file's shape. */
    public record Contents(List<StoredDecision> decisions) {
        public Contents {
            decisions = decisions == null ? List.of() : List.copyOf(decisions);
        }
    }

    private final Path file;

    public ApprovalStore(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    public synchronized List<StoredDecision> list() {
        byte[] content;
        if (Files.isSymbolicLink(file)) {
            throw new ApprovalException(file + " is a symbolic link; mcp-contain neither follows nor replaces it"
                    + " (remove it)");
        }
        try (var channel = Files.newByteChannel(file, java.nio.file.StandardOpenOption.READ,
                java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            content = java.nio.channels.Channels.newInputStream(channel).readAllBytes();
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new ApprovalException(file + ": cannot read approvals: " + e.getMessage());
        }
        try {
            return JSON.readValue(content, Contents.class).decisions();
        } catch (IOException e) {
            String message = String.valueOf(e.getMessage());
            int newline = message.indexOf('\n');
            throw new ApprovalException(file + ": damaged approvals file (" + (newline < 0 ? message
                    : message.substring(0, newline)) + "); review or remove it");
        }
    }

    /**
     * The stored decision for this call: a deny wins over an allow; one given for another definition of the tool
     * does not count.
     */
    public Optional<StoredDecision> find(String client, String server, String tool, String definitionHash) {
        StoredDecision allow = null;
        for (StoredDecision d : list()) {
            if (d.matches(client, server, tool) && d.definition().equals(definitionHash)) {
                if (d.decision() == Approval.DENY) {
                    return Optional.of(d);
                }
                allow = d;
            }
        }
        return Optional.ofNullable(allow);
    }

    /** Stores a decision, replacing any earlier one for the same client, server and tool. */
    public synchronized StoredDecision put(String client, String server, String tool, String definitionHash,
            Approval decision, String decidedBy) {
        if (decision == Approval.ASK) {
            throw new IllegalArgumentException("only allow and deny are remembered");
        }
        List<StoredDecision> kept = new ArrayList<>();
        for (StoredDecision d : list()) {
            if (!(d.client().equals(client) && d.server().equals(server) && d.tool().equals(tool))) {
                kept.add(d);
            }
        }
        StoredDecision added = new StoredDecision(client, server, tool, definitionHash, decision,
                Instant.now().toString(), decidedBy);
        kept.add(added);
        save(kept);
        return added;
    }

    /** Forgets the decisions for this server and tool (and client, when given); returns how many. */
    public synchronized int revoke(String client, String server, String tool) {
        List<StoredDecision> kept = new ArrayList<>();
        int removed = 0;
        for (StoredDecision d : list()) {
            boolean hit = d.server().equals(server) && d.tool().equals(tool)
                    && (client == null || d.client().equals(client));
            if (hit) {
                removed++;
            } else {
                kept.add(d);
            }
        }
        if (removed > 0) {
            save(kept);
        }
        return removed;
    }

    private void save(List<StoredDecision> decisions) {
        try {
            PrivateFiles.writeAtomically(file, JSON.writeValueAsBytes(new Contents(decisions)));
        } catch (IOException e) {
            throw new ApprovalException("cannot write " + file + ": " + e.getMessage());
        }
    }

    /** SHA-256 (hex) of a tool definition as canonical JSON: object members sorted, so member order never counts. */
    public static String definitionHash(JsonNode definition) {
        try {
            Object plain = JSON.convertValue(definition, Object.class);
            byte[] canonical = JSON.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(plain)
                    .getBytes(StandardCharsets.UTF_8);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
