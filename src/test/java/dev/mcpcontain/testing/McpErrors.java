package dev.mcpcontain.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;

import io.modelcontextprotocol.spec.McpError;
import org.junit.jupiter.api.function.Executable;

/** Asserts that a real client call failed with a JSON-RPC error from the relay, and returns it. */
public final class McpErrors {

    private McpErrors() {}

    public static McpError expect(Executable call) {
        return assertThrows(McpError.class, call);
    }

    public static int code(McpError error) {
        return error.getJsonRpcError().code();
    }

    /** The relay's stable reason code, from {@code error.data.mcpContain.reason}. */
    @SuppressWarnings("unchecked")
    public static String reason(McpError error) {
        Object data = error.getJsonRpcError().data();
        if (data instanceof java.util.Map<?, ?> map && map.get("mcpContain") instanceof java.util.Map<?, ?> info) {
            return String.valueOf(info.get("reason"));
        }
        return "no mcpContain reason in " + data;
    }
}
