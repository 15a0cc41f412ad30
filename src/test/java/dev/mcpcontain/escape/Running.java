package dev.mcpcontain.escape;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A process the suite started (a launcher, a control, a host-side listener), with its output going to files so
 * that nothing it leaves behind can block the suite on a pipe. Closing it kills whatever of it is still running.
 */
final class Running implements AutoCloseable {

    private final String description;
    private final Process process;
    private final Path out;
    private final Path err;
    private final Path helper;
    private final Instant started = Instant.now();

    Running(String description, Process process, Path out, Path err, Path helper) {
        this.description = description;
        this.process = process;
        this.out = out;
        this.err = err;
        this.helper = helper;
    }

    Process process() {
        return process;
    }

    String stdout() {
        return EscapeSuite.read(out);
    }

    /** Waits until stdout holds a line matching PREDICATE, failing with the output so far on timeout or exit. */
    String awaitLine(Predicate<String> predicate, Duration timeout, String what) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            Optional<String> line = stdout().lines().filter(predicate).findFirst();
            if (line.isPresent()) {
                return line.get();
            }
            if (!process.isAlive()) {
                // One more look: the line may have been written just before the exit.
                line = stdout().lines().filter(predicate).findFirst();
                if (line.isPresent()) {
                    return line.get();
                }
                fail("the process ended before printing " + what + "\n" + result());
            }
            sleep(20);
        }
        fail("no " + what + " within " + timeout.toSeconds() + " s\n" + result());
        return null;
    }

    void awaitReady() {
        awaitLine("READY"::equals, Duration.ofSeconds(60), "READY");
    }

    /**
     * The host-visible launcher after the exec hand-off: the native supervisor. It is the started process itself
     * for a root launcher, and the child of runuser for another user; found as the helper process whose parent
     * is not a helper.
     */
    long supervisorPid() {
        Instant deadline = Instant.now().plusSeconds(30);
        while (Instant.now().isBefore(deadline)) {
            List<ProcessHandle> candidates = new java.util.ArrayList<>();
            candidates.add(process.toHandle());
            process.toHandle().descendants().forEach(candidates::add);
            for (ProcessHandle p : candidates) {
                if (isHelper(p.pid()) && !HostProcesses.parent(p.pid()).map(this::isHelper).orElse(false)) {
                    return p.pid();
                }
            }
            if (!process.isAlive()) {
                fail("the launcher ended before its supervisor could be found\n" + result());
            }
            sleep(20);
        }
        fail("no supervisor process (" + helper + ") below the launcher\n" + result());
        return -1;
    }

    private boolean isHelper(long pid) {
        return HostProcesses.executable(pid).map(helper::equals).orElse(false);
    }

    void closeStdin() {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // already closed
        }
    }

    /** Waits for the exit; on timeout kills the whole tree and fails with everything it printed. */
    RunResult await(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                String partial = result().toString();
                close();
                fail("timed out after " + timeout.toSeconds() + " s\n" + partial);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted");
        }
        return result();
    }

    boolean waitForExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    RunResult result() {
        int code = process.isAlive() ? -1 : process.exitValue();
        return new RunResult(description, code, EscapeSuite.read(out), EscapeSuite.read(err),
                Duration.between(started, Instant.now()));
    }

    /**
     * Ends what is left: first SIGTERM to the supervisor, so that it removes its cgroups as on any normal end (a
     * SIGKILL leaves them behind), then SIGKILL to whatever still runs.
     */
    @Override
    public void close() {
        closeStdin();
        if (process.isAlive()) {
            List<ProcessHandle> all = new java.util.ArrayList<>();
            all.add(process.toHandle());
            process.toHandle().descendants().forEach(all::add);
            all.stream().filter(p -> isHelper(p.pid()) && !HostProcesses.parent(p.pid()).map(this::isHelper).orElse(false))
                    .forEach(ProcessHandle::destroy);
            waitForExit(Duration.ofSeconds(5));
        }
        if (process.isAlive() || process.toHandle().descendants().findAny().isPresent()) {
            process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            waitForExit(Duration.ofSeconds(10));
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
