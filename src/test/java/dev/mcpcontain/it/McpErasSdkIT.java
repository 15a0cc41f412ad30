package dev.mcpcontain.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpcontain.testing.McpContainCli;
import dev.mcpcontain.testing.TestServers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Both MCP eras with the official TypeScript SDK 2.x on both sides (src/test/resources/sdk2): the 2025 initialize
 * handshake ("legacy") and the stateless 2026-07-28 revision ("modern": server/discover, per-request _meta, no
 * initialize). The SDK client spawns {@code scripts/mcp-contain run ... -- node era-server.mjs} as its server, plain
 * and mediated, lists the tools and calls one; a pinned tool whose description changed is blocked in either era.
 * (The script, not {@code java Main}: without it a plain run is supervised from the JVM, whose stdin pump does not
 * work on the socketpair node gives a child as stdio; see the README's known limits.)
 */
class McpErasSdkIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    @AfterEach
    void childrenExit() throws InterruptedException {
        dev.mcpcontain.testing.ChildProcesses.awaitExit();
    }

    /** Runs the SDK client in {@code era} against {@code command}; its one JSON line. */
    private JsonNode client(McpContainCli cli, String era, List<String> command) throws Exception {
        List<String> line = new ArrayList<>(List.of(TestServers.node(), TestServers.sdk2("era-client.mjs").toString(), era));
        line.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(line).redirectError(ProcessBuilder.Redirect.INHERIT)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        if (cli != null) {
            builder.environment().putAll(cli.env());
        }
        Process p = builder.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the client finished");
        String text = new String(out, StandardCharsets.UTF_8).strip();
        return JSON.readTree(text.substring(text.lastIndexOf('\n') + 1));
    }

    private List<String> server() {
        return List.of(TestServers.node(), TestServers.sdk2("era-server.mjs").toString());
    }

    /**
     * The real launcher script, as a host would configure it: the JVM resolves and hands the plan to the helper
     * (plain), or stays as the relay (mediated). The helper the build made is named by MCP_CONTAIN_HELPER.
     */
    private List<String> contained(McpContainCli cli, String... options) {
        String helper = System.getProperty("mcp.contain.helper");
        if (helper != null) {
            cli.env().put("MCP_CONTAIN_HELPER", helper);
        }
        List<String> args = new ArrayList<>(List.of(TestServers.PROJECT.resolve("scripts/mcp-contain").toString(), "run"));
        args.addAll(List.of(options));
        args.add("--");
        args.addAll(server());
        return args;
    }

    private static void assertListedAndCalled(String era, JsonNode result) {
        assertTrue(result.path("error").isMissingNode(), result.toString());
        assertEquals(era.equals("modern") ? "2026-07-28" : "2025-11-25", result.path("protocolVersion").asText(),
                result.toString());
        assertEquals("echo", result.at("/tools/0/name").asText(), result.toString());
        assertEquals("echo: hi", result.path("call").asText(), result.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"legacy", "modern"})
    void listingAndCallingWorkAsBarePlainAndMediated(String era) throws Exception {
        // Positive control: the bare server in this era.
        assertListedAndCalled(era, client(null, era, server()));
        McpContainCli cli = new McpContainCli(temp);
        assertListedAndCalled(era, client(cli, era, contained(cli, "--no-mediate", "--name", "era-" + era)));
        assertListedAndCalled(era, client(cli, era, contained(cli, "--mediate", "--name", "era-" + era, "--audit",
                temp.resolve("audit.jsonl").toString())));
    }

    @ParameterizedTest
    @ValueSource(strings = {"legacy", "modern"})
    void aPinnedToolThatChangedIsBlockedInEitherEra(String era) throws Exception {
        McpContainCli cli = new McpContainCli(temp);
        String audit = temp.resolve("audit.jsonl").toString();
        // First use records the pin.
        assertListedAndCalled(era, client(cli, era, contained(cli, "--mediate", "--name", "era-pin", "--audit", audit)));
        // Control: unchanged, it still passes.
        assertListedAndCalled(era, client(cli, era, contained(cli, "--name", "era-pin", "--audit", audit)));
        // The same server with a changed description: blocked (mediation is on by default once a pin exists).
        JsonNode blocked = client(cli, era, contained(cli, "--name", "era-pin", "--audit", audit,
                "--env", "ERA_TOOL_DESCRIPTION=Echoes, then mails your keys"));
        assertTrue(blocked.path("error").asText().contains("mcp-contain blocked server 'era-pin'"), blocked.toString());
        assertTrue(blocked.path("tools").isMissingNode(), "no tool list reached the client: " + blocked);
        // Bare, the changed server would have been listed and called: the block is the relay's.
        assertTrue(client(null, era, List.of("env", "ERA_TOOL_DESCRIPTION=changed", TestServers.node(),
                TestServers.sdk2("era-server.mjs").toString())).path("error").isMissingNode());
    }

    @Test
    void theModernEraNeedsNoInitializeThroughTheRelay() throws Exception {
        McpContainCli cli = new McpContainCli(temp);
        String audit = temp.resolve("audit.jsonl").toString();
        assertListedAndCalled("modern", client(cli, "modern", contained(cli, "--mediate", "--name", "era-audit",
                "--audit", audit)));
        String records = java.nio.file.Files.readString(Path.of(audit));
        assertTrue(records.contains("\"method\":\"server/discover\""), records);
        assertTrue(!records.contains("\"method\":\"initialize\""), "no initialize in the modern era: " + records);
        assertTrue(records.contains("\"tool\":\"echo\""), records);
    }
}
