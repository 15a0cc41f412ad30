package dev.mcpcontain.platform.windows;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Brings the ACL entries of one server to exactly what its policy grants, through the {@link AclLedger}. AppContainer
 * SIDs are stable per server, so an entry left from an earlier run with a wider grant would still open the folder:
 * every launch therefore revokes what the policy no longer asks for before it adds what is new.
 *
 * <p>REVOKE_ACCESS removes all of a trustee's entries on an object, and the agent account's SID is shared by all
 * servers: after a revoke, entries other servers still hold for the same object and trustee are applied again.
 */
public final class GrantReconciler {

    /** What one reconciliation did, for the plan's log. */
    public record Result(List<AceSpec> applied, List<AceSpec> revoked, List<AceSpec> kept) {}

    private final AclLedger ledger;
    private final AclEditor editor;
    private final Clock clock;

    public GrantReconciler(AclLedger ledger, AclEditor editor, Clock clock) {
        this.ledger = ledger;
        this.editor = editor;
        this.clock = clock;
    }

    public Result reconcile(String serverId, List<AceSpec> desired) throws IOException {
        List<AclLedger.Entry> all = new ArrayList<>(ledger.entries());
        List<AceSpec> applied = new ArrayList<>();
        List<AceSpec> revoked = new ArrayList<>();
        List<AceSpec> kept = new ArrayList<>();

        Map<String, List<AclLedger.Entry>> recorded = group(all.stream().filter(e -> e.serverId().equals(serverId)).toList());
        Map<String, List<AceSpec>> wanted = new LinkedHashMap<>();
        for (AceSpec ace : desired) {
            wanted.computeIfAbsent(key(ace), k -> new ArrayList<>()).add(ace);
        }
        for (Map.Entry<String, List<AclLedger.Entry>> target : recorded.entrySet()) {
            List<AceSpec> want = wanted.getOrDefault(target.getKey(), List.of());
            if (!sameAces(target.getValue(), want)) {
                AceSpec first = target.getValue().get(0).ace();
                all = revokeTarget(all, serverId, first.path(), first.trustee());
                target.getValue().forEach(e -> revoked.add(e.ace()));
            }
        }
        for (Map.Entry<String, List<AceSpec>> target : wanted.entrySet()) {
            List<AclLedger.Entry> have = recorded.getOrDefault(target.getKey(), List.of());
            if (!have.isEmpty() && sameAces(have, target.getValue())) {
                kept.addAll(target.getValue());
                continue;
            }
            for (AceSpec ace : target.getValue()) {
                all.add(AclLedger.Entry.of(serverId, ace, clock.instant()));
                ledger.write(all);
                editor.apply(ace);
                applied.add(ace);
            }
        }
        return new Result(applied, revoked, kept);
    }

    /** Revokes every recorded entry, or those of one server; returns how many ledger entries were removed. */
    public int revokeAll(Optional<String> serverId) throws IOException {
        List<AclLedger.Entry> all = new ArrayList<>(ledger.entries());
        List<AclLedger.Entry> chosen = all.stream().filter(e -> serverId.map(e.serverId()::equals).orElse(true)).toList();
        Map<String, List<AclLedger.Entry>> byServerAndTarget = new LinkedHashMap<>();
        for (AclLedger.Entry e : chosen) {
            byServerAndTarget.computeIfAbsent(e.serverId() + "\n" + key(e.ace()), k -> new ArrayList<>()).add(e);
        }
        for (List<AclLedger.Entry> target : byServerAndTarget.values()) {
            AclLedger.Entry first = target.get(0);
            all = revokeTarget(all, first.serverId(), first.path(), Sid.parse(first.trustee()));
        }
        return chosen.size();
    }

    private List<AclLedger.Entry> revokeTarget(List<AclLedger.Entry> all, String serverId, String path, Sid trustee)
            throws IOException {
        AceSpec probe = new AceSpec(path, trustee, false, 0, 0, "");
        boolean exists = editor.revoke(path, trustee);
        List<AclLedger.Entry> remaining = new ArrayList<>();
        List<AceSpec> othersOnSameTarget = new ArrayList<>();
        for (AclLedger.Entry e : all) {
            boolean sameTarget = e.ace().sameTarget(probe);
            if (sameTarget && e.serverId().equals(serverId)) {
                continue;
            }
            if (sameTarget) {
                othersOnSameTarget.add(e.ace());
            }
            remaining.add(e);
        }
        if (exists) {
            othersOnSameTarget.forEach(editor::apply);
        }
        ledger.write(remaining);
        return remaining;
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
        return ace.path().toLowerCase(java.util.Locale.ROOT) + "\n" + ace.trustee();
    }
}
