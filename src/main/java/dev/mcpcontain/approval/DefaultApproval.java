package dev.mcpcontain.approval;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What a tool that no {@code tools.approval} entry names gets. */
public enum DefaultApproval {
    @JsonProperty("allow") ALLOW,
    @JsonProperty("ask") ASK,
    /** Ask for {@code destructiveHint: true}, allow {@code readOnlyHint: true}, ask for the rest. */
    @JsonProperty("annotations") ANNOTATIONS
}
