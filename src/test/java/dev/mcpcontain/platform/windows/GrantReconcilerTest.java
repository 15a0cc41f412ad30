package dev.mcpcontain.platform.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GrantReconcilerTest {

    static final Sid AC_A = CapabilitySids.appContainer("mcp-contain.a");
    static final Sid AC_B = CapabilitySids.appContainer("mcp-contain.b");
    static final Sid AGENT = Sid.parse("S-1-5-21-1-2-3-1001");

    @TempDir
    Path dir;

    /** Records the DACL edits; a path in {@code missing} behaves like a deleted folder. */
    static final class RecordingAclEditor implements AclEditor {
        final List<String> calls = new ArrayList<>();
        final List<String> missing = new ArrayList<>();
        RuntimeException failOnApply;

        @Override
        public void apply(AceSpec ace) {
            calls.add((ace.deny() ? "deny " : "grant ") + ace.path() + " " + ace.trustee());
            if (failOnApply != null) {
                throw failOnApply;
            }
        }

        @Override
        public boolean revoke(String path, Sid trustee) {
            calls.add("revoke " + path + " " + trustee);
            return !missing.contains(path);
        }
    }

    private final RecordingAclEditor editor = new RecordingAclEditor();

    private GrantReconciler reconciler() {
        return new GrantReconciler(AclLedger.in(dir), editor, Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));
    }

    static AceSpec allow(String path, Sid sid, int mask) {
        return new AceSpec(path, sid, false, mask, AceSpec.INHERIT_TO_CHILDREN, "test");
    }

    @Test
    void firstRunRecordsThenAppliesEveryEntry() throws IOException {
        var result = reconciler().reconcile("a", List.of(allow("C:\\Docs", AC_A, AceSpec.MODIFY), allow("C:\\Data", AC_A, AceSpec.READ_EXECUTE)));
        assertEquals(List.of("grant C:\\Docs " + AC_A, "grant C:\\Data " + AC_A), editor.calls);
        assertEquals(2, result.applied().size());
        List<AclLedger.Entry> entries = AclLedger.in(dir).entries();
        assertEquals(2, entries.size());
        assertEquals("a", entries.get(0).serverId());
        assertEquals(AC_A.toString(), entries.get(0).trustee());
        assertEquals("2026-01-01T00:00:00Z", entries.get(0).recordedAt());
    }

    @Test
    void unchangedGrantsAreNotTouchedAgain() throws IOException {
        List<AceSpec> grants = List.of(allow("C:\\Docs", AC_A, AceSpec.MODIFY));
        reconciler().reconcile("a", grants);
        editor.calls.clear();
        var result = reconciler().reconcile("a", grants);
        assertEquals(List.of(), editor.calls);
        assertEquals(grants, result.kept());
    }

    @Test
    void aGrantDroppedFromThePolicyIsRevokedOnTheNextLaunch() throws IOException {
        reconciler().reconcile("a", List.of(allow("C:\\Docs", AC_A, AceSpec.MODIFY), allow("C:\\Data", AC_A, AceSpec.READ_EXECUTE)));
        editor.calls.clear();
        reconciler().reconcile("a", List.of(allow("C:\\Data", AC_A, AceSpec.READ_EXECUTE)));
        assertEquals(List.of("revoke C:\\Docs " + AC_A), editor.calls);
        assertEquals(List.of("C:\\Data"), AclLedger.in(dir).entries().stream().map(AclLedger.Entry::path).toList());
    }

    @Test
    void narrowedAccessIsRevokedThenGrantedAgain() throws IOException {
        reconciler().reconcile("a", List.of(allow("C:\\Docs", AC_A, AceSpec.MODIFY)));
        editor.calls.clear();
        reconciler().reconcile("a", List.of(allow("c:\\docs", AC_A, AceSpec.READ_EXECUTE)));
        assertEquals(List.of("revoke C:\\Docs " + AC_A, "grant c:\\docs " + AC_A), editor.calls);
        assertEquals(AceSpec.READ_EXECUTE, AclLedger.in(dir).entries().get(0).accessMask());
    }

    @Test
    void otherServersEntriesAreLeftAloneAndSharedTrusteesRestored() throws IOException {
        reconciler().reconcile("a", List.of(allow("C:\\Docs", AC_A, AceSpec.MODIFY), allow("C:\\Docs", AGENT, AceSpec.MODIFY)));
        reconciler().reconcile("b", List.of(allow("C:\\Docs", AC_B, AceSpec.READ_EXECUTE), allow("C:\\Docs", AGENT, AceSpec.READ_EXECUTE)));
        editor.calls.clear();
        reconciler().reconcile("a", List.of());
        // REVOKE_ACCESS on the agent SID also removed b's entry, so b's is put back.
        assertEquals(List.of("revoke C:\\Docs " + AC_A, "revoke C:\\Docs " + AGENT, "grant C:\\Docs " + AGENT), editor.calls);
        assertEquals(List.of("b", "b"), AclLedger.in(dir).entries().stream().map(AclLedger.Entry::serverId).toList());
    }

    @Test
    void revokeAllListsByServerAndForgetsDeletedFolders() throws IOException {
        reconciler().reconcile("a", List.of(allow("C:\\Docs", AC_A, AceSpec.MODIFY)));
        reconciler().reconcile("b", List.of(allow("C:\\Gone", AC_B, AceSpec.MODIFY)));
        editor.calls.clear();
        editor.missing.add("C:\\Gone");
        assertEquals(1, reconciler().revokeAll(Optional.of("b")));
        assertEquals(List.of("revoke C:\\Gone " + AC_B), editor.calls);
        assertEquals(1, reconciler().revokeAll(Optional.empty()));
        assertEquals(List.of(), AclLedger.in(dir).entries());
    }

    @Test
    void entryIsRecordedBeforeItsAceIsApplied() throws IOException {
        editor.failOnApply = new IllegalStateException("SetNamedSecurityInfoW failed");
        assertThrows(IllegalStateException.class, () -> reconciler().reconcile("a", List.of(allow("C:\\Docs", AC_A, AceSpec.MODIFY))));
        assertEquals(1, AclLedger.in(dir).entries().size(), "a half-applied grant stays revocable");
    }

    @Test
    void corruptLedgerIsReportedWithItsPath() throws IOException {
        Files.writeString(dir.resolve(AclLedger.FILE_NAME), "{\"version\":1,\"entries\":[{\"serverId\":\"a\"}]}");
        IOException e = assertThrows(IOException.class, () -> AclLedger.in(dir).entries());
        assertTrue(e.getMessage().contains(AclLedger.FILE_NAME), e.getMessage());
    }
}
