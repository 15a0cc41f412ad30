package dev.mcpcontain.state;

import dev.mcpcontain.policy.HostEnvironment;
import java.nio.file.Path;

/**
 * Where the MCP-aware state lives. Decisions the user makes (pins, consents) are configuration and go under the
 * config directory; the audit log is data and goes under the data directory.
 */
public final class StateFiles {

    private StateFiles() {}

    /** {@code $XDG_CONFIG_HOME/mcp-contain/pins/}: one {@code SERVER.json} per server. */
    public static Path pins(HostEnvironment host) {
        return host.configDirectory().resolve("pins");
    }

    /** {@code $XDG_CONFIG_HOME/mcp-contain/consents.json}: the user's answers to folder requests. */
    public static Path consents(HostEnvironment host) {
        return host.configDirectory().resolve("consents.json");
    }

    /** {@code $XDG_CONFIG_HOME/mcp-contain/approvals.json}: remembered tool approvals. */
    public static Path approvals(HostEnvironment host) {
        return host.configDirectory().resolve("approvals.json");
    }

    /** {@code $XDG_DATA_HOME/mcp-contain/audit.jsonl} ({@code /var/lib/mcp-contain} for root). */
    public static Path audit(HostEnvironment host) {
        return host.dataDirectory().resolve("audit.jsonl");
    }
}
