package dev.mcpcontain.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcpcontain.audit.AuditEvent;
import dev.mcpcontain.audit.AuditQuery;
import dev.mcpcontain.audit.AuditReader;
import dev.mcpcontain.testing.McpClients;
import dev.mcpcontain.testing.McpContainCli;
import dev.mcpcontain.testing.McpErrors;
import dev.mcpcontain.testing.TestServers;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MCP host's view: the official Java SDK spawns {@code mcp-contain run --mediate -- node server...} as its
 * server command, exactly as it would spawn the bare server. Needs the containment backend.
 */
class MediatedRunIT {

    private static final String SECRET = "sk-live-7f3a9c1e5b2d";

    @TempDir
    Path temp;

    @org.junit.jupiter.api.AfterEach
    void childrenExit() throws InterruptedException {
        dev.mcpcontain.testing.ChildProcesses.awaitExit();
    }

    @Test
    void everythingIsListedAndCalledThroughContainmentAndMediationExactlyAsBare() throws Exception {
        McpContainCli cli = new McpContainCli(temp);
        List<String> server = List.of(TestServers.node(), TestServers.everything().toString(), "stdio");
        List<McpSchema.Tool> bareTools;
        McpSchema.CallToolResult bareSum;
        try (McpSyncClient bare = McpClients.stdio(server, Map.of(), new ConcurrentLinkedQueue<>())) {
            bare.initialize();
            bareTools = bare.listTools().tools();
            bareSum = bare.callTool(McpClients.call("get-sum", Map.of("a", 1, "b", 2)));
        }
        List<String> args = new ArrayList<>(List.of("run", "--mediate", "--audit", temp.resolve("audit.jsonl").toString(),
                "--name", "everything", "--"));
        args.addAll(server);
        ConcurrentLinkedQueue<String> stderr = new ConcurrentLinkedQueue<>();
        try (McpSyncClient client = McpClients.stdio(cli.command(args.toArray(String[]::new)), cli.env(), stderr)) {
            McpClients.initialize(client, stderr);
            assertEquals(bareTools, client.listTools().tools(), "stderr: " + stderr);
            assertEquals(bareSum, client.callTool(McpClients.call("get-sum", Map.of("a", 1, "b", 2))));
        }
        List<AuditEvent> records = AuditReader.read(temp.resolve("audit.jsonl"), AuditQuery.all()).entries().stream()
                .map(AuditReader.Entry::event).toList();
        assertTrue(records.stream().anyMatch(e -> "get-sum".equals(e.tool()) && "response".equals(e.kind())
                && "everything".equals(e.server())), records.toString());
    }

    @Test
    void getEnvShowsNoSecretFromTheHostsEnvironment() throws Exception {
        McpContainCli cli = new McpContainCli(temp);
        List<String> server = List.of(TestServers.node(), TestServers.everything().toString(), "stdio");
        Map<String, String> hostEnv = new java.util.HashMap<>(cli.env());
        hostEnv.put("SECRET_TOKEN", SECRET);
        // Positive control: the bare server hands the whole environment to whoever calls get-env.
        try (McpSyncClient bare = McpClients.stdio(server, hostEnv, new ConcurrentLinkedQueue<>())) {
            bare.initialize();
            String env = text(bare.callTool(McpClients.call("get-env", Map.of())));
            assertTrue(env.contains(SECRET), "the bare server leaks it");
        }
        List<String> args = new ArrayList<>(List.of("run", "--mediate", "--audit", temp.resolve("audit.jsonl").toString(),
                "--"));
        args.addAll(server);
        ConcurrentLinkedQueue<String> stderr = new ConcurrentLinkedQueue<>();
        try (McpSyncClient client = McpClients.stdio(cli.command(args.toArray(String[]::new)), hostEnv, stderr)) {
            McpClients.initialize(client, stderr);
            String env = text(client.callTool(McpClients.call("get-env", Map.of())));
            assertFalse(env.contains(SECRET), "contained: " + env);
            assertFalse(env.contains("SECRET_TOKEN"), env);
            assertTrue(env.contains("PATH"), "the tool itself worked: " + env);
        }
        assertFalse(java.nio.file.Files.readString(temp.resolve("audit.jsonl")).contains(SECRET),
                "nor is it in the audit log");
    }

    @Test
    void aDeniedToolThroughTheCliNeverReachesTheContainedServer() throws Exception {
        McpContainCli cli = new McpContainCli(temp);
        Path profile = temp.resolve("no-create.json");
        java.nio.file.Files.writeString(profile, "{\"extends\": \"default\", \"tools\": {\"deny\": [\"create_entities\"]}}");
        List<String> args = new ArrayList<>(List.of("run", "--profile", profile.toString(), "--audit",
                temp.resolve("audit.jsonl").toString(), "--env", "MEMORY_FILE_PATH=/tmp/memory.jsonl", "--"));
        args.addAll(List.of(TestServers.node(), TestServers.memory().toString()));
        ConcurrentLinkedQueue<String> stderr = new ConcurrentLinkedQueue<>();
        try (McpSyncClient client = McpClients.stdio(cli.command(args.toArray(String[]::new)), cli.env(), stderr)) {
            McpClients.initialize(client, stderr);
            // A call that would really create an entity if it reached the memory server.
            assertEquals("tool-denied", McpErrors.reason(McpErrors.expect(() -> client.callTool(
                    McpClients.call("create_entities", Map.of("entities", List.of(Map.of("name", "Mallory",
                            "entityType", "intruder", "observations", List.of("reached the server")))))))));
            String graph = text(client.callTool(McpClients.call("read_graph", Map.of())));
            assertFalse(graph.contains("Mallory") || graph.contains("intruder"), "the server never created it: " + graph);
        }
        String audit = java.nio.file.Files.readString(temp.resolve("audit.jsonl"));
        assertTrue(audit.contains("create_entities") && audit.contains("tool-denied"),
                "the audit log records the refusal: " + audit);
    }

    static String text(McpSchema.CallToolResult result) {
        StringBuilder text = new StringBuilder();
        for (McpSchema.Content c : result.content()) {
            if (c instanceof McpSchema.TextContent t) {
                text.append(t.text());
            }
        }
        return text.toString();
    }
}
