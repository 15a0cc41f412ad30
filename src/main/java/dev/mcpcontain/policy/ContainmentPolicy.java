package dev.mcpcontain.policy;

import dev.mcpcontain.network.AllowList;
import dev.mcpcontain.profile.Profile;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything a backend needs to start one server, decided once and frozen. Backends turn it into mechanism;
 * they never make policy decisions of their own.
 *
 * @param serverId        stable identity of the server (names its agent home, pins and audit records); never
 *                        derived from secrets on the command line
 * @param profileName     the profile it was resolved from, for messages
 * @param command         the program (absolute, resolved on the host) and its arguments
 * @param workingDirectory where the server starts; visible inside the containment
 * @param environment     the server's whole environment
 * @param sensitiveNames  variables whose values must never be written to logs or the audit trail
 * @param paths           every path the server may reach besides the system directories
 * @param isolation       full, landlock-only (chosen explicitly) or reduced (the user's session)
 * @param network         none, host, or allow-list (only through the filtering proxy)
 * @param limits          resource limits
 * @param agentHome       the persistent per-server home, also in {@code paths}
 * @param agentUser       the account a root launcher drops to
 * @param toolAllow       tools the mediator lets through (empty: all)
 * @param toolDeny        tools the mediator refuses
 * @param allowList       outbound destinations in allow-list mode; empty otherwise
 * @param accepted        named weaknesses of landlock isolation the profile accepts ({@link LandlockWeaknesses})
 * @param toolApprovals   which tool calls the mediator allows, asks the user about or refuses
 */
public record ContainmentPolicy(
        String serverId,
        String profileName,
        List<String> command,
        Path workingDirectory,
        Map<String, String> environment,
        Set<String> sensitiveNames,
        List<PathRule> paths,
        Profile.Isolation isolation,
        Profile.Network network,
        ResourceLimits limits,
        Path agentHome,
        String agentUser,
        List<String> toolAllow,
        List<String> toolDeny,
        AllowList allowList,
        Set<String> accepted,
        dev.mcpcontain.approval.ApprovalRules toolApprovals) {

    /** Without tool approval rules (every call that passes allow/deny is allowed). */
    public ContainmentPolicy(String serverId, String profileName, List<String> command, Path workingDirectory,
            Map<String, String> environment, Set<String> sensitiveNames, List<PathRule> paths,
            Profile.Isolation isolation, Profile.Network network, ResourceLimits limits, Path agentHome,
            String agentUser, List<String> toolAllow, List<String> toolDeny, AllowList allowList,
            Set<String> accepted) {
        this(serverId, profileName, command, workingDirectory, environment, sensitiveNames, paths, isolation, network,
                limits, agentHome, agentUser, toolAllow, toolDeny, allowList, accepted, null);
    }

    /** A policy without an outbound allow-list, accepting no named weakness. */
    public ContainmentPolicy(String serverId, String profileName, List<String> command, Path workingDirectory,
            Map<String, String> environment, Set<String> sensitiveNames, List<PathRule> paths,
            Profile.Isolation isolation, Profile.Network network, ResourceLimits limits, Path agentHome,
            String agentUser, List<String> toolAllow, List<String> toolDeny) {
        this(serverId, profileName, command, workingDirectory, environment, sensitiveNames, paths, isolation, network,
                limits, agentHome, agentUser, toolAllow, toolDeny, new AllowList(List.of()), Set.of());
    }

    /** Accepting no named weakness of landlock isolation. */
    public ContainmentPolicy(String serverId, String profileName, List<String> command, Path workingDirectory,
            Map<String, String> environment, Set<String> sensitiveNames, List<PathRule> paths,
            Profile.Isolation isolation, Profile.Network network, ResourceLimits limits, Path agentHome,
            String agentUser, List<String> toolAllow, List<String> toolDeny, AllowList allowList) {
        this(serverId, profileName, command, workingDirectory, environment, sensitiveNames, paths, isolation, network,
                limits, agentHome, agentUser, toolAllow, toolDeny, allowList, Set.of());
    }

    /** Without an outbound allow-list. */
    public ContainmentPolicy(String serverId, String profileName, List<String> command, Path workingDirectory,
            Map<String, String> environment, Set<String> sensitiveNames, List<PathRule> paths,
            Profile.Isolation isolation, Profile.Network network, ResourceLimits limits, Path agentHome,
            String agentUser, List<String> toolAllow, List<String> toolDeny, Set<String> accepted) {
        this(serverId, profileName, command, workingDirectory, environment, sensitiveNames, paths, isolation, network,
                limits, agentHome, agentUser, toolAllow, toolDeny, new AllowList(List.of()), accepted);
    }

    public ContainmentPolicy {
        accepted = Set.copyOf(accepted);
        if ((network == Profile.Network.ALLOW_LIST) != !allowList.entries().isEmpty()) {
            throw new IllegalArgumentException("an allow-list needs network allow-list mode and entries");
        }
        command = List.copyOf(command);
        environment = Map.copyOf(environment);
        sensitiveNames = Set.copyOf(sensitiveNames);
        paths = List.copyOf(paths);
        toolAllow = List.copyOf(toolAllow);
        toolDeny = List.copyOf(toolDeny);
        toolApprovals = toolApprovals == null ? dev.mcpcontain.approval.ApprovalRules.allowAll() : toolApprovals;
        if (command.isEmpty()) {
            throw new IllegalArgumentException("no command");
        }
    }

    /** The folders the user granted (by profile, command line or consent): {@code "under": ["grants"]}. */
    public List<Path> grantedFolders() {
        return paths.stream().filter(r -> r.origin() == PathRule.Origin.GRANT || r.origin() == PathRule.Origin.CONSENT)
                .map(PathRule::path).toList();
    }

    public String program() {
        return command.get(0);
    }
}
