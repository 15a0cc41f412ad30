package dev.mcpcontain.state;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads files a user names (a manifest, a server.json) that are small by nature. {@code Files.readAllBytes} would
 * block forever on a fifo, never end on a device, and fail with an out-of-memory stack trace on a sparse file of a
 * few GiB; here each is an {@link IOException} whose message the caller puts in its one-line error.
 */
public final class SmallFiles {

    private SmallFiles() {}

    /** @param limit bytes; nothing past {@code limit + 1} is read, even from a file that grows */
    public static byte[] read(Path file, int limit) throws IOException {
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            throw new IOException("not a regular file (a folder, device or fifo)");
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(limit + 1);
            if (bytes.length > limit) {
                throw new IOException("larger than " + (limit >> 20) + " MiB, too large for what it should hold");
            }
            return bytes;
        }
    }
}
