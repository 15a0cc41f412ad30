package dev.mcpcontain.platform.linux;

import dev.mcpcontain.launch.LaunchPlan;
import dev.mcpcontain.policy.ContainmentPolicy;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A policy compiled for the helper: the plan text plus what the launcher itself must prepare first.
 *
 * @param cgroupParents  directories a root launcher creates once (the helper creates and removes the per-run ones)
 * @param homeOwner      uid/gid the agent home must belong to, when the server runs as the agent account
 */
public record LinuxLaunchPlan(
        ContainmentPolicy policy,
        String mode,
        Path helper,
        String planText,
        List<String> describe,
        List<String> warnings,
        List<CgroupParent> cgroupParents,
        Optional<AgentAccount> homeOwner) implements LaunchPlan {

    /** A directory under a cgroup hierarchy, and the controllers to enable for its children (v2 only). */
    public record CgroupParent(Path directory, List<String> enableInParents) {}
}
