package dev.mcpcontain.escape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
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
 * Issue 7 class 8: the server outlives its host. A host that gives the launcher a stdin that never hangs up
 * ({@code </dev/null}, or a pipe whose writer lives on) and then dies must take the whole tree along, a
 * double-forked daemon included. The host here is a shell, run as the launching user, that starts the launcher in
 * the background and is then killed with SIGKILL. Control: while the shell lives, the daemon's heartbeat goes on.
 */
class HostDeathIT {

    /** How long the tree may outlive its host (pidfd: at once; kernels without pidfds: 250 ms polling). */
    private static final Duration BOUND = Duration.ofSeconds(5);

    @TestFactory
    Stream<DynamicNode> treeDiesWithTheHost() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().map(id -> {
            List<DynamicNode> tests = new ArrayList<>();
            for (String profile : List.of("strict", "default")) {
                tests.add(Named.test(id, profile + ", stdin </dev/null: the host shell is killed (-9), the daemon dies"
                        + " within " + BOUND.toSeconds() + " s; control: alive while the shell lives",
                        () -> hostKilled(suite, id, profile, false, "</dev/null")));
            }
            tests.add(Named.test(id, "strict, mediated (JVM relay), stdin a pipe whose writer outlives the host: the"
                    + " tree and the relay die with the host", () -> hostKilled(suite, id, "strict", true, "pipe")));
            tests.add(Named.test(id, "landlock isolation (no pid namespace: init kills what it reaped), </dev/null: the"
                    + " daemon dies with the host", () -> hostKilled(suite, id, "landlock", false, "</dev/null")));
            return Named.group(id, tests);
        });
    }

    /**
     * Red team, class 8 variant: init dies while the supervisor lives. Without a pid namespace (landlock isolation)
     * init, a subreaper, was the tree's only hold on a double-forked daemon; a root launcher's memory cgroup
     * OOM-killed init (the biggest task once a server keeps its memory in memfds no RSS shows) and the daemon was
     * re-parented to the host's init and ran on, in a cgroup left behind. The test kills init with SIGKILL as the
     * OOM killer does. Now the supervisor is a subreaper too and kills what init left, and every process still in
     * the run's cgroups is killed before they are removed. Control: while init lives, the daemon's heartbeat goes on;
     * full isolation (init is PID 1 of a pid namespace) for comparison.
     */
    @TestFactory
    Stream<DynamicNode> treeDiesWithInit() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().map(id -> Named.group(id, Stream.of("landlock", "full").map(isolation ->
                Named.test(id, isolation + ": init killed (-9) while the supervisor lives: the double-forked daemon dies"
                        + " within " + BOUND.toSeconds() + " s, no cgroup is left; control: alive while init lives",
                        () -> initKilled(suite, id, isolation))).toList()));
    }

    private static void initKilled(EscapeSuite suite, Identity id, String isolation) throws Exception {
        String marker = "initdeath-" + EscapeSuite.randomHex(6);
        Launch launch = suite.launch(id, "init-death");
        Path heartbeat;
        if (isolation.equals("landlock")) {
            heartbeat = LifecycleIT.agentHome(id, launch.name()).resolve("tmp/heartbeat");
            launch.landlockAccepting();
        } else {
            Path dir = suite.workDir(id, "init-death");
            heartbeat = dir.resolve("heartbeat");
            launch.profile("strict").grant(dir, "rw");
        }
        launch.probeCommand("daemon", heartbeat, marker);
        List<Long> leftovers = new ArrayList<>();
        try (Running running = launch.start()) {
            running.awaitReady();
            awaitBeats(heartbeat, 3);
            long before = beats(heartbeat);
            Running.sleep(1500);
            assertTrue(beats(heartbeat) > before, "control: the heartbeat continues while init lives");
            long supervisor = running.supervisorPid();
            List<Long> inits = ProcessHandle.of(supervisor).orElseThrow().children().map(ProcessHandle::pid).toList();
            assertEquals(1, inits.size(), () -> "the supervisor's one child is init: " + inits);
            java.util.Set<Long> tree = new java.util.LinkedHashSet<>(HostProcesses.withCommandLineContaining(marker));
            assertFalse(tree.isEmpty(), "the daemon runs on the host before the kill");
            List<String> cgroups = LifecycleIT.cgroupDirs(launch.name()).stream().map(Path::toString).toList();
            assertEquals(id.root(), !cgroups.isEmpty(), () -> "a root launch has cgroups: " + cgroups);

            ProcessHandle.of(inits.get(0)).orElseThrow().destroyForcibly();
            Instant killed = Instant.now();
            Instant deadline = killed.plus(BOUND);
            while (tree.stream().anyMatch(HostProcesses::isLive) && Instant.now().isBefore(deadline)) {
                Running.sleep(50);
            }
            tree.stream().filter(HostProcesses::isLive).forEach(leftovers::add);
            assertTrue(leftovers.isEmpty(), () -> "alive " + Duration.between(killed, Instant.now()).toMillis()
                    + " ms after init's death: " + leftovers.stream().map(p -> p + " (parent " + HostProcesses.parent(p)
                    .orElse(-1L) + ") " + ProcessHandle.of(p).flatMap(h -> h.info().commandLine()).orElse("?")).toList());
            assertTrue(running.waitForExit(Duration.ofSeconds(20)), "the launcher ended with init");
            long after = beats(heartbeat);
            Running.sleep(1000);
            assertEquals(after, beats(heartbeat), "no heartbeat after init's death");
            assertEquals(List.of(), LifecycleIT.cgroupDirs(launch.name()), "the supervisor removed the run's cgroups");
        } finally {
            for (long pid : HostProcesses.withCommandLineContaining(marker)) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            leftovers.forEach(p -> ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly));
        }
    }

    private static void hostKilled(EscapeSuite suite, Identity id, String profile, boolean mediated, String stdin)
            throws Exception {
        String marker = "hostdeath-" + EscapeSuite.randomHex(6);
        Launch launch = suite.launch(id, "host-death");
        Path heartbeat;
        if (profile.equals("landlock")) {
            // Without idmapped mounts a root launcher's agent cannot write the test's grant: its own TMPDIR it can.
            heartbeat = LifecycleIT.agentHome(id, launch.name()).resolve("tmp/heartbeat");
            launch.landlockAccepting();
        } else {
            Path dir = suite.workDir(id, "host-death");
            heartbeat = dir.resolve("heartbeat");
            launch.profile(profile).grant(dir, "rw");
        }
        launch.probeCommand("daemon", heartbeat, marker);
        if (mediated) {
            launch.option("--mediate");
        }
        // The host: prints its pid and the launcher's, then waits. "sleep" feeding a pipe is a writer that is not
        // in the host's process and survives its death, so stdin never hangs up.
        Path fifo = suite.workDir(id, "host-death-fifo").resolve("stdin");
        String start = stdin.equals("pipe")
                ? "mkfifo \"$F\"; sleep 600 > \"$F\" & feeder=$!; \"$@\" < \"$F\" >/dev/null 2>&1 &\n"
                : "feeder=0; \"$@\" </dev/null >/dev/null 2>&1 &\n";
        String script = "F=" + fifo + "\n" + start + "echo \"HOST $$ LAUNCHER $! FEEDER $feeder\"\nwait\n";
        List<String> host = new ArrayList<>(List.of("sh", "-c", script, "host"));
        host.addAll(launch.runCommand());
        List<Long> leftovers = new ArrayList<>();
        long feeder = 0;
        try (Running running = suite.start("host shell as " + id, id.launch(host), Map.of())) {
            String line = running.awaitLine(l -> l.startsWith("HOST "), Duration.ofSeconds(30), "the host's pids");
            String[] words = line.split(" ");
            long shell = Long.parseLong(words[1]);
            long launcher = Long.parseLong(words[3]);
            feeder = Long.parseLong(words[5]);
            awaitBeats(heartbeat, 3);
            // Control: the host lives, so does the server.
            long before = beats(heartbeat);
            Running.sleep(1500);
            assertTrue(beats(heartbeat) > before, "the heartbeat continues while the host lives");
            java.util.Set<Long> tree = new java.util.LinkedHashSet<>(HostProcesses.withCommandLineContaining(marker));
            assertFalse(tree.isEmpty(), "the daemon runs on the host before the kill");
            assertTrue(HostProcesses.isLive(launcher), "the launcher runs");
            HostProcesses.parent(launcher).ifPresent(p -> assertEquals(shell, p, "the shell is the launcher's parent"));
            ProcessHandle.of(launcher).ifPresent(p -> p.descendants().forEach(d -> tree.add(d.pid())));
            tree.add(launcher);

            ProcessHandle.of(shell).orElseThrow().destroyForcibly();
            Instant killed = Instant.now();
            Instant deadline = killed.plus(BOUND);
            while (tree.stream().anyMatch(HostProcesses::isLive) && Instant.now().isBefore(deadline)) {
                Running.sleep(50);
            }
            tree.stream().filter(HostProcesses::isLive).forEach(leftovers::add);
            assertTrue(leftovers.isEmpty(), () -> "alive " + Duration.between(killed, Instant.now()).toMillis()
                    + " ms after the host's death: " + leftovers.stream().map(p -> p + " " + ProcessHandle.of(p)
                    .flatMap(h -> h.info().commandLine()).orElse("?")).toList());
            long after = beats(heartbeat);
            Running.sleep(1000);
            assertEquals(after, beats(heartbeat), "no heartbeat after the host's death");
            Instant cgroupDeadline = Instant.now().plusSeconds(5);
            while (!LifecycleIT.cgroupDirs(launch.name()).isEmpty() && Instant.now().isBefore(cgroupDeadline)) {
                Running.sleep(50);
            }
            assertEquals(List.of(), LifecycleIT.cgroupDirs(launch.name()), "the supervisor removed the run's cgroups");
        } finally {
            for (long pid : HostProcesses.withCommandLineContaining(marker)) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            leftovers.forEach(p -> ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly));
            if (feeder > 0) {
                ProcessHandle.of(feeder).ifPresent(ProcessHandle::destroyForcibly); // outlives the host by design
            }
        }
    }

    private static long beats(Path heartbeat) {
        try {
            return Files.exists(heartbeat) ? Files.readAllLines(heartbeat).size() : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void awaitBeats(Path heartbeat, long n) {
        Instant deadline = Instant.now().plusSeconds(30);
        while (beats(heartbeat) < n) {
            if (Instant.now().isAfter(deadline)) {
                fail("no heartbeat in " + heartbeat);
            }
            Running.sleep(50);
        }
    }
}
