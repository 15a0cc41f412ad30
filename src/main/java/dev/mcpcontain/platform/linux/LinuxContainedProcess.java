package dev.mcpcontain.platform.linux;

import dev.mcpcontain.launch.ContainedProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A server running under the helper. The helper is the supervisor: stopping or killing it ends the whole tree
 * (the server's init dies with it, and with it the server's pid namespace).
 */
final class LinuxContainedProcess implements ContainedProcess {

    private final Process supervisor;

    LinuxContainedProcess(Process supervisor) {
        this.supervisor = supervisor;
    }

    @Override
    public OutputStream stdin() {
        return supervisor.getOutputStream();
    }

    @Override
    public InputStream stdout() {
        return supervisor.getInputStream();
    }

    @Override
    public InputStream stderr() {
        return supervisor.getErrorStream();
    }

    @Override
    public long pid() {
        return supervisor.pid();
    }

    @Override
    public boolean isAlive() {
        return supervisor.isAlive();
    }

    @Override
    public int waitFor() throws InterruptedException {
        return supervisor.waitFor();
    }

    @Override
    public int waitFor(Duration timeout) throws InterruptedException {
        return supervisor.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? supervisor.exitValue() : -1;
    }

    /** The MCP shutdown sequence: close stdin, wait, SIGTERM (forwarded to the server), wait, SIGKILL the tree. */
    @Override
    public int stop(Duration grace) throws InterruptedException {
        try {
            supervisor.getOutputStream().close();
        } catch (IOException e) {
            // already closed: go on to the signals
        }
        if (supervisor.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            return supervisor.exitValue();
        }
        supervisor.destroy();
        if (supervisor.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            return supervisor.exitValue();
        }
        kill();
        return supervisor.waitFor();
    }

    @Override
    public void kill() {
        supervisor.destroyForcibly();
    }
}
