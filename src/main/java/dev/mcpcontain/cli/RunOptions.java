package dev.mcpcontain.cli;

import dev.mcpcontain.run.McpOptions;
import dev.mcpcontain.profile.GrantSpec;
import dev.mcpcontain.profile.Profile;
import java.util.List;
import java.util.Optional;

/**
 * The options of one {@code run}, however they were parsed.
 *
 * @param endOfOptions whether {@code --} was given: {@code run NAME} means a registered server only without it
 */
record RunOptions(
        String profile,
        List<GrantSpec> grants,
        Optional<Profile.Network> network,
        List<String> env,
        Optional<String> name,
        Optional<Profile.Isolation> isolation,
        boolean dryRun,
        List<String> command,
        McpOptions mcp,
        List<String> allowHosts,
        boolean endOfOptions) {

    /** {@code run NAME}: one word, no {@code --}; a registered server if one has that name, else a program. */
    boolean mayNameRegisteredServer() {
        return !endOfOptions && command.size() == 1;
    }
}
