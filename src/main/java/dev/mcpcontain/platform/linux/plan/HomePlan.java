package dev.mcpcontain.platform.linux.plan;

import dev.mcpcontain.policy.ContainmentPolicy;
import dev.mcpcontain.profile.Profile;
import java.nio.file.Path;

/**
 * The persistent home, set up by the helper through descriptors (never a path a server could have swapped): owned
 * by the server's uid, mode 0700. The directory holding every home is 0700 for a user; for a root launcher it is
 * root's, group the agent's, 0710, in every mode: a server without a mount namespace passes through it by path, and
 * no other local user may even do that. One mode for all modes, so that concurrent root launches in different
 * isolation modes never flip it under each other. homeSize: the supervisor stops a server whose home grows past it.
 */
final class HomePlan {

    /** The helper's own interval (native/linux/supervise.c HOME_CHECK_MS), quoted in the description only. */
    static final int HOME_CHECK_MS = 250;

    private HomePlan() {}

    static void write(ContainmentPolicy policy, LinuxPlanBuilder.Launcher launcher, PlanWriter plan) {
        Path home = policy.agentHome();
        int uid = launcher.root() ? launcher.agent().orElseThrow().uid() : launcher.uid();
        int gid = launcher.root() ? launcher.agent().orElseThrow().gid() : launcher.gid();
        String baseMode = launcher.root() ? "710" : "700";
        long limit = policy.limits().homeSizeBytes();
        plan.step("home: " + home + " (uid " + uid + ", 0700; " + home.getParent() + " " + baseMode + "), set up"
                + " through descriptors without following links" + (limit > 0 ? "; homeSize " + limit
                + " bytes: refused at start when over, stopped when it grows over (checked every "
                + HOME_CHECK_MS + " ms when its filesystem changed)" : ""));
        plan.op(PlanOp.HOME, home.getParent().toString(), home.getFileName().toString(), uid, gid, baseMode);
        if (policy.isolation() == Profile.Isolation.LANDLOCK) {
            plan.op(PlanOp.HOME_TMP);
        }
        if (limit > 0) {
            plan.op(PlanOp.HOME_LIMIT, limit);
        }
    }
}
