package dev.mcpcontain.mediation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcpcontain.audit.AuditLog;
import dev.mcpcontain.audit.AuditQuery;
import dev.mcpcontain.audit.AuditReader;
import dev.mcpcontain.audit.SecretRedactor;
import dev.mcpcontain.pins.PinStore;
import dev.mcpcontain.testing.McpClients;
import dev.mcpcontain.testing.McpErrors;
import dev.mcpcontain.testing.PlainProcess;
import dev.mcpcontain.testing.TestServers;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java API's in-process mediation with the official SDK as client: the relay inside this JVM, in front of a
 * real (here uncontained) server. The contained version of this test is LauncherApiIT.
 */
class MediatedProcessTest {

    @TempDir
    Path temp;

    @Test
    void aJavaHostGetsMediatedStdioAndStopsTheServer() throws Exception {
        PlainProcess server = PlainProcess.start(List.of(TestServers.node(), TestServers.everything().toString(), "stdio"),
                Map.of());
        AuditLog audit = AuditLog.open(temp.resolve("audit.jsonl"));
        AtomicBoolean closed = new AtomicBoolean();
        MediationSettings settings = MediationSettings.of("everything", ToolRules.of(List.of(), List.of("get-env")),
                Optional.empty(), new PinStore(temp.resolve("pins")), audit, SecretRedactor.none());
        MediatedProcess mediated = MediatedProcess.wrap(server, settings, () -> {
            closed.set(true);
        });
        ConcurrentLinkedQueue<String> stderr = new ConcurrentLinkedQueue<>();
        try (McpSyncClient client = McpClients.over(mediated, stderr)) {
            client.initialize();
            List<String> tools = client.listTools().tools().stream().map(McpSchema.Tool::name).toList();
            assertTrue(tools.contains("echo"));
            assertFalse(tools.contains("get-env"));
            McpSchema.CallToolResult echo = client.callTool(McpClients.call("echo", Map.of("message", "api")));
            assertEquals("Echo: api", ((McpSchema.TextContent) echo.content().get(0)).text());
            assertEquals("tool-denied", McpErrors.reason(McpErrors.expect(() ->
                    client.callTool(McpClients.call("get-env", Map.of())))));
        }
        assertTrue(mediated.waitFor(Duration.ofSeconds(10)) != -1, "closing the client stopped the server");
        assertFalse(server.isAlive());
        assertTrue(closed.get(), "the owner learns that the relay ended");
        audit.close();
        assertTrue(AuditReader.read(temp.resolve("audit.jsonl"), AuditQuery.all()).entries().stream()
                .anyMatch(e -> "echo".equals(e.event().tool()) && "response".equals(e.event().kind())));
        assertTrue(stderr.stream().anyMatch(l -> l.contains("Starting default (STDIO) server")),
                "the server's stderr reaches the host unchanged: " + stderr);
    }

    @Test
    void theBytePipeKeepsWorkingAfterTheWritingThreadEnds() throws Exception {
        BytePipe pipe = new BytePipe(16);
        Thread writer = new Thread(() -> {
            try {
                pipe.sink().write("hello, pipe with a small ring\n".getBytes());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        writer.start();
        byte[] got = new byte[64];
        int n = 0;
        while (n < 30) {
            n += pipe.source().read(got, n, got.length - n);
        }
        writer.join();
        pipe.sink().close();
        assertEquals("hello, pipe with a small ring\n", new String(got, 0, n));
        assertEquals(-1, pipe.source().read(got, 0, 1));
    }
}
