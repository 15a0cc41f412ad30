package dev.mcpcontain.escape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * Bombs: processes, memory, /tmp and file size end at the profile's limits, and the host stays usable. The limit
 * and how it is enforced (a cgroup for a root launcher, rlimits for a user) are read from {@code run --dry-run},
 * then asserted exactly. Every bomb has a ceiling in the probe, so a missing limit fails the test instead of the
 * host; and a positive control shows the same action works below the limit.
 */
class ResourceLimitIT {

    private static final long MIB = 1 << 20;

    @TestFactory
    Stream<DynamicNode> forkBomb() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().map(id -> {
            Lazy<Long> limit = Lazy.of(() -> suite.launch(id, "fork-bomb-plan").probe(Steps.of()).dryRun().limit("processes"));
            // While the bomb holds every process it could make, the host (the same uid, outside) must still fork.
            Lazy<Object[]> bomb = Lazy.of(() -> {
                try (Running running = suite.launch(id, "fork-bomb").probe(Steps.of().add("bomb", "forkbomb", 5000, 4000)).start()) {
                    String line = running.awaitLine(l -> l.startsWith("bomb "), Duration.ofSeconds(60), "the bomb's result");
                    RunResult host = suite.exec("host fork as " + id.serverUser().name() + " during the bomb",
                            id.asServer(List.of("/bin/sh", "-c", "/bin/true && echo forked")), Map.of(), Duration.ofSeconds(20));
                    RunResult end = running.await(Duration.ofSeconds(60));
                    return new Object[] {ProbeLine.parse(line).orElseThrow(), host, end};
                }
            });
            Lazy<RunResult> small = Lazy.of(() -> suite.launch(id, "fork-control")
                    .probe(Steps.of().add("forks", "forkbomb", 16, 0)).run());
            List<DynamicNode> tests = new ArrayList<>();
            tests.add(Named.test(id, "fork bomb stops with EAGAIN below the profile's process limit", () -> {
                ProbeLine line = (ProbeLine) bomb.get()[0];
                RunResult end = (RunResult) bomb.get()[2];
                assertEquals("errno=EAGAIN", line.outcome(), () -> line.raw() + "\n" + end);
                long forks = line.longField("forks");
                assertTrue(forks > 0 && forks < limit.get(), () -> forks + " forks, limit " + limit.get() + "\n" + end);
                end.assertExit(0);
            }));
            tests.add(Named.test(id, "meanwhile the host still forks (same uid, outside)", () -> {
                RunResult host = (RunResult) bomb.get()[1];
                host.assertExit(0);
                assertEquals("forked\n", host.stdout(), host::toString);
            }));
            tests.add(Named.test(id, "control: 16 processes inside are fine", () ->
                    assertEquals("ALLOWED forks=16", small.get().line("forks").outcome() + " " + small.get().line("forks").detail(),
                            small.get()::toString)));
            return Named.group(id, tests);
        });
    }

    @TestFactory
    Stream<DynamicNode> memoryBomb() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().map(id -> {
            Lazy<DryRun.Memory> memory = Lazy.of(() -> suite.launch(id, "memory-plan").probe(Steps.of()).dryRun().memory());
            // Ceiling: 4 GiB, far above every profile's memory but harmless to the host if no limit holds.
            Lazy<RunResult> bomb = Lazy.of(() -> suite.launch(id, "memory-bomb").probe(Steps.of().add("bomb", "membomb", 4096)).run());
            Lazy<RunResult> small = Lazy.of(() -> suite.launch(id, "memory-control").probe(Steps.of().add("mem", "membomb", 64)).run());
            List<DynamicNode> tests = new ArrayList<>();
            tests.add(Named.test(id, "memory bomb ends inside the limit: OOM kill (137) under a memory cgroup, ENOMEM under RLIMIT_DATA", () -> {
                RunResult r = bomb.get();
                DryRun.Memory m = memory.get();
                if (m.cgroup()) {
                    r.assertExit(137);
                    assertTrue(r.find("bomb").isEmpty(), () -> "killed before it could report\n" + r);
                } else {
                    ProbeLine line = r.assertDenied("bomb", "ENOMEM");
                    long mb = line.longField("mb");
                    assertTrue(mb > 0 && mb * MIB <= m.bytes(), () -> mb + " MiB allocated, limit " + m.bytes() + "\n" + r);
                    r.assertExit(0);
                }
            }));
            tests.add(Named.test(id, "control: 64 MiB inside are fine", () -> {
                small.get().assertAllowed("mem");
                assertEquals(64, small.get().line("mem").longField("mb"));
            }));
            return Named.group(id, tests);
        });
    }

    @TestFactory
    Stream<DynamicNode> diskBomb() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().map(id -> {
            Lazy<DryRun> plan = Lazy.of(() -> suite.launch(id, "disk-plan").probe(Steps.of()).dryRun());
            Lazy<Path> grant = Lazy.of(() -> suite.workDir(id, "fsize"));
            Lazy<Steps> steps = Lazy.of(() -> {
                long fileSize = plan.get().limit("fileSize");
                return Steps.of()
                        .add("tmp", "fill", "/tmp/bomb", 1L << 30)
                        .add("shm", "fill", "/dev/shm/bomb", 1L << 30)
                        .add("tmp-small", "fill", "/tmp/small", MIB)
                        .add("efbig", "fill", grant.get().resolve("big"), fileSize + MIB)
                        .add("sigxfsz", "fsize-signal", grant.get().resolve("big2"), fileSize + MIB)
                        .add("grant-small", "fill", grant.get().resolve("small"), MIB);
            });
            Lazy<RunResult> contained = Lazy.of(() -> suite.launch(id, "disk-bomb").grant(grant.get(), "rw").probe(steps.get()).run());
            List<DynamicNode> tests = new ArrayList<>();
            tests.add(Named.test(id, "the probe made every attempt", () -> contained.get().assertProbeCompleted(steps.get().labels())));
            tests.add(Named.test(id, "/tmp fills up to ENOSPC at the profile's tmpSize", () -> {
                long tmp = plan.get().limit("tmp");
                long bytes = contained.get().assertDenied("tmp", "ENOSPC").longField("bytes");
                assertTrue(bytes <= tmp && bytes >= tmp - 2 * MIB, () -> bytes + " bytes written, tmpSize " + tmp + "\n" + contained.get());
            }));
            tests.add(Named.test(id, "/dev/shm fills up to ENOSPC too (no bigger than /tmp)", () -> {
                long tmp = plan.get().limit("tmp");
                long bytes = contained.get().assertDenied("shm", "ENOSPC").longField("bytes");
                assertTrue(bytes <= Math.min(tmp, 64 * MIB), () -> bytes + " bytes\n" + contained.get());
            }));
            tests.add(Named.test(id, "a file beyond fileSize: EFBIG after exactly fileSize bytes (SIGXFSZ ignored)", () -> {
                long fileSize = plan.get().limit("fileSize");
                assertEquals(fileSize, contained.get().assertDenied("efbig", "EFBIG").longField("bytes"), contained.get()::toString);
            }));
            tests.add(Named.test(id, "a file beyond fileSize: killed by SIGXFSZ at its default action", () ->
                    contained.get().assertKilledBy("sigxfsz", "SIGXFSZ")));
            tests.add(Named.test(id, "control: 1 MiB in /tmp and in the grant are fine", () -> {
                assertEquals(MIB, contained.get().assertAllowed("tmp-small").longField("bytes"));
                assertEquals(MIB, contained.get().assertAllowed("grant-small").longField("bytes"));
            }));
            return Named.group(id, tests);
        });
    }
}
