package dev.mcpcontain.mediation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LineReaderTest {

    /** Hands out at most {@code chunk} bytes per read, as a pipe may. */
    private static InputStream trickle(byte[] data, int chunk) {
        return new FilterInputStream(new ByteArrayInputStream(data)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, chunk));
            }
        };
    }

    private static List<byte[]> readAll(InputStream in, int max) throws IOException {
        LineReader reader = new LineReader(in, max);
        List<byte[]> lines = new ArrayList<>();
        for (LineReader.Line line = reader.next(() -> { }); line != null; line = reader.next(() -> { })) {
            lines.add(line.oversize ? ("OVERSIZE " + line.length).getBytes(StandardCharsets.US_ASCII)
                    : Arrays.copyOfRange(line.bytes, line.offset, line.offset + line.length));
        }
        return lines;
    }

    @Test
    void linesComeOutByteForByteWhateverTheReadSizes() throws IOException {
        Random random = new Random(42);
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        List<byte[]> expected = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            byte[] line = new byte[random.nextInt(i % 50 == 0 ? 300_000 : 200)];
            for (int j = 0; j < line.length; j++) {
                byte b = (byte) random.nextInt(256);
                line[j] = b == '\n' ? (byte) '\r' : b;  // any byte but the separator, CR and invalid UTF-8 included
            }
            expected.add(line);
            data.write(line, 0, line.length);
            data.write('\n');
        }
        for (int chunk : new int[] {1, 7, 4096, 1 << 20}) {
            List<byte[]> lines = readAll(trickle(data.toByteArray(), chunk), 1 << 20);
            assertEquals(expected.size(), lines.size());
            for (int i = 0; i < lines.size(); i++) {
                assertArrayEquals(expected.get(i), lines.get(i), "line " + i + " with reads of " + chunk);
            }
        }
    }

    @Test
    void aLineOverTheLimitIsSkippedWithoutBufferingItAndTheNextLineIsIntact() throws IOException {
        String big = "x".repeat(5_000_000);
        byte[] data = ("first\n" + big + "\nafter\n").getBytes(StandardCharsets.US_ASCII);
        List<byte[]> lines = readAll(trickle(data, 65536), 1_000_000);
        assertEquals(List.of("first", "OVERSIZE 5000000", "after"),
                lines.stream().map(b -> new String(b, StandardCharsets.US_ASCII)).toList());
    }

    @Test
    void aLastLineWithoutNewlineStillCounts() throws IOException {
        List<byte[]> lines = readAll(new ByteArrayInputStream("a\nb".getBytes(StandardCharsets.US_ASCII)), 100);
        assertEquals(2, lines.size());
        assertEquals("b", new String(lines.get(1), StandardCharsets.US_ASCII));
        assertTrue(readAll(new ByteArrayInputStream(new byte[0]), 100).isEmpty());
    }

    @Test
    void theCallerMayFlushBeforeEveryReadThatCouldBlock() throws IOException {
        int[] calls = {0};
        LineReader reader = new LineReader(trickle("a\nb\nc\n".getBytes(StandardCharsets.US_ASCII), 2), 100);
        List<String> seen = new ArrayList<>();
        for (LineReader.Line l = reader.next(() -> calls[0]++); l != null; l = reader.next(() -> calls[0]++)) {
            seen.add(new String(l.bytes, l.offset, l.length, StandardCharsets.US_ASCII) + "@" + calls[0]);
        }
        // Every line is preceded by at least one read; the hook runs before each of them, never between
        // lines already buffered.
        assertEquals(List.of("a@1", "b@2", "c@3"), seen);
        assertNull(reader.next(() -> { }));
        assertFalse(calls[0] == 0);
    }
}
