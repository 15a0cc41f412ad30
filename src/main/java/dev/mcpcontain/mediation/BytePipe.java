package dev.mcpcontain.mediation;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An in-memory pipe between threads: bytes written to {@link #sink()} are read from {@link #source()}, with a
 * bounded buffer for back-pressure. Unlike {@code java.io.PipedInputStream} it does not fail when the thread that
 * last wrote has ended (client libraries write from pooled threads); only {@code close()} ends the stream.
 */
final class BytePipe {

    private final byte[] ring;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition readable = lock.newCondition();
    private final Condition writable = lock.newCondition();
    private int head;
    private int size;
    private boolean writerClosed;
    private boolean readerClosed;

    BytePipe(int capacity) {
        this.ring = new byte[capacity];
    }

    OutputStream sink() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                lock.lock();
                try {
                    while (len > 0) {
                        while (size == ring.length && !readerClosed && !writerClosed) {
                            await(writable);
                        }
                        if (readerClosed || writerClosed) {
                            throw new IOException("pipe closed");
                        }
                        int tail = (head + size) % ring.length;
                        int n = Math.min(len, Math.min(ring.length - size, ring.length - tail));
                        System.arraycopy(b, off, ring, tail, n);
                        size += n;
                        off += n;
                        len -= n;
                        readable.signalAll();
                    }
                } finally {
                    lock.unlock();
                }
            }

            @Override
            public void close() {
                lock.lock();
                try {
                    writerClosed = true;
                    readable.signalAll();
                    writable.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        };
    }

    InputStream source() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                lock.lock();
                try {
                    while (size == 0 && !writerClosed && !readerClosed) {
                        await(readable);
                    }
                    if (size == 0) {
                        return -1;
                    }
                    int n = Math.min(len, Math.min(size, ring.length - head));
                    System.arraycopy(ring, head, b, off, n);
                    head = (head + n) % ring.length;
                    size -= n;
                    writable.signalAll();
                    return n;
                } finally {
                    lock.unlock();
                }
            }

            @Override
            public int available() {
                lock.lock();
                try {
                    return size;
                } finally {
                    lock.unlock();
                }
            }

            @Override
            public void close() {
                lock.lock();
                try {
                    readerClosed = true;
                    readable.signalAll();
                    writable.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        };
    }

    private static void await(Condition condition) throws InterruptedIOException {
        try {
            condition.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting on the pipe");
        }
    }
}
