package dev.mcpcontain.escape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * Issue 7 class 9: nothing is left behind on any exit path. Per-run cgroups (root launchers only: an unprivileged
 * launcher has no writable cgroup and uses rlimits, so there is nothing of this kind to leave) are removed by the
 * supervisor when a launch is refused midway (any helper die() after they exist), when the host stops reading
 * (SIGPIPE), and swept by the next launch after a kill -9, which no process can clean up after itself.
 */
class LeftoverStateIT {

    @TestFactory
    Stream<DynamicNode> noCgroupLeftBehind() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().filter(Identity::root).map(id -> Named.group(id, List.of(
                Named.test(id, "a launch the helper refuses after creating the cgroups (die()) removes them", () -> {
                    String name = "it-refused-" + EscapeSuite.randomHex(4);
                    Path dir = Path.of("/sys/fs/cgroup/pids/mcp-contain").resolve(name + ".1-0-1");
                    EscapeSuite.requireThat(Files.isDirectory(dir.getParent()), "needs the pids cgroup of earlier launches");
                    Path plan = suite.workDir(id, "refused-plan").resolve("plan");
                    // The second limit names a file no cgroup has: cgroups_create dies after the mkdir.
                    Files.writeString(plan, "mcp-contain-plan 1\nmode reduced\nverbose 0\nstdin-hup-grace-ms 2000\ncgroup " + dir + "\ncgroup-set " + dir
                            + " pids.max 64\ncgroup-set " + dir + " no.such.limit 1\nexec /bin/true\narg /bin/true\nend\n");
                    RunResult r = suite.exec("helper refusing midway", List.of("sh", "-c", "exec \"$0\" --plan-fd 3 3<\"$1\"",
                            suite.helper().toString(), plan.toString()), Map.of(), Duration.ofSeconds(30)).assertExit(125);
                    assertTrue(r.stderr().contains("no.such.limit"), r::toString);
                    assertFalse(Files.exists(dir), "the refused launch's cgroup is gone: " + dir);
                }),
                Named.test(id, "control: the same plan without the bad limit creates the cgroup (and removes it at the end)", () -> {
                    String name = "it-refused-control-" + EscapeSuite.randomHex(4);
                    Path dir = Path.of("/sys/fs/cgroup/pids/mcp-contain").resolve(name + ".1-0-1");
                    Path plan = suite.workDir(id, "refused-control").resolve("plan");
                    Files.writeString(plan, "mcp-contain-plan 1\nmode reduced\nverbose 0\nstdin-hup-grace-ms 2000\ncgroup " + dir + "\ncgroup-set " + dir
                            + " pids.max 64\nexec /bin/sh\narg sh\narg -c\narg " + "test%20-d%20" + dir + "%20%26%26%20echo%20INSIDE"
                            + "\nend\n");
                    RunResult r = suite.exec("helper control", List.of("sh", "-c", "exec \"$0\" --plan-fd 3 3<\"$1\"",
                            suite.helper().toString(), plan.toString()), Map.of(), Duration.ofSeconds(30)).assertExit(0);
                    assertEquals("INSIDE\n", r.stdout(), () -> "the cgroup existed while the server ran\n" + r);
                    assertFalse(Files.exists(dir), "removed at the end: " + dir);
                }),
                Named.test(id, "run -v ... 2>&1 | head -1: the launcher's diagnostics hit a closed pipe, no cgroup is left", () -> {
                    Launch launch = suite.launch(id, "epipe").option("-v").probeCommand("sleep", 1);
                    RunResult r = suite.exec("launcher | head -1", pipeToHead(launch, "2>&1"), Map.of(), Duration.ofSeconds(60));
                    assertEquals(2, r.stdout().lines().count(), () -> "one diagnostic line, then EXIT\n" + r);
                    assertGone(launch.name());
                }),
                Named.test(id, "run ... | head -1: the server dies of SIGPIPE (141), no cgroup is left", () -> {
                    Launch launch = suite.launch(id, "sigpipe").option("-v").server("/usr/bin/seq", "1", "10000000");
                    RunResult r = suite.exec("launcher | head -1", pipeToHead(launch, "2>/dev/null"), Map.of(), Duration.ofSeconds(60));
                    assertEquals("1\nEXIT 141\n", r.stdout(), r::toString);
                    assertGone(launch.name());
                }),
                Named.test(id, "kill -9 of the supervisor leaves empty cgroups; the next launch sweeps them (and no live run's)", () -> {
                    Launch killed = suite.launch(id, "swept").probeCommand("sleep", 60);
                    Launch bystander = suite.launch(id, "sweep-bystander").probeCommand("sleep", 60);
                    try (Running live = bystander.start();
                            Running running = killed.start()) {
                        running.awaitReady();
                        live.awaitReady();
                        ProcessHandle.of(running.supervisorPid()).orElseThrow().destroyForcibly();
                        assertTrue(running.waitForExit(Duration.ofSeconds(20)), "the launcher ended");
                        List<Path> left = LifecycleIT.cgroupDirs(killed.name());
                        assertFalse(left.isEmpty(), "control: a kill -9 leaves the run's cgroups behind");
                        awaitEmpty(left);
                        suite.launch(id, "sweeper").probeCommand("exit", 0).run().assertExit(0);
                        assertEquals(List.of(), LifecycleIT.cgroupDirs(killed.name()), "swept by the next launch");
                        assertFalse(LifecycleIT.cgroupDirs(bystander.name()).isEmpty(), "a live run's cgroups are not swept");
                    }
                }))));
    }

    /** {@code sh -c 'LAUNCHER... REDIRECT | head -1; echo EXIT <launcher status>'}. */
    private static List<String> pipeToHead(Launch launch, String redirect) {
        List<String> command = new ArrayList<>(List.of("bash", "-c", "\"$@\" " + redirect
                + " | head -1; echo \"EXIT ${PIPESTATUS[0]}\"", "pipe"));
        command.addAll(launch.command());
        return command;
    }

    private static void assertGone(String name) {
        Instant deadline = Instant.now().plusSeconds(5);
        while (!LifecycleIT.cgroupDirs(name).isEmpty() && Instant.now().isBefore(deadline)) {
            Running.sleep(50);
        }
        assertEquals(List.of(), LifecycleIT.cgroupDirs(name), "no cgroup left by " + name);
    }

    private static void awaitEmpty(List<Path> dirs) throws IOException {
        Instant deadline = Instant.now().plusSeconds(10);
        for (Path dir : dirs) {
            while (!Files.readString(dir.resolve("cgroup.procs")).isBlank() && Instant.now().isBefore(deadline)) {
                Running.sleep(50);
            }
            assertTrue(Files.readString(dir.resolve("cgroup.procs")).isBlank(), dir + " still holds processes");
        }
    }
}
