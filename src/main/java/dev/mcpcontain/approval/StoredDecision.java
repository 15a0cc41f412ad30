package dev.mcpcontain.approval;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * A remembered answer for one client, server and tool, valid only for the tool definition it was given for.
 *
 * @param client     the host's {@code clientInfo.name}, or {@code *} for every client
 * @param server     the server identity
 * @param tool       the tool name
 * @param definition SHA-256 of the pinned tool definition (canonical JSON): a changed definition needs a new answer
 * @param decision   allow or deny (never ask)
 * @param decidedAt  when
 * @param decidedBy  who: {@code command}, {@code elicitation}, {@code input_required} or {@code tty}
 */
@JsonPropertyOrder({"client", "server", "tool", "decision", "definition", "decidedAt", "decidedBy"})
public record StoredDecision(String client, String server, String tool, String definition, Approval decision,
        String decidedAt, String decidedBy) {

    public static final String ANY_CLIENT = "*";

    boolean matches(String clientName, String serverId, String toolName) {
        return server.equals(serverId) && tool.equals(toolName)
                && (client.equals(ANY_CLIENT) || client.equals(clientName));
    }
}
