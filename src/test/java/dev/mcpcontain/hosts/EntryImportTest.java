package dev.mcpcontain.hosts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each host's documented file format: which entries are imported, and what each becomes. */
class EntryImportTest {

    @TempDir
    Path temp;

    private HostFixtures fx;

    @BeforeEach
    void fixtures() throws Exception {
        fx = new HostFixtures(temp);
    }

    private static Map<String, ServerSlot> slots(Host host, HostConfigFile file) {
        return ServerSlot.all(host, file.root(), file.file()).stream()
                .collect(Collectors.toMap(ServerSlot::pointer, s -> s, (a, b) -> a, LinkedHashMap::new));
    }

    private static EntryImport imported(Object result) {
        return assertInstanceOf(EntryImport.class, result, String.valueOf(result));
    }

    @Test
    void claudeDesktopFoldersBecomeGrantsSecretsLeaveTheFileAndOnlyStdioEntriesAreImported() throws Exception {
        Path file = fx.write("claude_desktop_config.json", fx.home.resolve(".config/Claude/claude_desktop_config.json"));
        HostConfigFile config = HostConfigFile.read(file, false);
        Map<String, ServerSlot> slots = slots(Host.CLAUDE_DESKTOP, config);
        String launcher = "/usr/local/bin/mcp-contain";
        assertEquals(List.of("/mcpServers/filesystem", "/mcpServers/github", "/mcpServers/postgres",
                "/mcpServers/asana", "/mcpServers/linear"), List.copyOf(slots.keySet()));
        assertEquals(ServerSlot.Kind.STDIO, slots.get("/mcpServers/filesystem").kind(launcher));
        assertEquals(ServerSlot.Kind.DISABLED, slots.get("/mcpServers/asana").kind(launcher));
        assertEquals(ServerSlot.Kind.REMOTE, slots.get("/mcpServers/linear").kind(launcher));

        EntryImport.Context context = fx.context(Host.CLAUDE_DESKTOP, file, Map.of());
        EntryImport fs = imported(EntryImport.of("filesystem", slots.get("/mcpServers/filesystem"), context));
        assertEquals(List.of("node", fx.server.toString(), fx.notes.toString(), fx.projects.toString()), fs.command());
        assertEquals(List.of(fx.notes + ":rw", fx.projects + ":rw"), fs.grants());
        assertEquals("{\"command\":\"/usr/local/bin/mcp-contain\",\"args\":[\"run\",\"filesystem\"]}",
                fs.rewritten().toString());

        EntryImport pg = imported(EntryImport.of("postgres", slots.get("/mcpServers/postgres"), context));
        assertEquals(List.of("PGAPPNAME=claude"), pg.env());
        assertEquals(Map.of("DATABASE_URL", List.of("postgresql://app:s3cr3t-pw@localhost:5432/shop"),
                "SLACK_BOT_TOKEN", List.of("xoxb-1234-5678-abcdef")), pg.secrets());
        assertFalse(pg.rewritten().has("env"), "no secret and no plain value stays in the host's file: " + pg.rewritten());

        // An entry already rewritten is recognised, by the launcher's name or its exact path.
        ObjectNode servers = (ObjectNode) config.root().get("mcpServers");
        servers.set("filesystem", fs.rewritten());
        assertEquals(ServerSlot.Kind.CONTAINED, slots.get("/mcpServers/filesystem").kind(launcher));
    }

    @Test
    void theLaunchersStateLocationGoesWithTheEntrySoTheHostFindsTheSameRegistry() throws Exception {
        Path file = fx.write("claude_desktop_config.json", fx.root.resolve("c.json"));
        HostConfigFile config = HostConfigFile.read(file, false);
        ServerSlot slot = slots(Host.CLAUDE_DESKTOP, config).get("/mcpServers/postgres");
        EntryImport pg = imported(EntryImport.of("postgres", slot,
                fx.context(Host.CLAUDE_DESKTOP, file, Map.of("XDG_DATA_HOME", "/srv/me/data"))));
        assertEquals("{\"XDG_DATA_HOME\":\"/srv/me/data\"}", pg.rewritten().get("env").toString());
    }

