package dev.mcpcontain.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpcontain.testing.McpClients;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code import} and {@code connect} as a user runs them, in a child JVM with its own HOME, XDG folders and state
 * folder: the host files are read at their default places there, and the registry is the test's own.
 */
class HostCommandsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    private Path home;
    private Path notes;
    private Path server;
    private Path launcher;
    private final Map<String, String> env = new HashMap<>();

    private record Result(int exit, String out, String err) {}

    @BeforeEach
    void folders() throws Exception {
        temp = temp.toRealPath();
        home = Files.createDirectories(temp.resolve("home"));
        notes = Files.createDirectories(home.resolve("notes"));
        Files.createDirectories(home.resolve("projects/shop"));
        server = Files.writeString(temp.resolve("server.js"), "// an MCP server\n");
        launcher = Path.of("scripts/mcp-contain").toAbsolutePath();
        env.put("HOME", home.toString());
        env.put("XDG_CONFIG_HOME", temp.resolve("config").toString());
        env.put("XDG_DATA_HOME", temp.resolve("data").toString());
        env.put("MCP_CONTAIN_NO_PROMPT", "1");
        env.put(dev.mcpcontain.policy.HostEnvironment.STATE_DIR_VARIABLE, temp.resolve("state").toString());
        env.put(HostFileEdit.LAUNCHER_VARIABLE, launcher.toString());
    }

    private Result run(String... args) throws Exception {
        List<String> command = new ArrayList<>(McpClients.java(Main.class.getName(), List.of(args)));
        command.add(1, "-Duser.home=" + home);
        ProcessBuilder builder = new ProcessBuilder(command).directory(temp.toFile());
        builder.environment().putAll(env);
        Path out = temp.resolve("out.txt");
        Path err = temp.resolve("err.txt");
        Process p = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private Path fixture(String name, Path file) throws Exception {
        try (InputStream in = HostCommandsTest.class.getResourceAsStream("/hosts/" + name)) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("@SERVER@", server.toString())
                    .replace("@NOTES@", notes.toString()).replace("@PROJECTS@", home.resolve("projects").toString())
                    .replace("@HOME@", home.toString());
            Files.createDirectories(file.getParent());
            return Files.writeString(file, text);
        }
    }

    private List<String> registered() throws Exception {
        Result list = run("list", "--json");
        assertEquals(0, list.exit(), list.err());
        List<String> names = new ArrayList<>();
        JSON.readTree(list.out()).path("servers").forEach(s -> names.add(s.path("name").asText()));
        return names;
    }

    private List<Path> backups(Path file) throws Exception {
        try (Stream<Path> files = Files.list(file.getParent())) {
            return files.filter(p -> p.getFileName().toString().endsWith(".bak")).toList();
        }
    }

    @Test
    void claudeDesktopImportDryRunThenForRealThenAgain() throws Exception {
        Path file = fixture("claude_desktop_config.json", temp.resolve("config/Claude/claude_desktop_config.json"));
        byte[] original = Files.readAllBytes(file);

        Result dry = run("import", "claude-desktop", "--dry-run");
        assertEquals(0, dry.exit(), dry.err());
        assertTrue(dry.out().startsWith("--- " + file + "\n+++ " + file + "\n@@ "), dry.out());
        assertTrue(dry.out().contains("+      \"command\": \"" + launcher + "\",") && dry.out().contains("-        \"DATABASE_URL\": "),
                dry.out());
        assertArrayEquals(original, Files.readAllBytes(file), "a dry run changes nothing");
        assertEquals(List.of(), backups(file));
        assertEquals(List.of(), registered(), "a dry run registers nothing");

        Result real = run("import", "claude-desktop");
        assertEquals(0, real.exit(), real.err());
        assertEquals("", real.out(), "import writes nothing on stdout");
        assertTrue(real.err().contains("left as it is: 'github' (/mcpServers/github): its program 'github-mcp-server'"
                + " is not found"), real.err());
        assertTrue(real.err().contains("left as it is: 'asana' (/mcpServers/asana): disabled"), real.err());
        assertTrue(real.err().contains("left as it is: 'linear' (/mcpServers/linear): a remote server"), real.err());
        assertTrue(real.err().contains("grant " + notes + ":rw (a folder argument of its command)"), real.err());
        assertTrue(real.err().contains("grant " + home.resolve("projects") + ":rw"), real.err());
        assertEquals(List.of("filesystem", "postgres"), registered());

        String rewritten = Files.readString(file);
        for (String secret : List.of("ghp_16C7e42F", "s3cr3t-pw", "xoxb-1234", "PGAPPNAME")) {
            assertEquals(secret.equals("ghp_16C7e42F"), rewritten.contains(secret),
                    secret + ": only the entry left as it is keeps its values");
        }
        JsonNode tree = JSON.readTree(rewritten);
        assertEquals(launcher.toString(), tree.at("/mcpServers/filesystem/command").asText());
        assertEquals("[\"run\",\"postgres\"]", tree.at("/mcpServers/postgres/args").toString());
        assertEquals(temp.resolve("state").toString(), tree.at("/mcpServers/postgres/env/MCP_CONTAIN_STATE_DIR").asText(),
                "the host's start of the launcher finds this registry");
        assertEquals("Alt+Space", tree.path("globalShortcut").asText());
        assertEquals(1, backups(file).size());
        assertArrayEquals(original, Files.readAllBytes(backups(file).get(0)));

        Result shown = run("show", "postgres", "--json");
        JsonNode postgres = JSON.readTree(shown.out());
        assertEquals("[\"PGAPPNAME=***\"]", postgres.path("env").toString(), "show masks values");
        String entry = Files.readString(temp.resolve("state/data/registry/postgres/server.json"));
        assertTrue(entry.contains("\"PGAPPNAME=claude\"") && !entry.contains("s3cr3t") && !entry.contains("xoxb"), entry);
        assertEquals("[\"DATABASE_URL\",\"SLACK_BOT_TOKEN\"]", postgres.at("/secrets/keys").toString());
        assertFalse(shown.out().contains("s3cr3t") || shown.out().contains("xoxb"), shown.out());
        assertEquals("[\"" + notes + ":rw\",\"" + home.resolve("projects") + ":rw\"]",
                JSON.readTree(run("show", "filesystem", "--json").out()).path("grants").toString());

        // At run the stored secrets are the server's variables again, masked like any secret variable.
        Result plan = run("run", "--dry-run", "postgres");
        assertEquals(0, plan.exit(), plan.err());
        assertTrue(plan.out().contains("  DATABASE_URL=<sensitive>\n") && plan.out().contains("  SLACK_BOT_TOKEN=<sensitive>\n")
                && plan.out().contains("  PGAPPNAME=claude\n"), plan.out());
        assertFalse(plan.out().contains("s3cr3t") || plan.out().contains("xoxb"), plan.out());

        Result again = run("import", "claude-desktop");
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.err().contains("'filesystem' (/mcpServers/filesystem): already runs through mcp-contain"),
                again.err());
        assertTrue(again.err().contains("no stdio server to import; nothing was changed"), again.err());
        assertEquals(rewritten, Files.readString(file));
    }

    @Test
    void collisionsPolicyRefusalsAndFailuresChangeNothing() throws Exception {
        Path file = fixture("claude_desktop_config.json", temp.resolve("desktop.json"));
        byte[] original = Files.readAllBytes(file);
        Result add = run("add", "--name", "filesystem", "--", "node", server.toString());
        assertEquals(0, add.exit(), add.err());

        Result clash = run("import", "claude-desktop", "--config", file.toString());
        assertEquals(125, clash.exit());
        assertEquals("mcp-contain: " + file + ": 'filesystem' (/mcpServers/filesystem) is already registered; nothing"
                + " was changed (import with --prefix TEXT, or 'mcp-contain remove' the registered one first)\n",
                clash.err());
        assertArrayEquals(original, Files.readAllBytes(file));
        assertEquals(List.of("filesystem"), registered());

        Path policy = Files.writeString(temp.resolve("policy.json"), "{\"allowServers\": [\"desk-filesystem\"]}");
        env.put("MCP_CONTAIN_POLICY", policy.toString());
        Result refused = run("import", "claude-desktop", "--config", file.toString(), "--prefix", "desk-");
        assertEquals(125, refused.exit());
        assertTrue(refused.err().contains(policy.toString()) && refused.err().contains("allowServers")
                && refused.err().contains("'desk-postgres'"), refused.err());
        assertArrayEquals(original, Files.readAllBytes(file));
        assertEquals(List.of("filesystem"), registered());
        env.remove("MCP_CONTAIN_POLICY");

        // The second registration fails (its folder is taken by a file): the first is undone, the file untouched.
        Path registry = temp.resolve("state/data/registry");
        Files.writeString(registry.resolve("desk-postgres"), "not a folder");
        Result failed = run("import", "claude-desktop", "--config", file.toString(), "--prefix", "desk-");
        assertEquals(125, failed.exit());
        assertTrue(failed.err().contains("registry/desk-postgres: not a real folder"), failed.err());
        List<String> lines = failed.err().lines().toList();
        assertTrue(lines.get(lines.size() - 1).startsWith("mcp-contain: ") && lines.get(lines.size() - 1).endsWith(
                "nothing was registered and " + file + " was not changed"), failed.err());
        assertEquals(List.of("filesystem"), registered());
        assertArrayEquals(original, Files.readAllBytes(file));
        assertEquals(List.of(), backups(file));
        Files.delete(registry.resolve("desk-postgres"));

        Result prefixed = run("import", "claude-desktop", "--config", file.toString(), "--prefix", "desk-");
        assertEquals(0, prefixed.exit(), prefixed.err());
        assertEquals(List.of("desk-filesystem", "desk-postgres", "filesystem"), registered());
    }

    @Test
    void badMissingAndUnknownInputAreOneLine() throws Exception {
        Path bad = Files.writeString(Files.createDirectories(temp.resolve("config/Claude")).resolve("claude_desktop_config.json"),
                "{\n  \"mcpServers\": {\n    \"a\": {\"command\": \"node\"\n  }\n}\n");
        Result r = run("import", "claude-desktop");
        assertEquals(125, r.exit());
        assertTrue(r.err().startsWith("mcp-contain: " + bad + ": line "), r.err());
        assertEquals(1, r.err().lines().count(), r.err());

        Result missing = run("import", "cursor");
        assertEquals("mcp-contain: " + home.resolve(".cursor/mcp.json") + ": no such file\n", missing.err());
        assertEquals(125, missing.exit());
        // A file of another account (made by root; the suite runs as root, CI must): refused.
        boolean root = "root".equals(System.getProperty("user.name"));
        assertTrue(root || !"true".equals(System.getenv("CI")), "CI runs this test as root");
        if (root) {
            Path others = Files.writeString(temp.resolve("others.json"), "{\"mcpServers\": {}}");
            Files.setAttribute(others, "unix:uid", 4321);
            Result foreign = run("import", "claude-desktop", "--config", others.toString());
            assertEquals(125, foreign.exit());
            assertTrue(foreign.err().startsWith("mcp-contain: " + others + ": belongs to uid 4321, not to this account"),
                    foreign.err());
        }
        Result host = run("import", "zed");
        assertEquals("mcp-contain: unknown host 'zed' (expected one of claude-desktop, vscode, cursor, claude-code)\n",
                host.err());
        Result unregistered = run("connect", "cursor", "nothing-here");
        assertEquals(125, unregistered.exit());
        assertTrue(unregistered.err().contains("no registered server 'nothing-here'"), unregistered.err());
    }

    /**
     * A project's host file is written by whoever wrote the project: an entry key or argument with a newline must
     * not print a line that looks like mcp-contain's own (here a forged grant), nor terminal escapes. The same entry
     * under a plain key (positive control) prints its grant line as usual.
     */
    @Test
    void namesAndArgumentsFromTheFileCannotForgeOutputLines() throws Exception {
        Path file = Files.createDirectories(temp.resolve("project/.cursor")).resolve("mcp.json");
        Files.writeString(file, "{\"mcpServers\": {\"a\\nmcp-contain:   grant /:rw (forged)\": {\"command\": \"node\", \"args\": [\""
                + server + "\", \"--x=\\n/etc\\u001b[2J\", \"" + notes + "\"]}}}\n");
        Result r = run("import", "cursor", "--config", file.toString(), "--dry-run");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().lines().noneMatch(l -> l.startsWith("mcp-contain:   grant /:rw")), r.err());
        assertTrue(r.err().contains("'a\\x0amcp-contain:   grant /:rw (forged)'"), r.err());
        assertTrue(r.err().contains("--x=\\x0a/etc\\x1b[2J"), r.err());
        assertFalse(r.err().contains("\u001b"), r.err());
        assertTrue(r.err().contains("\nmcp-contain:   grant " + notes + ":rw (a folder argument of its command)\n"),
                r.err());

        // An error quoting such a name is one line too.
        Files.writeString(file, "{\"mcpServers\": {\"x\\ny\": {\"command\": \"node\", \"args\": [\"" + server
                + "\"]}, \"x-y\": {\"command\": \"node\", \"args\": [\"" + server + "\"]}}}\n");
        Result collision = run("import", "cursor", "--config", file.toString());
        assertEquals(125, collision.exit());
        assertEquals(1, collision.err().lines().count(), collision.err());
        assertTrue(collision.err().contains("/mcpServers/x\\x0ay"), collision.err());
    }

    /**
     * Under a umask of 0 (as some services run), the folders mcp-contain creates must still not be writable by
     * others: whoever can write the host's folder can swap the file that says what the host runs, and whoever can
     * write the registry's parent can replace the registry. The same commands (positive control) create them.
     */
    @Test
    void foldersCreatedUnderAUmaskOfZeroAreNotWritableByOthers() throws Exception {
        Path state = temp.resolve("fresh-state");
        env.put(dev.mcpcontain.policy.HostEnvironment.STATE_DIR_VARIABLE, state.toString());
        Path project = temp.resolve("shop/.cursor/mcp.json");
        assertEquals(0, runWithUmask0("add", "--name", "notes", "--", "node", server.toString()).exit());
        Result connect = runWithUmask0("connect", "cursor", "notes", "--config", project.toString());
        assertEquals(0, connect.exit(), connect.err());
        assertTrue(Files.readString(project).contains("\"notes\""));
        Path registry = state.resolve("data/registry");
        assertTrue(Files.isDirectory(registry.resolve("notes")), "registered in " + registry);
        for (Path dir : List.of(project.getParent(), project.getParent().getParent(), state, registry.getParent(),
                registry, registry.resolve("notes"))) {
            String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(dir));
            assertFalse(mode.charAt(4) == 'w' || mode.charAt(7) == 'w', dir + " is writable by others: " + mode);
        }
    }

    private Result runWithUmask0(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("sh", "-c", "umask 000 && exec \"$@\"", "sh"));
        command.addAll(McpClients.java(Main.class.getName(), List.of(args)));
        command.add(5, "-Duser.home=" + home);
        ProcessBuilder builder = new ProcessBuilder(command).directory(temp.toFile());
        builder.environment().putAll(env);
        Path out = temp.resolve("out.txt");
        Path err = temp.resolve("err.txt");
        Process p = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /**
     * Two imports of one file at once: both plan the same names, one registers them and rewrites the file, the other
     * must fail without removing the first's registrations (it removed them, leaving the host file pointing at
     * names no longer registered). The race made deterministic: the second name's folder is already being
     * created by another command when this import gets to it. Then, with the folder gone (positive control), the
     * same import succeeds.
     */
    @Test
    void aNameClaimedMeanwhileByAnotherCommandIsNotUndoneByThisOne() throws Exception {
        Path file = Files.createDirectories(temp.resolve("project/.cursor")).resolve("mcp.json");
        String original = "{\"mcpServers\": {\"one\": {\"command\": \"node\", \"args\": [\"" + server
                + "\"]}, \"two\": {\"command\": \"node\", \"args\": [\"" + server + "\", \"-n\"]}}}\n";
        Files.writeString(file, original);
        Path registry = temp.resolve("state/data/registry");
        Path theirs = Files.createDirectories(registry.resolve("two"));
        Files.writeString(theirs.resolve("marker"), "another command's registration in progress");
        Result r = run("import", "cursor", "--config", file.toString());
        assertEquals(125, r.exit(), r.err());
        assertTrue(r.err().contains("'two' was registered meanwhile"), r.err());
        assertTrue(Files.exists(theirs.resolve("marker")), "the other command's folder is left alone");
        assertFalse(Files.exists(registry.resolve("one")), "this import's own registration is undone");
        assertEquals(original, Files.readString(file));

        Files.delete(theirs.resolve("marker"));
        Files.delete(theirs);
        Result again = run("import", "cursor", "--config", file.toString());
        assertEquals(0, again.exit(), again.err());
        assertEquals(List.of("one", "two"), registered().stream().sorted().toList());
    }

    @Test
    void connectCreatesAddsOnceAndRefusesToReplaceAnotherEntry() throws Exception {
        assertEquals(0, run("add", "--name", "notes", "--grant", notes + ":ro", "--", "node", server.toString()).exit());
        Path project = home.resolve("projects/shop/.vscode/mcp.json");

        Result dry = run("connect", "vscode", "notes", "--config", project.toString(), "--dry-run");
        assertEquals(0, dry.exit(), dry.err());
        assertTrue(dry.out().startsWith("--- /dev/null\n+++ " + project + "\n@@ -0,0 +1,"), dry.out());
        assertFalse(Files.exists(project));

        Result created = run("connect", "vscode", "notes", "--config", project.toString());
        assertEquals(0, created.exit(), created.err());
        JsonNode tree = JSON.readTree(Files.readString(project));
        assertEquals("stdio", tree.at("/servers/notes/type").asText());
        assertEquals(launcher.toString(), tree.at("/servers/notes/command").asText());
        assertEquals("[\"run\",\"notes\"]", tree.at("/servers/notes/args").toString());

        String before = Files.readString(project);
        Result again = run("connect", "vscode", "notes", "--config", project.toString());
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.err().contains("'notes' is already connected"), again.err());
        assertEquals(before, Files.readString(project));
        assertEquals(List.of(), backups(project));

        Path cursor = Files.writeString(Files.createDirectories(home.resolve(".cursor")).resolve("mcp.json"),
                "{\n  \"mcpServers\": {\n    \"notes\": {\"command\": \"npx\", \"args\": [\"notes-mcp\"]}\n  }\n}\n");
        Result clash = run("connect", "cursor", "notes");
        assertEquals(125, clash.exit());
        assertTrue(clash.err().contains(cursor + ": '/mcpServers/notes' already exists and runs something else"),
                clash.err());
        assertEquals("{\n  \"mcpServers\": {\n    \"notes\": {\"command\": \"npx\", \"args\": [\"notes-mcp\"]}\n  }\n}\n",
                Files.readString(cursor));
    }

    @Test
    void aFolderRunWouldNotGrantWritableIsImportedReadOnly() throws Exception {
        Path repo = Files.createDirectories(home.resolve("projects/shop"));
        Files.createDirectories(repo.resolve(".git"));
        Path file = Files.writeString(temp.resolve("code.json"), "{\"mcpServers\": {\"code\": {\"command\": \"node\","
                + " \"args\": [\"" + server + "\", \"" + repo + "\", \"" + notes + "\"]}}}");
        Result r = run("import", "claude-desktop", "--config", file.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains(repo + " is granted read-only: '" + repo + ":rw': " + repo + " is the git work tree"),
                r.err());
        assertEquals("[\"" + repo + ":ro\",\"" + notes + ":rw\"]",
                JSON.readTree(run("show", "code", "--json").out()).path("grants").toString());
    }

    @Test
    void claudeCodeUserAndProjectServersAreImportedAndEveryOtherKeyKept() throws Exception {
        Path file = fixture("claude.json", home.resolve(".claude.json"));
        String before = Files.readString(file);
        Result r = run("import", "claude-code");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("left as it is: 'sentry' (/mcpServers/sentry): a remote server"), r.err());
        assertEquals(List.of("filesystem", "shop-filesystem"), registered());
        String after = Files.readString(file);
        com.fasterxml.jackson.databind.node.ObjectNode old = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(before);
        com.fasterxml.jackson.databind.node.ObjectNode now = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(after);
        String project = home.resolve("projects/shop").toString();
        assertEquals("[\"run\",\"shop-filesystem\"]", now.path("projects").path(project).at("/mcpServers/filesystem/args")
                .toString());
        assertEquals("${OPENAI_API_KEY:-}", now.at("/mcpServers/filesystem/env/OPENAI_API_KEY").asText(),
                "Claude Code still expands it at start");
        for (com.fasterxml.jackson.databind.node.ObjectNode tree : List.of(old, now)) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) tree.get("mcpServers")).remove("filesystem");
            ((com.fasterxml.jackson.databind.node.ObjectNode) tree.path("projects").path(project).get("mcpServers"))
                    .remove("filesystem");
        }
        assertEquals(old, now, "every other key is as it was");
        assertTrue(after.contains("\"lastCost\": 0.4821,\n") && after.contains("\"firstStartTime\": \"2026-03-01T09:12:44.512Z\""),
                after);
    }

    @Test
    void aVsCodeWorkspaceKeepsItsInputsAndResolvesTheWorkspaceFolder() throws Exception {
        Path workspace = home.resolve("projects/shop");
        Path file = fixture("vscode-workspace-mcp.json", workspace.resolve(".vscode/mcp.json"));
        Result r = run("import", "vscode", "--config", file.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("left as it is: 'fetch' (/servers/fetch): its command uses ${input:agent}"), r.err());
        assertTrue(r.err().contains("grant " + workspace + ":rw"), r.err());
        assertTrue(r.err().contains("from the host at each start: PERPLEXITY_API_KEY"), r.err());
        JsonNode tree = JSON.readTree(Files.readString(file));
        assertEquals("perplexity-key", tree.at("/inputs/0/id").asText());
        assertEquals("${input:perplexity-key}", tree.at("/servers/perplexity/env/PERPLEXITY_API_KEY").asText());
        assertEquals("stdio", tree.at("/servers/perplexity/type").asText());
        assertEquals(List.of("perplexity", "workspace-files"), registered());
        assertTrue(Files.readString(file).contains("\t\t\"perplexity\": {\n\t\t\t\"type\": \"stdio\",\n"), "tabs kept");
    }
}
