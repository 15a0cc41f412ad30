package dev.mcpcontain.platform.windows.acl;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Brings the ACL entries of one server configuration to exactly what its policy grants, through the
 * {@link AclLedger}, under the ledger's cross-process lock.
 *
 * <ul>
 * <li><b>Identity.</b> Entries belong to an AppContainer identity, one per server configuration
 * ({@link AppContainerNames#forConfiguration}), not one per server id: two hosts or two configurations of the same
 * server no longer share (and revoke) each other's grants. A launch holds a lease on its identity while it runs.
 * Other identities of the same server that no running launch holds are retired: their entries revoked, their
 * profiles listed for deletion.</li>
 * <li><b>Never trusting the record.</b> An entry is recorded pending, applied, read back, then marked applied.
 * Every entry a launch relies on is read back from the object on every launch; one that is missing (a crash between
 * record and apply, or someone's edit) is applied again, so a deny entry inside a writable grant cannot stay
 * missing.</li>
 * <li><b>Grants stay between launches</b> of the same configuration: an unchanged configuration costs one read per
 * entry, not a rewrite of the folder tree (see the README on propagation).</li>
 * </ul>
 *
 * <p>REVOKE_ACCESS removes all of a trustee's entries on an object, and the agent account's SID (and the Low label)
 * is shared by identities: after a revoke, entries other identities still hold for the same object and trustee are
 * applied again.
 */
public final class GrantReconciler {

    /** What one reconciliation did, for the log; {@code retired} are AppContainer profile names to delete. */
    public record Result(List<AceSpec> applied, List<AceSpec> revoked, List<AceSpec> kept, List<String> retired) {}

    private final AclLedger ledger;
    private final AclEditor editor;
    private final Clock clock;
    private final Predicate<AclLedger.Lease> alive;

    public GrantReconciler(AclLedger ledger, AclEditor editor, Clock clock) {
        this(ledger, editor, clock, GrantReconciler::processAlive);
    }

    public GrantReconciler(AclLedger ledger, AclEditor editor, Clock clock, Predicate<AclLedger.Lease> alive) {
        this.ledger = ledger;
        this.editor = editor;
        this.clock = clock;
        this.alive = alive;
    }

    /** A lease for this process (pid and start time, so a reused pid does not keep a dead launch's lease). */
    public static AclLedger.Lease leaseFor(String identity, String launchId) {
        ProcessHandle self = ProcessHandle.current();
        return new AclLedger.Lease(identity, launchId, self.pid(),
                self.info().startInstant().map(Object::toString).orElse(""));
    }

    static boolean processAlive(AclLedger.Lease lease) {
        return ProcessHandle.of(lease.pid()).filter(ProcessHandle::isAlive)
                .map(p -> p.info().startInstant().map(Object::toString).orElse("").equals(lease.processStart()))
                .orElse(false);
    }

    public Result reconcile(String serverId, String identity, List<AceSpec> desired, AclLedger.Lease lease)
            throws IOException {
        return ledger.locked(() -> {
            AclLedger.Document doc = ledger.read();
            doc.leases().removeIf(l -> !alive.test(l));
            Set<String> held = new LinkedHashSet<>();
            doc.leases().forEach(l -> held.add(l.identity()));
            List<AceSpec> applied = new ArrayList<>();
            List<AceSpec> revoked = new ArrayList<>();
            List<AceSpec> kept = new ArrayList<>();
            List<String> retired = new ArrayList<>();

            // Other configurations of this server that nothing runs under any more.
            Set<String> others = new LinkedHashSet<>();
            for (AclLedger.Entry e : doc.entries()) {
                if (e.serverId().equals(serverId) && !e.identity().equals(identity) && !held.contains(e.identity())) {
                    others.add(e.identity());
                }
            }
            for (String other : others) {
                revoked.addAll(revokeIdentity(doc, other));
                retired.add(other);
            }

            Map<String, List<AclLedger.Entry>> recorded = group(doc.entries().stream()
                    .filter(e -> e.identity().equals(identity)).toList());
            Map<String, List<AceSpec>> wanted = new LinkedHashMap<>();
            for (AceSpec ace : desired) {
                wanted.computeIfAbsent(key(ace), k -> new ArrayList<>()).add(ace);
            }
            for (Map.Entry<String, List<AclLedger.Entry>> target : recorded.entrySet()) {
                List<AceSpec> want = wanted.getOrDefault(target.getKey(), List.of());
                if (!sameAces(target.getValue(), want)) {
                    AceSpec first = target.getValue().get(0).ace();
                    revokeTarget(doc, identity, first.path(), first.trustee());
                    target.getValue().forEach(e -> revoked.add(e.ace()));
                }
            }
            for (AceSpec ace : desired) {
                Optional<AclLedger.Entry> have = doc.entries().stream()
                        .filter(e -> e.identity().equals(identity) && e.sameAce(ace)).findFirst();
                if (have.isPresent() && have.get().state() == AclLedger.State.APPLIED && editor.holds(ace)) {
                    kept.add(ace);
                    continue;
                }
                apply(doc, serverId, identity, ace);
                applied.add(ace);
            }
            doc.leases().add(lease);
            ledger.write(doc);
            return new Result(applied, revoked, kept, retired);
        });
    }

    /** Record pending, apply, read back, mark applied: the file never claims more than the object holds. */
    private void apply(AclLedger.Document doc, String serverId, String identity, AceSpec ace) throws IOException {
        doc.entries().removeIf(e -> e.identity().equals(identity) && e.sameAce(ace));
        AclLedger.Entry pending = AclLedger.Entry.pending(serverId, identity, ace, clock.instant());
        doc.entries().add(pending);
        ledger.write(doc);
        editor.apply(ace);
        if (!editor.holds(ace)) {
            throw new IOException("the entry '" + ace.describe() + "' is not on " + ace.path()
                    + " after it was applied; refusing to start the server on a grant that did not take");
        }
        doc.entries().set(doc.entries().indexOf(pending), pending.applied());
        ledger.write(doc);
    }

    /** Ends a launch's lease; its identity's grants stay for the next launch of the same configuration. */
    public void release(AclLedger.Lease lease) throws IOException {
        ledger.locked(() -> {
            AclLedger.Document doc = ledger.read();
            if (doc.leases().removeIf(l -> l.launchId().equals(lease.launchId()))) {
                ledger.write(doc);
            }
            return null;
        });
    }

    /** Revokes every recorded entry, or those of one server; returns how many ledger entries were removed. */
    public int revokeAll(Optional<String> serverId) throws IOException {
        return ledger.locked(() -> {
            AclLedger.Document doc = ledger.read();
            Set<String> identities = new LinkedHashSet<>();
            int count = 0;
            for (AclLedger.Entry e : doc.entries()) {
                if (serverId.map(e.serverId()::equals).orElse(true)) {
                    identities.add(e.identity());
                    count++;
                }
            }
            for (String identity : identities) {
                revokeIdentity(doc, identity);
                doc.leases().removeIf(l -> l.identity().equals(identity));
            }
            ledger.write(doc);
            return count;
        });
    }

    private List<AceSpec> revokeIdentity(AclLedger.Document doc, String identity) throws IOException {
        List<AceSpec> revoked = new ArrayList<>();
        Map<String, List<AclLedger.Entry>> targets = group(doc.entries().stream()
                .filter(e -> e.identity().equals(identity)).toList());
        for (List<AclLedger.Entry> target : targets.values()) {
            AceSpec first = target.get(0).ace();
            revokeTarget(doc, identity, first.path(), first.trustee());
            target.forEach(e -> revoked.add(e.ace()));
        }
        return revoked;
    }

    /** Revokes one identity's entries on one object and trustee; puts back what other identities hold there. */
    private void revokeTarget(AclLedger.Document doc, String identity, String path, Sid trustee) throws IOException {
        AceSpec probe = new AceSpec(path, trustee, false, 0, 0, "");
        boolean exists = editor.revoke(path, trustee);
        List<AceSpec> othersOnSameTarget = new ArrayList<>();
        doc.entries().removeIf(e -> e.ace().sameTarget(probe) && e.identity().equals(identity));
        for (AclLedger.Entry e : doc.entries()) {
            if (e.ace().sameTarget(probe)) {
                othersOnSameTarget.add(e.ace());
            }
        }
        if (exists) {
            othersOnSameTarget.forEach(editor::apply);
        }
        ledger.write(doc);
    }

    private static Map<String, List<AclLedger.Entry>> group(List<AclLedger.Entry> entries) {
        Map<String, List<AclLedger.Entry>> grouped = new LinkedHashMap<>();
        for (AclLedger.Entry e : entries) {
            grouped.computeIfAbsent(key(e.ace()), k -> new ArrayList<>()).add(e);
        }
        return grouped;
    }

    private static boolean sameAces(List<AclLedger.Entry> recorded, List<AceSpec> wanted) {
        return recorded.size() == wanted.size()
                && wanted.stream().allMatch(w -> recorded.stream().anyMatch(r -> r.sameAce(w)));
    }

    private static String key(AceSpec ace) {
        return ace.path().toLowerCase(Locale.ROOT) + "\n" + ace.trustee();
    }
}
