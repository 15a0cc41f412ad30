package dev.mcpcontain.launch;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;

/**
 * A running contained server. Closing it ends the whole process tree: the tree cannot outlive this object's
 * owner, whatever the server does (daemonizing, ignoring stdin EOF).
 */
public interface ContainedProcess extends AutoCloseable {

    /** The server's stdin: JSON-RPC from the host. */
    OutputStream stdin();

    /** The server's stdout: JSON-RPC to the host. */
    InputStream stdout();

    /** The server's stderr: free-form logs, plus the launcher's own one-line errors. */
    InputStream stderr();

    long pid();

    boolean isAlive();

    /** Waits for the server and returns its exit code (128+N for signal N, 125 when containment failed). */
    int waitFor() throws InterruptedException;

    /** Waits at most {@code timeout}; returns -1 if it is still running. */
    int waitFor(Duration timeout) throws InterruptedException;

    /** Asks the server to stop (SIGTERM / stdin close), then kills the whole tree after {@code grace}. */
    int stop(Duration grace) throws InterruptedException;

    /** Kills the whole tree at once. */
    void kill();

    @Override
    default void close() {
        try {
            stop(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            kill();
            Thread.currentThread().interrupt();
        }
    }
}
