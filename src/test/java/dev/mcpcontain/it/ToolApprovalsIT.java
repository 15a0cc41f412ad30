package dev.mcpcontain.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpcontain.testing.McpContainCli;
import dev.mcpcontain.testing.TestServers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Tool approvals end to end: the official TypeScript SDK clients (v1 with an elicitation handler; v2 in both eras)
 * as the host, {@code mcp-contain run --mediate} in between, and a real server: server-filesystem's
 * {@code write_file} (2025 era), or the SDK 2.x era server's {@code echo} (the only runnable 2026-07-28 server).
 */
class ToolApprovalsIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    private McpContainCli cli;
    private Path granted;
    private Path other;
    private Path askProfile;

    @BeforeEach
    void setUp() throws Exception {
        cli = new McpContainCli(temp);
        Path base = Files.createDirectories(temp.resolve("fs"));
        for (Path p : List.of(temp, base)) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        granted = Files.createDirectories(base.resolve("granted"));
        other = Files.createDirectories(base.resolve("other"));
        askProfile = Files.writeString(temp.resolve("ask.json"),
                "{\"extends\": \"default\", \"tools\": {\"defaultApproval\": \"ask\"}}");
    }

    @AfterEach
    void childrenExit() throws InterruptedException {
        dev.mcpcontain.testing.ChildProcesses.awaitExit();
    }

    private JsonNode client(String sdk, String era, String answer, String tool, String arguments, List<String> command)
            throws Exception {
        List<String> line = new ArrayList<>(List.of(TestServers.node(), TestServers.sdk2("approval-client.mjs").toString(),
                sdk, era, answer, tool, arguments));
        line.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(line).redirectError(ProcessBuilder.Redirect.INHERIT)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().putAll(cli.env());
        Process p = builder.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the client finished");
        String text = new String(out, StandardCharsets.UTF_8).strip();
        return JSON.readTree(text.substring(text.lastIndexOf('\n') + 1));
    }

    /** server-filesystem with both folders granted read-write, mediated under {@code profile}. */
    private List<String> filesystem(Path profile) {
        return cli.command("run", "--mediate", "--profile", profile.toString(), "--name", "fs-approvals",
                "--grant", granted + ":rw", "--grant", other + ":rw", "--audit", temp.resolve("audit.jsonl").toString(),
                "--", TestServers.node(), TestServers.filesystem().toString(), granted.toString(), other.toString());
    }

    private List<String> eraServer(String... env) {
        List<String> args = new ArrayList<>(List.of("run", "--mediate", "--profile", askProfile.toString(), "--name",
                "era-approvals", "--audit", temp.resolve("audit.jsonl").toString()));
        for (String e : env) {
            args.add("--env");
            args.add(e);
        }
        args.addAll(List.of("--", TestServers.node(), TestServers.sdk2("era-server.mjs").toString()));
        return cli.command(args.toArray(String[]::new));
    }

    private String write(Path file) {
        return "{\"path\":\"" + file + "\",\"content\":\"approved\"}";
    }

    @ParameterizedTest
    @ValueSource(strings = {"v1", "v2"})
    void anAcceptedElicitationLetsTheWriteThroughAndADeclineStopsIt(String sdk) throws Exception {
        JsonNode accepted = client(sdk, "legacy", "accept", "write_file", write(granted.resolve("a.txt")),
                filesystem(askProfile));
        assertTrue(accepted.path("error").isMissingNode(), accepted.toString());
        assertTrue(accepted.path("text").asText().startsWith("Successfully wrote"), accepted.toString());
        String message = accepted.path("asked").path(0).asText();
        assertTrue(message.contains("client 'approval-host' wants server 'fs-approvals' to run tool 'write_file'"),
                message);
        assertTrue(message.contains("path = \"" + granted.resolve("a.txt") + "\""), message);
        assertEquals("approved", Files.readString(granted.resolve("a.txt")));

        JsonNode declined = client(sdk, "legacy", "decline", "write_file", write(granted.resolve("b.txt")),
                filesystem(askProfile));
        assertEquals(1, declined.path("asked").size(), declined.toString());
        assertTrue(declined.path("error").asText().contains("tool 'write_file' was not approved by the user"),
                declined.toString());
        assertFalse(Files.exists(granted.resolve("b.txt")), "the declined write never happened");
        String audit = Files.readString(temp.resolve("audit.jsonl"));
        assertTrue(audit.contains("approval allow by elicitation (once)"), audit);
        assertTrue(audit.contains("approval deny by elicitation (decline)"), audit);
    }

    @Test
    void aHeadlessHostIsRefusedUntilTheCallIsPreApprovedAndAnAlwaysDenyHolds() throws Exception {
        JsonNode headless = client("v1", "legacy", "none", "write_file", write(granted.resolve("h.txt")),
                filesystem(askProfile));
        assertTrue(headless.path("error").asText().contains(
                "pre-approve it with: mcp-contain approvals allow fs-approvals write_file --client approval-host"),
                headless.toString());
        assertFalse(Files.exists(granted.resolve("h.txt")));

        assertEquals(0, cli.run("approvals", "allow", "fs-approvals", "write_file", "--client", "approval-host"));
        JsonNode preApproved = client("v1", "legacy", "none", "write_file", write(granted.resolve("h.txt")),
                filesystem(askProfile));
        assertTrue(preApproved.path("text").asText().startsWith("Successfully wrote"), preApproved.toString());
        assertTrue(Files.exists(granted.resolve("h.txt")));

        assertEquals(0, cli.run("approvals", "deny", "fs-approvals", "write_file"));
        JsonNode denied = client("v2", "legacy", "accept", "write_file", write(granted.resolve("d.txt")),
                filesystem(askProfile));
        assertTrue(denied.path("error").asText().contains("denied by a stored decision"), denied.toString());
        assertEquals(0, denied.path("asked").size(), "an always-deny is not asked about");
        assertFalse(Files.exists(granted.resolve("d.txt")));
        String audit = Files.readString(temp.resolve("audit.jsonl"));
        assertTrue(audit.contains("approval allow by stored decision (client approval-host, command"), audit);
        assertTrue(audit.contains("approval deny by stored decision (client *, command"), audit);
        assertTrue(audit.contains("approval deny by nobody: no way to ask"), audit);
    }

    @Test
    void anArgumentRuleKeepsWritesInOneFolderThatTheServerItselfWouldAllow() throws Exception {
        Path restricted = Files.writeString(temp.resolve("restricted.json"), "{\"extends\": \"default\", \"tools\": {"
                + "\"approval\": {\"write_file\": {\"decision\": \"allow\", \"arguments\": {\"path\": {\"under\": [\""
                + granted + "\"]}}}}}}");
        // Positive control: without the rule the same server writes to the other granted folder.
        JsonNode control = client("v1", "legacy", "none", "write_file", write(other.resolve("control.txt")),
                filesystem(Files.writeString(temp.resolve("plain.json"), "{\"extends\": \"default\"}")));
        assertTrue(control.path("text").asText().startsWith("Successfully wrote"), control.toString());

        JsonNode inside = client("v1", "legacy", "none", "write_file", write(granted.resolve("in.txt")),
                filesystem(restricted));
        assertTrue(inside.path("text").asText().startsWith("Successfully wrote"), inside.toString());
        JsonNode outside = client("v1", "legacy", "none", "write_file", write(other.resolve("out.txt")),
                filesystem(restricted));
        assertTrue(outside.path("error").asText().contains("argument 'path' is outside the folders the profile allows"),
                outside.toString());
        assertFalse(Files.exists(other.resolve("out.txt")));
        JsonNode escape = client("v1", "legacy", "none", "write_file", "{\"path\":\"" + granted + "/../other/e.txt\","
                + "\"content\":\"x\"}", filesystem(restricted));
        assertTrue(escape.path("error").asText().contains("argument 'path' contains '..'"), escape.toString());
        assertFalse(Files.exists(other.resolve("e.txt")));
    }

    @Test
    void theModernEraAsksThroughInputRequired() throws Exception {
        JsonNode accepted = client("v2", "modern", "accept", "echo", "{\"text\":\"hi\"}", eraServer());
        assertTrue(accepted.path("error").isMissingNode(), accepted.toString());
        assertEquals("echo: hi", accepted.path("text").asText());
        assertTrue(accepted.path("asked").path(0).asText().contains("client 'approval-host' wants server"
                + " 'era-approvals' to run tool 'echo'"), accepted.toString());
        JsonNode declined = client("v2", "modern", "decline", "echo", "{\"text\":\"hi\"}", eraServer());
        assertTrue(declined.path("error").asText().contains("was not approved by the user"), declined.toString());
        String audit = Files.readString(temp.resolve("audit.jsonl"));
        assertTrue(audit.contains("approval ask by input_required"), audit);
        assertTrue(audit.contains("approval allow by input_required (once)"), audit);
    }

    @Test
    void aChangedDefinitionInvalidatesAnApproval() throws Exception {
        // "always" in the 2026-07-28 era stores the approval; the next run is not asked.
        JsonNode always = client("v2", "modern", "always", "echo", "{\"text\":\"1\"}", eraServer());
        assertEquals("echo: 1", always.path("text").asText(), always.toString());
        JsonNode remembered = client("v2", "modern", "none", "echo", "{\"text\":\"2\"}", eraServer());
        assertEquals("echo: 2", remembered.path("text").asText(), remembered.toString());
        // The tool changes; the user accepts the new definition as the pin; the old approval no longer counts.
        String changed = "ERA_TOOL_DESCRIPTION=Echoes, and more";
        JsonNode blocked = client("v2", "modern", "none", "echo", "{\"text\":\"3\"}", eraServer(changed));
        assertTrue(blocked.path("error").asText().contains("mcp-contain blocked server 'era-approvals'"), blocked.toString());
        assertEquals(0, cli.run("pins", "approve", "era-approvals"));
        JsonNode askedAgain = client("v2", "modern", "none", "echo", "{\"text\":\"4\"}", eraServer(changed));
        assertTrue(askedAgain.path("error").asText().contains(
                "mcp-contain approvals allow era-approvals echo --client approval-host"), askedAgain.toString());
        // Legacy era too, through the same stored decision.
        JsonNode legacyAsked = client("v2", "legacy", "none", "echo", "{\"text\":\"5\"}", eraServer(changed));
        assertTrue(legacyAsked.path("error").asText().contains("needs the user's approval"), legacyAsked.toString());
    }
}
