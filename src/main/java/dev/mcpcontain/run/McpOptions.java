package dev.mcpcontain.run;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The MCP-aware choices of one run, beside the {@link dev.mcpcontain.policy.RunRequest}.
 *
 * @param manifest   {@code --manifest FILE}
 * @param userConfig {@code --user-config KEY=VALUE}, several values for a multiple option
 * @param mediate    {@code --mediate} / {@code --no-mediate}; empty: on when a manifest, a pin or tool rules exist
 * @param auditFile  {@code --audit FILE}; empty: the data directory's audit.jsonl
 * @param dryRun     ask nothing, remember nothing
 */
public record McpOptions(Optional<Path> manifest, Map<String, List<String>> userConfig, Optional<Boolean> mediate,
        Optional<Path> auditFile, boolean dryRun) {

    /** No manifest; mediation decided by pins and tool rules. */
    public static McpOptions none() {
        return new McpOptions(Optional.empty(), Map.of(), Optional.empty(), Optional.empty(), false);
    }
}
