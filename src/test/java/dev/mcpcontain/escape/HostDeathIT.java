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
