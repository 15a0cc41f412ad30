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
 */
public record ResourceLimits(
        long memoryBytes,
        int processes,
        OptionalDouble cpus,
        OptionalInt cpuSeconds,
        int openFiles,
        long fileSizeBytes,
        long tmpBytes) {}
