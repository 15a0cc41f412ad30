package dev.mcpcontain.platform.windows.acl;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.mcpcontain.platform.windows.plan.AppContainerNames;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The journal of every ACL entry and integrity label the launcher has put on folders, in {@code acl-grants.json}
 * under the data directory, with the launches that hold them and the Low-label consents.
 *
 * <p>It is a two-phase journal, and it never trusts itself: an entry is recorded {@code pending} before its ACE is
 * applied and marked {@code applied} only after the ACE has been read back from the object; a later launch reads
 * every entry it relies on back from the object again, so a crash between record and apply (or a lost or undone
 * edit) is repaired instead of skipped. Every read-modify-write happens under {@link #locked}, a lock on a separate
 * file held across processes, and the file is replaced through a uniquely named temporary file.
 */
public final class AclLedger {

    public static final String FILE_NAME = "acl-grants.json";
    static final String LOCK_NAME = "acl-grants.lock";
    static final int VERSION = 2;

    public enum State { PENDING, APPLIED }

    /**
     * One recorded entry.
     *
     * @param identity the AppContainer profile name the entry belongs to (one per server configuration)
     */
    public record Entry(String serverId, String identity, String path, String trustee, boolean deny, int accessMask,
            int inheritance, String reason, String recordedAt, State state) {

        @JsonCreator
        public Entry(@JsonProperty(value = "serverId", required = true) String serverId,
                @JsonProperty(value = "identity", required = true) String identity,
                @JsonProperty(value = "path", required = true) String path,
                @JsonProperty(value = "trustee", required = true) String trustee,
                @JsonProperty("deny") boolean deny,
                @JsonProperty(value = "accessMask", required = true) int accessMask,
                @JsonProperty("inheritance") int inheritance,
                @JsonProperty("reason") String reason,
                @JsonProperty("recordedAt") String recordedAt,
                @JsonProperty(value = "state", required = true) State state) {
            this.serverId = serverId;
            this.identity = identity;
            this.path = path;
            this.trustee = trustee;
            this.deny = deny;
            this.accessMask = accessMask;
            this.inheritance = inheritance;
            this.reason = reason == null ? "" : reason;
            this.recordedAt = recordedAt == null ? "" : recordedAt;
            this.state = state;
        }

        static Entry pending(String serverId, String identity, AceSpec ace, Instant now) {
            return new Entry(serverId, identity, ace.path(), ace.trustee().toString(), ace.deny(), ace.accessMask(),
                    ace.inheritance(), ace.reason(), now.toString(), State.PENDING);
        }

        Entry applied() {
            return new Entry(serverId, identity, path, trustee, deny, accessMask, inheritance, reason, recordedAt,
                    State.APPLIED);
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

    /** A running launch that relies on the entries of {@code identity}; a lease of a dead process is dropped. */
    public record Lease(@JsonProperty("identity") String identity, @JsonProperty("launchId") String launchId,
            @JsonProperty("pid") long pid, @JsonProperty("processStart") String processStart) {}

    /** The user's consent to label a folder of theirs Low integrity (see README, Windows). */
    public record LowLabelConsent(@JsonProperty("path") String path, @JsonProperty("grantedAt") String grantedAt) {}

    public record Document(@JsonProperty("version") int version, @JsonProperty("entries") List<Entry> entries,
            @JsonProperty("leases") List<Lease> leases, @JsonProperty("lowLabelConsents") List<LowLabelConsent> consents) {
        public Document {
            entries = entries == null ? new ArrayList<>() : new ArrayList<>(entries);
            leases = leases == null ? new ArrayList<>() : new ArrayList<>(leases);
            consents = consents == null ? new ArrayList<>() : new ArrayList<>(consents);
        }

        static Document empty() {
            return new Document(VERSION, null, null, null);
        }
    }

    /** What runs under the lock. */
    @FunctionalInterface
    public interface Locked<T> {
        T run() throws IOException;
    }

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private static final Map<String, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

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

    /**
     * Runs {@code action} holding an exclusive lock on {@code acl-grants.lock} (LockFileEx on Windows): concurrent
     * launches and {@code setup --revoke-grants} take turns.
     */
    public <T> T locked(Locked<T> action) throws IOException {
        Files.createDirectories(file.getParent());
        Path lockFile = file.resolveSibling(LOCK_NAME).toAbsolutePath().normalize();
        // A file lock is held per JVM, not per thread (a second lock from this JVM throws): threads queue here first.
        ReentrantLock inProcess = IN_PROCESS.computeIfAbsent(lockFile.toString(), k -> new ReentrantLock());
        inProcess.lock();
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = channel.lock()) {
            return action.run();
        } finally {
            inProcess.unlock();
        }
    }

    public List<Entry> entries() throws IOException {
        return List.copyOf(read().entries());
    }

    public Document read() throws IOException {
        if (!Files.exists(file)) {
            return Document.empty();
        }
        try {
            com.fasterxml.jackson.databind.JsonNode root = JSON.readTree(file.toFile());
            if (root != null && root.path("version").asInt(-1) == 1) {
                return fromVersion1(root);
            }
            Document doc = JSON.treeToValue(root, Document.class);
            if (doc.version() != VERSION) {
                throw new IOException(file + ": unsupported ledger version " + doc.version()
                        + " (revoke with the mcp-contain version that wrote it, or remove the entries by hand)");
            }
            return doc;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(file + ": not a valid grant ledger (" + e.getOriginalMessage() + ")", e);
        }
    }

    /**
     * A ledger of the earlier format (one identity per server id, no states): its entries are taken as applied
     * entries of the old identity, which no launch holds, so the next launch of that server retires them (revokes
     * them and deletes the old profile) through the same path as any other configuration.
     */
    private Document fromVersion1(com.fasterxml.jackson.databind.JsonNode root) throws IOException {
        Document doc = Document.empty();
        for (com.fasterxml.jackson.databind.JsonNode node : root.path("entries")) {
            if (!(node instanceof com.fasterxml.jackson.databind.node.ObjectNode entry) || !entry.hasNonNull("serverId")) {
                throw new IOException(file + ": not a valid grant ledger (an entry without serverId)");
            }
            entry.put("identity", AppContainerNames.forServer(entry.get("serverId").asText()));
            entry.put("state", State.APPLIED.name());
            doc.entries().add(JSON.treeToValue(entry, Entry.class));
        }
        return doc;
    }

    /** Replaces the file through a temporary file of a unique name (never a fixed {@code .tmp} two writers share). */
    public void write(Document doc) throws IOException {
        Files.createDirectories(file.getParent());
        Path temp = Files.createTempFile(file.getParent(), FILE_NAME + ".", ".tmp");
        try {
            JSON.writeValue(temp.toFile(), new Document(VERSION, doc.entries(), doc.leases(), doc.consents()));
            try {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
