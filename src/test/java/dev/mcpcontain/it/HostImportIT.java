package dev.mcpcontain.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpcontain.testing.McpContainCli;
import dev.mcpcontain.testing.TestServers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A realistic Claude Desktop configuration imported, then each rewritten entry started by a real client that reads
 * the configuration file itself (the MCP Inspector CLI with {@code --config FILE --server NAME}), as the host would:
 * server-filesystem reads inside its folder (now a grant) and fails outside it; server-everything gets the secret
 * that left the file, and none of the launcher's own variables. Then {@code connect} into a new file, run the same
 * way.
 */
class HostImportIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    private McpContainCli cli;
    private final String suffix = UUID.randomUUID().toString().substring(0, 8);
    private final List<String> names = new ArrayList<>();

    private record Result(int code, String out, String err) {}

    @AfterEach
    void removeRegistrations() throws Exception {
        for (String name : names) {
            run(List.of("remove", name));
        }
        dev.mcpcontain.testing.ChildProcesses.awaitExit();
    }

    private Result run(List<String> args) throws Exception {
        return exec(cli.command(args.toArray(String[]::new)));
    }

    private Result exec(List<String> command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(temp.toFile());
        builder.environment().putAll(cli.env());
        Path out = Files.createTempFile(temp, "out", ".txt");
        Path err = Files.createTempFile(temp, "err", ".txt");
        builder.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(
                ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = builder.start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("timed out: " + command);
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /**
     * The inspector starts the entry named {@code server} of {@code config} exactly as written there. Only what this
     * test's build needs and a host would not set is added: the helper under test, and no terminal prompts.
     */
    private Result inspector(Path config, String server, List<String> request) throws Exception {
        Path bin = TestServers.PREFIX.resolve("inspector/node_modules/.bin/mcp-inspector");
        if (!Files.isExecutable(bin)) {
            fail(bin + " missing: run scripts/install-test-servers");
        }
        List<String> command = new ArrayList<>(List.of(bin.toString(), "--cli", "--config", config.toString(),
                "--server", server, "-e", "MCP_CONTAIN_NO_PROMPT=1"));
        String helper = System.getProperty("mcp.contain.helper");
        if (helper != null) {
            command.addAll(List.of("-e", "MCP_CONTAIN_HELPER=" + helper));
        }
        command.addAll(request);
        // A host's environment, not the test's: the launcher must find its registry from the entry alone.
        ProcessBuilder builder = new ProcessBuilder(command).directory(temp.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("MCP_CONTAIN") || k.startsWith("XDG_"));
        Path out = Files.createTempFile(temp, "out", ".txt");
        Path err = Files.createTempFile(temp, "err", ".txt");
        Process p = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("timed out: " + command);
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void aClaudeDesktopConfigurationImportedRunsContainedThroughAClientReadingTheFile() throws Exception {
        cli = new McpContainCli(temp);
        String helper = System.getProperty("mcp.contain.helper");
        if (helper != null) {
            cli.env().put("MCP_CONTAIN_HELPER", helper);
        }
        Path launcher = TestServers.PROJECT.resolve("scripts/mcp-contain");
        Path sandbox = Files.createDirectories(cli.home().resolve("Documents/notes")).toRealPath();
        Files.writeString(sandbox.resolve("todo.txt"), "buy milk, then contain every server\n");
        Path outside = Files.createDirectories(cli.home().resolve("Private")).toRealPath();
        Files.writeString(outside.resolve("diary.txt"), "not for any server\n");
        String secret = "sk-acme-" + UUID.randomUUID();
        String fs = "notes-" + suffix;
        String everything = "everything-" + suffix;
        Path config = Files.createDirectories(temp.resolve("config/Claude")).resolve("claude_desktop_config.json");
        Files.writeString(config, """
                {
                  "mcpServers": {
                    "%s": {
                      "command": "%s",
                      "args": ["%s", "%s", "%s"]
                    },
                    "%s": {
                      "command": "node",
                      "args": ["%s"],
                      "env": {
                        "ACME_API_KEY": "%s",
                        "ACME_REGION": "eu-west-1"
                      }
                    },
                    "linear": {
                      "type": "sse",
                      "url": "https://mcp.linear.app/sse"
                    }
                  },
                  "globalShortcut": "Alt+Space",
                  "preferences": {
                    "menuBarEnabled": false
                  }
                }
                """.formatted(fs, TestServers.node(), TestServers.filesystem(), sandbox, outside, everything,
                TestServers.everything(), secret));

        Result imported = run(List.of("import", "claude-desktop", "--launcher", launcher.toString()));
        names.addAll(List.of(fs, everything));
        assertEquals(0, imported.code(), imported.err());
        assertEquals("", imported.out());
        assertTrue(imported.err().contains("grant " + sandbox + ":rw (a folder argument of its command)")
                && imported.err().contains("grant " + outside + ":rw"), imported.err());
        String rewritten = Files.readString(config);
        assertFalse(rewritten.contains(secret), "the secret left the host's file: " + rewritten);
        assertFalse(rewritten.contains("eu-west-1"), rewritten);
        JsonNode tree = JSON.readTree(rewritten);
        assertEquals(launcher.toString(), tree.at("/mcpServers/" + fs + "/command").asText());
        assertEquals("https://mcp.linear.app/sse", tree.at("/mcpServers/linear/url").asText());
        assertEquals("Alt+Space", tree.at("/globalShortcut").asText());

        // The client reads the rewritten file and starts the entry: inside the granted folder, the file is read.
        Result inside = inspector(config, fs, List.of("--method", "tools/call", "--tool-name", "read_text_file",
                "--tool-arg", "path=" + sandbox.resolve("todo.txt")));
        assertEquals(0, inside.code(), inside.out() + inside.err());
        assertTrue(inside.out().contains("buy milk, then contain every server"), inside.out() + inside.err());
        // Positive control: the other folder argument is a grant too, and its file is read.
        Result granted = inspector(config, fs, List.of("--method", "tools/call", "--tool-name", "read_text_file",
                "--tool-arg", "path=" + outside.resolve("diary.txt")));
        assertEquals(0, granted.code(), granted.out() + granted.err());
        assertTrue(granted.out().contains("not for any server"), granted.out() + granted.err());
        // The same entry, the same request, minus that grant: the server is still told to serve the folder, but
        // containment hides it, so the server drops it at start and the file is not read.
        Result narrowed = run(List.of("configure", fs, "--grant", sandbox + ":rw"));
        assertEquals(0, narrowed.code(), narrowed.err());
        Result beyond = inspector(config, fs, List.of("--method", "tools/call", "--tool-name", "read_text_file",
                "--tool-arg", "path=" + outside.resolve("diary.txt")));
        assertFalse(beyond.out().contains("not for any server"), beyond.out());
        assertTrue(beyond.err().contains("Cannot access directory " + outside), beyond.err());
        assertTrue(beyond.out().contains("Access denied - path outside allowed directories: " + outside.resolve("diary.txt")
                + " not in " + sandbox), beyond.out() + beyond.err());

        // The secret reaches the server from the secret store; the launcher's own variables do not.
        Result env = inspector(config, everything, List.of("--method", "tools/call", "--tool-name", "get-env"));
        assertEquals(0, env.code(), env.out() + env.err());
        assertTrue(env.out().contains(secret) && env.out().contains("eu-west-1"), env.out());
        assertFalse(env.out().contains("MCP_CONTAIN_STATE_DIR"), "the contained server sees only its own environment: "
                + env.out());
        assertTrue(tree.at("/mcpServers/" + everything + "/env").toString().contains("MCP_CONTAIN_STATE_DIR"),
                "positive control: the launcher itself was given MCP_CONTAIN_STATE_DIR by the entry");

        // connect: a new file of another host's format, with the registered server, started the same way.
        Path cursor = temp.resolve("home/projects/shop/.cursor/mcp.json");
        Result connected = run(List.of("connect", "cursor", fs, "--config", cursor.toString(), "--launcher",
                launcher.toString()));
        assertEquals(0, connected.code(), connected.err());
        Result viaConnect = inspector(cursor, fs, List.of("--method", "tools/call", "--tool-name", "read_text_file",
                "--tool-arg", "path=" + sandbox.resolve("todo.txt")));
        assertEquals(0, viaConnect.code(), viaConnect.out() + viaConnect.err());
        assertTrue(viaConnect.out().contains("buy milk, then contain every server"), viaConnect.out());
        Result listed = inspector(cursor, fs, List.of("--method", "tools/list"));
        assertEquals(0, listed.code(), listed.err());
        assertTrue(listed.out().contains("\"read_text_file\""), listed.out());
        assertNotEquals(rewritten, Files.readString(cursor));
    }
}
