package dev.mcpcontain.platform.linux.plan;

import dev.mcpcontain.launch.ContainmentException;
import dev.mcpcontain.policy.ContainmentPolicy;
import dev.mcpcontain.policy.LandlockWeaknesses;
import dev.mcpcontain.policy.PathRule;
import dev.mcpcontain.profile.Profile;
import java.util.List;

/**
 * Isolation 'landlock' (no namespaces): what it refuses because Landlock alone cannot keep it, and what it says on
 * every launch about what stays open.
 */
final class LandlockIsolation {

    /** Kernel filesystems: without a mount namespace a grant there would expose every device or process. */
    static final List<String> KERNEL_FILESYSTEMS = List.of("/dev", "/proc", "/sys");

    private LandlockIsolation() {}

    /** Refuses what this mode cannot enforce; returns the open weaknesses, each accepted by the profile. */
    static List<LandlockWeaknesses.Weakness> refuseWhatItCannotKeep(ContainmentPolicy policy) {
        refuseProtectedInsideWritable(policy);
        refuseKernelFilesystemGrants(policy);
        return acceptedWeaknesses(policy);
    }

    /** The warnings of this mode, and one step per accepted weakness (they are part of what this launch is). */
    static void warn(ContainmentPolicy policy, LinuxPlanBuilder.Launcher launcher,
            List<LandlockWeaknesses.Weakness> open, PlanWriter plan, List<String> warnings) {
        boolean networkNone = policy.network() == Profile.Network.NONE;
        warnings.add("isolation 'landlock' chosen: no namespaces. The server runs as " + (launcher.root()
                ? "the agent account" : "you") + ", in your pid and IPC" + (networkNone ? "" : " and network")
                + " namespaces; only Landlock and seccomp confine it. No unix sockets but socketpair (Landlock"
                + " cannot keep them from the host's session bus, ssh-agent or docker.sock).");
        for (LandlockWeaknesses.Weakness w : open) {
            warnings.add("accepted weakness " + w.name() + ": " + w.meaning());
            plan.step("accepted weakness " + w.name() + " (" + w.mechanism() + ")");
        }
    }

    /**
     * The open weaknesses of landlock isolation that apply to this launch, all accepted by the profile; refuses
     * the launch naming every one that is not.
     */
    private static List<LandlockWeaknesses.Weakness> acceptedWeaknesses(ContainmentPolicy policy) {
        List<LandlockWeaknesses.Weakness> open = LandlockWeaknesses.openFor(policy);
        List<LandlockWeaknesses.Weakness> missing = open.stream().filter(w -> !policy.accepted().contains(w.name())).toList();
        if (!missing.isEmpty()) {
            StringBuilder message = new StringBuilder("isolation 'landlock' (no namespaces) leaves weaknesses open"
                    + " that profile '" + policy.profileName() + "' does not accept:");
            for (LandlockWeaknesses.Weakness w : missing) {
                message.append("\n  ").append(w.name()).append(": ").append(w.meaning());
            }
            message.append("\n  Use full isolation, or accept them in the profile: \"accept\": [")
                    .append(String.join(", ", missing.stream().map(w -> "\"" + w.name() + "\"").toList())).append("]");
            throw new ContainmentException(ContainmentException.Reason.UNENFORCEABLE, message.toString());
        }
        return open;
    }

    private static void refuseKernelFilesystemGrants(ContainmentPolicy policy) {
        for (PathRule rule : policy.paths()) {
            for (String kernel : KERNEL_FILESYSTEMS) {
                if (rule.path().startsWith(kernel)) {
                    throw new ContainmentException(ContainmentException.Reason.UNENFORCEABLE,
                            "isolation 'landlock' cannot grant " + rule.path() + " (" + rule.reason() + "): without a"
                                    + " mount namespace nothing hides the other devices or processes under " + kernel
                                    + "; remove the grant, or use full isolation");
                }
            }
        }
    }

    private static void refuseProtectedInsideWritable(ContainmentPolicy policy) {
        for (PathRule inner : policy.paths()) {
            if (inner.writable()) {
                continue;
            }
            for (PathRule outer : policy.paths()) {
                if (outer.writable() && !outer.path().equals(inner.path()) && inner.path().startsWith(outer.path())) {
                    throw new ContainmentException(ContainmentException.Reason.UNENFORCEABLE,
                            "isolation 'landlock' cannot keep " + inner.path() + " read-only inside the writable "
                                    + outer.path() + " (Landlock rules only add access); grant " + outer.path()
                                    + " read-only, or use full isolation");
                }
            }
        }
    }
}
