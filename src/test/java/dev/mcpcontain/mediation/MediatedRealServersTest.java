package dev.mcpcontain.mediation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcpcontain.testing.McpClients;
import dev.mcpcontain.testing.TestServers;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The official Java SDK client against real npm servers, bare and through the relay: the same tools, the same results. */
class MediatedRealServersTest {

    @TempDir
    Path temp;

    @Test
    void everythingListsAndCallsTheSameThroughTheRelay() throws Exception {
        List<String> server = List.of(TestServers.node(), TestServers.everything().toString(), "stdio");
        List<McpSchema.Tool> bareTools;
        McpSchema.CallToolResult bareEcho;
        McpSchema.CallToolResult bareSum;
        try (McpSyncClient bare = McpClients.stdio(server, Map.of(), new ConcurrentLinkedQueue<>())) {
            bare.initialize();
            bareTools = bare.listTools().tools();
            bareEcho = bare.callTool(new McpSchema.CallToolRequest("echo", Map.of("message", "hello relay")));
            bareSum = bare.callTool(new McpSchema.CallToolRequest("get-sum", Map.of("a", 2, "b", 40)));
        }
        ConcurrentLinkedQueue<String> stderr = new ConcurrentLinkedQueue<>();
        List<String> relay = McpClients.relay(List.of("--server", "everything", "--pins", temp.resolve("pins").toString(),
                "--audit", temp.resolve("audit.jsonl").toString()), server);
        try (McpSyncClient mediated = McpClients.stdio(relay, Map.of(), stderr)) {
            mediated.initialize();
            assertEquals(bareTools, mediated.listTools().tools());
            assertEquals(bareEcho, mediated.callTool(new McpSchema.CallToolRequest("echo", Map.of("message", "hello relay"))));
            assertEquals(bareSum, mediated.callTool(new McpSchema.CallToolRequest("get-sum", Map.of("a", 2, "b", 40))));
        }
        assertFalse(bareTools.isEmpty());
        assertTrue(temp.resolve("pins/everything.json").toFile().isFile(), "first listing pinned; stderr: " + stderr);
    }
}
