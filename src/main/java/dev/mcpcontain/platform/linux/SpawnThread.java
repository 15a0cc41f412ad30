package dev.mcpcontain.platform.linux;

import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ExecutionException;

/**
 * Starts helpers from one long-lived platform thread. The helper itself does not rely on PR_SET_PDEATHSIG (which
 * fires when the parent *thread* exits, so a retiring pool thread would kill its server), but whatever a JDK
 * might do at spawn time is then tied to a thread that lives as long as the JVM.
 */
final class SpawnThread {

    private static final ExecutorService SPAWNER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "mcp-contain-spawn");
        t.setDaemon(true);
        return t;
    });

    private SpawnThread() {}

    static Process start(ProcessBuilder builder) throws IOException {
        Future<Process> started = SPAWNER.submit(builder::start);
        try {
            return started.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting the helper", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("cannot start the helper: " + e.getCause(), e.getCause());
        }
    }
}
