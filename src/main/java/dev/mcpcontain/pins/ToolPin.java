package dev.mcpcontain.pins;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;

/**
 * The tool definitions a server is trusted to offer, as stored in {@code pins/SERVER.json}, plus at most one
 * definition set seen since that differs and waits for review.
 *
 * @param server   the server identity this pin belongs to
 * @param source   how the definitions came to be trusted
 * @param pinnedAt when, ISO-8601
 * @param tools    the whole tool objects as the server listed them; absent while only a pending set exists
 * @param pending  a differing set the relay saw and blocked, for {@code mcp-contain pins show/approve}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"server", "source", "pinnedAt", "tools", "pending"})
public record ToolPin(String server, Source source, String pinnedAt, List<JsonNode> tools, Pending pending) {

    public ToolPin {
        tools = tools == null ? null : List.copyOf(tools);
    }

    public enum Source {
        /** Recorded the first time the server listed its tools through the relay. */
        @JsonProperty("first-use") FIRST_USE,
        /** Approved by the user with {@code mcp-contain pins approve}. */
        @JsonProperty("approved") APPROVED
    }

    /**
     * @param seenAt  when the relay saw it
     * @param summary what differs, e.g. {@code added: x; changed: y (description)}
     * @param against what it was compared with: {@code pin} or {@code manifest FILE}
     * @param tools   the tool objects as listed
     */
    @JsonPropertyOrder({"seenAt", "summary", "against", "tools"})
    public record Pending(String seenAt, String summary, String against, List<JsonNode> tools) {
        public Pending {
            tools = List.copyOf(tools);
        }
    }

    public Optional<List<JsonNode>> pinnedTools() {
        return Optional.ofNullable(tools);
    }

    public Optional<Pending> pendingReview() {
        return Optional.ofNullable(pending);
    }
}
