package dev.mcpcontain.platform.windows.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcpcontain.platform.windows.RecordingWin32;
import dev.mcpcontain.platform.windows.plan.AppContainerNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The grant journal against an editor that keeps a real model of the objects' DACLs (the {@link RecordingWin32}
 * behind {@link Win32AclEditor}): what the ledger claims is checked against what the objects hold.
 */
class GrantReconcilerTest {

    static final Sid AC_A = CapabilitySids.appContainer("mcp-contain.a.000000000001");
    static final Sid AC_A2 = CapabilitySids.appContainer("mcp-contain.a.000000000002");
    static final Sid AC_B = CapabilitySids.appContainer("mcp-contain.b.000000000001");
    static final Sid AGENT = Sid.parse("S-1-5-21-1-2-3-1001");

    @TempDir
    Path dir;

    private final RecordingWin32 objects = new RecordingWin32();
    private final AclEditor editor = new Win32AclEditor(objects);
    private final Set<String> liveLaunches = new HashSet<>();

    private GrantReconciler reconciler() {
        return new GrantReconciler(AclLedger.in(dir), editor, Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC),
                lease -> liveLaunches.contains(lease.launchId()));
    }

    private GrantReconciler.Result launch(String server, String identity, String launchId, AceSpec... aces) throws IOException {
        liveLaunches.add(launchId);
        return reconciler().reconcile(server, identity, List.of(aces), new AclLedger.Lease(identity, launchId, 1, ""));
    }

    static AceSpec allow(String path, Sid sid, int mask) {
        return new AceSpec(path, sid, false, mask, AceSpec.INHERIT_TO_CHILDREN, "test");
    }

    static AceSpec deny(String path, Sid sid) {
        return new AceSpec(path, sid, true, AceSpec.WRITE_RIGHTS, AceSpec.INHERIT_TO_CHILDREN, "protected");
    }

    private List<String> aceCalls() {
        return objects.calls.stream().filter(c -> c.startsWith("addAce") || c.startsWith("revokeAces")
                || c.startsWith("setMandatoryLabel") || c.startsWith("removeMandatoryLabel")).toList();
    }

    @Test
    void firstLaunchAppliesReadsBackAndRecordsApplied() throws IOException {
        var result = launch("a", "ac-a", "L1", allow("C:\\Docs", AC_A, AceSpec.MODIFY), allow("C:\\Data", AC_A, AceSpec.READ_EXECUTE));
        assertEquals(2, result.applied().size());
        assertEquals(List.of("addAce(C:\\Docs)", "addAce(C:\\Data)"), aceCalls());
        assertTrue(objects.calls.contains("hasAce(C:\\Docs)"), "every applied entry is read back");
        List<AclLedger.Entry> entries = AclLedger.in(dir).entries();
        assertEquals(List.of(AclLedger.State.APPLIED, AclLedger.State.APPLIED), entries.stream().map(AclLedger.Entry::state).toList());
        assertEquals("ac-a", entries.get(0).identity());
        assertEquals(AC_A.toString(), entries.get(0).trustee());
    }

    @Test
    void unchangedGrantsAreOnlyReadBackNotRewritten() throws IOException {
        launch("a", "ac-a", "L1", allow("C:\\Docs", AC_A, AceSpec.MODIFY));
        objects.calls.clear();
        var result = launch("a", "ac-a", "L2", allow("C:\\Docs", AC_A, AceSpec.MODIFY));
        assertEquals(List.of(), aceCalls(), "no tree rewrite for an unchanged configuration");
        assertEquals(List.of("hasAce(C:\\Docs)"), objects.calls);
        assertEquals(1, result.kept().size());
    }

    /**
     * Issue 13 defect 4: the old ledger recorded the entry, then applied it, and later treated a recorded entry as
     * applied. A crash (here: an edit that did not land) between the two left a deny entry missing for good, so
     * the protected path stayed writable. Now the entry is read back on every launch and applied again.
     */
    @Test
    void aDenyThatNeverLandedIsRepairedOnTheNextLaunch() throws IOException {
        AceSpec grant = allow("C:\\Work", AC_A, AceSpec.MODIFY);
        AceSpec protect = deny("C:\\Work\\.git", AC_A);
        // Simulate the crash window: the ledger says applied, the object does not hold the deny.
        launch("a", "ac-a", "L1", grant, protect);
        objects.aces.removeIf(a -> a.deny());
        assertTrue(objects.canWrite("C:\\Work\\.git\\config", 0x2000, List.of(AC_A)), "the hole the old ledger kept");

        launch("a", "ac-a", "L2", grant, protect);
        assertFalse(objects.canWrite("C:\\Work\\.git\\config", 0x2000, List.of(AC_A)));
        assertTrue(objects.canWrite("C:\\Work\\src\\a.txt", 0x2000, List.of(AC_A)));
    }

    @Test
    void anApplyThatDoesNotStickRefusesTheLaunchAndStaysPending() throws IOException {
        objects.dropNextAce = true;
        IOException e = assertThrows(IOException.class, () -> launch("a", "ac-a", "L1", deny("C:\\Work\\.git", AC_A)));
        assertTrue(e.getMessage().contains("is not on C:\\Work\\.git after it was applied"), e.getMessage());
        assertEquals(List.of(AclLedger.State.PENDING), AclLedger.in(dir).entries().stream().map(AclLedger.Entry::state).toList(),
                "the journal never claims an entry it could not read back");
        launch("a", "ac-a", "L2", deny("C:\\Work\\.git", AC_A));
        assertEquals(List.of(AclLedger.State.APPLIED), AclLedger.in(dir).entries().stream().map(AclLedger.Entry::state).toList());
        assertTrue(objects.hasAce(deny("C:\\Work\\.git", AC_A)));
    }

    @Test
    void aCrashWhileApplyingLeavesAPendingEntryThatIsRevocable() throws IOException {
        objects.failures.put("addAce", 5);
        assertThrows(RuntimeException.class, () -> launch("a", "ac-a", "L1", allow("C:\\Docs", AC_A, AceSpec.MODIFY)));
        objects.failures.clear();
        assertEquals(1, AclLedger.in(dir).entries().size(), "a half-applied grant stays revocable");
        assertEquals(1, reconciler().revokeAll(Optional.of("a")));
        assertEquals(List.of(), AclLedger.in(dir).entries());
    }

    /**
     * Issue 13 defect 5: one identity per server id meant two configurations (or hosts) of one server shared a SID;
     * each launch revoked the other's grants. Now each configuration has its own identity, and one that a running
     * launch holds is never retired.
     */
    @Test
    void concurrentConfigurationsOfOneServerDoNotRevokeEachOther() throws IOException {
        launch("a", "ac-a1", "L1", allow("C:\\Docs", AC_A, AceSpec.MODIFY));
        launch("a", "ac-a2", "L2", allow("C:\\Other", AC_A2, AceSpec.READ_EXECUTE));
        assertTrue(objects.canWrite("C:\\Docs\\x", 0x2000, List.of(AC_A)), "L1's grant survives L2's launch");
        assertTrue(objects.hasAce(allow("C:\\Other", AC_A2, AceSpec.READ_EXECUTE)));

        liveLaunches.remove("L1");
        var result = launch("a", "ac-a2", "L3", allow("C:\\Other", AC_A2, AceSpec.READ_EXECUTE));
        assertEquals(List.of("ac-a1"), result.retired(), "an unheld configuration is retired, its profile to delete");
        assertFalse(objects.canWrite("C:\\Docs\\x", 0x2000, List.of(AC_A)));
        assertEquals(List.of("ac-a2"), AclLedger.in(dir).entries().stream().map(AclLedger.Entry::identity).toList());
    }

    @Test
    void releaseEndsTheLeaseAndKeepsTheGrantsForTheNextLaunch() throws IOException {
        launch("a", "ac-a1", "L1", allow("C:\\Docs", AC_A, AceSpec.MODIFY));
        reconciler().release(new AclLedger.Lease("ac-a1", "L1", 1, ""));
        assertEquals(List.of(), AclLedger.in(dir).read().leases());
        assertTrue(objects.hasAce(allow("C:\\Docs", AC_A, AceSpec.MODIFY)));
    }

    @Test
    void narrowedAccessIsRevokedThenGrantedAgain() throws IOException {
        launch("a", "ac-a", "L1", allow("C:\\Docs", AC_A, AceSpec.MODIFY));
        objects.calls.clear();
        launch("a", "ac-a", "L2", allow("c:\\docs", AC_A, AceSpec.READ_EXECUTE));
        assertEquals(List.of("revokeAces(C:\\Docs)", "addAce(c:\\docs)"), aceCalls());
        assertFalse(objects.canWrite("C:\\Docs\\x", 0x2000, List.of(AC_A)));
    }

    @Test
    void sharedTrusteesAreRestoredAfterARevoke() throws IOException {
        launch("a", "ac-a", "L1", allow("C:\\Docs", AC_A, AceSpec.MODIFY), allow("C:\\Docs", AGENT, AceSpec.MODIFY));
        launch("b", "ac-b", "L2", allow("C:\\Docs", AC_B, AceSpec.READ_EXECUTE), allow("C:\\Docs", AGENT, AceSpec.READ_EXECUTE));
        assertEquals(2, reconciler().revokeAll(Optional.of("a")));
        // REVOKE_ACCESS on the agent SID also removed b's entry, so b's is put back.
        assertTrue(objects.hasAce(allow("C:\\Docs", AGENT, AceSpec.READ_EXECUTE)));
        assertTrue(objects.hasAce(allow("C:\\Docs", AC_B, AceSpec.READ_EXECUTE)));
        assertFalse(objects.hasAce(allow("C:\\Docs", AC_A, AceSpec.MODIFY)));
    }

    @Test
    void lowLabelsAreEntriesLikeAnyOther() throws IOException {
        AceSpec label = AceSpec.lowLabel("C:\\Home\\srv", AceSpec.INHERIT_TO_CHILDREN, "home");
        launch("a", "ac-a", "L1", label, allow("C:\\Home\\srv", AC_A, AceSpec.MODIFY));
        assertEquals(0x1000, objects.effectiveLabel("C:\\Home\\srv\\AppData\\Local\\Temp\\x"));
        assertTrue(objects.canWrite("C:\\Home\\srv\\AppData\\Local\\Temp\\x", 0x1000, List.of(AC_A)));
        assertEquals(1, reconciler().revokeAll(Optional.empty()) - 1);
        assertEquals(0x2000, objects.effectiveLabel("C:\\Home\\srv\\x"), "revoking removes the label again");
    }

    @Test
    void revokeAllForgetsDeletedFolders() throws IOException {
        launch("b", "ac-b", "L1", allow("C:\\Gone", AC_B, AceSpec.MODIFY));
        objects.missingPaths.add("c:\\gone");
        assertEquals(1, reconciler().revokeAll(Optional.of("b")));
        assertEquals(List.of(), AclLedger.in(dir).entries());
    }

    /** Concurrent launches in separate threads (each takes the file lock): no entry is lost, no temp file is left. */
    @Test
    void concurrentLaunchesSerializeOnTheLedgerLock() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Callable<GrantReconciler.Result>> jobs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String id = "ac-" + i;
            Sid sid = CapabilitySids.appContainer("mcp-contain.s" + i + ".000000000000");
            jobs.add(() -> {
                synchronized (liveLaunches) {
                    liveLaunches.add("L" + id);
                }
                synchronized (objects) {
                    // The fake itself is not thread-safe; the ledger's lock is what is under test.
                }
                return new GrantReconciler(AclLedger.in(dir), new ThreadSafeEditor(editor),
                        Clock.systemUTC(), lease -> true).reconcile("s" + id, id,
                        List.of(allow("C:\\Shared", sid, AceSpec.READ_EXECUTE)), new AclLedger.Lease(id, "L" + id, 1, ""));
            });
        }
        for (Future<GrantReconciler.Result> f : pool.invokeAll(jobs)) {
            f.get();
        }
        pool.shutdown();
        AclLedger.Document doc = AclLedger.in(dir).read();
        assertEquals(8, doc.entries().size());
        assertEquals(8, doc.leases().size());
        try (var files = Files.list(dir)) {
            assertEquals(List.of(), files.filter(p -> p.toString().endsWith(".tmp")).toList());
        }
    }

    /** Serializes calls into the (single-threaded) fake. */
    record ThreadSafeEditor(AclEditor inner) implements AclEditor {
        @Override
        public synchronized void apply(AceSpec ace) {
            synchronized (ThreadSafeEditor.class) {
                inner.apply(ace);
            }
        }

        @Override
        public boolean revoke(String path, Sid trustee) {
            synchronized (ThreadSafeEditor.class) {
                return inner.revoke(path, trustee);
            }
        }

        @Override
        public boolean holds(AceSpec ace) {
            synchronized (ThreadSafeEditor.class) {
                return inner.holds(ace);
            }
        }
    }

    /** A ledger written by the earlier version: its entries are retired (revoked) by the next launch. */
    @Test
    void aVersion1LedgerIsMigratedAndItsGrantsRetired() throws IOException {
        String old = AppContainerNames.forServer("a");
        Sid oldSid = CapabilitySids.appContainer(old);
        objects.addAce(allow("C:\\Docs", oldSid, AceSpec.MODIFY));
        Files.writeString(dir.resolve(AclLedger.FILE_NAME), "{\"version\":1,\"entries\":[{\"serverId\":\"a\","
                + "\"path\":\"C:\\\\Docs\",\"trustee\":\"" + oldSid + "\",\"deny\":false,\"accessMask\":" + AceSpec.MODIFY
                + ",\"inheritance\":3,\"reason\":\"x\",\"recordedAt\":\"2025-01-01T00:00:00Z\"}]}");
        assertEquals(old, AclLedger.in(dir).entries().get(0).identity());
        var result = launch("a", "ac-a-new", "L1", allow("C:\\Docs", AC_A, AceSpec.READ_EXECUTE));
        assertEquals(List.of(old), result.retired());
        assertFalse(objects.hasAce(allow("C:\\Docs", oldSid, AceSpec.MODIFY)));
        assertEquals(AclLedger.VERSION, com.fasterxml.jackson.databind.json.JsonMapper.builder().build()
                .readTree(dir.resolve(AclLedger.FILE_NAME).toFile()).get("version").asInt());
    }

    @Test
    void corruptLedgerIsReportedWithItsPath() throws IOException {
        Files.writeString(dir.resolve(AclLedger.FILE_NAME), "{\"version\":2,\"entries\":[{\"serverId\":\"a\"}]}");
        IOException e = assertThrows(IOException.class, () -> AclLedger.in(dir).entries());
        assertTrue(e.getMessage().contains(AclLedger.FILE_NAME), e.getMessage());
    }
}
