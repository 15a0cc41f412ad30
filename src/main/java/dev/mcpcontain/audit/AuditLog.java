package dev.mcpcontain.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The append-only audit log: one JSON object per line.
 *
 * <p>Each line goes to the kernel in a single {@code write(2)} on a descriptor opened with {@code O_APPEND}, and
 * nothing is buffered in this process: a launcher killed with SIGKILL loses nothing it had already written, and
 * several launchers can share one file without interleaving lines. The relay writes a message's line before it
 * forwards the message, so everything the other side saw is on disk first. No fsync: the log survives the
 * process, not a power cut.
 */
public final class AuditLog implements Closeable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final FileChannel channel;

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
        FileChannel channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND), attributes);
        AuditLog log = new AuditLog(file, channel);
        log.sealTornTail();
        return log;
    }

    public Path file() {
        return file;
    }

    /** Appends one event as one line; throws if the line could not be written whole. */
    public void append(AuditEvent event) {
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("audit event cannot be serialized: " + e.getOriginalMessage(), e);
        }
        ByteBuffer line = ByteBuffer.allocate(json.length + 1).put(json).put((byte) '\n').flip();
        writeFully(line);
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
        channel.close();
    }
}
