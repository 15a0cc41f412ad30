package dev.mcpcontain.platform.linux.plan;

import dev.mcpcontain.policy.ContainmentPolicy;
import dev.mcpcontain.policy.PathRule;
import dev.mcpcontain.profile.Profile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Landlock: the second layer in full isolation (the same paths the mounts expose), the only filesystem layer in
 * landlock isolation. Scopes keep signals and abstract sockets inside; required wherever no namespace already does
 * that. Rule paths never contain a symlink (the helper refuses one), so symlinked system directories (merged /usr)
 * are left to the directory they point into.
 */
final class LandlockPlan {

    /** Device nodes a server without a mount namespace may open (each by its own rule: never all of /dev). */
    static final List<String> HOST_DEVICES = List.of("null", "zero", "full", "random", "urandom");

    /** Host-wide /proc files that describe the machine, not its processes or sockets. */
    static final List<String> HOST_PROC_FILES = List.of("cpuinfo", "meminfo", "stat", "uptime", "loadavg", "version");

    /**
     * The server's own /proc entries (read-only), under /proc/PID of its first process. Never "net" (the host's
     * sockets), "task" (holds net again) or the magic links: child processes see no /proc/PID of their own.
     */
    static final List<String> OWN_PROC_ENTRIES = List.of("status", "stat", "statm", "limits", "cgroup", "maps",
            "smaps_rollup", "cmdline", "environ", "comm", "io", "auxv", "fd", "fdinfo");

    private final ContainmentPolicy policy;
    private final LinuxPlanBuilder.Launcher launcher;
    private final HostProbe host;
    /** Full isolation: the mounts already hide what the rules leave out. */
    private final boolean namespaced;

    LandlockPlan(ContainmentPolicy policy, LinuxPlanBuilder.Launcher launcher, boolean namespaced) {
        this.policy = policy;
        this.launcher = launcher;
        this.host = launcher.probe();
        this.namespaced = namespaced;
    }

    void write(PlanWriter plan) {
        boolean networkNone = policy.network() == Profile.Network.NONE;
        boolean sharedNetwork = !namespaced || policy.network() == Profile.Network.HOST;
        plan.step("landlock: " + (namespaced ? "second layer on the same paths" : "the filesystem layer")
                + (networkNone ? "; TCP denied" : "") + "; signals and abstract unix sockets scoped to the server"
                + (sharedNetwork ? " (required: ABI 6)" : ""));
        plan.op(PlanOp.LANDLOCK, 1);
        for (String dir : systemDirectoryRules()) {
            if (!namespaced && dir.equals("/etc")) {
                grantExcept(plan, "/etc", EtcSecrets.all(host, launcher.etc()));
            } else {
                plan.op(PlanOp.LANDLOCK_RO, dir);
            }
        }
        if (namespaced) {
            // The private /dev holds only the bound nodes, a private devpts and a private /dev/shm.
            plan.op(PlanOp.LANDLOCK_DEV, "/dev");
            plan.op(PlanOp.LANDLOCK_RO, "/proc");
            plan.op(PlanOp.LANDLOCK_RW, "/tmp");
            plan.op(PlanOp.LANDLOCK_READDIR, "/");
        } else {
            hostDevAndProc(plan);
            plan.op(PlanOp.LANDLOCK_RW, realAgentHome().resolve("tmp").toString());
        }
        List<String> islands = new ArrayList<>();
        for (PathRule rule : policy.paths()) {
            String path = !namespaced && rule.origin() == PathRule.Origin.AGENT_HOME
                    ? realAgentHome().toString() : rule.path().toString();
            plan.op(rule.writable() ? PlanOp.LANDLOCK_RW : PlanOp.LANDLOCK_RO, path);
            if (rule.writable() && !islands.contains(path)) {
                islands.add(path);
            }
        }
        if (!namespaced && islands.size() > 1) {
            // One mount holds the home and every writable grant here: without this a hard link or rename from a
            // grant into the home outlived the grant (the next run read and wrote the user's file through it).
            plan.step("landlock: the agent home and each writable grant kept apart as separate mounts would keep"
                    + " them (no hard link or rename between two of them: EXDEV): " + String.join(" ", islands));
            for (String island : islands) {
                plan.op(PlanOp.LANDLOCK_ISLAND, island);
            }
        }
        if (networkNone) {
            plan.op(PlanOp.LANDLOCK_DENY_TCP, namespaced ? "optional" : "required");
        }
        plan.op(PlanOp.LANDLOCK_SCOPE, sharedNetwork ? "required" : "optional");
    }

