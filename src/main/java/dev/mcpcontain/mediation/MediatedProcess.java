package dev.mcpcontain.mediation;

import dev.mcpcontain.launch.ContainedProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A contained server behind an in-process relay, for Java hosts and proxies: the same mediation as
 * {@code mcp-contain run --mediate} (pinned tools, tool rules, argument checks, audit log), with the host side
 * of the relay as this object's stdin and stdout.
 *
 * <pre>{@code
 * MediatedRun run = MediatedRun.prepare(Launcher.forCurrentUser(), "default", request, options);
 * try (ContainedProcess server = run.start()) {
 *     server.stdin();   // JSON-RPC to the server, checked on the way
 *     server.stdout();  // JSON-RPC from the server, checked on the way
 * }                     // close(): stdin closed, then the whole tree stopped
 * }</pre>
 */
public final class MediatedProcess implements ContainedProcess {

    private static final int PIPE_BYTES = 1 << 20;

    private final ContainedProcess server;
    private final OutputStream stdin;
    private final InputStream stdout;
    private final InputStream stderr;
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();

    private MediatedProcess(ContainedProcess server, MediationSettings settings, Runnable onExit) {
        this.server = server;
        BytePipe toRelay = new BytePipe(PIPE_BYTES);
        BytePipe fromRelay = new BytePipe(PIPE_BYTES);
        BytePipe logs = new BytePipe(PIPE_BYTES);
        this.stdin = toRelay.sink();
        this.stdout = fromRelay.source();
        this.stderr = logs.source();
        Relay relay = new Relay(server, fromRelay.sink(), settings);
        Thread thread = new Thread(() -> {
            // The owner's hook (closing the audit log) runs before waitFor() returns.
            int code = Relay.MEDIATION_FAILED;
            Throwable failure = null;
            try (OutputStream logSink = logs.sink()) {
                code = relay.run(toRelay.source(), logSink);
            } catch (InterruptedException e) {
                server.kill();
            } catch (IOException | RuntimeException e) {
                server.kill();
                failure = e;
            } finally {
                onExit.run();
            }
            if (failure != null) {
                exit.completeExceptionally(failure);
            } else {
                exit.complete(code);
            }
        }, "mcp-contain relay " + settings.serverId());
        thread.setDaemon(true);
        thread.start();
    }

    /** Mediates an already started server; {@code onExit} runs when the relay ends (e.g. to close the audit log). */
    public static MediatedProcess wrap(ContainedProcess server, MediationSettings settings, Runnable onExit) {
        return new MediatedProcess(server, settings, onExit);
    }

    @Override
    public OutputStream stdin() {
        return stdin;
    }

    @Override
    public InputStream stdout() {
        return stdout;
    }

    /** The server's stderr, unchanged. */
    @Override
    public InputStream stderr() {
        return stderr;
    }

    @Override
    public long pid() {
        return server.pid();
    }

    @Override
    public boolean isAlive() {
        return !exit.isDone();
    }

    @Override
    public int waitFor() throws InterruptedException {
        try {
            return exit.get();
        } catch (ExecutionException e) {
            return Relay.MEDIATION_FAILED;
        }
    }

    @Override
    public int waitFor(Duration timeout) throws InterruptedException {
        try {
            return exit.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return -1;
        } catch (ExecutionException e) {
            return Relay.MEDIATION_FAILED;
        }
    }

    /** Closes the server's stdin through the relay, then stops the server's tree if it has not exited. */
    @Override
    public int stop(Duration grace) throws InterruptedException {
        try {
            stdin.close();
        } catch (IOException e) {
            // Already closed.
        }
        int code = waitFor(grace);
        if (code != -1) {
            return code;
        }
        server.stop(grace);
        return waitFor();
    }

    @Override
    public void kill() {
        server.kill();
    }
}
