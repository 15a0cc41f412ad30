package dev.mcpcontain.hosts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpcontain.registry.RegistryException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a host's file, splicing entries into it, and replacing it with a backup. */
class HostConfigFileTest {

    @TempDir
    Path temp;

    private HostFixtures fx;

    @BeforeEach
    void fixtures() throws Exception {
        fx = new HostFixtures(temp);
    }

    private static ObjectNode json(String text) throws Exception {
        return (ObjectNode) HostConfigFile.JSON.readTree(text);
    }

    private static ObjectNode entry(String name) throws Exception {
        return json("{\"command\":\"/usr/local/bin/mcp-contain\",\"args\":[\"run\",\"" + name + "\"]}");
    }

    @Test
    void replacingAnEntryKeepsEveryOtherByteAndEveryOtherKey() throws Exception {
        Path file = fx.write("claude_desktop_config.json", temp.resolve("claude_desktop_config.json"));
        HostConfigFile config = HostConfigFile.read(file, false);
        String before = config.text();
        String after = config.replacing(Map.of("/mcpServers/filesystem", entry("filesystem")));

        ObjectNode expected = config.root().deepCopy();
        ((ObjectNode) expected.get("mcpServers")).set("filesystem", entry("filesystem"));
        assertEquals(expected, json(after), "the tree is the original with that one entry replaced");
        int start = before.indexOf("\"filesystem\": {") + "\"filesystem\": ".length();
        int end = before.indexOf("\"github\"");
        assertEquals(before.substring(0, start), after.substring(0, start), "everything before the entry, byte for byte");
        assertTrue(after.endsWith(before.substring(before.lastIndexOf("},\n    \"github\"") + 1)),
                "everything after it, byte for byte (inline arrays included)");
        assertEquals("""
                {
                      "command": "/usr/local/bin/mcp-contain",
                      "args": [
                        "run",
                        "filesystem"
                      ]
                    }""", after.substring(start, after.indexOf("\"github\"") - ",\n    ".length()));
        assertTrue(end > start);
    }

    @Test
    void tabsAndOneLineFilesKeepTheirLayout() throws Exception {
        Path tabs = fx.write("vscode-workspace-mcp.json", temp.resolve(".vscode/mcp.json"));
        String tabbed = HostConfigFile.read(tabs, false).replacing(Map.of("/servers/perplexity", entry("perplexity")));
        assertTrue(tabbed.contains("\t\t\"perplexity\": {\n\t\t\t\"command\": \"/usr/local/bin/mcp-contain\",\n"
                + "\t\t\t\"args\": [\n\t\t\t\t\"run\",\n\t\t\t\t\"perplexity\"\n\t\t\t]\n\t\t},"), tabbed);
        Path line = fx.write("cursor-mcp.json", temp.resolve("cursor.json"));
        String oneLine = HostConfigFile.read(line, false).replacing(Map.of("/mcpServers/memory", entry("memory")));
        assertEquals(Files.readString(line).replaceFirst("\\{\"command\":\"node\",\"args\":\\[\"[^\"]*\"\\],\"env\":"
                + "\\{\"MEMORY_FILE_PATH\":\"[^\"]*\"\\}\\}",
                "{\"command\":\"/usr/local/bin/mcp-contain\",\"args\":[\"run\",\"memory\"]}"), oneLine);
    }

