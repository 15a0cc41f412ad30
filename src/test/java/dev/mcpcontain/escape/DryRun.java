package dev.mcpcontain.escape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code run --dry-run} says the launcher will do. Tests whose expectation legitimately depends on the host
 * (a memory cgroup for root, RLIMIT_DATA for a user) read it here instead of guessing, then assert exactly that.
 */
final class DryRun {

    /** How the memory limit is enforced, and at which size. */
    record Memory(boolean cgroup, long bytes) {}

    private static final Pattern LIMIT = Pattern.compile("(\\w+)=(\\d+)");
    private static final Pattern CGROUP_MEMORY = Pattern.compile("\\s*cgroup v[12] \\S+: memory (\\d+).*");
    private static final Pattern RLIMIT_DATA = Pattern.compile("\\s*memory: RLIMIT_DATA (\\d+) .*");
    private static final Pattern DENY = Pattern.compile("\\s*([a-z0-9_]+) \\((\\d+)\\) -> ERRNO\\(([A-Z0-9]+)\\)\\s+\\[.*");

    private final RunResult result;

    DryRun(RunResult result) {
        this.result = result;
        assertEquals(0, result.exitCode(), () -> "dry run failed\n" + result);
    }

    String text() {
        return result.stdout();
    }

    /** The agent home the launch would get ({@code agent home PATH}). */
    String agentHome() {
        for (String line : text().lines().toList()) {
            if (line.startsWith("agent home ")) {
                return line.substring("agent home ".length()).trim();
            }
        }
        fail("the dry run names no agent home\n" + result);
        return null;
    }

    long limit(String name) {
        for (String line : text().lines().toList()) {
            if (line.startsWith("limits ")) {
                Matcher m = LIMIT.matcher(line);
                while (m.find()) {
                    if (m.group(1).equals(name)) {
                        return Long.parseLong(m.group(2));
                    }
                }
            }
        }
        fail("no limit '" + name + "' in the dry run\n" + result);
        return -1;
    }

    Memory memory() {
        for (String line : text().lines().toList()) {
            Matcher m = CGROUP_MEMORY.matcher(line);
            if (m.matches()) {
                return new Memory(true, Long.parseLong(m.group(1)));
            }
            m = RLIMIT_DATA.matcher(line);
            if (m.matches()) {
                return new Memory(false, Long.parseLong(m.group(1)));
            }
        }
        fail("the dry run names no memory enforcement (cgroup or RLIMIT_DATA)\n" + result);
        return null;
    }

    /** The plain deny rules of the seccomp filter, in program order: syscall name → errno name. */
    Map<String, String> seccompDenials() {
        Map<String, String> denials = new LinkedHashMap<>();
        for (String line : text().lines().toList()) {
            Matcher m = DENY.matcher(line);
            if (m.matches()) {
                denials.put(m.group(1), m.group(3));
            }
        }
        if (denials.isEmpty()) {
            fail("no seccomp deny rules in the dry run\n" + result);
        }
        return denials;
    }

    Optional<String> planLine(String prefix) {
        return text().lines().map(String::strip).filter(l -> l.startsWith(prefix)).findFirst();
    }

    @Override
    public String toString() {
        return result.toString();
    }
}
