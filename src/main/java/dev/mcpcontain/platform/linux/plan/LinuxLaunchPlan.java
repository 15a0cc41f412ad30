package dev.mcpcontain.platform.linux.plan;

import dev.mcpcontain.launch.LaunchPlan;
import dev.mcpcontain.policy.ContainmentPolicy;
import dev.mcpcontain.platform.linux.seccomp.SeccompCompiler;
import dev.mcpcontain.platform.linux.seccomp.SeccompOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A policy compiled for the helper: the plan text plus what the launcher itself must prepare first.
 *
 * @param steps          what the plan does, one line each (the seccomp rules are added by {@link #describe()})
 * @param cgroupParents  directories a root launcher creates once (the helper creates and removes the per-run ones)
 * @param homeOwner      uid/gid the agent home must belong to, when the server runs as the agent account
 */
public record LinuxLaunchPlan(
        ContainmentPolicy policy,
        String mode,
        Path helper,
        String planText,
        List<String> steps,
        SeccompOptions seccomp,
        List<String> warnings,
        List<CgroupParent> cgroupParents,
        Optional<AgentAccount> homeOwner,
        Optional<Path> egressSocket) implements LaunchPlan {

    /** A plan without an outbound allow-list. */
    public LinuxLaunchPlan(ContainmentPolicy policy, String mode, Path helper, String planText, List<String> steps,
            SeccompOptions seccomp, List<String> warnings, List<CgroupParent> cgroupParents,
            Optional<AgentAccount> homeOwner) {
        this(policy, mode, helper, planText, steps, seccomp, warnings, cgroupParents, homeOwner, Optional.empty());
    }

    /** The steps, then the seccomp rules: those are formatted only when asked for (-v, --dry-run). */
    @Override
    public List<String> describe() {
        List<String> lines = new ArrayList<>(steps);
        lines.add("seccomp (" + seccomp.arch() + "):");
        SeccompCompiler.describe(seccomp).forEach(line -> lines.add("  " + line));
        return lines;
    }

    /** A directory under a cgroup hierarchy, and the controllers to enable for its children (v2 only). */
    public record CgroupParent(Path directory, List<String> enableInParents) {}
}