    @Test
    void addingGoesAfterTheLastEntryOrIntoAnEmptyObjectOrANewKeyOrANewFile() throws Exception {
        Map<String, JsonNode> two = new LinkedHashMap<>();
        two.put("notes", entry("notes"));
        two.put("memory", entry("memory"));

        Path existing = fx.write("claude_desktop_config.json", temp.resolve("a.json"));
        HostConfigFile a = HostConfigFile.read(existing, false);
        String added = a.adding("mcpServers", two);
        ObjectNode expected = a.root().deepCopy();
        ((ObjectNode) expected.get("mcpServers")).setAll(Map.of("notes", entry("notes"), "memory", entry("memory")));
        assertEquals(expected, json(added));
        assertTrue(added.startsWith(a.text().substring(0, a.text().indexOf("\n  },\n  \"globalShortcut\""))),
                "everything up to the last entry is unchanged");
        assertTrue(added.contains("\n    },\n    \"notes\": {\n      \"command\""), added);

        Path empty = Files.writeString(temp.resolve("b.json"), "{\n    \"servers\": {},\n    \"inputs\": []\n}\n");
        assertEquals("{\n    \"servers\": {\n        \"notes\": {\n            \"command\": \"/usr/local/bin/mcp-contain\",\n"
                + "            \"args\": [\n                \"run\",\n                \"notes\"\n            ]\n        }\n"
                + "    },\n    \"inputs\": []\n}\n",
                HostConfigFile.read(empty, false).adding("servers", Map.of("notes", entry("notes"))));

        Path noKey = Files.writeString(temp.resolve("c.json"), "{\n  \"theme\": \"dark\"\n}");
        assertEquals("{\n  \"theme\": \"dark\",\n  \"mcpServers\": {\n    \"notes\": {\n      \"command\": "
                + "\"/usr/local/bin/mcp-contain\",\n      \"args\": [\n        \"run\",\n        \"notes\"\n      ]\n"
                + "    }\n  }\n}", HostConfigFile.read(noKey, false).adding("mcpServers", Map.of("notes", entry("notes"))));

        HostConfigFile missing = HostConfigFile.read(temp.resolve("new/d.json"), true);
        assertFalse(missing.exists());
        assertEquals("{\n  \"mcpServers\": {\n    \"notes\": {\n      \"command\": \"/usr/local/bin/mcp-contain\",\n"
                + "      \"args\": [\n        \"run\",\n        \"notes\"\n      ]\n    }\n  }\n}\n",
                missing.adding("mcpServers", Map.of("notes", entry("notes"))));

        Path oneLine = Files.writeString(temp.resolve("e.json"), "{\"mcpServers\":{\"x\":{\"url\":\"http://127.0.0.1:1/\"}}}");
        assertEquals("{\"mcpServers\":{\"x\":{\"url\":\"http://127.0.0.1:1/\"},\"notes\":{\"command\":"
                + "\"/usr/local/bin/mcp-contain\",\"args\":[\"run\",\"notes\"]}}}",
                HostConfigFile.read(oneLine, false).adding("mcpServers", Map.of("notes", entry("notes"))));
    }

