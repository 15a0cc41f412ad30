package dev.mcpcontain.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A manifest or server.json named by the user: a device, a fifo or a sparse huge file is an error, not a hang. */
class SmallFilesTest {

    @TempDir
    Path temp;

    @Test
    void devicesFifosAndHugeFilesAreRefusedAndASmallFileIsRead() throws Exception {
        IOException device = assertThrows(IOException.class, () -> SmallFiles.read(Path.of("/dev/zero"), 1 << 20));
        assertEquals("not a regular file (a folder, device or fifo)", device.getMessage());

        Path fifo = temp.resolve("server.json");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        IOException pipe = assertThrows(IOException.class, () -> SmallFiles.read(fifo, 1 << 20));
        assertEquals("not a regular file (a folder, device or fifo)", pipe.getMessage());

        Path sparse = temp.resolve("manifest.json");
        try (RandomAccessFile file = new RandomAccessFile(sparse.toFile(), "rw")) {
            file.setLength(3L << 30); // 3 GiB, no blocks: readAllBytes fails with OutOfMemoryError
        }
        IOException huge = assertThrows(IOException.class, () -> SmallFiles.read(sparse, 16 << 20));
        assertEquals("larger than 16 MiB, too large for what it should hold", huge.getMessage());

        Path small = Files.writeString(temp.resolve("ok.json"), "{}");
        assertArrayEquals("{}".getBytes(StandardCharsets.UTF_8), SmallFiles.read(small, 16 << 20));
        Path exact = Files.write(temp.resolve("exact.json"), new byte[1 << 20]);
        assertEquals(1 << 20, SmallFiles.read(exact, 1 << 20).length);
    }
}
