package dev.mcpcontain.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpcontain.consent.FolderRequest;
import dev.mcpcontain.profile.KnownFolder;
import dev.mcpcontain.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestLaunchTest {

    @TempDir
    Path temp;

    private ManifestLaunch.Context context(String platform) {
        return new ManifestLaunch.Context(temp.resolve("home"), temp.resolve("work"),
                folder -> temp.resolve("home").resolve(folder == KnownFolder.DOCUMENTS ? "Dokumente" : folder.defaultDirectory()),
                platform);
    }

    private Manifest fixture() {
        return ManifestLoader.load(Fixtures.copy(Fixtures.MANIFEST, temp.resolve("bundle")));
    }

    @Test
    void theFixtureRunsItsEntryPointWithEachAllowedDirectoryAsAnArgument() throws Exception {
        Manifest manifest = fixture();
        ManifestLaunch launch = ManifestLaunch.resolve(manifest, Map.of("allowed_directories", List.of("/srv/a", "rel")),
                context("linux"));
        Path bundle = temp.resolve("bundle").toRealPath();
        assertEquals(List.of("node", bundle + "/dist/index.js", "/srv/a", temp.resolve("work/rel").toString()),
                launch.command());
        assertEquals(List.of(new FolderRequest(Path.of("/srv/a"), "user_config.allowed_directories", true),
                new FolderRequest(temp.resolve("work/rel"), "user_config.allowed_directories", true)), launch.folders());
        assertEquals("secure-filesystem-server", launch.serverName());
    }

    @Test
    void defaultsUseTheUsersFoldersAndBecomeFolderRequests() {
        ManifestLaunch launch = ManifestLaunch.resolve(fixture(), Map.of(), context("linux"));
        Path desktop = temp.resolve("home/Desktop");
        assertEquals(desktop.toString(), launch.command().get(2));
        assertEquals(List.of(new FolderRequest(desktop, "user_config.allowed_directories", true)), launch.folders());
    }

    @Test
    void variablesPlatformOverridesSensitiveValuesAndFolderVariablesInArguments() throws Exception {
        Path file = temp.resolve("bundle/manifest.json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, """
                {"manifest_version": "0.3", "name": "Notes Server!", "version": "1.0.0", "description": "d",
                 "author": {"name": "a"},
                 "server": {"type": "node", "entry_point": "server.js", "mcp_config": {
                   "command": "node", "args": ["${__dirname}${/}server.js", "--notes=${DOCUMENTS}/notes"],
                   "env": {"NOTES_KEY": "k-${user_config.key}", "LIMIT": "${user_config.limit}"},
                   "platform_overrides": {"win32": {"command": "node.exe"}}}},
                 "user_config": {
                   "key": {"type": "string", "title": "Key", "description": "d", "sensitive": true, "required": true},
                   "limit": {"type": "number", "title": "Limit", "description": "d", "min": 1, "max": 10, "default": 5}}}
                """);
        Manifest manifest = ManifestLoader.load(file);
        ManifestLaunch launch = ManifestLaunch.resolve(manifest, Map.of("key", List.of("s3cret")), context("linux"));
        Path bundle = file.getParent().toRealPath();
        assertEquals(List.of("node", bundle + "/server.js", "--notes=" + temp.resolve("home/Dokumente/notes")),
                launch.command());
        assertEquals(List.of("NOTES_KEY=k-s3cret", "LIMIT=5"), launch.env());
        assertEquals(java.util.Set.of("NOTES_KEY"), launch.sensitiveEnv());
        assertEquals(List.of(new FolderRequest(temp.resolve("home/Dokumente/notes"), "server.mcp_config.args[1]", true)),
                launch.folders());
        assertEquals("notes-server", launch.serverName());
        assertEquals("node.exe", ManifestLaunch.resolve(manifest, Map.of("key", List.of("x")), context("win32")).command().get(0));

        ManifestException missing = assertThrows(ManifestException.class,
                () -> ManifestLaunch.resolve(manifest, Map.of(), context("linux")));
        assertEquals(bundle.resolve("manifest.json") + ": $.user_config.key: 'Key' is required and has no default:"
                + " pass --user-config key=VALUE", missing.getMessage());
        ManifestException range = assertThrows(ManifestException.class, () -> ManifestLaunch.resolve(manifest,
                Map.of("key", List.of("x"), "limit", List.of("11")), context("linux")));
        assertTrue(range.getMessage().startsWith("--user-config limit=11: 11 is outside 1.0..10.0"), range.getMessage());
        ManifestException unknown = assertThrows(ManifestException.class, () -> ManifestLaunch.resolve(manifest,
                Map.of("key", List.of("x"), "colour", List.of("red")), context("linux")));
        assertTrue(unknown.getMessage().contains("has no user_config option 'colour' (it has: key, limit)"));
    }

    @Test
    void serverNamesFollowTheIdentityRules() {
        assertEquals("secure-filesystem-server", ManifestLaunch.serverName("secure-filesystem-server"));
        assertEquals("my-server-v2", ManifestLaunch.serverName("  My Server (v2) "));
        assertEquals("server", ManifestLaunch.serverName("!!!"));
        new ObjectMapper();
    }
}
