package dev.mcpcontain.platform.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CgroupSweepTest {

    /** pid 100 runs since tick 5000; nothing else runs. */
    private static final LongFunction<OptionalLong> HOST = pid -> pid == 0x100 ? OptionalLong.of(5000) : OptionalLong.empty();

    @Test
    void onlyRunsWhoseOwnerIsGoneAreStale() {
        String live = "fs-a1b2c3d4e5f6." + CgroupSweep.newRunId(0x100, OptionalLong.of(5000));
        String dead = "fs-a1b2c3d4e5f6." + CgroupSweep.newRunId(0x200, OptionalLong.of(5000));
        String reused = "fs-a1b2c3d4e5f6." + CgroupSweep.newRunId(0x100, OptionalLong.of(4000));
        assertFalse(CgroupSweep.isStale(live, HOST), live);
        assertTrue(CgroupSweep.isStale(dead, HOST), dead);
        assertTrue(CgroupSweep.isStale(reused, HOST), "same pid, other start time: " + reused);
        assertFalse(CgroupSweep.isStale("fs-a1b2c3d4e5f6.1f3a0012ab", HOST), "old-style name: left alone");
        assertFalse(CgroupSweep.isStale("something-else", HOST));
    }

    @Test
    void runIdsOfOneOwnerDiffer() {
        assertTrue(!CgroupSweep.newRunId(1, OptionalLong.of(2)).equals(CgroupSweep.newRunId(1, OptionalLong.of(2)))
                || !CgroupSweep.newRunId(1, OptionalLong.of(2)).equals(CgroupSweep.newRunId(1, OptionalLong.of(2))));
    }

    @Test
    void sweepRemovesStaleEmptyDirectoriesOnly(@TempDir Path dir) throws IOException {
        long self = ProcessHandle.current().pid();
        Path live = Files.createDirectory(dir.resolve("s." + CgroupSweep.newRunId(self, CgroupSweep.startTime(self))));
        Path dead = Files.createDirectory(dir.resolve("s." + CgroupSweep.newRunId(0x7ffffffe, OptionalLong.of(1))));
        Path deadBusy = Files.createDirectory(dir.resolve("t." + CgroupSweep.newRunId(0x7ffffffe, OptionalLong.of(1))));
        Files.writeString(deadBusy.resolve("cgroup.procs"), "42\n"); // stands in for rmdir's EBUSY
        assertEquals(List.of(dead), CgroupSweep.sweep(List.of(dir, dir.resolve("absent"))));
        assertTrue(Files.isDirectory(live) && Files.isDirectory(deadBusy));
        assertTrue(CgroupSweep.startTime(self).isPresent());
    }

    @Test
    void lineageFromTheScriptTheCliAndTheApi() {
        Map<String, String> script = Map.of(LauncherLineage.HOST_VARIABLE, "10", LauncherLineage.LAUNCHER_VARIABLE, "11");
        assertEquals(new LauncherLineage(10, 11), LauncherLineage.of(script, 12, Optional.of(11L), false));
        assertEquals(11, LauncherLineage.runOwner(script, 12));
        assertEquals(new LauncherLineage(9, 12), LauncherLineage.of(Map.of(), 12, Optional.of(9L), true));
        assertEquals(new LauncherLineage(12, 0), LauncherLineage.of(Map.of(), 12, Optional.of(9L), false));
        assertEquals(12, LauncherLineage.runOwner(Map.of(LauncherLineage.LAUNCHER_VARIABLE, "x1"), 12));
        assertEquals(List.of("--watch", "10", "11"), new LauncherLineage(10, 11).helperArguments());
    }

    @Test
    void theProxySocketsOfDeadOwnersAreSweptAndNoOtherFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        long self = ProcessHandle.current().pid();
        String live = CgroupSweep.newRunId(self, CgroupSweep.startTime(self));
        // A pid beyond pid_max (4194304) can never run: its socket is a dead run's.
        java.nio.file.Path dead = java.nio.file.Files.createFile(dir.resolve("egress-7fffffff-10-abc.sock"));
        java.nio.file.Path alive = java.nio.file.Files.createFile(dir.resolve("egress-" + live + ".sock"));
        java.nio.file.Path other = java.nio.file.Files.createFile(dir.resolve("notes-7fffffff-10-abc.sock"));
        assertEquals(java.util.List.of(dead), CgroupSweep.sweepSockets(dir));
        assertTrue(java.nio.file.Files.exists(alive) && java.nio.file.Files.exists(other));
        assertEquals(java.util.List.of(), CgroupSweep.sweepSockets(dir.resolve("missing")));
    }
}
