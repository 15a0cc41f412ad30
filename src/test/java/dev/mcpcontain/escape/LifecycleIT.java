package dev.mcpcontain.escape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
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
 * Lifecycle: nothing the server starts outlives the launcher, the launcher ends the server when the host hangs up
 * or asks, exit codes pass through unchanged, a missing program fails cleanly, and stdout carries the server's
 * bytes only.
 */
class LifecycleIT {

    /**
     * The classic escape: a double-forked, setsid'd daemon writing a heartbeat into a granted folder. Killing the
     * launcher with SIGKILL (no chance to clean up) must take it along; without the kill it lives on, which shows
     * the heartbeat is a real sign of life.
     */
    @TestFactory
    Stream<DynamicNode> daemon() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().map(id -> {
            List<DynamicNode> tests = new ArrayList<>();
            tests.add(Named.test(id, "control: without a kill, the double-forked daemon's heartbeat goes on", () -> {
                Path dir = suite.workDir(id, "daemon-control");
                Path heartbeat = dir.resolve("heartbeat");
                String marker = "daemon-" + EscapeSuite.randomHex(6);
                try (Running running = suite.launch(id, "daemon-control").grant(dir, "rw").probeCommand("daemon", heartbeat, marker).start()) {
                    running.awaitReady();
                    awaitBeats(heartbeat, 3);
                    long before = beats(heartbeat);
                    Running.sleep(1000);
                    assertTrue(beats(heartbeat) > before, "the heartbeat continues while the launcher lives");
                    assertFalse(HostProcesses.withCommandLineContaining(marker).isEmpty(), "the daemon is visible on the host");
                    // A normal end (SIGTERM to the launcher) takes the daemon along too.
                    ProcessHandle.of(running.supervisorPid()).orElseThrow().destroy();
                    running.await(Duration.ofSeconds(30)).assertExit(143);
                    awaitGone(marker);
                }
            }));
            tests.add(Named.test(id, "kill -9 of the launcher (the supervisor): the daemon dies, its heartbeat stops", () -> {
                Path dir = suite.workDir(id, "daemon-kill");
                Path heartbeat = dir.resolve("heartbeat");
                String marker = "daemon-" + EscapeSuite.randomHex(6);
                Launch launch = suite.launch(id, "daemon-kill").grant(dir, "rw").probeCommand("daemon", heartbeat, marker);
                try (Running running = launch.start()) {
                    running.awaitReady();
                    awaitBeats(heartbeat, 3);
                    long supervisor = running.supervisorPid();
                    List<ProcessHandle> tree = ProcessHandle.of(supervisor).orElseThrow().descendants().toList();
                    assertFalse(tree.isEmpty(), "init and the server run below the supervisor");
                    assertFalse(HostProcesses.withCommandLineContaining(marker).isEmpty(), "the daemon runs before the kill");
                    ProcessHandle.of(supervisor).orElseThrow().destroyForcibly();
                    awaitGone(marker);
                    long after = beats(heartbeat);
                    Running.sleep(1500);
                    assertEquals(after, beats(heartbeat), "no heartbeat after the kill");
                    assertTrue(running.waitForExit(Duration.ofSeconds(20)), "the launcher process ended");
                    Instant deadline = Instant.now().plusSeconds(10);
                    while (tree.stream().anyMatch(p -> HostProcesses.isLive(p.pid())) && Instant.now().isBefore(deadline)) {
                        Running.sleep(50);
                    }
                    assertTrue(tree.stream().noneMatch(p -> HostProcesses.isLive(p.pid())), () -> "left alive: "
                            + tree.stream().filter(p -> HostProcesses.isLive(p.pid())).map(p -> p.pid() + " "
                            + p.info().command().orElse("?")).toList());
                    assertCgroupsEmptyAndRemove(launch.name());
                }
            }));
            return Named.group(id, tests);
        });
    }

    @TestFactory
    Stream<DynamicNode> signalsAndStdin() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().map(id -> Named.group(id, List.of(
                Named.test(id, "stdin EOF ends a server that ignores it: SIGTERM after the grace period (143)", () -> {
                    try (Running running = suite.launch(id, "stdin-eof").probeCommand("sleep", 60).start()) {
                        running.awaitReady();
                        Instant closed = Instant.now();
                        running.closeStdin();
                        RunResult r = running.await(Duration.ofSeconds(30)).assertExit(143);
                        long ms = Duration.between(closed, Instant.now()).toMillis();
                        assertTrue(ms >= 1500 && ms < 10_000, () -> "ended " + ms + " ms after EOF (grace 2000 ms)\n" + r);
                    }
                }),
                Named.test(id, "stdin EOF, server also ignores SIGTERM: SIGKILL after the second grace (137)", () -> {
                    try (Running running = suite.launch(id, "stdin-eof-stubborn").probeCommand("sleep-ignore-term", 60).start()) {
                        running.awaitReady();
                        Instant closed = Instant.now();
                        running.closeStdin();
                        RunResult r = running.await(Duration.ofSeconds(30)).assertExit(137);
                        long ms = Duration.between(closed, Instant.now()).toMillis();
                        assertTrue(ms >= 3500 && ms < 12_000, () -> "ended " + ms + " ms after EOF (2 x 2000 ms)\n" + r);
                    }
                }),
                Named.test(id, "control: with stdin open the server keeps running; SIGTERM to the launcher is forwarded (143)", () -> {
                    try (Running running = suite.launch(id, "sigterm").probeCommand("sleep", 60).start()) {
                        running.awaitReady();
                        Running.sleep(3000);
                        assertTrue(running.process().isAlive(), "still running 3 s later with stdin open");
                        ProcessHandle.of(running.supervisorPid()).orElseThrow().destroy();
                        running.await(Duration.ofSeconds(30)).assertExit(143);
                    }
                }),
                Named.test(id, "SIGINT to the launcher is forwarded (130)", () -> {
                    try (Running running = suite.launch(id, "sigint").probeCommand("sleep", 60).start()) {
                        running.awaitReady();
                        suite.exec("kill -INT", List.of("kill", "-INT", String.valueOf(running.supervisorPid())), Map.of(),
                                Duration.ofSeconds(10)).assertExit(0);
                        running.await(Duration.ofSeconds(30)).assertExit(130);
                    }
                }))));
    }

    @TestFactory
    Stream<DynamicNode> exitCodes() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().map(id -> Named.group(id, List.of(
                Named.test(id, "exit 0 -> 0", () -> suite.launch(id, "exit0").probeCommand("exit", 0).run().assertExit(0)),
                Named.test(id, "exit 7 -> 7", () -> suite.launch(id, "exit7").probeCommand("exit", 7).run().assertExit(7)),
                Named.test(id, "exit 255 -> 255", () -> suite.launch(id, "exit255").probeCommand("exit", 255).run().assertExit(255)),
                Named.test(id, "killed by SIGKILL -> 137", () -> suite.launch(id, "kill9").probeCommand("kill-self", 9).run().assertExit(137)),
                Named.test(id, "killed by SIGSEGV -> 139", () -> suite.launch(id, "kill11").probeCommand("kill-self", 11).run().assertExit(139)),
                Named.test(id, "a missing program: 127, one clear line, nothing started or left behind", () -> {
                    Path missing = suite.staging().resolve("no-such-program");
                    Launch launch = suite.launch(id, "missing").server(missing.toString());
                    RunResult r = launch.run().assertExit(127);
                    assertEquals("", r.stdout(), r::toString);
                    List<String> lines = r.stderr().lines().toList();
                    assertEquals(1, lines.size(), () -> "exactly one line\n" + r);
                    assertTrue(lines.get(0).startsWith("mcp-contain: ") && lines.get(0).contains(missing.toString())
                            && lines.get(0).contains("not found"), r::toString);
                    assertFalse(Files.exists(agentHome(id, launch.name())), "no agent home created for " + launch.name());
                    assertTrue(cgroupDirs(launch.name()).isEmpty(), "no cgroup created");
                }),
                Named.test(id, "a program not on PATH: 127", () -> {
                    RunResult r = suite.launch(id, "not-on-path").server("mcp-contain-it-no-such-command").run().assertExit(127);
                    assertEquals(1, r.stderr().lines().count(), r::toString);
                }),
                Named.test(id, "a file that is not executable: 126", () -> {
                    Path file = suite.ownedFile(id, suite.workDir(id, "noexec").resolve("script"), "#!/bin/sh\n");
                    suite.launch(id, "not-executable").server(file.toString()).run().assertExit(126);
                }))));
    }

    @TestFactory
    Stream<DynamicNode> stdout() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().map(id -> Named.group(id, List.of(
                Named.test(id, "stdout carries the server's bytes only: run -- printf x gives exactly \"x\"", () -> {
                    RunResult r = suite.launch(id, "printf").server("/usr/bin/printf", "x").run().assertExit(0);
                    assertEquals("x", r.stdout(), r::toString);
                }),
                Named.test(id, "with -v too: diagnostics go to stderr, stdout stays exactly \"x\"", () -> {
                    RunResult r = suite.launch(id, "printf-verbose").option("-v").server("/usr/bin/printf", "x").run().assertExit(0);
                    assertEquals("x", r.stdout(), r::toString);
                    assertTrue(r.stderr().contains("seccomp"), () -> "-v describes the plan on stderr\n" + r);
                }))));
    }

    // --- helpers ------------------------------------------------------------------------------------------------

    private static long beats(Path heartbeat) {
        try {
            return Files.exists(heartbeat) ? Files.readAllLines(heartbeat).size() : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void awaitBeats(Path heartbeat, long n) {
        Instant deadline = Instant.now().plusSeconds(20);
        while (beats(heartbeat) < n) {
            if (Instant.now().isAfter(deadline)) {
                fail("no heartbeat in " + heartbeat);
            }
            Running.sleep(50);
        }
    }

    private static void awaitGone(String marker) {
        Instant deadline = Instant.now().plusSeconds(10);
        List<Long> left = HostProcesses.withCommandLineContaining(marker);
        while (!left.isEmpty()) {
            if (Instant.now().isAfter(deadline)) {
                left.forEach(p -> ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly));
                fail("processes with marker " + marker + " outlived the launcher: " + left);
            }
            Running.sleep(50);
            left = HostProcesses.withCommandLineContaining(marker);
        }
    }

    static Path agentHome(Identity id, String name) {
        return (id.root() ? Path.of("/var/lib/mcp-contain/homes") : id.home().resolve(".local/share/mcp-contain/homes")).resolve(name);
    }

    /** The run's cgroup directories (root launchers only): NAME.RUNID under each controller's mcp-contain/. */
    static List<Path> cgroupDirs(String name) {
        List<Path> dirs = new ArrayList<>();
        for (Path parent : List.of(Path.of("/sys/fs/cgroup/mcp-contain"), Path.of("/sys/fs/cgroup/memory/mcp-contain"),
                Path.of("/sys/fs/cgroup/pids/mcp-contain"), Path.of("/sys/fs/cgroup/cpu/mcp-contain"))) {
            if (!Files.isDirectory(parent)) {
                continue;
            }
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(parent, name + ".*")) {
                entries.forEach(dirs::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return dirs;
    }

    /**
     * After a SIGKILL the supervisor cannot remove the run's cgroups. They must at least be empty (nothing lives on
     * in them); the test removes them, as a later launch or a reboot would have to.
     */
    private static void assertCgroupsEmptyAndRemove(String name) {
        Instant deadline = Instant.now().plusSeconds(10);
        for (Path dir : cgroupDirs(name)) {
            try {
                while (!Files.readString(dir.resolve("cgroup.procs")).isBlank()) {
                    if (Instant.now().isAfter(deadline)) {
                        fail(dir + " still holds processes: " + Files.readString(dir.resolve("cgroup.procs")));
                    }
                    Running.sleep(50);
                }
                Files.delete(dir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot clean up " + dir, e);
            }
        }
    }
}
