package dev.mcpcontain.escape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one process (a contained launch or an unconfined control) printed, and how it ended. Probe lines are looked
 * up by label; every assertion failure shows the whole picture (command, exit code, stdout, stderr), so a probe
 * that never ran (exit 127, a launch failure) reads as what it is, never as a denial.
 */
final class RunResult {

    private final String description;
    private final int exitCode;
    private final String stdout;
    private final String stderr;
    private final Duration elapsed;
    private final Map<String, ProbeLine> lines = new LinkedHashMap<>();

    RunResult(String description, int exitCode, String stdout, String stderr, Duration elapsed) {
        this.description = description;
        this.exitCode = exitCode;
        this.stdout = stdout;
        this.stderr = stderr;
        this.elapsed = elapsed;
        for (String line : stdout.split("\n")) {
            ProbeLine.parse(line).ifPresent(p -> lines.putIfAbsent(p.label(), p));
        }
    }

    int exitCode() {
        return exitCode;
    }

    String stdout() {
        return stdout;
    }

    String stderr() {
        return stderr;
    }

    Duration elapsed() {
        return elapsed;
    }

    Optional<ProbeLine> find(String label) {
        return Optional.ofNullable(lines.get(label));
    }

    /** The line labelled LABEL; failing (never skipping) when the probe printed none. */
    ProbeLine line(String label) {
        ProbeLine line = lines.get(label);
        if (line == null) {
            fail("no probe result for '" + label + "'\n" + this);
        }
        return line;
    }

    /** Exactly {@code DENIED errno=ERRNO}: ENOENT where EACCES was expected is a different protection (or none). */
    ProbeLine assertDenied(String label, String errno) {
        ProbeLine line = line(label);
        assertEquals("errno=" + errno, line.outcome(), () -> "'" + label + "': expected DENIED errno=" + errno + "\n" + this);
        return line;
    }

    ProbeLine assertKilledBy(String label, String signal) {
        ProbeLine line = line(label);
        assertEquals("signal=" + signal, line.outcome(), () -> "'" + label + "': expected DENIED signal=" + signal + "\n" + this);
        return line;
    }

    ProbeLine assertAllowed(String label) {
        ProbeLine line = line(label);
        assertEquals("ALLOWED", line.outcome(), () -> "'" + label + "': expected ALLOWED\n" + this);
        return line;
    }

    ProbeLine assertValue(String label, String value) {
        ProbeLine line = line(label);
        assertEquals("VALUE " + value, line.outcome(), () -> "'" + label + "'\n" + this);
        return line;
    }

    /** The run itself ended as expected: the probe's own exit code, never the launcher's 125/126/127. */
    RunResult assertExit(int expected) {
        assertEquals(expected, exitCode, () -> "exit code\n" + this);
        return this;
    }

    /** Every step produced a result (no ERROR line) and the probe exited 0: the attempts were really made. */
    RunResult assertProbeCompleted(List<String> labels) {
        for (String label : labels) {
            ProbeLine line = line(label);
            if (line.kind() == ProbeLine.Kind.ERROR) {
                fail("'" + label + "': the probe could not make the attempt: " + line.raw() + "\n" + this);
            }
        }
        return assertExit(0);
    }

    @Override
    public String toString() {
        String what = description.length() > 600 ? description.substring(0, 600) + " [...]" : description;
        return "--- " + what + "\n--- exit " + exitCode + " after " + elapsed.toMillis() + " ms\n--- stdout:\n"
                + abbreviate(stdout) + "\n--- stderr:\n" + abbreviate(stderr);
    }

    private static String abbreviate(String text) {
        return text.length() > 6000 ? text.substring(0, 6000) + "\n[... " + (text.length() - 6000) + " more chars]" : text;
    }
}
