package dev.mcpcontain.platform.linux.plan;

import dev.mcpcontain.platform.linux.seccomp.Arch;
import dev.mcpcontain.platform.linux.seccomp.CreateGuardFilter;
import dev.mcpcontain.policy.ContainmentPolicy;
import dev.mcpcontain.policy.PathRule;
import dev.mcpcontain.policy.PolicyResolver;
import dev.mcpcontain.policy.ProtectedNames;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The create guard (native/linux/create_guard.c): with at least one protected writable grant, the server may not
 * create a protected name (.git, HEAD, .envrc, .vscode, ...) anywhere but on the mounts that are its own (its home,
 * its /tmp and /dev/shm in full isolation) and in grants given {@code ,unprotected}. What exists is pinned
 * read-only by the mounts; this keeps new ones from appearing, in new sub-folders too, without a race.
 *
 * <p>Exempt paths only count where they are the root of a mount of their own (the helper checks): in landlock
 * isolation the home and the grants are usually on one host mount, so there the names are refused everywhere.
 */
final class CreateGuardPlan {

    private CreateGuardPlan() {}

    static void write(ContainmentPolicy policy, Arch arch, boolean namespaced, PlanWriter plan) {
        List<String> guarded = new ArrayList<>();
        List<String> exempt = new ArrayList<>();
        if (namespaced) {
            exempt.add("/tmp");
            exempt.add("/dev/shm");
        }
        for (PathRule rule : policy.paths()) {
            if (rule.origin() == PathRule.Origin.AGENT_HOME && rule.writable()) {
                exempt.add(rule.path().toString());
            } else if (rule.writable() && rule.userFolder()) {
                if (unprotected(rule, policy.paths())) {
                    exempt.add(rule.path().toString());
                } else {
                    guarded.add(rule.path().toString());
                }
            }
        }
        if (guarded.isEmpty()) {
            return;
        }
        List<String> sharing = new ArrayList<>();
        if (!namespaced) {
            // Without a mount namespace a grant is not a mount of its own: a protected grant inside an exempt path
            // (an ",unprotected" grant that is the root of a host mount) shares that mount, and the helper, which
            // compares mount ids, would let the names through there too. Such a path is not exempt at all.
            for (String path : List.copyOf(exempt)) {
                Path outer = Path.of(path);
                if (guarded.stream().anyMatch(g -> Path.of(g).startsWith(outer))) {
                    exempt.remove(path);
                    sharing.add(path);
                }
            }
        }
        List<String> names = ProtectedNames.createGuarded();
        plan.step("create guard: in " + String.join(", ", guarded) + " (and any folder not its own) the server"
                + " cannot create " + String.join(" ", names) + " (EPERM); every call that names a new entry is"
                + " carried out by the helper from the path it checked; allowed in " + String.join(", ", exempt)
                + (namespaced ? "" : " where each is a mount of its own")
                + (sharing.isEmpty() ? "" : "; refused in " + String.join(", ", sharing) + " too, which hold a protected"
                        + " grant on the same mount"));
        plan.op(PlanOp.CREATE_GUARD, HexFormat.of().formatHex(CreateGuardFilter.compile(arch)));
        for (String name : names) {
            plan.op(PlanOp.CREATE_GUARD_NAME, name);
        }
        for (String path : exempt) {
            plan.op(PlanOp.CREATE_GUARD_EXEMPT, path);
        }
    }

    /**
     * Whether RULE is unprotected: a grant given ,unprotected, or a folder pinned inside one (the pin is a writable
     * mount of its own, and belongs to the nearest grant around it that is not a pin itself).
     */
    static boolean unprotected(PathRule rule, List<PathRule> paths) {
        if (ProtectedNames.unprotected(rule)) {
            return true;
        }
        if (!rule.reason().startsWith(PolicyResolver.PINNED_INSIDE)) {
            return false;
        }
        PathRule owner = null;
        for (PathRule other : paths) {
            if (other != rule && other.writable() && other.userFolder()
                    && !other.reason().startsWith(PolicyResolver.PINNED_INSIDE) && rule.path().startsWith(other.path())
                    && (owner == null || other.path().getNameCount() > owner.path().getNameCount())) {
                owner = other;
            }
        }
        return owner != null && ProtectedNames.unprotected(owner);
    }
}
