package dev.mcpcontain.mediation;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes whole lines to one peer. Both relay directions may write to the same peer (a forwarded message and the
 * relay's own error reply), so every line is written under one lock and never interleaves with another.
 * Buffered: the reader that feeds it flushes before it would block, which batches bursts without delaying
 * a lone message. Before any byte leaves, {@code beforeDrain} runs: the relay writes the audit records of the
 * lines it is about to send.
 */
final class LineWriter {

    private final OutputStream out;
    private final Runnable beforeDrain;
    private final byte[] buffer = new byte[64 * 1024];
    private int count;
    private boolean closed;

    LineWriter(OutputStream out, Runnable beforeDrain) {
        this.out = out;
        this.beforeDrain = beforeDrain;
    }

    synchronized void writeLine(Slice line) throws IOException {
        byte[] bytes = line.bytes();
        int offset = line.offset();
        int length = line.length();
        if (closed) {
            throw new IOException("stream closed");
        }
        if (length + 1 > buffer.length - count) {
            drain();
            if (length + 1 > buffer.length) {
                beforeDrain.run();
                out.write(bytes, offset, length);
                out.write('\n');
                return;
            }
        }
        System.arraycopy(bytes, offset, buffer, count, length);
        count += length;
        buffer[count++] = '\n';
    }

    synchronized void flush() throws IOException {
        if (closed) {
            return;
        }
        drain();
        out.flush();
    }

    synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            flush();
        } finally {
            closed = true;
            out.close();
        }
    }

    private void drain() throws IOException {
        beforeDrain.run();
        if (count > 0) {
            out.write(buffer, 0, count);
            count = 0;
        }
    }
}
