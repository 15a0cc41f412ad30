package dev.mcpcontain.platform.linux;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Per-run cgroups are removed by the helper on every way out it controls (a normal end, a refusal, a signal). A
 * {@code kill -9} of the supervisor leaves them behind, empty (the tree dies with it). The next launch sweeps them:
 * a run's directory is named {@code SERVER.OWNER-START-NONCE}, OWNER being the pid of the process that lives exactly
 * as long as the run ({@link LauncherLineage#runOwner}) and START its start time in clock ticks since boot (so a
 * reused pid is told apart). A directory is removed only when its owner is dead; rmdir itself refuses a cgroup
 * that still holds a process, so a live tree is never touched. Names of any other shape are left alone.
 */
final class CgroupSweep {

    private static final Pattern RUN = Pattern.compile(".+\\.([0-9a-f]{1,8})-([0-9a-f]{1,16})-[0-9a-f]{1,8}");

    private CgroupSweep() {}

    /** A new run id for OWNER: unique among concurrent launches (several runs can share one JVM owner). */
    static String newRunId(long owner, OptionalLong ownerStart) {
        return Long.toHexString(owner) + "-" + Long.toHexString(ownerStart.orElse(0)) + "-"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt() & 0x7fffffff);
    }

    /**
     * Whether the run that named {@code directoryName} is over: its owner no longer runs with the recorded start
     * time. {@code startTimeOf} gives a live pid's start time, empty when there is no such process.
     */
    /** The host's own process table; a class rather than a method reference, which costs each launch start-up time. */
    private static final LongFunction<OptionalLong> LIVE_START_TIME = new LongFunction<>() {
        @Override
        public OptionalLong apply(long pid) {
            return startTime(pid);
        }
    };

    static boolean isStale(String directoryName, LongFunction<OptionalLong> startTimeOf) {
        Matcher m = RUN.matcher(directoryName);
        if (!m.matches()) {
            return false;
        }
        long owner = Long.parseLong(m.group(1), 16);
        long start = Long.parseUnsignedLong(m.group(2), 16);
        OptionalLong now = startTimeOf.apply(owner);
        return now.isEmpty() || (start != 0 && now.getAsLong() != start);
    }

    /** Removes the stale, empty run directories under each parent; returns what was removed. */
    static List<Path> sweep(List<Path> parents) {
        List<Path> removed = new ArrayList<>();
        for (Path parent : parents) {
            try (DirectoryStream<Path> runs = Files.newDirectoryStream(parent)) {
                for (Path run : runs) {
                    if (!Files.isDirectory(run)) {
                        continue;
                    }
                    if (isStale(run.getFileName().toString(), LIVE_START_TIME)) {
                        try {
                            Files.delete(run); // rmdir: EBUSY while a process or a child cgroup is in it
                            removed.add(run);
                        } catch (IOException e) {
                            // not empty, or gone already: nothing to do
                        }
                    }
                }
            } catch (IOException e) {
                // no parent yet: nothing to sweep
            }
        }
        return removed;
    }

    private static final Pattern EGRESS_SOCKET = Pattern.compile("egress-([0-9a-f-]+)\\.sock");

    /**
     * The egress proxy's sockets ({@code egress-RUNID.sock}) left in DIR by runs whose owner is dead: the JVM that
     * removes its socket at the end of a run cannot after a kill -9. Same owner test as the cgroups.
     */
    static List<Path> sweepSockets(Path dir) {
        List<Path> removed = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                Matcher m = EGRESS_SOCKET.matcher(entry.getFileName().toString());
                if (m.matches() && !Files.isDirectory(entry, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                        && isStale("egress." + m.group(1), LIVE_START_TIME)) {
                    try {
                        Files.delete(entry);
                        removed.add(entry);
                    } catch (IOException e) {
                        // gone already
                    }
                }
            }
        } catch (IOException e) {
            // no directory yet: nothing to sweep
        }
        return removed;
    }

    /** Field 22 of /proc/PID/stat (after the parenthesised command name, which may hold anything). */
    static OptionalLong startTime(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return OptionalLong.of(Long.parseLong(fields[19]));
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    static Optional<String> describe(List<Path> removed) {
        return removed.isEmpty() ? Optional.empty()
                : Optional.of("removed " + removed.size() + " cgroup(s) or proxy socket(s) left by ended runs: " + removed);
    }
}