    @Test
    void badFilesAreOneLineErrorsNamingTheFileAndThePlace() throws Exception {
        Path bad = Files.writeString(temp.resolve("bad.json"), "{\n  \"mcpServers\": {\n    \"a\": {\"command\": \"x\",}\n  }\n}");
        RegistryException e = assertThrows(RegistryException.class, () -> HostConfigFile.read(bad, false));
        assertTrue(e.getMessage().startsWith(bad + ": line 3, column "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());

        Path comments = Files.writeString(temp.resolve("comments.json"), "{\n  // my servers\n  \"servers\": {}\n}");
        String c = assertThrows(RegistryException.class, () -> HostConfigFile.read(comments, false)).getMessage();
        assertTrue(c.startsWith(comments + ": line 2, column ") && c.contains("comments would be lost"), c);

        Path duplicate = Files.writeString(temp.resolve("dup.json"), "{\"mcpServers\": {}, \"mcpServers\": {}}");
        assertTrue(assertThrows(RegistryException.class, () -> HostConfigFile.read(duplicate, false)).getMessage()
                .contains("Duplicate field 'mcpServers'"));

        Path array = Files.writeString(temp.resolve("array.json"), "[]");
        assertEquals(array + ": expected a JSON object at the top level",
                assertThrows(RegistryException.class, () -> HostConfigFile.read(array, false)).getMessage());
        Path none = temp.resolve("none.json");
        assertEquals(none + ": no such file",
                assertThrows(RegistryException.class, () -> HostConfigFile.read(none, false)).getMessage());
        Path servers = Files.writeString(temp.resolve("servers.json"), "{\"mcpServers\": [1]}");
        assertThrows(RegistryException.class, () -> ServerSlot.all(Host.CURSOR,
                HostConfigFile.read(servers, false).root(), servers));
    }

    @Test
    void replacingBacksUpReadableByTheOwnerOnlyThenRenames() throws Exception {
        Path file = fx.write("claude.json", temp.resolve(".claude.json"));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        byte[] original = Files.readAllBytes(file);
        HostConfigFile config = HostConfigFile.read(file, false);
        String text = config.replacing(Map.of("/mcpServers/filesystem", entry("filesystem")));
        Path backup = config.replace(text, Instant.parse("2026-12-02T11:22:33Z"));
        assertEquals(temp.resolve(".claude.json.mcp-contain-20261202T112233Z.bak"), backup);
        assertArrayEquals(original, Files.readAllBytes(backup));
        // The backup may hold the secrets the import moved out: the owner's bits only. The new file keeps the
        // original's mode (the positive control: the same mode reaches the file the host reads).
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(backup)));
        assertEquals(text, Files.readString(file));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        // A second change within the same second does not overwrite the first backup.
        HostConfigFile again = HostConfigFile.read(file, false);
        Path second = again.replace(again.text() + " ", Instant.parse("2026-12-02T11:22:33Z"));
        assertEquals(temp.resolve(".claude.json.mcp-contain-20261202T112233Z-1.bak"), second);
        assertEquals(text, Files.readString(second));
    }

    @Test
    void aWorldReadableFileWithASecretIsBackedUpPrivately() throws Exception {
        Path file = temp.resolve("world/claude_desktop_config.json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "{\"mcpServers\": {\"fs\": {\"command\": \"/bin/cat\", \"env\": {\"API_TOKEN\":"
                + " \"sk-live-123\"}}}}\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxrw-r--"));
        HostConfigFile config = HostConfigFile.read(file, false);
        Path backup = config.replace(config.replacing(Map.of("/mcpServers/fs", entry("fs"))), Instant.now());
        assertTrue(Files.readString(backup).contains("sk-live-123"), "the backup is the original");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(backup)));
        assertEquals("rwxrw-r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    /**
     * {@code --config} naming a device, a fifo or a huge file: one-line refusals, never a hang or an out-of-memory
     * stack trace. A regular file just under the limit (positive control) is read.
     */
    @Test
    void devicesFifosAndHugeFilesAreRefusedWithoutReadingThem() throws Exception {
        RegistryException device = assertThrows(RegistryException.class,
                () -> HostConfigFile.read(Path.of("/dev/zero"), false));
        assertEquals("/dev/zero: not a regular file (a folder, device or fifo); nothing was changed",
                device.getMessage());
        Path fifo = temp.resolve("mcp.json");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertEquals(0, mkfifo.waitFor());
        RegistryException pipe = assertThrows(RegistryException.class, () -> HostConfigFile.read(fifo, false));
        assertTrue(pipe.getMessage().endsWith(": not a regular file (a folder, device or fifo); nothing was changed"));

        Path huge = temp.resolve("huge.json");
        byte[] padding = new byte[HostConfigFile.MAX_SIZE - 20];
        java.util.Arrays.fill(padding, (byte) ' ');
        Files.write(huge, padding);
        Files.write(huge, "{\"mcpServers\": {}}\n".getBytes(StandardCharsets.UTF_8),
                java.nio.file.StandardOpenOption.APPEND);
        assertTrue(HostConfigFile.read(huge, false).root().has("mcpServers"));
        Files.write(huge, new byte[] {' ', ' '}, java.nio.file.StandardOpenOption.APPEND);
        RegistryException big = assertThrows(RegistryException.class, () -> HostConfigFile.read(huge, false));
        assertEquals(huge + ": larger than 64 MiB, too large for a host configuration; nothing was changed",
                big.getMessage());
    }

    @Test
    void aFileTheHostChangedMeanwhileIsLeftAsTheHostWroteIt() throws Exception {
        Path file = fx.write("claude.json", temp.resolve(".claude.json"));
        HostConfigFile config = HostConfigFile.read(file, false);
        String text = config.replacing(Map.of("/mcpServers/filesystem", entry("filesystem")));
        String host = Files.readString(file).replace("\"numStartups\": 42", "\"numStartups\": 43");
        Files.writeString(file, host);
        RegistryException e = assertThrows(RegistryException.class, () -> config.replace(text, Instant.now()));
        assertTrue(e.getMessage().contains("changed while mcp-contain was editing it"), e.getMessage());
        assertEquals(host, Files.readString(file));
        try (var files = Files.list(temp)) {
            assertEquals(0, files.filter(p -> p.getFileName().toString().contains(".bak")
                    || p.getFileName().toString().endsWith(".tmp")).count(), "no backup, no temporary file left");
        }
    }

    @Test
    void aSymlinkedFileIsWrittenWhereItPointsAndTheLinkStays() throws Exception {
        Path real = fx.write("cursor-mcp.json", temp.resolve("dotfiles/cursor/mcp.json"));
        Path link = Files.createDirectories(temp.resolve("home2/.cursor")).resolve("mcp.json");
        Files.createSymbolicLink(link, real);
        HostConfigFile config = HostConfigFile.read(link, false);
        Path backup = config.replace(config.replacing(Map.of("/mcpServers/memory", entry("memory"))), Instant.now());
        assertTrue(Files.isSymbolicLink(link));
        assertEquals(real.getParent(), backup.getParent());
        assertTrue(Files.readString(real).contains("[\"run\",\"memory\"]"));
    }

    @Test
    void aNewFileIsPrivate() throws Exception {
        HostConfigFile config = HostConfigFile.read(temp.resolve("new/.cursor/mcp.json"), true);
        assertNull(config.replace(config.adding("mcpServers", Map.of("notes", entry("notes"))), Instant.now()));
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(temp.resolve("new/.cursor/mcp.json"))));
    }
}
