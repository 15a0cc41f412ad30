package dev.mcpcontain.platform.windows.launch;

import dev.mcpcontain.launch.ContainedProcess;
import dev.mcpcontain.platform.windows.Win32;
import dev.mcpcontain.platform.windows.Win32CallException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;

/**
 * A server started by the {@link LaunchSequence}. The job handle is the tree's lifeline: it is never inheritable,
 * and closing it (here, or by the kernel when the launcher dies) kills every process of the server.
 */
public final class WindowsProcess implements ContainedProcess {

    /** Exit code of a tree killed by {@link #kill} or after the grace period, as 128+SIGKILL on Linux. */
    public static final int KILLED = 137;

    private final Win32 win32;
    private final Win32.Handle process;
    private final Win32.Handle job;
    private final int pid;
    private final OutputStream stdin;
    private final InputStream stdout;
    private final InputStream stderr;
    private final List<Win32.Handle> heldUntilClose;
    private final Runnable onRelease;
    private boolean released;

    WindowsProcess(Win32 win32, Win32.Handle process, Win32.Handle job, int pid, OutputStream stdin,
            InputStream stdout, InputStream stderr, List<Win32.Handle> heldUntilClose) {
        this(win32, process, job, pid, stdin, stdout, stderr, heldUntilClose, () -> { });
    }

    /** @param onRelease ends the launch's lease on its folder grants, once the tree is gone */
    WindowsProcess(Win32 win32, Win32.Handle process, Win32.Handle job, int pid, OutputStream stdin,
            InputStream stdout, InputStream stderr, List<Win32.Handle> heldUntilClose, Runnable onRelease) {
        this.onRelease = onRelease;
        this.win32 = win32;
        this.process = process;
        this.job = job;
        this.pid = pid;
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
        this.heldUntilClose = List.copyOf(heldUntilClose);
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
    public synchronized boolean isAlive() {
        return !released && win32.exitCode(process) == Win32.STILL_ACTIVE;
    }

    @Override
    public int waitFor() throws InterruptedException {
        while (true) {
            int code = waitFor(Duration.ofMillis(500));
            if (code != -1 || released) {
                return code;
            }
        }
    }

    @Override
    public int waitFor(Duration timeout) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        synchronized (this) {
            if (released) {
                return KILLED;
            }
        }
        // Bounded slices keep the thread interruptible while a native wait is in progress.
        long deadline = System.nanoTime() + timeout.toNanos();
        do {
            long slice = Math.max(0, Math.min(200, (deadline - System.nanoTime()) / 1_000_000));
            if (win32.waitFor(process, slice)) {
                return win32.exitCode(process);
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        } while (System.nanoTime() < deadline);
        return -1;
    }

    @Override
    public int stop(Duration grace) throws InterruptedException {
        try {
            stdin.close();
        } catch (IOException e) {
            // Already closed by the host: the server has its EOF.
        }
        int code = waitFor(grace);
        if (code == -1) {
            kill();
            code = waitFor(Duration.ofSeconds(5));
        }
        release();
        return code == -1 ? KILLED : code;
    }

    @Override
    public synchronized void kill() {
        if (!released) {
            win32.terminateJob(job, KILLED);
        }
    }

    /** Closes the handles; closing the job kills whatever of the tree is still running. */
    private synchronized void release() {
        if (released) {
            return;
        }
        released = true;
        for (Win32.Handle h : heldUntilClose) {
            closeQuietly(h);
        }
        closeQuietly(process);
        closeQuietly(job);
        onRelease.run();
    }

    private void closeQuietly(Win32.Handle handle) {
        try {
            win32.closeHandle(handle);
        } catch (Win32CallException e) {
            // Nothing left to do for a handle that will not close; the job's kill-on-close still applies.
        }
    }
}
