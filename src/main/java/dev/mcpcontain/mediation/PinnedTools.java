package dev.mcpcontain.mediation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpcontain.pins.ToolSet;
import java.util.Optional;

/**
 * Tool definitions declared ahead of any run, e.g. by a manifest's {@code static_responses}: used as the pin while
 * the user has not approved a different set.
 *
 * @param tools      the declared tools
 * @param serverInfo the declared {@code initialize} serverInfo, compared (warning only) with what the server says
 * @param origin     where they come from, for messages, e.g. {@code the manifest's static_responses (/x/manifest.json)}
 */
public record PinnedTools(ToolSet tools, Optional<JsonNode> serverInfo, String origin) {}
