package dev.mcpcontain.approval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The profile's half of a tool-call decision. */
class ApprovalPolicyTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    private static ApprovalPolicy policy(DefaultApproval fallback, Map<String, ApprovalEntry> entries, Path... grants) {
        return new ApprovalPolicy(new ApprovalRules(entries, fallback), List.of(grants));
    }

    @Test
    void annotationsAskForDestructiveAllowReadOnlyAndAskForTheRest() throws Exception {
        ApprovalPolicy p = policy(DefaultApproval.ANNOTATIONS, Map.of());
        assertEquals(Approval.ASK, p.decide("w", json("{\"annotations\":{\"destructiveHint\":true,\"readOnlyHint\":true}}"),
                null).approval(), "destructive wins over a read-only claim");
        assertEquals(Approval.ALLOW, p.decide("r", json("{\"annotations\":{\"readOnlyHint\":true}}"), null).approval());
        assertEquals(Approval.ASK, p.decide("x", json("{\"annotations\":{}}"), null).approval());
        assertEquals(Approval.ASK, p.decide("x", json("{}"), null).approval());
        assertEquals(Approval.ALLOW, policy(DefaultApproval.ALLOW, Map.of()).decide("x", null, null).approval());
        assertEquals(Approval.ASK, policy(DefaultApproval.ASK, Map.of()).decide("x", json(
                "{\"annotations\":{\"readOnlyHint\":true}}"), null).approval(), "ask means ask, whatever the hints");
    }

    @Test
    void anExactNameWinsOverGlobsAndTheFirstGlobWins() {
        Map<String, ApprovalEntry> entries = new LinkedHashMap<>();
        entries.put("*", ApprovalEntry.of(Approval.DENY));
        entries.put("read_*", ApprovalEntry.of(Approval.ALLOW));
        entries.put("read_secret", ApprovalEntry.of(Approval.ASK));
        ApprovalPolicy p = policy(DefaultApproval.ALLOW, entries);
        assertEquals(Approval.ASK, p.decide("read_secret", null, null).approval());
        assertEquals(Approval.DENY, p.decide("read_file", null, null).approval(), "'*' comes first");
        assertEquals("profile tools.approval['*']", p.decide("anything", null, null).source());
        Map<String, ApprovalEntry> ordered = new LinkedHashMap<>();
        ordered.put("read_?ile", ApprovalEntry.of(Approval.ALLOW));
        ordered.put("*", ApprovalEntry.of(Approval.DENY));
        ApprovalPolicy q = policy(DefaultApproval.ASK, ordered);
        assertEquals(Approval.ALLOW, q.decide("read_file", null, null).approval());
        assertEquals(Approval.DENY, q.decide("read_files", null, null).approval());
        assertEquals(Approval.ALLOW, policy(DefaultApproval.ASK, Map.of("a.b", ApprovalEntry.of(Approval.ALLOW)))
                .decide("a.b", null, null).approval());
        assertEquals(Approval.ASK, policy(DefaultApproval.ASK, Map.of("a.b", ApprovalEntry.of(Approval.ALLOW)))
                .decide("aXb", null, null).approval(), "a dot is a dot, not a regex");
    }

    private ApprovalPolicy pathRule(Path grant) {
        return policy(DefaultApproval.ASK, Map.of("write_file", new ApprovalEntry(Approval.ALLOW,
                Map.of("path", new ArgumentRule(List.of("grants"), null, null)))), grant);
    }

    private ApprovalPolicy.Decision write(ApprovalPolicy p, String path) {
        var args = JsonNodeFactory.instance.objectNode();
        if (path != null) {
            args.put("path", path);
        }
        return p.decide("write_file", null, args);
    }

    @Test
    void aPathRuleKeepsCallsInsideTheGrantsWithoutDotDotOrSymlinkEscapes() throws Exception {
        Path grant = Files.createDirectories(temp.resolve("grant"));
        Path outside = Files.createDirectories(temp.resolve("outside"));
        Files.createSymbolicLink(grant.resolve("link-out"), outside);
        Files.createSymbolicLink(grant.resolve("dangling"), temp.resolve("nowhere"));
        Files.createDirectories(grant.resolve("sub"));
        ApprovalPolicy p = pathRule(grant);
        // Positive controls: inside, existing or not yet.
        assertEquals(Approval.ALLOW, write(p, grant.resolve("a.txt").toString()).approval());
        assertEquals(Approval.ALLOW, write(p, grant.resolve("sub/new/b.txt").toString()).approval());
        assertNull(write(p, grant.resolve("a.txt").toString()).problem());
        // Escapes.
        assertEquals("argument 'path' contains '..'", write(p, grant + "/sub/../../outside/x").problem());
        assertEquals("argument 'path' is outside the folders the profile allows for it",
                write(p, grant.resolve("link-out/x").toString()).problem());
        assertEquals("argument 'path' is outside the folders the profile allows for it",
                write(p, outside.resolve("x").toString()).problem());
        assertEquals("argument 'path' is outside the folders the profile allows for it",
                write(p, temp.resolve("grant-sibling/x").toString()).problem(), "a prefix is not a parent");
        assertTrue(write(p, grant.resolve("dangling/x").toString()).problem().contains("cannot be resolved"));
        assertEquals("argument 'path' is not an absolute path", write(p, "a.txt").problem());
        assertEquals("argument 'path' is required by the profile's rule for this tool", write(p, null).problem());
        assertEquals(Approval.DENY, write(p, outside.toString()).approval(), "a broken rule denies, whatever the entry");
    }

    @Test
    void patternAndEnumRules() throws Exception {
        ApprovalPolicy p = policy(DefaultApproval.ASK, Map.of("t", new ApprovalEntry(Approval.ASK, Map.of(
                "name", new ArgumentRule(null, "[a-z]+", null),
                "n", new ArgumentRule(null, null, List.of(json("1"), json("\"two\"")))))));
        assertEquals(Approval.ASK, p.decide("t", null, json("{\"name\":\"abc\",\"n\":1.0}")).approval());
        assertEquals(Approval.ASK, p.decide("t", null, json("{\"name\":\"abc\",\"n\":\"two\"}")).approval());
        assertEquals("argument 'name' does not match the profile's pattern",
                p.decide("t", null, json("{\"name\":\"abc1\",\"n\":1}")).problem(), "the whole value must match");
        assertEquals("argument 'name' does not match the profile's pattern",
                p.decide("t", null, json("{\"name\":5,\"n\":1}")).problem());
        assertEquals("argument 'n' is not one of the values the profile allows",
                p.decide("t", null, json("{\"name\":\"a\",\"n\":2}")).problem());
    }
}
