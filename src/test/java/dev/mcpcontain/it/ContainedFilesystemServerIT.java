package dev.mcpcontain.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import dev.mcpcontain.testing.TestServers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real @modelcontextprotocol/server-filesystem from npm, bare and contained, spoken to with the same bytes:
 * the protocol is untouched (identical initialize and tools/list lines, the 13 KB one included), the granted
 * folder works, and what lies outside it is gone for the contained server while the bare one reads it.
 */
class ContainedFilesystemServerIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path temp;

    private Path granted;
    private Path readOnly;
    private Path secret;

    @BeforeEach
    void folders() throws IOException {
        // World-traversable, so the agent account (root launches) and the test user reach them through the binds.
        Path base = Files.createDirectories(temp.resolve("fs"));
        for (Path p : List.of(temp, base)) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        granted = Files.createDirectories(base.resolve("granted"));
        readOnly = Files.createDirectories(base.resolve("readonly"));
        secret = Files.createDirectories(base.resolve("secret"));
        Files.writeString(granted.resolve("a.txt"), "hello from the grant\n");
        Files.writeString(readOnly.resolve("r.txt"), "read only\n");
        Files.writeString(secret.resolve("id_rsa"), "-----BEGIN FAKE KEY-----\n");
    }

    private List<String> bare(String... serverArgs) {
        List<String> command = new ArrayList<>(List.of(TestServers.node(), TestServers.filesystem().toString()));
        command.addAll(List.of(serverArgs));
        return command;
    }

    private List<String> contained(List<String> launcherArgs, String... serverArgs) {
        List<String> command = new ArrayList<>(List.of(launcherScript().toString(), "run"));
        command.addAll(launcherArgs);
        command.add("--");
        command.addAll(bare(serverArgs));
        return command;
    }

    /** The launcher script of this checkout, so the exec hand-off to the native supervisor is what runs. */
    private static Path launcherScript() {
        Path script = TestServers.PROJECT.resolve("scripts/mcp-contain");
        assertTrue(Files.isDirectory(TestServers.PROJECT.resolve("target/lib")), "build first: mvn package");
        return script;
    }

    /** Agent homes and pins in this test's folder, not ~/.local/share/mcp-contain or /var/lib/mcp-contain. */
    private Map<String, String> privateState() {
        return Map.of(dev.mcpcontain.policy.HostEnvironment.STATE_DIR_VARIABLE, temp.resolve("state").toString());
    }

    private List<String> handshake(List<String> command) throws Exception {
        try (StdioSession s = new StdioSession(command, privateState(), temp)) {
            s.send(StdioSession.initialize(1));
            s.send(StdioSession.initialized());
            s.send(StdioSession.toolsList(2));
            List<String> lines = List.of(s.await(1, TIMEOUT), s.await(2, TIMEOUT));
            assertEquals(0, s.finish(), "exit code after stdin EOF; stderr:\n" + s.stderr());
            return lines;
        }
    }

    @Test
    void initializeAndToolsListAreByteIdenticalToBare() throws Exception {
        List<String> bare = handshake(bare(granted.toString()));
        List<String> contained = handshake(contained(List.of("--grant", granted.toString()), granted.toString()));
        assertTrue(bare.equals(contained), "contained answers differ from bare ones:\n" + contained + "\nvs\n" + bare);
        assertTrue(contained.get(1).length() > 10_000, "the large tools/list line passed whole");
        // The recorded fixture came from the same release; its serialisation may differ with the resolved
        // dependencies, but the tools it lists must be these.
        List<String> golden = dev.mcpcontain.testing.Fixtures.lines(dev.mcpcontain.testing.Fixtures.RESPONSES);
        List<String> expected = toolNames(golden.get(1));
        assertTrue(expected.size() > 5, "the fixture lists the server's tools: " + expected);
        assertEquals(expected, toolNames(contained.get(1)));
    }

    private static List<String> toolNames(String toolsListLine) {
        List<String> names = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{\"name\":\"([a-z_]+)\"").matcher(toolsListLine);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    @Test
    void readsTheGrantAndNothingOutsideItEvenWhenTheServerAllowsEverything() throws Exception {
        // The server is told "/" is allowed, so its own path check never intervenes: only containment does.
        String readGranted = StdioSession.call(3, "read_text_file", "{\"path\":\"" + granted.resolve("a.txt") + "\"}");
        String readSecret = StdioSession.call(4, "read_text_file", "{\"path\":\"" + secret.resolve("id_rsa") + "\"}");
        String readShadow = StdioSession.call(5, "read_text_file", "{\"path\":\"/etc/shadow\"}");
        String writeGranted = StdioSession.call(6, "write_file", "{\"path\":\"" + granted.resolve("new.txt") + "\",\"content\":\"written inside\"}");
        String writeReadOnly = StdioSession.call(7, "write_file", "{\"path\":\"" + readOnly.resolve("x.txt") + "\",\"content\":\"x\"}");

        try (StdioSession bare = new StdioSession(bare("/"), Map.of(), temp)) {
            bare.send(StdioSession.initialize(1));
            bare.send(readSecret);
            assertTrue(bare.await(4, TIMEOUT).contains("BEGIN FAKE KEY"), "positive control: the bare server reads it");
            bare.finish();
        }

        List<String> args = List.of("--grant", granted + ":rw", "--grant", readOnly + ":ro");
        try (StdioSession s = new StdioSession(contained(args, "/"), privateState(), temp)) {
            s.send(StdioSession.initialize(1));
            s.send(StdioSession.initialized());
            for (String request : List.of(readGranted, readSecret, readShadow, writeGranted, writeReadOnly)) {
                s.send(request);
            }
            assertTrue(s.await(3, TIMEOUT).contains("hello from the grant"));
            String secretAnswer = s.await(4, TIMEOUT);
            assertTrue(secretAnswer.contains("ENOENT: no such file or directory, open '" + secret.resolve("id_rsa") + "'"), secretAnswer);
            assertFalse(secretAnswer.contains("BEGIN FAKE KEY"));
            String shadow = s.await(5, TIMEOUT);
            assertTrue(shadow.contains("EACCES: permission denied, open '/etc/shadow'"), shadow);
            assertTrue(s.await(6, TIMEOUT).contains("Successfully wrote to " + granted.resolve("new.txt")));
            String readOnlyAnswer = s.await(7, TIMEOUT);
            assertTrue(readOnlyAnswer.contains("EROFS: read-only file system"), readOnlyAnswer);
            assertEquals(0, s.finish(), s.stderr());
        }
        assertEquals("written inside", Files.readString(granted.resolve("new.txt")));
        assertFalse(Files.exists(readOnly.resolve("x.txt")));
    }
}