    @Test
    void vscodeInputsStayWithVsCodeAndWorkspaceFolderIsTheFoldersParent() throws Exception {
        Path workspace = fx.projects.resolve("shop");
        Path file = fx.write("vscode-workspace-mcp.json", workspace.resolve(".vscode/mcp.json"));
        HostConfigFile config = HostConfigFile.read(file, false);
        Map<String, ServerSlot> slots = slots(Host.VSCODE, config);
        EntryImport.Context context = fx.context(Host.VSCODE, file, Map.of());
        assertEquals(workspace, context.workspace());

        EntryImport files = imported(EntryImport.of("workspace-files", slots.get("/servers/workspace-files"), context));
        assertEquals(List.of(workspace + ":rw"), files.grants());
        assertEquals("stdio", files.rewritten().get("type").asText(), "VS Code requires the type: it is kept");

        EntryImport perplexity = imported(EntryImport.of("perplexity", slots.get("/servers/perplexity"), context));
        assertEquals(List.of("PERPLEXITY_API_KEY", "PERPLEXITY_MODEL=sonar"), perplexity.env(),
                "the input is passed through from VS Code's environment of the launcher");
        assertEquals(Map.of(), perplexity.secrets(), "VS Code keeps the input's value in its own secret storage");
        assertEquals("{\"PERPLEXITY_API_KEY\":\"${input:perplexity-key}\"}",
                perplexity.rewritten().get("env").toString(), "VS Code still prompts for the input and substitutes it");

        Object fetch = EntryImport.of("fetch", slots.get("/servers/fetch"), context);
        EntryImport.Skip skip = assertInstanceOf(EntryImport.Skip.class, fetch);
        assertTrue(skip.reason().contains("${input:agent}"), skip.reason());
        assertEquals(ServerSlot.Kind.REMOTE, slots.get("/servers/github").kind("/x/mcp-contain"));

        // In the user-wide file there is no workspace: ${workspaceFolder} cannot be fixed at import.
        Path user = fx.write("vscode-workspace-mcp.json", fx.home.resolve(".config/Code/User/mcp.json"));
        HostConfigFile userConfig = HostConfigFile.read(user, false);
        Object unresolved = EntryImport.of("workspace-files", slots(Host.VSCODE, userConfig).get("/servers/workspace-files"),
                fx.context(Host.VSCODE, user, Map.of()));
        assertTrue(assertInstanceOf(EntryImport.Skip.class, unresolved).reason().contains("${workspaceFolder}"));
    }

    @Test
    void cursorReadOnlyFlagOptionFoldersAndEnvReferences() throws Exception {
        Path file = fx.write("cursor-mcp.json", fx.home.resolve(".cursor/mcp.json"));
        HostConfigFile config = HostConfigFile.read(file, false);
        EntryImport.Context context = fx.context(Host.CURSOR, file, Map.of());
        assertEquals(null, context.workspace(), "~/.cursor/mcp.json is Cursor's user-wide file, not a project's");
        Map<String, ServerSlot> slots = slots(Host.CURSOR, config);
        EntryImport notes = imported(EntryImport.of("notes", slots.get("/mcpServers/notes"), context));
        assertEquals(List.of(fx.notes + ":ro"), notes.grants(), "--root=DIR is a folder; --read-only makes it ro");
        assertEquals(List.of("API_KEY"), notes.env());
        assertEquals("${env:NOTES_API_KEY}", notes.rewritten().at("/env/API_KEY").asText());
        EntryImport memory = imported(EntryImport.of("memory", slots.get("/mcpServers/memory"), context));
        assertEquals(List.of(), memory.grants(), "a variable holding a path is not an argument");
        assertEquals(List.of("MEMORY_FILE_PATH=" + fx.notes + "/memory.jsonl"), memory.env());
        Path project = fx.write("cursor-mcp.json", fx.projects.resolve("shop/.cursor/mcp.json"));
        assertEquals(fx.projects.resolve("shop"), fx.context(Host.CURSOR, project, Map.of()).workspace());
    }

