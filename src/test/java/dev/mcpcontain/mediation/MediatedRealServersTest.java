package dev.mcpcontain.mediation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpcontain.audit.AuditEvent;
import dev.mcpcontain.audit.AuditQuery;
import dev.mcpcontain.audit.AuditReader;
import dev.mcpcontain.pins.PinStore;
import dev.mcpcontain.pins.ToolPin;
import dev.mcpcontain.testing.Fixtures;
import dev.mcpcontain.testing.McpClients;
import dev.mcpcontain.testing.McpErrors;
import dev.mcpcontain.testing.TestServers;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official Java SDK client against real npm servers through the production relay (in its own JVM, in front of
 * an uncontained server: containment is not under test here). Bare and mediated must list and answer the same;
 * what the profile forbids must never reach the server.
 */
class MediatedRealServersTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    @org.junit.jupiter.api.AfterEach
    void childrenExit() throws InterruptedException {
        dev.mcpcontain.testing.ChildProcesses.awaitExit();
    }

    private final ConcurrentLinkedQueue<String> relayStderr = new ConcurrentLinkedQueue<>();

    private McpSyncClient bare(List<String> server, Map<String, String> env) {
        return McpClients.stdio(server, env, new ConcurrentLinkedQueue<>());
    }

    private McpSyncClient mediated(String id, List<String> server, Map<String, String> env, String... options) {
        List<String> all = new ArrayList<>(List.of("--server", id, "--pins", temp.resolve("pins").toString(),
                "--audit", temp.resolve("audit.jsonl").toString()));
        all.addAll(List.of(options));
        return McpClients.stdio(McpClients.relay(all, server), env, relayStderr);
    }

    private List<AuditEvent> audit() throws Exception {
        return AuditReader.read(temp.resolve("audit.jsonl"), AuditQuery.all()).entries().stream()
                .map(AuditReader.Entry::event).toList();
    }

    @Test
    void everythingListsAndAnswersTheSameThroughTheRelay() throws Exception {
        List<String> server = List.of(TestServers.node(), TestServers.everything().toString(), "stdio");
        List<McpSchema.Tool> bareTools;
        McpSchema.CallToolResult bareEcho;
        McpSchema.CallToolResult bareSum;
        try (McpSyncClient client = bare(server, Map.of())) {
            client.initialize();
            bareTools = client.listTools().tools();
            bareEcho = client.callTool(McpClients.call("echo", Map.of("message", "hello relay")));
            bareSum = client.callTool(McpClients.call("get-sum", Map.of("a", 2, "b", 40)));
        }
        try (McpSyncClient client = mediated("everything", server, Map.of())) {
            client.initialize();
            assertEquals(bareTools, client.listTools().tools());
            assertEquals(bareEcho, client.callTool(McpClients.call("echo", Map.of("message", "hello relay"))));
            assertEquals(bareSum, client.callTool(McpClients.call("get-sum", Map.of("a", 2, "b", 40))));
        }
        assertTrue(bareTools.size() >= 10, "server-everything lists its tools: " + bareTools.size());
        ToolPin pin = new PinStore(temp.resolve("pins")).load("everything").orElseThrow();
        assertEquals(ToolPin.Source.FIRST_USE, pin.source());
        assertEquals(bareTools.size(), pin.tools().size(), "the first listing was pinned whole; stderr: " + relayStderr);
    }

    @Test
    void filesystemListsAndAnswersTheSameThroughTheRelay() throws Exception {
        Path sandbox = Files.createDirectories(temp.resolve("sandbox"));
        Files.writeString(sandbox.resolve("a.txt"), "hello\nfrom the sandbox\n");
        Files.writeString(sandbox.resolve("b.txt"), "x".repeat(300_000));
        List<String> server = List.of(TestServers.node(), TestServers.filesystem().toString(), sandbox.toRealPath().toString());
        String a = sandbox.toRealPath().resolve("a.txt").toString();
        String b = sandbox.toRealPath().resolve("b.txt").toString();
        List<Object> bareResults = new ArrayList<>();
        List<Object> mediatedResults = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            List<Object> results = round == 0 ? bareResults : mediatedResults;
            try (McpSyncClient client = round == 0 ? bare(server, Map.of()) : mediated("filesystem", server, Map.of())) {
                client.initialize();
                results.add(client.listTools().tools());
                results.add(client.callTool(McpClients.call("read_text_file", Map.of("path", a))));
                results.add(client.callTool(McpClients.call("read_text_file", Map.of("path", b))));
                results.add(client.callTool(McpClients.call("list_directory",
                        Map.of("path", sandbox.toRealPath().toString()))));
                results.add(client.callTool(McpClients.call("read_text_file", Map.of("path", "/etc/passwd"))));
            }
        }
        assertEquals(bareResults, mediatedResults);
        assertEquals(14, ((List<?>) bareResults.get(0)).size(), "server-filesystem 2026.8.31 has 14 tools");
    }

    @Test
    void memoryListsAndAnswersTheSameThroughTheRelay() throws Exception {
        List<String> server = List.of(TestServers.node(), TestServers.memory().toString());
        Map<String, Object> entity = Map.of("name", "Ada", "entityType", "person", "observations", List.of("wrote notes"));
        List<Object> bareResults = new ArrayList<>();
        List<Object> mediatedResults = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            Map<String, String> env = Map.of("MEMORY_FILE_PATH", temp.resolve("memory-" + round + ".jsonl").toString());
            List<Object> results = round == 0 ? bareResults : mediatedResults;
            try (McpSyncClient client = round == 0 ? bare(server, env) : mediated("memory", server, env)) {
                client.initialize();
                results.add(client.listTools().tools());
                results.add(client.callTool(McpClients.call("create_entities",
                        Map.of("entities", List.of(entity)))));
                results.add(client.callTool(McpClients.call("read_graph", Map.of())));
            }
        }
        assertEquals(bareResults, mediatedResults);
        assertEquals(Files.readString(temp.resolve("memory-0.jsonl")), Files.readString(temp.resolve("memory-1.jsonl")));
    }

    @Test
    void aDeniedToolIsRefusedAndNeverReachesTheServer() throws Exception {
        Path memory = temp.resolve("memory.jsonl");
        List<String> server = List.of(TestServers.node(), TestServers.memory().toString());
        try (McpSyncClient client = mediated("memory", server, Map.of("MEMORY_FILE_PATH", memory.toString()),
                "--deny", "create_entities")) {
            client.initialize();
            List<String> names = client.listTools().tools().stream().map(McpSchema.Tool::name).toList();
            assertFalse(names.contains("create_entities"), "a denied tool is not even listed: " + names);
            assertTrue(names.contains("read_graph"));
            McpError error = McpErrors.expect(() -> client.callTool(McpClients.call("create_entities",
                    Map.of("entities", List.of(Map.of("name", "Eve", "entityType", "spy", "observations", List.of()))))));
            assertEquals(-32001, McpErrors.code(error));
            assertEquals("tool-denied", McpErrors.reason(error));
            McpSchema.CallToolResult graph = client.callTool(McpClients.call("read_graph", Map.of()));
            assertFalse(String.valueOf(graph.content()).contains("Eve"), "the server never created Eve: " + graph);
        }
        assertFalse(Files.exists(memory) && Files.readString(memory).contains("Eve"), "nothing of Eve reached the file");
        List<AuditEvent> denied = audit().stream().filter(e -> "create_entities".equals(e.tool())).toList();
        assertEquals(1, denied.size(), "only the refused request, no response from the server: " + denied);
        assertEquals("refused", denied.get(0).outcome());
        assertEquals("tool-denied", denied.get(0).reason());
    }

    @Test
    void argumentsWithAnUnexpectedFieldAreRejectedBeforeTheServer() throws Exception {
        Path memory = temp.resolve("memory.jsonl");
        List<String> server = List.of(TestServers.node(), TestServers.memory().toString());
        try (McpSyncClient client = mediated("memory", server, Map.of("MEMORY_FILE_PATH", memory.toString()))) {
            client.initialize();
            client.listTools();
            Map<String, Object> sneaky = Map.of("name", "Mallory", "entityType", "person", "observations", List.of(),
                    "role", "admin");
            McpError nested = McpErrors.expect(() -> client.callTool(McpClients.call("create_entities",
                    Map.of("entities", List.of(sneaky)))));
            assertEquals(-32602, McpErrors.code(nested));
            assertEquals("invalid-arguments", McpErrors.reason(nested));
            assertTrue(nested.getMessage().contains("arguments.entities[0]: unexpected field 'role'"), nested.getMessage());
            McpError topLevel = McpErrors.expect(() -> client.callTool(McpClients.call("read_graph",
                    Map.of("includeSecrets", true))));
            assertTrue(topLevel.getMessage().contains("unexpected field 'includeSecrets'"), topLevel.getMessage());
            McpError wrongType = McpErrors.expect(() -> client.callTool(McpClients.call("create_entities",
                    Map.of("entities", "Mallory"))));
            assertTrue(wrongType.getMessage().contains("arguments.entities: expected array, got string"),
                    wrongType.getMessage());
            McpError missing = McpErrors.expect(() -> client.callTool(McpClients.call("create_entities",
                    Map.of())));
            assertTrue(missing.getMessage().contains("missing required field 'entities'"), missing.getMessage());
            // A valid call still works, so the refusals above were the relay's and not a broken session.
            client.callTool(McpClients.call("create_entities", Map.of("entities",
                    List.of(Map.of("name", "Ada", "entityType", "person", "observations", List.of())))));
        }
        String stored = Files.readString(memory);
        assertTrue(stored.contains("Ada"));
        assertFalse(stored.contains("Mallory"), "the rejected entity never reached the server: " + stored);
    }

    @Test
    void aServerWhoseToolsChangeAtRuntimeIsBlocked() throws Exception {
        List<String> server = List.of(TestServers.node(), TestServers.rugPull().toString());
        try (McpSyncClient client = mediated("rug-pull", server, Map.of())) {
            client.initialize();
            assertEquals(List.of("lookup"), client.listTools().tools().stream().map(McpSchema.Tool::name).toList());
            McpSchema.CallToolResult first = client.callTool(McpClients.call("lookup", Map.of("word", "pin")));
            assertEquals("definition of pin (call 1)", ((McpSchema.TextContent) first.content().get(0)).text());
            // The server now rewrites lookup's description, adds a tool and sends list_changed; the relay re-lists.
            McpError blocked = awaitBlocked(client);
            assertEquals(-32002, McpErrors.code(blocked));
            assertEquals("tools-changed", McpErrors.reason(blocked));
            McpError call = McpErrors.expect(() -> client.callTool(McpClients.call("lookup",
                    Map.of("word", "again"))));
            assertEquals("tools-changed", McpErrors.reason(call));
            McpErrors.expect(() -> client.callTool(McpClients.call("exfiltrate", Map.of("data", "x"))));
        }
        ToolPin pin = new PinStore(temp.resolve("pins")).load("rug-pull").orElseThrow();
        assertEquals(1, pin.tools().size(), "the pin itself is untouched");
        assertEquals("added: exfiltrate; changed: lookup (description)", pin.pending().summary());
        String stderr = String.join("\n", relayStderr);
        assertTrue(stderr.contains("mcp-contain pins show rug-pull") && stderr.contains("mcp-contain pins approve rug-pull"),
                "stderr says how to review and re-approve: " + stderr);
        assertEquals(2L, audit().stream().filter(e -> "lookup".equals(e.tool()) && e.kind().equals("request")).count(),
                "both calls are in the audit log");
        assertTrue(audit().stream().noneMatch(e -> "lookup".equals(e.tool()) && "again".equals(
                e.arguments() == null ? null : e.arguments().path("word").asText()) && e.outcome().equals("forwarded")),
                "the call after the change never reached the server");
    }

    private static McpError awaitBlocked(McpSyncClient client) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            try {
                client.listTools();
            } catch (McpError e) {
                return e;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the relay did not block the server after its tools changed");
    }

    @Test
    void aChangedToolSetFromOtherClientCapabilitiesIsBlockedUntilApproved() throws Exception {
        List<String> server = List.of(TestServers.node(), TestServers.everything().toString(), "stdio");
        try (McpSyncClient client = mediated("everything", server, Map.of())) {
            client.initialize();
            client.listTools();
        }
        // A client with the roots capability makes server-everything register get-roots-list: not in the pin.
        ToolPin first = new PinStore(temp.resolve("pins")).load("everything").orElseThrow();
        try (McpSyncClient client = mediatedWithRoots("everything", server)) {
            client.initialize();
            McpError blocked = McpErrors.expect(client::listTools);
            assertEquals("tools-changed", McpErrors.reason(blocked));
        }
        assertEquals("added: get-roots-list", new PinStore(temp.resolve("pins")).load("everything").orElseThrow()
                .pending().summary());
        new PinStore(temp.resolve("pins")).approvePending("everything");
        try (McpSyncClient client = mediatedWithRoots("everything", server)) {
            client.initialize();
            List<String> names = client.listTools().tools().stream().map(McpSchema.Tool::name).toList();
            assertTrue(names.contains("get-roots-list"));
            assertEquals(first.tools().size() + 1, names.size());
        }
    }

    private McpSyncClient mediatedWithRoots(String id, List<String> server) {
        List<String> options = List.of("--server", id, "--pins", temp.resolve("pins").toString(),
                "--audit", temp.resolve("audit.jsonl").toString());
        return McpClients.stdioWithRoots(McpClients.relay(options, server), relayStderr, temp.toUri().toString());
    }

    @Test
    void theFixtureManifestsPinBlocksTheLiveFilesystemServerWhoseSchemasDiffer() throws Exception {
        // The fixture's static_responses were captured with zod 3 (additionalProperties: false); today's install
        // emits its schemas without it: a real-world drift the pin must catch.
        Path sandbox = Files.createDirectories(temp.resolve("sandbox"));
        List<String> server = List.of(TestServers.node(), TestServers.filesystem().toString(), sandbox.toString());
        Path manifest = Fixtures.copy(Fixtures.MANIFEST, temp.resolve("bundle"));
        try (McpSyncClient client = mediated("secure-filesystem-server", server, Map.of(), "--manifest-pin",
                manifest.toString())) {
            client.initialize();
            McpError blocked = McpErrors.expect(client::listTools);
            assertEquals("tools-changed", McpErrors.reason(blocked));
            assertTrue(blocked.getMessage().contains("the manifest's static_responses"), blocked.getMessage());
        }
        ToolPin.Pending pending = new PinStore(temp.resolve("pins")).load("secure-filesystem-server").orElseThrow()
                .pending();
        assertTrue(pending.summary().startsWith("changed: read_file (inputSchema)"), pending.summary());
        JsonNode live = pending.tools().get(0).path("inputSchema");
        assertFalse(live.has("additionalProperties"), live.toString());
    }

    @Test
    void theAuditLogHoldsEveryCallWithItsAnswer() throws Exception {
        List<String> server = List.of(TestServers.node(), TestServers.everything().toString(), "stdio");
        try (McpSyncClient client = mediated("everything", server, Map.of())) {
            client.initialize();
            client.listTools();
            for (int i = 0; i < 20; i++) {
                client.callTool(McpClients.call("get-sum", Map.of("a", i, "b", 1)));
            }
        }
        List<AuditEvent> calls = audit().stream().filter(e -> "get-sum".equals(e.tool())).toList();
        List<AuditEvent> requests = calls.stream().filter(e -> e.kind().equals("request")).toList();
        List<AuditEvent> responses = calls.stream().filter(e -> e.kind().equals("response")).toList();
        assertEquals(20, requests.size());
        assertEquals(20, responses.size());
        for (int i = 0; i < 20; i++) {
            AuditEvent request = requests.get(i);
            assertEquals("everything", request.server());
            assertEquals("host-to-server", request.direction());
            assertEquals("forwarded", request.outcome());
            assertEquals(i, request.arguments().path("a").asInt());
            String id = request.id();
            AuditEvent response = responses.stream().filter(r -> id.equals(r.id())).findFirst().orElseThrow();
            assertEquals("ok", response.status());
            assertTrue(response.latencyMs() > 0, "latency recorded: " + response);
        }
        assertEquals(1, audit().stream().filter(e -> "initialize".equals(e.method()) && "response".equals(e.kind())).count());
        JSON.readTree(Files.readAllLines(temp.resolve("audit.jsonl")).get(0));
    }
}
