package dev.mcpcontain.mediation;

import dev.mcpcontain.launch.ContainedProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits between a host and a contained server on stdio: host stdin → {@link Mediator} → server stdin, server stdout
 * → {@link Mediator} → host stdout, server stderr → the launcher's stderr unchanged. Works on any
 * {@link ContainedProcess}; it neither knows nor cares how the server is contained.
 *
 * <p>Each direction has its own thread, and a thread only ever waits on the peer it writes to in that direction:
 * the thread reading the server never blocks on writing to the server, which may itself be blocked writing to
 * us. Writes are buffered and flushed just before a thread would block on reading, which batches bursts without
 * delaying a lone message.
 *
 * <p>Ends when the server's stdout ends (it exited or closed it); the host closing its side closes the server's
 * stdin, which MCP servers take as the signal to exit. If mediation itself fails (the audit log cannot be written,
 * a pin file is damaged) the server is killed: nothing passes unmediated.
 */
public final class Relay {

    private static final Logger LOG = LoggerFactory.getLogger(Relay.class);

    /** Exit code when the relay had to stop the server because mediation failed. */
    public static final int MEDIATION_FAILED = 125;

    private final ContainedProcess server;
    private final MediationSettings settings;
    private final Mediator mediator;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    public Relay(ContainedProcess server, OutputStream hostOut, MediationSettings settings) {
        this.server = server;
        this.settings = settings;
        this.mediator = new Mediator(settings, server.stdin(), hostOut);
    }

    /** Where the pin this relay checks against comes from, for the launch message. */
    public String pinOrigin() {
        return mediator.pinOrigin();
    }

    /**
     * Relays until the server's stdout ends, then returns the server's exit code ({@link #MEDIATION_FAILED} if
     * the relay had to stop it).
     *
     * @param hostIn  what the host sends (the launcher's stdin)
     * @param serverLogs where the server's stderr goes (the launcher's stderr)
     */
    public int run(InputStream hostIn, OutputStream serverLogs) throws InterruptedException {
        Thread logs = daemon("mcp-contain server stderr", () -> copy(server.stderr(), serverLogs));
        Thread hostSide = daemon("mcp-contain host to server", () -> pumpFromHost(hostIn));
        logs.start();
        hostSide.start();
        pumpFromServer();
        int code = server.waitFor();
        logs.join(Duration.ofSeconds(2).toMillis());
        mediator.close();
        Throwable failed = failure.get();
        if (failed != null) {
            LOG.error("mediation of server '{}' failed, server stopped: {}", settings.serverId(), message(failed));
            return MEDIATION_FAILED;
        }
        return code;
    }

    private void pumpFromHost(InputStream hostIn) {
        LineReader reader = new LineReader(hostIn, settings.maxLineBytes());
        try {
            for (LineReader.Line line = reader.next(mediator::flushToServer); line != null;
                    line = reader.next(mediator::flushToServer)) {
                mediator.fromHost(line);
            }
            LOG.debug("host closed its side; closing the server's stdin");
        } catch (IOException e) {
            // The server's stdin is gone (it exited) or the host's stdin failed: either way this side is done.
            LOG.debug("host side ended: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            fail(e);
        } finally {
            try {
                mediator.closeServerSide();
            } catch (IOException e) {
                LOG.debug("closing the server's stdin: {}", e.toString());
            }
        }
    }

    private void pumpFromServer() {
        LineReader reader = new LineReader(server.stdout(), settings.maxLineBytes());
        try {
            for (LineReader.Line line = reader.next(mediator::flushToHost); line != null;
                    line = reader.next(mediator::flushToHost)) {
                mediator.fromServer(line);
            }
            mediator.finishHostSide();
            // The server is gone; the host sees end of stream, as it would from the bare server.
            mediator.closeHostSide();
        } catch (IOException e) {
            // Writing to the host failed: nobody is listening any more, so the server has no reason to run.
            LOG.debug("server side ended: {}", e.toString());
            stopServer();
        } catch (RuntimeException | Error e) {
            fail(e);
        }
    }

    private void fail(Throwable e) {
        if (failure.compareAndSet(null, e)) {
            LOG.debug("mediation failed", e);
            server.kill();
        }
    }

    private void stopServer() {
        try {
            server.stop(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            server.kill();
            Thread.currentThread().interrupt();
        }
    }

    private static void copy(InputStream from, OutputStream to) {
        byte[] buffer = new byte[8192];
        try {
            for (int n = from.read(buffer); n >= 0; n = from.read(buffer)) {
                to.write(buffer, 0, n);
                to.flush();
            }
        } catch (IOException e) {
            LOG.debug("server stderr ended: {}", e.toString());
        }
    }

    private static Thread daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }

    private static String message(Throwable e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
