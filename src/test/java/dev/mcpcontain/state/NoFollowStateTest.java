package dev.mcpcontain.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcpcontain.audit.AuditLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's own state (pins, consents, the audit log) is never written through a link: a server with a
 * writable grant of the user's config folder could plant one and have the launcher (maybe root) write elsewhere.
 */
@EnabledOnOs(OS.LINUX)
class NoFollowStateTest {

    @TempDir
    Path temp;

    @Test
    void aLinkedStateDirectoryIsRefusedAndItsTargetStaysEmpty() throws IOException {
        Path victim = Files.createDirectory(temp.resolve("victim"));
        Path config = Files.createDirectories(temp.resolve("config/mcp-contain"));
        Files.createSymbolicLink(config.resolve("pins"), victim);
        IOException e = assertThrows(IOException.class,
                () -> PrivateFiles.writeAtomically(config.resolve("pins/srv.json"), new byte[] {'x'}));
        assertTrue(e.getMessage().contains("it is a symbolic link"), e.getMessage());
        try (var files = Files.list(victim)) {
            assertEquals(0, files.count());
        }
    }

    @Test
    void linksAboveOurOwnDirectoryAreTheUsersLayoutAndStay() throws IOException {
        Path real = Files.createDirectories(temp.resolve("dotfiles/config"));
        Path linked = Files.createSymbolicLink(temp.resolve("config"), real);
        PrivateFiles.writeAtomically(linked.resolve("mcp-contain/consents.json"), new byte[] {'{', '}'});
        assertEquals("{}", Files.readString(real.resolve("mcp-contain/consents.json")));
    }

    @Test
    void theAuditLogIsNotOpenedOrChmoddedThroughALink() throws IOException {
        Path victim = Files.writeString(temp.resolve("victim"), "keep\n");
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-r--r--"));
        Path log = Files.createSymbolicLink(temp.resolve("audit.jsonl"), victim);
        IOException e = assertThrows(IOException.class, () -> AuditLog.open(log));
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
        assertEquals("keep\n", Files.readString(victim));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(victim)));
    }

    @Test
    void control_aRealDirectoryIsWritten() throws IOException {
        Path file = temp.resolve("config/mcp-contain/pins/srv.json");
        PrivateFiles.writeAtomically(file, new byte[] {'x'});
        assertEquals("x", Files.readString(file));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
    }
}
