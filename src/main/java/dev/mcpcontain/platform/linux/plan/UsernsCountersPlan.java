package dev.mcpcontain.platform.linux.plan;

import dev.mcpcontain.policy.ContainmentPolicy;
import dev.mcpcontain.profile.Profile;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Per-user kernel counters, bounded inside the server's own user namespace ({@link UsernsLimits}). A user
 * launcher's server has one (full isolation); a root launcher's server enters one just before it drops to the agent
 * account. Without namespaces as a user there is none: said in the warnings. POSIX message queues and pending
 * signals are rlimits, set in every mode.
 */
final class UsernsCountersPlan {

    static final long MSGQUEUE_BYTES = 204_800;
    static final long SIGPENDING = 1024;

    private UsernsCountersPlan() {}

    static void write(ContainmentPolicy policy, LinuxPlanBuilder.Launcher launcher, PlanWriter plan,
            List<String> warnings) {
        boolean ownUserns = launcher.root() || policy.isolation() == Profile.Isolation.FULL;
        String rlimits = "; POSIX message queues " + MSGQUEUE_BYTES + " bytes, pending signals " + SIGPENDING;
        if (!ownUserns) {
            warnings.add("isolation '" + policy.isolation().name().toLowerCase(Locale.ROOT) + "' as a user:"
                    + " no user namespace, so inotify and fanotify instances and watches count against your own"
                    + " per-user limits (a server can use them up for your session)");
            plan.step("per-user counters: the host's (no user namespace of the server's own)" + rlimits);
            messageQueueAndSignalRlimits(plan);
            return;
        }
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, Long> limit : launcher.usernsLimits().entrySet()) {
            text.append(text.length() == 0 ? "" : ", ").append(limit.getKey()).append('=').append(limit.getValue());
        }
        plan.step("per-user counters in the server's own user namespace: " + text + rlimits);
        messageQueueAndSignalRlimits(plan);
        if (policy.isolation() == Profile.Isolation.FULL) {
            ipcLimits(policy.limits().memoryBytes(), plan);
        }
        if (launcher.root()) {
            // Required in full isolation (root creates namespaces there anyway); elsewhere a container's seccomp
            // may refuse even root one: then the helper says so on stderr and the counters stay the host's.
            plan.op(PlanOp.OWN_USERNS, policy.isolation() == Profile.Isolation.FULL ? "required" : "optional");
        }
        for (Map.Entry<String, Long> limit : launcher.usernsLimits().entrySet()) {
            plan.op(PlanOp.USERNS_LIMIT, limit.getKey(), limit.getValue());
        }
    }

    /**
     * SysV IPC in the server's own IPC namespace (full isolation): semaphore arrays and queued messages are kernel
     * memory that RLIMIT_DATA does not count, and a new namespace starts with the kernel's defaults (1,024,000,000
     * semaphores of 64 bytes, 32,000 queues). A user launcher's server (no memory cgroup) held 800 MB of semaphores
     * and 500 MB of messages under a 512 MiB memory limit. Bounded from the memory limit: shared memory at most that
     * (shmall, shmmax), semaphores and messages an eighth each (a queue holds up to msgmnb messages of at least 64
     * bytes of kernel memory each, whatever their size). The helper sets them before the server starts (ipc.c).
     */
    static void ipcLimits(long memoryBytes, PlanWriter plan) {
        long pages = Math.max(1, (memoryBytes + 4095) / 4096);
        long semaphores = clamp(memoryBytes / 8 / 64, 1024, 1_024_000_000L);
        long perSet = Math.min(32_000, semaphores);
        long sets = clamp(memoryBytes / 8 / 1024, 128, 32_000);
        long queues = clamp(memoryBytes / 8 / (MSGMNB * 64), 16, 32_000);
        plan.step("SysV IPC in the server's own IPC namespace: shared memory at most " + memoryBytes + " bytes, "
                + semaphores + " semaphores in at most " + sets + " sets, " + queues + " message queues of " + MSGMNB
                + " bytes");
        plan.op(PlanOp.IPC_LIMIT, "shmmax", memoryBytes);
        plan.op(PlanOp.IPC_LIMIT, "shmall", pages);
        plan.op(PlanOp.IPC_LIMIT, "sem", perSet + " " + semaphores + " 500 " + sets);
        plan.op(PlanOp.IPC_LIMIT, "msgmnb", MSGMNB);
        plan.op(PlanOp.IPC_LIMIT, "msgmni", queues);
    }

    static final long MSGMNB = 16_384;

    private static long clamp(long value, long min, long max) {
        return Math.max(min, Math.min(max, value));
    }

    private static void messageQueueAndSignalRlimits(PlanWriter plan) {
        plan.op(PlanOp.RLIMIT, "msgqueue", MSGQUEUE_BYTES, MSGQUEUE_BYTES);
        plan.op(PlanOp.RLIMIT, "sigpending", SIGPENDING, SIGPENDING);
    }
}
