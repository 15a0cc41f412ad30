package dev.mcpcontain.audit;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonRawValue;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * One message that crossed (or was stopped at) the boundary between host and server, as one line of the audit log.
 *
 * @param time      when the relay handled it, ISO-8601 UTC
 * @param server    the server identity the policy resolved (never the command line)
 * @param direction {@link Direction#label()}
 * @param kind      request, response, notification, or invalid for a line that is not a JSON-RPC message
 * @param id        the JSON-RPC id exactly as sent (a JSON number or string), absent for notifications
 * @param method    the method; for a response, the method of the request it answers
 * @param tool      the tool named by a {@code tools/call}, or by the request a response answers
 * @param arguments the tool's arguments with every secret value replaced
 * @param outcome   {@link Outcome#label()}
 * @param reason    why the relay refused or dropped it (a stable code, e.g. {@code tool-denied})
 * @param detail    a human-readable explanation, secrets replaced
 * @param status    for responses: ok or error
 * @param errorCode for error responses: the JSON-RPC error code
 * @param latencyMs for responses: time since the relay forwarded the request
 * @param bytes     size of the line as received
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"time", "server", "direction", "kind", "id", "method", "tool", "arguments", "outcome", "reason",
        "detail", "status", "errorCode", "latencyMs", "bytes"})
public record AuditEvent(
        String time,
        String server,
        String direction,
        String kind,
        @JsonRawValue String id,
        String method,
        String tool,
        JsonNode arguments,
        String outcome,
        String reason,
        String detail,
        String status,
        Integer errorCode,
        Double latencyMs,
        Integer bytes) {

    /** Which way a message went; the relay's own messages are marked as such. */
    public enum Direction {
        HOST_TO_SERVER("host-to-server"),
        SERVER_TO_HOST("server-to-host"),
        RELAY_TO_HOST("relay-to-host"),
        RELAY_TO_SERVER("relay-to-server");

        private final String label;

        Direction(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** What the relay did with it. */
    public enum Outcome {
        /** Passed on unchanged (or, for a filtered tool list, without the tools the profile hides). */
        FORWARDED("forwarded"),
        /** Answered by the relay with a JSON-RPC error; the other side never saw the message. */
        REFUSED("refused"),
        /** Not passed on and not answerable (a response nobody asked for, a line that is not JSON). */
        DROPPED("dropped"),
        /** Sent or consumed by the relay itself, e.g. its own check of the server's tool list. */
        INTERNAL("internal");

        private final String label;

        Outcome(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }
}
