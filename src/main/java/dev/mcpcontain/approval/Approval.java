package dev.mcpcontain.approval;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What happens to a tool call before it reaches the server. */
public enum Approval {
    @JsonProperty("allow") ALLOW,
    @JsonProperty("ask") ASK,
    @JsonProperty("deny") DENY;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
