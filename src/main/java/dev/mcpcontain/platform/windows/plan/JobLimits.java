package dev.mcpcontain.platform.windows.plan;

import dev.mcpcontain.policy.ResourceLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * The job object settings for one server, from the policy's {@link ResourceLimits}. Kill-on-close, die on
 * unhandled exception and every UI restriction are always set; breakaway is never allowed (neither
 * BREAKAWAY_OK nor SILENT_BREAKAWAY_OK), so nothing the server starts can leave the job.
 *
 * @param limitFlags              JOBOBJECT_BASIC_LIMIT_INFORMATION.LimitFlags
 * @param activeProcessLimit      processes of the tree at once (Windows counts processes, not threads)
 * @param jobMemoryLimit          committed memory of the whole tree, bytes
 * @param perProcessUserTimeLimit user-mode CPU time per process, 100 ns units; 0 when unset
 * @param uiRestrictions          JOBOBJECT_BASIC_UI_RESTRICTIONS.UIRestrictionsClass
 * @param cpuRate                 hard cap in 1/100 % of the whole machine (1..10000), when the policy sets cpus
 */
public record JobLimits(int limitFlags, int activeProcessLimit, long jobMemoryLimit, long perProcessUserTimeLimit,
        int uiRestrictions, OptionalInt cpuRate) {

    public static final int LIMIT_PROCESS_TIME = 0x00000002;
    public static final int LIMIT_ACTIVE_PROCESS = 0x00000008;
    public static final int LIMIT_JOB_MEMORY = 0x00000200;
    public static final int LIMIT_DIE_ON_UNHANDLED_EXCEPTION = 0x00000400;
    public static final int LIMIT_BREAKAWAY_OK = 0x00000800;
    public static final int LIMIT_SILENT_BREAKAWAY_OK = 0x00001000;
    public static final int LIMIT_KILL_ON_JOB_CLOSE = 0x00002000;

    /** HANDLES, READ/WRITECLIPBOARD, SYSTEMPARAMETERS, DISPLAYSETTINGS, GLOBALATOMS, DESKTOP, EXITWINDOWS. */
    public static final int UI_ALL = 0xFF;

    public static final int CPU_RATE_CONTROL_ENABLE = 0x1;
    public static final int CPU_RATE_CONTROL_HARD_CAP = 0x4;

    public static JobLimits from(ResourceLimits limits, int logicalProcessors) {
        int flags = LIMIT_KILL_ON_JOB_CLOSE | LIMIT_DIE_ON_UNHANDLED_EXCEPTION | LIMIT_ACTIVE_PROCESS | LIMIT_JOB_MEMORY;
        long userTime = 0;
        if (limits.cpuSeconds().isPresent()) {
            flags |= LIMIT_PROCESS_TIME;
            userTime = limits.cpuSeconds().getAsInt() * 10_000_000L;
        }
        OptionalInt rate = OptionalInt.empty();
        if (limits.cpus().isPresent()) {
            double share = limits.cpus().getAsDouble() / Math.max(1, logicalProcessors);
            rate = OptionalInt.of((int) Math.max(1, Math.min(10_000, Math.round(share * 10_000))));
        }
        return new JobLimits(flags, limits.processes(), limits.memoryBytes(), userTime, UI_ALL, rate);
    }

    public boolean killOnClose() {
        return (limitFlags & LIMIT_KILL_ON_JOB_CLOSE) != 0;
    }

    public boolean breakawayAllowed() {
        return (limitFlags & (LIMIT_BREAKAWAY_OK | LIMIT_SILENT_BREAKAWAY_OK)) != 0;
    }

    /** One line for the plan. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        parts.add("kill on close");
        parts.add("at most " + activeProcessLimit + " processes");
        parts.add("job memory " + jobMemoryLimit + " bytes");
        if ((limitFlags & LIMIT_PROCESS_TIME) != 0) {
            parts.add("user CPU time " + perProcessUserTimeLimit / 10_000_000L + " s per process");
        }
        cpuRate.ifPresent(r -> parts.add("CPU hard cap " + r / 100.0 + "% of the machine"));
        parts.add("die on unhandled exception");
        parts.add("UI restrictions 0x" + Integer.toHexString(uiRestrictions) + " when mcp-contain is in no job (Windows"
                + " allows none on a nested job; the own window station and desktop isolate the UI either way)");
        parts.add("no breakaway");
        return String.join(", ", parts);
    }
}
