package dev.mcpcontain.mediation;

import java.io.IOException;
import java.io.InputStream;

/**
 * Splits a byte stream into newline-terminated lines without decoding or copying them: the relay forwards the
 * very bytes it read. The line returned by {@link #next} is valid until the following call.
 *
 * <p>A line longer than {@code maxLine} is skipped (never buffered whole) and returned as an oversize marker, so a
 * peer cannot make the launcher hold unbounded memory.
 */
final class LineReader {

    /** Called before a read that may block, so that the caller can flush what it has written so far. */
    interface BeforeBlocking {
        void run() throws IOException;
    }

    /** A view of one line in the reader's buffer, without its newline. */
    static final class Line {
        byte[] bytes;
        int offset;
        int length;
        /** The line was longer than the limit; {@link #length} is its size and {@link #bytes} holds none of it. */
        boolean oversize;
    }

    private final InputStream in;
    private final int maxLine;
    private final Line line = new Line();
    private byte[] buffer;
    private int start;
    private int end;
    private int scanned;
    private long discarding = -1;

    LineReader(InputStream in, int maxLine) {
        this.in = in;
        this.maxLine = maxLine;
        this.buffer = new byte[Math.min(64 * 1024, Math.max(1024, maxLine + 1))];
    }

    /** The next line, or null at end of stream. A last line without a newline still counts as a line. */
    Line next(BeforeBlocking beforeBlocking) throws IOException {
        while (true) {
            for (int i = scanned; i < end; i++) {
                if (buffer[i] == '\n') {
                    return take(i, i + 1);
                }
            }
            scanned = end;
            if (discarding >= 0) {
                discarding += end - start;
                start = end = scanned = 0;
            } else if (end - start > maxLine) {
                discarding = end - start;
                start = end = scanned = 0;
            }
            makeRoom();
            beforeBlocking.run();
            int n = in.read(buffer, end, buffer.length - end);
            if (n < 0) {
                if (discarding >= 0) {
                    return take(end, end);
                }
                return start < end ? take(end, end) : null;
            }
            end += n;
        }
    }

    private Line take(int lineEnd, int nextStart) {
        if (discarding >= 0) {
            line.bytes = buffer;
            line.offset = start;
            line.length = (int) Math.min(Integer.MAX_VALUE, discarding + (lineEnd - start));
            line.oversize = true;
            discarding = -1;
        } else if (lineEnd - start > maxLine) {
            line.bytes = buffer;
            line.offset = start;
            line.length = lineEnd - start;
            line.oversize = true;
        } else {
            line.bytes = buffer;
            line.offset = start;
            line.length = lineEnd - start;
            line.oversize = false;
        }
        start = nextStart;
        scanned = nextStart;
        return line;
    }

    private void makeRoom() {
        if (end < buffer.length) {
            return;
        }
        if (start > 0) {
            System.arraycopy(buffer, start, buffer, 0, end - start);
            end -= start;
            scanned -= start;
            start = 0;
            return;
        }
        int grown = (int) Math.min((long) buffer.length * 2, (long) maxLine + 1);
        byte[] bigger = new byte[Math.max(grown, buffer.length + 1)];
        System.arraycopy(buffer, 0, bigger, 0, end);
        buffer = bigger;
    }
}
