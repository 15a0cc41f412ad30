package dev.mcpcontain.platform.linux.plan;

import dev.mcpcontain.launch.ContainmentException;
import dev.mcpcontain.policy.ContainmentPolicy;
import dev.mcpcontain.profile.Profile;
import java.util.ArrayList;
import java.util.List;

/**
 * Who the server runs as, and in which namespaces. A root launcher's server always runs as the agent account (never
 * uid 0, whatever the isolation); a user launcher's server in full isolation gets a user namespace of its own.
 */
final class NamespacesPlan {

    private final ContainmentPolicy policy;
    private final LinuxPlanBuilder.Launcher launcher;

    NamespacesPlan(ContainmentPolicy policy, LinuxPlanBuilder.Launcher launcher) {
        this.policy = policy;
        this.launcher = launcher;
    }

    /** Whether the server gets its own user namespace from unshare: a user launcher, in full isolation. */
    static boolean unsharesUser(ContainmentPolicy policy, LinuxPlanBuilder.Launcher launcher) {
        return policy.isolation() == Profile.Isolation.FULL && !launcher.root();
    }

    /** Full isolation: the mode, the identity, the namespaces and the hostname; returns the mode's name. */
    String write(PlanWriter plan) {
        plan.op(PlanOp.MODE, "namespaces");
        String mode;
        if (launcher.root()) {
            AgentAccount agent = launcher.agent().orElseThrow();
            mode = "linux/namespaces (root launcher, server as " + agent.name() + ")";
            agentIdentity(agent, plan);
        } else {
            launcher.facts().usernsBlockedBySysctl().ifPresent(why -> {
                throw new ContainmentException(ContainmentException.Reason.UNENFORCEABLE,
                        "full isolation needs user namespaces, which this host disables (" + why + "). "
                                + usernsFix());
            });
            mode = "linux/namespaces (user namespace)";
            plan.step("identity: uid " + launcher.uid() + " inside its own user namespace, no capabilities");
        }
        List<String> spaces = new ArrayList<>();
        if (unsharesUser(policy, launcher)) {
            spaces.add("user");
        }
        spaces.addAll(List.of("pid", "ipc", "uts", "mnt", "cgroup"));
        if (policy.network() != Profile.Network.HOST) {
            spaces.add("net");
        }
        plan.step("namespaces: " + String.join(", ", spaces) + (policy.network() == Profile.Network.HOST
                ? " (host network)" : ""));
        plan.op(PlanOp.UNSHARE, spaces.toArray());
        if (!launcher.root()) {
            plan.op(PlanOp.MAP_IDS);
            plan.op(PlanOp.USERNS_HINT, usernsFix());
        }
        plan.op(PlanOp.HOSTNAME, hostname(policy.serverId()));
        return mode;
    }

    /**
     * A root launcher without namespaces: the server still runs as the agent account, never as uid 0. Without a mount
     * namespace there are no idmapped mounts, so granted folders are only as usable as the agent's own permissions
     * on them allow; said on every launch.
     */
    static void identityWithoutNamespaces(LinuxPlanBuilder.Launcher launcher, PlanWriter plan, List<String> warnings) {
        if (!launcher.root()) {
            return;
        }
        AgentAccount agent = launcher.agent().orElseThrow();
        agentIdentity(agent, plan);
        warnings.add("started as root without namespaces: the server runs as " + agent.name() + ", and granted folders"
                + " are usable only as far as " + agent.name() + "'s own permissions allow (no idmapped mounts without a"
                + " mount namespace)");
    }

    private static void agentIdentity(AgentAccount agent, PlanWriter plan) {
        plan.step("identity: agent account " + agent.name() + " (uid " + agent.uid() + "), no capabilities");
        plan.op(PlanOp.IDENTITY, agent.uid(), agent.gid());
    }

    private String usernsFix() {
        if (launcher.facts().apparmorRestrictsUserns()) {
            return "Ubuntu's AppArmor restricts unprivileged user namespaces: install mcp-contain with 'sudo"
                    + " scripts/install' (it loads an AppArmor profile for " + launcher.helper() + "), or choose the"
                    + " weaker mode explicitly with --isolation landlock.";
        }
        return "Enable them (sysctl kernel.unprivileged_userns_clone=1 / user.max_user_namespaces > 0; in a"
                + " container run with a seccomp profile that allows unshare), or choose the weaker mode explicitly"
                + " with --isolation landlock.";
    }

    private static String hostname(String serverId) {
        String name = "mcp-" + serverId;
        return name.length() > 63 ? name.substring(0, 63) : name;
    }
}
