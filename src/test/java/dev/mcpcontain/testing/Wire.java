package dev.mcpcontain.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One end of an in-memory stdio connection for protocol tests: lines written here come out of {@link #peerIn()},
 * and every line the peer writes to {@link #peerOut()} can be taken with {@link #next()}.
 */
public final class Wire {

    private final PipedOutputStream toPeer = new PipedOutputStream();
    private final PipedInputStream peerIn;
    private final PipedInputStream fromPeer;
    private final PipedOutputStream peerOut = new PipedOutputStream();
    private final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();

    public Wire() {
        try {
            peerIn = new PipedInputStream(toPeer, 1 << 20);
            fromPeer = new PipedInputStream(peerOut, 1 << 20);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread reader = new Thread(this::readLines, "wire reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** What the peer reads (e.g. the relay's host stdin). */
    public InputStream peerIn() {
        return peerIn;
    }

    /** Where the peer writes (e.g. the relay's host stdout). */
    public OutputStream peerOut() {
        return peerOut;
    }

    public synchronized void send(String line) {
        sendBytes((line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    public synchronized void sendBytes(byte[] bytes) {
        try {
            toPeer.write(bytes);
            toPeer.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void close() {
        try {
            toPeer.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next line the peer wrote, without its newline; fails after 10 s. */
    public String next() {
        return new String(nextBytes(), StandardCharsets.UTF_8);
    }

    public byte[] nextBytes() {
        try {
            byte[] line = received.poll(10, TimeUnit.SECONDS);
            if (line == null) {
                throw new AssertionError("nothing arrived within 10 s");
            }
            return line;
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** True when nothing arrives within {@code millis}. */
    public boolean quietFor(long millis) throws InterruptedException {
        return received.poll(millis, TimeUnit.MILLISECONDS) == null;
    }

    private void readLines() {
        java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
        byte[] buffer = new byte[65536];
        try {
            for (int n = fromPeer.read(buffer); n >= 0; n = fromPeer.read(buffer)) {
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        received.add(line.toByteArray());
                        line.reset();
                    } else {
                        line.write(buffer[i]);
                    }
                }
            }
        } catch (IOException e) {
            // The peer closed its side.
        }
    }
}
