package dev.mcpcontain.mediation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpcontain.audit.AuditEvent.Direction;

/**
 * One message crossing the relay, as far as the audit record and a refusal need it: which way it went, what the
 * scan found, the method and tool it concerns, and when the request it answers was sent.
 *
 * @param direction   the way the message travelled
 * @param message     the scan of it; null when it was not JSON-RPC at all (oversize, garbage)
 * @param method      the method it is or answers (a response's comes from its request)
 * @param tool        the tool of a {@code tools/call} or of the call it answers
 * @param arguments   a tool call's arguments, as sent (redacted when recorded)
 * @param bytes       its size on the wire
 * @param startNanos  {@link System#nanoTime} when the request it answers was sent; 0 when it answers nothing
 */
record Crossing(Direction direction, MessageScan message, String method, String tool, JsonNode arguments, int bytes,
        long startNanos) {

    /** A message as scanned, with its own method. */
    static Crossing of(Direction direction, MessageScan message, int bytes) {
        return new Crossing(direction, message, message == null ? null : message.method, null, null, bytes, 0);
    }

    Crossing tool(String name, JsonNode toolArguments) {
        return new Crossing(direction, message, method, name, toolArguments, bytes, startNanos);
    }

    /** A response, with the method, tool and start time of the request it answers. */
    Crossing answering(String requestMethod, String requestTool, long requestStart) {
        return new Crossing(direction, message, requestMethod, requestTool, arguments, bytes, requestStart);
    }

    String idJson() {
        return message == null ? null : message.idJson;
    }
}
