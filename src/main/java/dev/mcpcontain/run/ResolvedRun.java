package dev.mcpcontain.run;

import dev.mcpcontain.manifest.Manifest;
import dev.mcpcontain.policy.ContainmentPolicy;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A run after its first stage: the frozen policy and whether the relay mediates it. Nothing is planned or started.
 *
 * @param policy        what the server may do
 * @param manifest      the manifest it came from, if any (its static tools are the pin when there is none yet)
 * @param sensitiveEnv  variables the manifest marks sensitive, beside the profile's
 * @param mediates      whether this JVM stays as the relay between host and server
 * @param options       the MCP-aware options it was resolved with
 * @param notices       what this choice of options drops (e.g. --no-mediate over tool approvals): printed with the
 *                      plan's warnings, so a launch refused later says only why it was refused
 */
public record ResolvedRun(ContainmentPolicy policy, Optional<Manifest> manifest, Set<String> sensitiveEnv,
        boolean mediates, McpOptions options, List<String> notices) {

    public ResolvedRun {
        notices = List.copyOf(notices);
    }
}
