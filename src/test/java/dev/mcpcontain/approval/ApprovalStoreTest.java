package dev.mcpcontain.approval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Remembered approvals: keyed by client, server, tool and definition; private; symlinks never followed. */
class ApprovalStoreTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    @Test
    void aDecisionHoldsForItsClientServerToolAndDefinitionOnly() {
        ApprovalStore store = new ApprovalStore(temp.resolve("config/approvals.json"));
        store.put("claude", "fs", "write_file", "h1", Approval.ALLOW, "command");
        assertTrue(store.find("claude", "fs", "write_file", "h1").isPresent());
        assertFalse(store.find("other", "fs", "write_file", "h1").isPresent(), "another client");
        assertFalse(store.find("claude", "fs2", "write_file", "h1").isPresent(), "another server");
        assertFalse(store.find("claude", "fs", "read_file", "h1").isPresent(), "another tool");
        assertFalse(store.find("claude", "fs", "write_file", "h2").isPresent(), "a changed definition");
        store.put(StoredDecision.ANY_CLIENT, "fs", "write_file", "h1", Approval.DENY, "command");
        assertEquals(Approval.DENY, store.find("claude", "fs", "write_file", "h1").orElseThrow().decision(),
                "a deny wins over an allow");
        assertEquals(2, store.revoke(null, "fs", "write_file"));
        assertTrue(store.list().isEmpty());
    }

    @Test
    void theFileIsOwnerOnlyAndASymlinkInItsPlaceIsNeitherReadNorFollowed() throws Exception {
        Path config = Files.createDirectories(temp.resolve("config"));
        Path file = config.resolve("approvals.json");
        ApprovalStore store = new ApprovalStore(file);
        store.put("c", "s", "t", "h", Approval.ALLOW, "command");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        // A planted link to decisions elsewhere: refused, and the target is never written.
        Path victim = Files.writeString(temp.resolve("victim"), "{\"decisions\":[]}");
        Files.delete(file);
        Files.createSymbolicLink(file, victim);
        String message = assertThrows(ApprovalException.class,
                () -> store.put("c", "s", "t", "h", Approval.ALLOW, "command")).getMessage();
        assertTrue(message.contains("is a symbolic link"), message);
        assertEquals("{\"decisions\":[]}", Files.readString(victim));
        assertTrue(Files.isSymbolicLink(file));
    }

    @Test
    void aDamagedFileIsAnErrorNeverNoDecisions() throws Exception {
        Path file = Files.writeString(Files.createDirectories(temp.resolve("c")).resolve("approvals.json"),
                "{\"decisions\": [{\"client\":\"c\",\"bogus\":1}]}");
        String message = assertThrows(ApprovalException.class, () -> new ApprovalStore(file).list()).getMessage();
        assertTrue(message.startsWith(file + ": damaged approvals file"), message);
    }

    @Test
    void theDefinitionHashIgnoresMemberOrderButNothingElse() throws Exception {
        String a = ApprovalStore.definitionHash(JSON.readTree("{\"name\":\"t\",\"inputSchema\":{\"type\":\"object\",\"x\":1}}"));
        String b = ApprovalStore.definitionHash(JSON.readTree("{\"inputSchema\":{\"x\":1,\"type\":\"object\"},\"name\":\"t\"}"));
        String c = ApprovalStore.definitionHash(JSON.readTree("{\"name\":\"t\",\"description\":\"d\",\"inputSchema\":{\"type\":\"object\",\"x\":1}}"));
        assertEquals(a, b);
        assertNotEquals(a, c);
        assertEquals(64, a.length());
    }
}