    @Test
    void claudeCodeUserAndPerProjectServersAreAllFoundAndNamedApart() throws Exception {
        Path file = fx.write("claude.json", fx.home.resolve(".claude.json"));
        HostConfigFile config = HostConfigFile.read(file, false);
        Map<String, ServerSlot> slots = slots(Host.CLAUDE_CODE, config);
        String shop = "/projects/" + fx.projects.toString().replace("/", "~1") + "~1shop/mcpServers/filesystem";
        assertEquals(List.of("/mcpServers/filesystem", "/mcpServers/sentry", shop), List.copyOf(slots.keySet()));
        assertEquals("filesystem", EntryImport.registryName(null, slots.get("/mcpServers/filesystem")));
        assertEquals("shop-filesystem", EntryImport.registryName(null, slots.get(shop)));
        EntryImport.Context context = fx.context(Host.CLAUDE_CODE, file, Map.of());
        EntryImport user = imported(EntryImport.of("filesystem", slots.get("/mcpServers/filesystem"), context));
        assertEquals(List.of("OPENAI_API_KEY"), user.env(), "${VAR:-default} is Claude Code's to expand");
        EntryImport project = imported(EntryImport.of("shop-filesystem", slots.get(shop), context));
        assertEquals(List.of(fx.projects.resolve("shop") + ":rw"), project.grants());
        assertFalse(project.rewritten().has("env"), "an empty env is dropped");
    }

    @Test
    void registryNamesAreServerNames() {
        ObjectNode servers = HostConfigFile.JSON.createObjectNode();
        assertEquals("my-server", EntryImport.registryName(null, new ServerSlot(servers, "My Server!", "/x", null)));
        assertEquals("cd-github", EntryImport.registryName("cd-", new ServerSlot(servers, "GitHub", "/x", null)));
        assertEquals("server", EntryImport.registryName(null, new ServerSlot(servers, "ü", "/x", null)));
        assertEquals(64, EntryImport.registryName(null, new ServerSlot(servers, "a".repeat(80), "/x", null)).length());
    }

    @Test
    void argumentsThatAreNotStringsOrEnvThatIsNotAnObjectAreNotImported() throws Exception {
        ObjectNode servers = (ObjectNode) HostConfigFile.JSON.readTree(
                "{\"a\":{\"command\":\"node\",\"args\":[[\"x\"]]},\"b\":{\"command\":\"node\",\"env\":[\"X=1\"]}}");
        EntryImport.Context context = fx.context(Host.CLAUDE_DESKTOP, fx.root.resolve("c.json"), Map.of());
        JsonNode a = servers.get("a");
        assertTrue(assertInstanceOf(EntryImport.Skip.class, EntryImport.of("a", new ServerSlot(servers, "a", "/a", null),
                context)).reason().contains("'args' holds [\"x\"], not a string"), a.toString());
        assertTrue(assertInstanceOf(EntryImport.Skip.class, EntryImport.of("b", new ServerSlot(servers, "b", "/b", null),
                context)).reason().contains("'env' is not an object"));
    }

    @Test
    void npxOfARegistryPackageIsRecognisedWithItsVersionAndTheServersArguments() {
        NpxPackage fs = NpxPackage.of(List.of("npx", "-y", "@modelcontextprotocol/server-filesystem", "/home/ann/notes"))
                .orElseThrow();
        assertEquals("@modelcontextprotocol/server-filesystem", fs.name());
        assertEquals(java.util.Optional.empty(), fs.exactSpec(), "no version: npm resolves it at import");
        assertEquals("@modelcontextprotocol/server-filesystem", fs.query());
        assertEquals(List.of("/home/ann/notes"), fs.args());
        NpxPackage pinned = NpxPackage.of(List.of("/usr/bin/npx", "--yes", "server-memory@2026.8.31")).orElseThrow();
        assertEquals(java.util.Optional.of("server-memory@2026.8.31"), pinned.exactSpec());
        NpxPackage range = NpxPackage.of(List.of("npx", "-y", "@upstash/context7-mcp@^1.0", "--transport", "stdio"))
                .orElseThrow();
        assertEquals(java.util.Optional.empty(), range.exactSpec());
        assertEquals("@upstash/context7-mcp@^1.0", range.query());
        assertEquals(List.of("--transport", "stdio"), range.args());
        for (List<String> other : List.of(List.of("node", "server.js"), List.of("npx", "-p", "pkg", "bin"),
                List.of("npx", "./local-server"), List.of("npx", "-y"), List.of("npx", "pkg@"),
                List.of("npx", "https://example.com/pkg.tgz"))) {
            assertTrue(NpxPackage.of(other).isEmpty(), other.toString());
        }
    }
}
