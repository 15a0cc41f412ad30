package dev.mcpcontain.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The far end of the relay benchmark: a minimal stdio MCP server that answers initialize, tools/list (one tool,
 * {@code echo}), tools/call and ping as fast as it can, so that the benchmark measures the relay and not a
 * server. The same responder serves both arms (plain pipe and relay).
 */
public final class EchoResponder {

    private static final JsonFactory JSON = new JsonFactory();
    private static final String TOOLS = "{\"tools\":[{\"name\":\"echo\",\"description\":\"Echoes a message\","
            + "\"inputSchema\":{\"type\":\"object\",\"properties\":{\"message\":{\"type\":\"string\"}},"
            + "\"required\":[\"message\"]}}]}";

    private EchoResponder() {}

    public static void main(String[] args) throws IOException {
        InputStream in = new BufferedInputStream(new FileInputStream(FileDescriptor.in), 1 << 16);
        OutputStream out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int c = in.read(); c >= 0; c = in.read()) {
            if (c != '\n') {
                line.write(c);
                continue;
            }
            answer(line.toByteArray(), out);
            line.reset();
            if (in.available() == 0) {
                out.flush();
            }
        }
        out.flush();
    }

    private static void answer(byte[] message, OutputStream out) throws IOException {
        String id = null;
        String method = null;
        try (JsonParser p = JSON.createParser(message)) {
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("id")) {
                    id = value == JsonToken.VALUE_STRING ? "\"" + p.getText() + "\"" : p.getText();
                } else if (name.equals("method")) {
                    method = p.getText();
                } else {
                    p.skipChildren();
                }
            }
        }
        if (id == null || method == null) {
            return;
        }
        String result = switch (method) {
            case "initialize" -> "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{\"tools\":{}},"
                    + "\"serverInfo\":{\"name\":\"echo-responder\",\"version\":\"1.0.0\"}}";
            case "tools/list" -> TOOLS;
            case "tools/call" -> "{\"content\":[{\"type\":\"text\",\"text\":\"ok\"}]}";
            default -> "{}";
        };
        out.write(("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":" + result + "}\n").getBytes(StandardCharsets.UTF_8));
    }
}
