package dev.mcpcontain.mediation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;

/**
 * The JSON-RPC errors the relay answers with instead of forwarding a message. Codes in the implementation range
 * (-32000 to -32099) are the relay's own; {@code data.mcpContain.reason} carries a stable reason code that
 * clients and tests can rely on.
 */
enum RelayError {
    PARSE_ERROR(-32700, "not-json"),
    INVALID_REQUEST(-32600, "invalid-request"),
    BATCH(-32600, "batch"),
    DUPLICATE_ID(-32600, "duplicate-id"),
    TOOL_DENIED(-32001, "tool-denied"),
    TOOL_NOT_ALLOWED(-32001, "tool-not-allowed"),
    APPROVAL_DENIED(-32001, "approval-denied"),
    APPROVAL_REQUIRED(-32001, "approval-required"),
    APPROVAL_TIMEOUT(-32001, "approval-timeout"),
    TOOLS_CHANGED(-32002, "tools-changed"),
    TOOLS_UNVERIFIED(-32003, "tools-unverified"),
    UNKNOWN_TOOL(-32602, "unknown-tool"),
    INVALID_ARGUMENTS(-32602, "invalid-arguments");

    private static final ObjectMapper JSON = new ObjectMapper();

    final int code;
    final String reason;

    RelayError(int code, String reason) {
        this.code = code;
        this.reason = reason;
    }

    /** A complete error response line (without newline) for the request with this JSON id. */
    byte[] response(String idJson, String message, JsonNode details) {
        ObjectNode root = JSON.createObjectNode();
        root.put("jsonrpc", "2.0");
        root.putRawValue("id", new RawValue(idJson == null ? "null" : idJson));
        ObjectNode error = root.putObject("error");
        error.put("code", code);
        error.put("message", message);
        ObjectNode info = error.putObject("data").putObject("mcpContain");
        info.put("reason", reason);
        if (details != null) {
            info.set("details", details);
        }
        try {
            return JSON.writeValueAsBytes(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