    private void hostDevAndProc(PlanWriter plan) {
        plan.step("landlock: /dev only " + String.join(" ", HOST_DEVICES) + " (no /dev/shm, /dev/pts, /dev/tty);"
                + " /proc only " + String.join(" ", HOST_PROC_FILES) + " and the server's own /proc/PID/{"
                + String.join(",", OWN_PROC_ENTRIES) + "}; /etc without " + String.join(" ", EtcSecrets.MASKED_ETC)
                + " and ssh host keys");
        for (String device : HOST_DEVICES) {
            plan.op(PlanOp.LANDLOCK_DEV, "/dev/" + device);
        }
        for (String file : HOST_PROC_FILES) {
            plan.op(PlanOp.LANDLOCK_RO, "/proc/" + file);
        }
        for (String entry : OWN_PROC_ENTRIES) {
            plan.op(PlanOp.LANDLOCK_OWN_PROC, entry);
        }
    }

    /** The system directories as real paths, without symlinks and without duplicates (merged /usr). */
    private List<String> systemDirectoryRules() {
        List<String> dirs = new ArrayList<>();
        for (String dir : MountsPlan.SYSTEM_DIRECTORIES) {
            Path path = Path.of(dir);
            HostProbe.Kind kind = host.kind(path);
            if (kind == HostProbe.Kind.ABSENT) {
                continue;
            }
            String real = kind == HostProbe.Kind.SYMLINK ? host.requireRealPath(path).toString() : dir;
            // Loops, not lambdas: this runs on every launch, where each lambda call site costs start-up time.
            boolean covered = false;
            for (String d : dirs) {
                if (Path.of(real).startsWith(d)) {
                    covered = true;
                    break;
                }
            }
            if (!covered) {
                for (java.util.Iterator<String> it = dirs.iterator(); it.hasNext(); ) {
                    if (Path.of(it.next()).startsWith(real)) {
                        it.remove();
                    }
                }
                dirs.add(real);
            }
        }
        return dirs;
    }

    /**
     * DIR without the HIDDEN entries: Landlock rules only add access, so DIR is granted entry by entry (and the
     * directories above each hidden entry likewise), leaving the hidden ones out. Listing stays allowed.
     */
    private void grantExcept(PlanWriter plan, String dir, List<String> hidden) {
        plan.op(PlanOp.LANDLOCK_READDIR, dir);
        Path onHost = EtcSecrets.onHost(launcher.etc(), dir);
        for (String name : host.list(onHost)) {
            String child = dir + "/" + name;
            if (hidden.contains(child)) {
                continue;
            }
            boolean holdsHidden = false;
            for (String h : hidden) {
                if (h.startsWith(child + "/")) {
                    holdsHidden = true;
                    break;
                }
            }
            HostProbe.Kind kind = host.kind(onHost.resolve(name));
            if (holdsHidden && kind == HostProbe.Kind.DIRECTORY) {
                grantExcept(plan, child, hidden);
            } else if (kind != HostProbe.Kind.SYMLINK) {
                // A symlink in /etc needs no rule: what it points to is allowed (or not) on its own.
                plan.op(PlanOp.LANDLOCK_RO, child);
            }
        }
    }

    /** The agent home without symlinks above it (the server cannot replace it: its parent is not writable). */
    private Path realAgentHome() {
        return host.realPath(policy.agentHome()).orElse(policy.agentHome());
    }
}
