package dev.mcpcontain.policy;

import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * Resource limits in plain numbers. Each is enforced by the backend or the launch is refused; none is advisory.
 *
 * @param memoryBytes   memory the whole server tree may commit
 * @param processes     processes and threads the tree may have at once
 * @param cpus          CPU bandwidth in cores (cgroup quota); empty when the profile sets none
 * @param cpuSeconds    CPU time before SIGXCPU; empty when the profile sets none
 * @param openFiles     descriptors per process
 * @param fileSizeBytes largest file the server may write
 * @param tmpBytes      size of the private /tmp
 * @param homeSizeBytes what the persistent agent home may hold; 0: no limit (Windows, which has no mechanism)
 */
public record ResourceLimits(
        long memoryBytes,
        int processes,
        OptionalDouble cpus,
        OptionalInt cpuSeconds,
        int openFiles,
        long fileSizeBytes,
        long tmpBytes,
        long homeSizeBytes) {

    /** Without a home size limit (Windows plans, tests). */
    public ResourceLimits(long memoryBytes, int processes, OptionalDouble cpus, OptionalInt cpuSeconds, int openFiles,
            long fileSizeBytes, long tmpBytes) {
        this(memoryBytes, processes, cpus, cpuSeconds, openFiles, fileSizeBytes, tmpBytes, 0);
    }

    /**
     * Inodes of a tmpfs of BYTES: one per KiB. A tmpfs inode and its dentry cost about that much kernel memory,
     * which the byte size does not count: so empty files cannot pin more kernel memory than the tmpfs may hold.
     */
    public static long tmpfsInodes(long bytes) {
        return Math.max(1024, bytes / 1024);
    }
}
