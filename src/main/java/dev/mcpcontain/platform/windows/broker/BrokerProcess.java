package dev.mcpcontain.platform.windows.broker;

import dev.mcpcontain.launch.ContainedProcess;
import dev.mcpcontain.platform.windows.Win32;
import dev.mcpcontain.platform.windows.Win32CallException;
import dev.mcpcontain.platform.windows.broker.BrokerMessages.Message;
import dev.mcpcontain.platform.windows.launch.HandleStreams;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A server the broker runs, seen from the launcher. Its exit code arrives on the control pipe; closing the control
 * pipe (or this launcher dying, which closes it) makes the broker close the server's job, killing the whole tree.
 * With inherited stdio the launcher relays its own stdin, stdout and stderr to the per-run pipes, byte for byte,
 * and reports the exit only once the server's stdout and stderr have reached their end.
 */
public final class BrokerProcess implements ContainedProcess {

    /** When the broker vanishes without an exit code. */
    static final int BROKER_LOST = 125;
    static final int KILLED = 137;

    private final BrokerClientWin32 win32;
    private final Win32.Handle control;
    private final int pid;
    private final OutputStream stdin;
    private final InputStream stdout;
    private final InputStream stderr;
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    /** The exit as waiters see it: only after onEnd ran, so that nothing of the run is still written after it. */
    private final CompletableFuture<Integer> ended;
    private final List<Thread> outputRelays = new ArrayList<>();
    private boolean closed;

    BrokerProcess(BrokerClientWin32 win32, Win32.Handle control, Win32.Handle stdinPipe, Win32.Handle stdoutPipe,
            Win32.Handle stderrPipe, int pid, boolean inheritStdio, Runnable onEnd) {
        this.win32 = win32;
        ended = exit.whenComplete((code, error) -> onEnd.run());
        this.control = control;
        this.pid = pid;
        if (inheritStdio) {
            this.stdin = OutputStream.nullOutputStream();
            this.stdout = InputStream.nullInputStream();
            this.stderr = InputStream.nullInputStream();
            relay(win32.stdHandle(Win32.STD_INPUT), stdinPipe, true, "stdin");
            outputRelays.add(relay(stdoutPipe, win32.stdHandle(Win32.STD_OUTPUT), false, "stdout"));
            outputRelays.add(relay(stderrPipe, win32.stdHandle(Win32.STD_ERROR), false, "stderr"));
        } else {
            this.stdin = HandleStreams.output(win32, stdinPipe);
            this.stdout = HandleStreams.input(win32, stdoutPipe);
            this.stderr = HandleStreams.input(win32, stderrPipe);
        }
        Thread exitReader = new Thread(this::readExit, "broker-exit-" + pid);
        exitReader.setDaemon(true);
        exitReader.start();
    }

    /**
     * Waits for the exit message by polling the control pipe, so that no thread is ever blocked in ReadFile on it:
     * {@link #kill} closes it, and CloseHandle would not cancel a pending synchronous read (the broker would then never
     * see the pipe break).
     */
    private void readExit() {
        try {
            while (true) {
                int available;
                synchronized (this) {
                    if (closed) {
                        return;
                    }
                    available = win32.peekAvailable(control);
                }
                if (available != 0) {
                    break;
                }
                Thread.sleep(50);
            }
            Optional<Message> message;
            synchronized (this) {
                if (closed) {
                    return;
                }
                message = BrokerMessages.read(win32, control);
            }
            exit.complete(message.filter(m -> m.is("exited") && m.code() != null).map(Message::code).orElse(BROKER_LOST));
        } catch (IOException | Win32CallException e) {
            exit.complete(BROKER_LOST);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exit.complete(BROKER_LOST);
        }
    }

    /**
     * Copies until the source ends. The stdin relay closes the server's stdin pipe at the launcher's EOF; the output
     * relays close the pipe they read.
     */
    private Thread relay(Win32.Handle from, Win32.Handle to, boolean closeTarget, String name) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try {
                int n;
                while ((n = win32.read(from, buffer, 0, buffer.length)) >= 0) {
                    if (n > 0) {
                        win32.write(to, buffer, 0, n);
                    }
                }
            } catch (Win32CallException e) {
                // A broken pipe on either side ends this relay; the exit code still comes from the broker.
            } finally {
                closeQuietly(closeTarget ? to : from);
            }
        }, "broker-relay-" + name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Override
    public OutputStream stdin() {
        return stdin;
    }

    @Override
    public InputStream stdout() {
        return stdout;
    }

    @Override
    public InputStream stderr() {
        return stderr;
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public boolean isAlive() {
        return !exit.isDone();
    }

    @Override
    public int waitFor() throws InterruptedException {
        try {
            int code = ended.get();
            for (Thread relay : outputRelays) {
                relay.join();
            }
            return code;
        } catch (ExecutionException e) {
            return BROKER_LOST;
        }
    }

    @Override
    public int waitFor(Duration timeout) throws InterruptedException {
        try {
            int code = ended.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            for (Thread relay : outputRelays) {
                relay.join(Math.max(1, timeout.toMillis()));
            }
            return code;
        } catch (TimeoutException e) {
            return -1;
        } catch (ExecutionException e) {
            return BROKER_LOST;
        }
    }

    @Override
    public int stop(Duration grace) throws InterruptedException {
        try {
            stdin.close();
        } catch (IOException e) {
            // Already closed.
        }
        int code = waitFor(grace);
        if (code == -1) {
            kill();
            code = KILLED;
        }
        closeControl();
        return code;
    }

    /** Closing the control pipe is the kill: the broker closes the server's job when its caller goes. */
    @Override
    public void kill() {
        closeControl();
        exit.complete(KILLED);
    }

    private synchronized void closeControl() {
        if (!closed) {
            closed = true;
            closeQuietly(control);
        }
    }

    private void closeQuietly(Win32.Handle handle) {
        try {
            win32.closeHandle(handle);
        } catch (Win32CallException e) {
            // Nothing more to do.
        }
    }
}
