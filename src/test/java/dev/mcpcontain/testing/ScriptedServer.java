package dev.mcpcontain.testing;

import dev.mcpcontain.launch.ContainedProcess;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A server played by the test itself, for protocol cases real servers only produce by chance (pagination,
 * answers nobody asked for, a second tool page that changed). The test reads what the relay sent with
 * {@code wire.next()} and answers with {@code wire.send(...)}. Real servers are tested elsewhere.
 */
public final class ScriptedServer implements ContainedProcess {

    public final Wire wire = new Wire();
    private final CountDownLatch exited = new CountDownLatch(1);

    @Override
    public OutputStream stdin() {
        return new OutputStream() {
            @Override
            public void write(int b) throws java.io.IOException {
                wire.peerOut().write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws java.io.IOException {
                wire.peerOut().write(b, off, len);
            }

            @Override
            public void flush() throws java.io.IOException {
                wire.peerOut().flush();
            }

            @Override
            public void close() throws java.io.IOException {
                wire.peerOut().close();
            }
        };
    }

    @Override
    public InputStream stdout() {
        return wire.peerIn();
    }

    @Override
    public InputStream stderr() {
        return new ByteArrayInputStream(new byte[0]);
    }

    @Override
    public long pid() {
        return -1;
    }

    @Override
    public boolean isAlive() {
        return exited.getCount() > 0;
    }

    /** The scripted server "exits": its stdout ends. */
    public void exit() {
        wire.close();
        exited.countDown();
    }

    @Override
    public int waitFor() throws InterruptedException {
        exited.await();
        return 0;
    }

    @Override
    public int waitFor(Duration timeout) throws InterruptedException {
        return exited.await(timeout.toMillis(), TimeUnit.MILLISECONDS) ? 0 : -1;
    }

    @Override
    public int stop(Duration grace) {
        exit();
        return 0;
    }

    @Override
    public void kill() {
        exit();
    }
}
