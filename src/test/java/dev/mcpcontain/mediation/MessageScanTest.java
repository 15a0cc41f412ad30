package dev.mcpcontain.mediation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MessageScanTest {

    private static final JsonFactory FACTORY = MessageScan.strictFactory();

    private static MessageScan scan(String line) {
        byte[] b = ("xx" + line).getBytes(StandardCharsets.UTF_8);
        return MessageScan.of(FACTORY, b, 2, b.length - 2);
    }

    @Test
    void tellsRequestsNotificationsAndResponsesApart() {
        MessageScan request = scan("{\"jsonrpc\":\"2.0\",\"params\":{\"name\":\"x\",\"method\":\"no\"},\"id\":7,\"method\":\"tools/call\"}");
        assertEquals(MessageScan.Kind.REQUEST, request.kind);
        assertEquals("tools/call", request.method);
        assertEquals("7", request.idJson);
        MessageScan notification = scan("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        assertEquals(MessageScan.Kind.NOTIFICATION, notification.kind);
        MessageScan error = scan("{\"jsonrpc\":\"2.0\",\"id\":\"a\\\"b\",\"error\":{\"message\":\"no\",\"code\":-32601}}");
        assertEquals(MessageScan.Kind.RESPONSE, error.kind);
        assertTrue(error.hasError);
        assertEquals(-32601, error.errorCode);
        assertEquals("\"a\\\"b\"", error.idJson, "a string id is re-quoted as valid JSON");
    }

    @Test
    void escapedMethodNamesAreReadAsTheServerReadsThem() {
        assertEquals("tools/call", scan("{\"id\":1,\"method\":\"tools\\/call\"}").method);
        assertEquals("tools/call", scan("{\"id\":1,\"method\":\"\\u0074ools/call\"}").method);
    }

    @Test
    void numericIdsMatchByValueAsAJavaScriptPeerSeesThem() {
        assertEquals(scan("{\"id\":1,\"method\":\"ping\"}").idKey, scan("{\"id\":1.0,\"result\":{}}").idKey);
        assertEquals(scan("{\"id\":100,\"method\":\"ping\"}").idKey, scan("{\"id\":1e2,\"result\":{}}").idKey);
        assertNotEquals(scan("{\"id\":1,\"method\":\"ping\"}").idKey, scan("{\"id\":\"1\",\"result\":{}}").idKey,
                "a string id is another id");
    }

    @Test
    void anythingAmbiguousIsInvalid() {
        // A JavaScript server takes the last duplicate; the relay must never check one message and forward another.
        assertInvalid("{\"id\":1,\"method\":\"tools/list\",\"method\":\"tools/call\"}", "Duplicate");
        assertInvalid("{\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"a\",\"name\":\"b\"}}", "Duplicate");
        assertInvalid("{\"id\":1,\"method\":\"ping\"} {\"id\":2,\"method\":\"tools/call\"}", "trailing");
        assertInvalid("{\"id\":1,\"method\":7}", "method is not a string");
        assertInvalid("{\"id\":{},\"method\":\"ping\"}", "id is neither");
        assertInvalid("{\"id\":null,\"method\":\"ping\"}", "request id is null");
        assertInvalid("{\"jsonrpc\":\"2.0\"}", "neither");
        assertInvalid("{\"id\":1,\"method\":\"ping\"", "not valid JSON");
        assertTrue(scan("[{\"id\":1,\"method\":\"tools/call\"}]").batch);
        assertInvalid("\"text\"", "not a JSON object");
    }

    private static void assertInvalid(String line, String reason) {
        MessageScan m = scan(line);
        assertEquals(MessageScan.Kind.INVALID, m.kind, line);
        assertTrue(m.invalidReason.contains(reason), m.invalidReason);
    }
}
