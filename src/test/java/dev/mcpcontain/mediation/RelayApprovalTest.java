package dev.mcpcontain.mediation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpcontain.approval.Approval;
import dev.mcpcontain.approval.ApprovalPolicy;
import dev.mcpcontain.approval.ApprovalRules;
import dev.mcpcontain.approval.ApprovalStore;
import dev.mcpcontain.approval.DefaultApproval;
import dev.mcpcontain.audit.AuditEvent;
import dev.mcpcontain.audit.AuditLog;
import dev.mcpcontain.audit.AuditQuery;
import dev.mcpcontain.audit.AuditReader;
import dev.mcpcontain.audit.SecretRedactor;
import dev.mcpcontain.pins.PinStore;
import dev.mcpcontain.pins.ToolPin;
import dev.mcpcontain.testing.ScriptedServer;
import dev.mcpcontain.testing.Wire;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay's approval stage against a scripted host and server: who is asked in which era, that other traffic
 * flows while an ask waits, what is remembered, and that an unanswered ask becomes a refusal.
 */
class RelayApprovalTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOOL_A = "{\"name\":\"a\",\"description\":\"tool a\",\"inputSchema\":{\"type\":\"object\","
            + "\"properties\":{\"x\":{\"type\":\"string\"}}}}";
    private static final String META = "{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
            + "\"io.modelcontextprotocol/clientInfo\":{\"name\":\"modern-host\",\"version\":\"1\"},"
            + "\"io.modelcontextprotocol/clientCapabilities\":{\"elicitation\":{}}}";

    @TempDir
    Path temp;

    private final ScriptedServer server = new ScriptedServer();
    private final Wire host = new Wire();
    private Thread relayThread;
    private AuditLog audit;
    private ApprovalStore store;

    private void startRelay(Duration timeout, Optional<ToolPrompt> terminal) throws Exception {
        PinStore pins = new PinStore(temp.resolve("pins"));
        pins.save(new ToolPin("scripted", ToolPin.Source.APPROVED, "2026-01-01T00:00:00Z", List.of(JSON.readTree(TOOL_A)),
                null));
        store = new ApprovalStore(temp.resolve("approvals.json"));
        audit = AuditLog.open(temp.resolve("audit.jsonl"));
        Approvals approvals = new Approvals(new ApprovalPolicy(new ApprovalRules(Map.of(), DefaultApproval.ASK),
                List.of()), store, () -> terminal, timeout);
        MediationSettings settings = MediationSettings.of("scripted", ToolRules.none(), Optional.empty(), pins, audit,
                SecretRedactor.none()).withApprovals(approvals);
        Relay relay = new Relay(server, host.peerOut(), settings);
        relayThread = new Thread(() -> {
            try {
                relay.run(host.peerIn(), new ByteArrayOutputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        relayThread.setDaemon(true);
        relayThread.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.exit();
        // The relay writes the audit log and pins under the temporary folder until it ends: it must have ended
        // before JUnit deletes the folder (a join that merely timed out let it write into the deletion).
        relayThread.join(60_000);
        assertFalse(relayThread.isAlive(), "the relay ended when the server did");
    }

    private List<AuditEvent> records() throws Exception {
        audit.flushStaged();
        return AuditReader.read(temp.resolve("audit.jsonl"), AuditQuery.all()).entries().stream()
                .map(AuditReader.Entry::event).toList();
    }

    /** The 2025 handshake, with or without the elicitation capability. */
    private void initialize(boolean elicitation) throws Exception {
        host.send("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\","
                + "\"capabilities\":" + (elicitation ? "{\"elicitation\":{}}" : "{}")
                + ",\"clientInfo\":{\"name\":\"legacy-host\",\"version\":\"1\"}}}");
        server.wire.next();
        server.wire.send("{\"jsonrpc\":\"2.0\",\"id\":0,\"result\":{\"protocolVersion\":\"2025-11-25\","
                + "\"capabilities\":{\"tools\":{}},\"serverInfo\":{\"name\":\"s\",\"version\":\"1\"}}}");
        host.next();
        host.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        server.wire.next();
        answerOwnListing();
    }

    private void answerOwnListing() throws Exception {
        JsonNode own = JSON.readTree(server.wire.next());
        assertEquals("tools/list", own.get("method").asText());
        server.wire.send("{\"jsonrpc\":\"2.0\",\"id\":" + own.get("id") + ",\"result\":{\"tools\":[" + TOOL_A + "]}}");
    }

    private static String call(int id, String x) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"a\",\"arguments\":"
                + "{\"x\":\"" + x + "\"}}}";
    }

    @Test
    void aLegacyHostIsAskedByElicitationWhileOtherTrafficFlows() throws Exception {
        startRelay(Duration.ofSeconds(30), Optional.empty());
        initialize(true);
        host.send(call(1, "hello"));
        JsonNode ask = JSON.readTree(host.next());
        assertEquals("elicitation/create", ask.get("method").asText());
        assertEquals("form", ask.at("/params/mode").asText());
        String message = ask.at("/params/message").asText();
        assertTrue(message.contains("client 'legacy-host' wants server 'scripted' to run tool 'a'"), message);
        assertTrue(message.contains("x = \"hello\""), message);
        assertFalse(ask.at("/params/requestedSchema").has("required"), "a plain accept approves");
        assertTrue(server.wire.quietFor(200), "the call waits for the answer");
        host.send(call(1, "same id"));
        assertEquals("duplicate-id", JSON.readTree(host.next()).at("/error/data/mcpContain/reason").asText(),
                "a waiting call's id is still in use");
        // Meanwhile both directions keep flowing.
        host.send("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}");
        assertEquals("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}", server.wire.next());
        server.wire.send("{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{}}");
        assertEquals("{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{}}", host.next());
        server.wire.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{\"data\":\"hi\"}}");
        assertTrue(host.next().contains("notifications/message"));
        // Accepted for the session: the call goes on byte for byte, the next one is not asked about.
        host.send("{\"jsonrpc\":\"2.0\",\"id\":" + ask.get("id") + ",\"result\":{\"action\":\"accept\","
                + "\"content\":{\"scope\":\"session\"}}}");
        assertEquals(call(1, "hello"), server.wire.next());
        host.send(call(3, "again"));
        assertEquals(call(3, "again"), server.wire.next());
        List<AuditEvent> records = records();
        assertTrue(records.stream().anyMatch(e -> "approval allow by elicitation (session)".equals(e.detail())));
        assertTrue(records.stream().anyMatch(e -> "approval allow by session (answered earlier in this session)"
                .equals(e.detail())));
        assertTrue(store.list().isEmpty(), "a session answer is not stored");
    }

    @Test
    void aDeclinedElicitationIsARefusalAndAlwaysIsStored() throws Exception {
        startRelay(Duration.ofSeconds(30), Optional.empty());
        initialize(true);
        host.send(call(1, "no"));
        JsonNode ask = JSON.readTree(host.next());
        host.send("{\"jsonrpc\":\"2.0\",\"id\":" + ask.get("id") + ",\"result\":{\"action\":\"decline\"}}");
        JsonNode refused = JSON.readTree(host.next());
        assertEquals(1, refused.get("id").asInt());
        assertEquals("approval-denied", refused.at("/error/data/mcpContain/reason").asText());
        assertTrue(server.wire.quietFor(200), "the declined call never reached the server");
        host.send(call(2, "yes"));
        ask = JSON.readTree(host.next());
        host.send("{\"jsonrpc\":\"2.0\",\"id\":" + ask.get("id") + ",\"result\":{\"action\":\"accept\","
                + "\"content\":{\"scope\":\"always\"}}}");
        assertEquals(call(2, "yes"), server.wire.next());
        assertEquals(Approval.ALLOW, store.list().get(0).decision());
        assertEquals("legacy-host", store.list().get(0).client());
        assertEquals("elicitation", store.list().get(0).decidedBy());
    }

    @Test
    void aModernHostGetsInputRequiredAndTheRetryReachesTheServerWithoutTheRelaysAnswer() throws Exception {
        startRelay(Duration.ofSeconds(30), Optional.empty());
        String first = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"a\","
                + "\"arguments\":{\"x\":\"1\"},\"_meta\":" + META + "}}";
        host.send(first);
        answerOwnListing();
        JsonNode asked = JSON.readTree(host.next());
        assertEquals(1, asked.get("id").asInt());
        assertEquals("input_required", asked.at("/result/resultType").asText());
        JsonNode request = asked.at("/result/inputRequests/" + ApprovalStage.INPUT_KEY.replace("/", "~1"));
        assertEquals("elicitation/create", request.get("method").asText());
        assertTrue(request.at("/params/message").asText().contains("client 'modern-host'"));
        String state = asked.at("/result/requestState").asText();
        assertTrue(server.wire.quietFor(200), "nothing reached the server yet");
        String retry = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"a\","
                + "\"arguments\":{\"x\":\"1\"},\"inputResponses\":{\"" + ApprovalStage.INPUT_KEY + "\":{\"action\":"
                + "\"accept\",\"content\":{}}},\"requestState\":\"" + state + "\",\"_meta\":" + META + "}}";
        host.send(retry);
        JsonNode forwarded = JSON.readTree(server.wire.next());
        assertEquals(2, forwarded.get("id").asInt());
        assertFalse(forwarded.get("params").has("requestState"));
        assertFalse(forwarded.get("params").has("inputResponses"));
        assertEquals(JSON.readTree(META), forwarded.at("/params/_meta"));
        // The same state cannot be replayed for another call.
        host.send(retry.replace("\"id\":2", "\"id\":3"));
        assertEquals("approval-timeout", JSON.readTree(host.next()).at("/error/data/mcpContain/reason").asText());
        // A declined retry is refused.
        host.send(first.replace("\"id\":1", "\"id\":4"));
        String state2 = JSON.readTree(host.next()).at("/result/requestState").asText();
        host.send(retry.replace("\"id\":2", "\"id\":5").replace(state, state2).replace("\"accept\"", "\"decline\""));
        assertEquals("approval-denied", JSON.readTree(host.next()).at("/error/data/mcpContain/reason").asText());
        assertTrue(server.wire.quietFor(200));
    }

    @Test
    void theRetryOfTheServersOwnInputRequiredIsTheApprovedCallGoingOn() throws Exception {
        startRelay(Duration.ofSeconds(30), Optional.empty());
        String first = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"a\","
                + "\"arguments\":{\"x\":\"1\"},\"_meta\":" + META + "}}";
        host.send(first);
        answerOwnListing();
        String state = JSON.readTree(host.next()).at("/result/requestState").asText();
        host.send("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"a\","
                + "\"arguments\":{\"x\":\"1\"},\"inputResponses\":{\"" + ApprovalStage.INPUT_KEY + "\":{\"action\":"
                + "\"accept\"}},\"requestState\":\"" + state + "\",\"_meta\":" + META + "}}");
        server.wire.next();
        // The server itself needs input for this call; the client's retry carries the server's state.
        server.wire.send("{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"resultType\":\"input_required\","
                + "\"inputRequests\":{\"k\":{\"method\":\"elicitation/create\",\"params\":{}}},\"requestState\":\"srv-1\"}}");
        assertTrue(host.next().contains("srv-1"));
        String retry = "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"a\","
                + "\"arguments\":{\"x\":\"1\"},\"inputResponses\":{\"k\":{\"action\":\"accept\"}},\"requestState\":"
                + "\"srv-1\",\"_meta\":" + META + "}}";
        host.send(retry);
        assertEquals(retry, server.wire.next(), "not asked again, passed byte for byte");
        // The same server state with other arguments is a new call: asked about.
        host.send(retry.replace("\"id\":3", "\"id\":4").replace("\"x\":\"1\"", "\"x\":\"2\""));
        assertEquals("input_required", JSON.readTree(host.next()).at("/result/resultType").asText());
    }

    @Test
    void aHeadlessHostIsRefusedWithThePreApprovalCommand() throws Exception {
        startRelay(Duration.ofSeconds(30), Optional.empty());
        initialize(false);
        host.send(call(1, "x"));
        JsonNode refused = JSON.readTree(host.next());
        assertEquals("approval-required", refused.at("/error/data/mcpContain/reason").asText());
        assertTrue(refused.at("/error/message").asText().endsWith(
                "pre-approve it with: mcp-contain approvals allow scripted a --client legacy-host"),
                refused.toString());
        assertTrue(server.wire.quietFor(200));
        // Pre-approved (as the command stores it): the same call passes.
        store.put("*", "scripted", "a", ApprovalStore.definitionHash(JSON.readTree(TOOL_A)), Approval.ALLOW, "command");
        host.send(call(2, "x"));
        assertEquals(call(2, "x"), server.wire.next());
        // An always-deny wins over the allow.
        store.put("legacy-host", "scripted", "a", ApprovalStore.definitionHash(JSON.readTree(TOOL_A)), Approval.DENY,
                "command");
        host.send(call(3, "x"));
        assertEquals("approval-denied", JSON.readTree(host.next()).at("/error/data/mcpContain/reason").asText());
        // A decision for another definition does not count.
        store.revoke(null, "scripted", "a");
        store.put("*", "scripted", "a", "0".repeat(64), Approval.ALLOW, "command");
        host.send(call(4, "x"));
        assertEquals("approval-required", JSON.readTree(host.next()).at("/error/data/mcpContain/reason").asText());
    }

    @Test
    void anUnansweredAskBecomesARefusalAndTheAskIsWithdrawn() throws Exception {
        startRelay(Duration.ofMillis(300), Optional.empty());
        initialize(true);
        host.send(call(1, "x"));
        JsonNode ask = JSON.readTree(host.next());
        JsonNode cancelled = null;
        JsonNode refused = null;
        for (int i = 0; i < 2; i++) {
            JsonNode line = JSON.readTree(host.next());
            if (line.has("method")) {
                cancelled = line;
            } else {
                refused = line;
            }
        }
        assertEquals("approval-timeout", refused.at("/error/data/mcpContain/reason").asText());
        assertEquals("notifications/cancelled", cancelled.get("method").asText());
        assertEquals(ask.get("id"), cancelled.at("/params/requestId"));
        // A late answer changes nothing.
        host.send("{\"jsonrpc\":\"2.0\",\"id\":" + ask.get("id") + ",\"result\":{\"action\":\"accept\"}}");
        assertTrue(server.wire.quietFor(300));
    }

    @Test
    void withoutElicitationTheTerminalIsAsked() throws Exception {
        AtomicReference<String> asked = new AtomicReference<>();
        ToolPrompt prompt = question -> {
            asked.set(question);
            return Optional.of(ToolPrompt.Answer.ALWAYS);
        };
        startRelay(Duration.ofSeconds(30), Optional.of(prompt));
        initialize(false);
        host.send(call(1, "x"));
        assertEquals(call(1, "x"), server.wire.next());
        assertTrue(asked.get().contains("client 'legacy-host' wants server 'scripted' to run tool 'a'"), asked.get());
        assertEquals("tty", store.list().get(0).decidedBy());
        assertTrue(records().stream().anyMatch(e -> "approval allow by tty (always)".equals(e.detail())));
    }
}
