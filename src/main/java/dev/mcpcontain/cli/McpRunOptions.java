package dev.mcpcontain.cli;

import dev.mcpcontain.run.McpOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The MCP-aware options of {@code run}: manifest, mediation, audit. The logic is in {@link dev.mcpcontain.run.RunPipeline}. */
public final class McpRunOptions {

    @Option(names = "--manifest", paramLabel = "FILE",
            description = "Run the server an MCPB manifest.json describes: its command, environment and the folders it"
                    + " asks for (granted only with your consent). Turns on mediation.")
    Path manifest;

    @Option(names = "--user-config", paramLabel = "KEY=VALUE",
            description = "A value for one of the manifest's user_config options; repeat for several values.")
    List<String> userConfig = new ArrayList<>();

    @Option(names = "--mediate", negatable = true,
            description = "Relay stdio through mcp-contain: pinned tool definitions, the profile's tool rules, argument"
                    + " checks, audit log. Default: on with a manifest, a pin or tool rules.")
    Boolean mediate;

    @Option(names = "--audit", paramLabel = "FILE",
            description = "Audit log for a mediated run (default for you: ${sys:mcp.contain.audit.default}).")
    Path audit;

    McpOptions options(boolean dryRun) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        for (String entry : userConfig) {
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new CommandLine.ParameterException(new CommandLine(this),
                        "--user-config '" + entry + "': expected KEY=VALUE");
            }
            values.computeIfAbsent(entry.substring(0, eq), k -> new ArrayList<>()).add(entry.substring(eq + 1));
        }
        return new McpOptions(Optional.ofNullable(manifest), values, Optional.ofNullable(mediate),
                Optional.ofNullable(audit), dryRun);
    }
}
