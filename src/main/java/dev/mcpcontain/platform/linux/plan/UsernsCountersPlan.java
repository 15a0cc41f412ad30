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
        if (launcher.root()) {
            // Required in full isolation (root creates namespaces there anyway); elsewhere a container's seccomp
            // may refuse even root one: then the helper says so on stderr and the counters stay the host's.
            plan.op(PlanOp.OWN_USERNS, policy.isolation() == Profile.Isolation.FULL ? "required" : "optional");
        }
        for (Map.Entry<String, Long> limit : launcher.usernsLimits().entrySet()) {
            plan.op(PlanOp.USERNS_LIMIT, limit.getKey(), limit.getValue());
        }
    }

    private static void messageQueueAndSignalRlimits(PlanWriter plan) {
        plan.op(PlanOp.RLIMIT, "msgqueue", MSGQUEUE_BYTES, MSGQUEUE_BYTES);
        plan.op(PlanOp.RLIMIT, "sigpending", SIGPENDING, SIGPENDING);
    }
}
