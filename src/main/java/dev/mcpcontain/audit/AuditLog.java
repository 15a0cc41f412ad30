package dev.mcpcontain.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;

/**
 * The append-only audit log: one JSON object per line.
 *
 * <p>Each line goes to the kernel in a single {@code write(2)} on a descriptor opened with {@code O_APPEND}, and
 * nothing is buffered in this process: a launcher killed with SIGKILL loses nothing it had already written, and
 * several launchers can share one file without interleaving lines. The relay writes a message's line before it
 * forwards the message, so everything the other side saw is on disk first. No fsync: the log survives the
 * process, not a power cut.
 *
 * <p>Linux copies a write into the page cache page by page and gives up between pages when the writer has been
 * sent SIGKILL, so a line spanning a page boundary could be cut. Every record therefore fits in one page: a
 * record that would straddle a boundary is preceded by blank lines up to it, and arguments too large for a page
 * are recorded by size and SHA-256 instead of in full.
 *
 * <p>The relay {@link #stage stages} records and {@link #flushStaged flushes} them in one write just before
 * any forwarded bytes leave its buffers: the record of a message still reaches the kernel before the message
 * reaches the peer, with one system call per burst instead of one per message. Because no record straddles a
 * page, a write cut short by SIGKILL ends between records, never inside one.
 */
public final class AuditLog implements Closeable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The unit the kernel copies (and may stop between) when a writer is killed. */
    static final int PAGE = 4096;
    private static final int DETAIL_LIMIT = 1000;
    private static final int NAME_LIMIT = 256;

    private final Path file;
    private final FileChannel channel;
    private final java.util.List<byte[]> staged = new java.util.ArrayList<>();
    private ByteBuffer batch = ByteBuffer.allocate(64 * 1024);

    private AuditLog(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /** Opens (creating with mode 0600 in a 0700 directory) and seals a line torn by an earlier crash. */
    public static AuditLog open(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        if (dir != null && !Files.isDirectory(dir)) {
            if (posix) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectories(dir);
            }
        }
        FileAttribute<?>[] attributes = posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
        // Never through a link: appending to (or chmodding) whatever a planted link names is not ours to do.
        FileChannel channel;
        try {
            channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND, LinkOption.NOFOLLOW_LINKS), attributes);
        } catch (FileSystemException e) {
            if (Files.isSymbolicLink(file)) {
                throw new IOException("refusing to write the audit log " + file + ": it is a symbolic link", e);
            }
            throw e;
        }
        if (posix) {
            // The log holds tool arguments: an existing file readable by others is tightened, not trusted.
            PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS);
            Set<PosixFilePermission> permissions = view.readAttributes().permissions();
            if (permissions.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
                view.setPermissions(PosixFilePermissions.fromString("rw-------"));
            }
        }
        AuditLog log = new AuditLog(file, channel);
        log.sealTornTail();
        return log;
    }

    public Path file() {
        return file;
    }

    /** Appends one event as one line; throws if the line could not be written whole. */
    public void append(AuditEvent event) {
        stage(event);
        flushStaged();
    }

    /** Keeps a record for the next {@link #flushStaged}; nothing reaches the file before that. */
    public void stage(AuditEvent event) {
        byte[] json = serialize(event);
        if (json.length >= PAGE) {
            json = serialize(fitted(event));
        }
        synchronized (this) {
            staged.add(json);
        }
    }

    /** Writes every staged record in one write, each within one page. */
    public synchronized void flushStaged() {
        if (staged.isEmpty()) {
            return;
        }
        try {
            long position = channel.size();
            batch.clear();
            for (byte[] json : staged) {
                int length = json.length + 1;
                long room = PAGE - position % PAGE;
                int padding = length <= PAGE && length > room ? (int) room : 0;
                ensure(padding + length);
                for (int i = 0; i < padding; i++) {
                    batch.put((byte) '\n');
                }
                batch.put(json).put((byte) '\n');
                position += padding + length;
            }
            staged.clear();
            batch.flip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the audit log " + file + ": " + e.getMessage(), e);
        }
        writeFully(batch);
    }

    private void ensure(int more) {
        if (batch.remaining() < more) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(batch.capacity() * 2, batch.position() + more));
            batch.flip();
            bigger.put(batch);
            batch = bigger;
        }
    }

    private static byte[] serialize(AuditEvent event) {
        try {
            return JSON.writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("audit event cannot be serialized: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * The same record with large arguments replaced by their size and digest, and long texts shortened (a peer
     * chooses ids and method names too).
     */
    static AuditEvent fitted(AuditEvent e) {
        JsonNode arguments = e.arguments();
        if (arguments != null) {
            byte[] raw;
            try {
                raw = JSON.writeValueAsBytes(arguments);
            } catch (JsonProcessingException ex) {
                throw new IllegalStateException("arguments cannot be serialized: " + ex.getOriginalMessage(), ex);
            }
            ObjectNode summary = JsonNodeFactory.instance.objectNode();
            ObjectNode truncated = summary.putObject("$truncated");
            truncated.put("bytes", raw.length);
            truncated.put("sha256", sha256(raw));
            arguments = summary;
        }
        String detail = e.detail() == null || e.detail().length() <= DETAIL_LIMIT ? e.detail()
                : e.detail().substring(0, DETAIL_LIMIT) + "...";
        String id = e.id() == null || e.id().length() <= NAME_LIMIT ? e.id() : "\"<id of " + e.id().length() + " bytes>\"";
        return new AuditEvent(e.time(), e.server(), e.direction(), e.kind(), id, shorten(e.method()),
                shorten(e.tool()), arguments, e.outcome(), e.reason(), detail, e.status(), e.errorCode(), e.latencyMs(),
                e.bytes());
    }

    private static String shorten(String name) {
        return name == null || name.length() <= NAME_LIMIT ? name : name.substring(0, NAME_LIMIT) + "...";
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always present", e);
        }
    }

    private synchronized void writeFully(ByteBuffer line) {
        try {
            // One write for the whole line; the loop only matters if the kernel ever returns a short count.
            while (line.hasRemaining()) {
                channel.write(line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the audit log " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * A launcher killed in the middle of a multi-page write can leave a partial last line. Ending it here keeps
     * the next record on a line of its own; readers report the fragment instead of losing the record after it.
     */
    private void sealTornTail() throws IOException {
        long size = channel.size();
        if (size == 0) {
            return;
        }
        try (FileChannel reader = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer last = ByteBuffer.allocate(1);
            reader.read(last, size - 1);
            if (last.get(0) != '\n') {
                writeFully(ByteBuffer.wrap(new byte[] {'\n'}));
            }
        }
    }

    @Override
    public void close() throws IOException {
        flushStaged();
        channel.close();
    }
}
