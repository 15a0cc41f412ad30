package dev.mcpcontain.platform.windows;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The record of every ACL entry the launcher has put on the user's folders, in {@code acl-grants.json} under the
 * data directory. An entry is written before its ACE is applied and removed only after the ACE is revoked, so a
 * crash never leaves an entry on disk that the ledger does not know about.
 */
public final class AclLedger {

    public static final String FILE_NAME = "acl-grants.json";

    /** One recorded entry. */
    public record Entry(String serverId, String path, String trustee, boolean deny, int accessMask, int inheritance,
            String reason, String recordedAt) {

        @JsonCreator
        public Entry(@JsonProperty(value = "serverId", required = true) String serverId,
                @JsonProperty(value = "path", required = true) String path,
                @JsonProperty(value = "trustee", required = true) String trustee,
                @JsonProperty("deny") boolean deny,
                @JsonProperty(value = "accessMask", required = true) int accessMask,
                @JsonProperty("inheritance") int inheritance,
                @JsonProperty("reason") String reason,
                @JsonProperty("recordedAt") String recordedAt) {
            this.serverId = serverId;
            this.path = path;
            this.trustee = trustee;
            this.deny = deny;
            this.accessMask = accessMask;
            this.inheritance = inheritance;
            this.reason = reason == null ? "" : reason;
            this.recordedAt = recordedAt == null ? "" : recordedAt;
        }

        static Entry of(String serverId, AceSpec ace, Instant now) {
            return new Entry(serverId, ace.path(), ace.trustee().toString(), ace.deny(), ace.accessMask(),
                    ace.inheritance(), ace.reason(), now.toString());
        }

        public AceSpec ace() {
            return new AceSpec(path, Sid.parse(trustee), deny, accessMask, inheritance, reason);
        }

        boolean sameAce(AceSpec other) {
            AceSpec mine = ace();
            return mine.sameTarget(other) && deny == other.deny() && accessMask == other.accessMask()
                    && inheritance == other.inheritance();
        }
    }

    record Document(@JsonProperty("version") int version, @JsonProperty("entries") List<Entry> entries) {}

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private final Path file;

    public AclLedger(Path file) {
        this.file = file;
    }

    public static AclLedger in(Path dataDirectory) {
        return new AclLedger(dataDirectory.resolve(FILE_NAME));
    }

    public Path file() {
        return file;
    }

    public List<Entry> entries() throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            Document doc = JSON.readValue(file.toFile(), Document.class);
            if (doc.version() != 1 || doc.entries() == null) {
                throw new IOException(file + ": unsupported ledger version " + doc.version());
            }
            return List.copyOf(doc.entries());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(file + ": not a valid grant ledger (" + e.getOriginalMessage() + ")", e);
        }
    }

    void write(List<Entry> entries) throws IOException {
        Files.createDirectories(file.getParent());
        Path temp = file.resolveSibling(FILE_NAME + ".tmp");
        JSON.writeValue(temp.toFile(), new Document(1, new ArrayList<>(entries)));
        try {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
