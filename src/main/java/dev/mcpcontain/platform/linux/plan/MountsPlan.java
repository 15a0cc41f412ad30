package dev.mcpcontain.platform.linux.plan;

import dev.mcpcontain.launch.ContainmentException;
import dev.mcpcontain.policy.ContainmentPolicy;
import dev.mcpcontain.policy.PathRule;
import dev.mcpcontain.policy.ResourceLimits;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The server's filesystem in full isolation, in mount order: a fresh read-only root, the system directories, a
 * private /tmp, a minimal /dev and its own /proc; then the grants (parents before children), the masks over the
 * secrets, mcp-contain's own state hidden, and the agent home last.
 */
final class MountsPlan {

    /** Host directories every namespaced server sees read-only (symlinks on merged-/usr systems stay symlinks). */
    static final List<String> SYSTEM_DIRECTORIES = List.of("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64",
            "/libx32", "/etc");

    static final List<String> DEVICES = List.of("null", "zero", "full", "random", "urandom", "tty");

    /**
     * Ptys the server's private devpts may hold. They come from one host-wide pool (kernel.pty.max less the host's
     * reserve: 3072 by default) shared by every devpts instance: unbounded, one server held all 3071 and every other
     * server and container got ENOSPC from /dev/ptmx.
     */
    static final int PTYS = 64;

    /** Kernel tunables and triggers under /proc that stay read-only even for a namespace root. */
    static final List<String> READ_ONLY_PROC = List.of("/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus");

    /**
     * By depth, then by path text. A class, not a comparator chain of lambdas: this runs on every launch, where each
     * lambda call site costs start-up time.
     */
    private static final Comparator<PathRule> PARENTS_FIRST = new Comparator<>() {
        @Override
        public int compare(PathRule a, PathRule b) {
            int depth = Integer.compare(a.path().getNameCount(), b.path().getNameCount());
            return depth != 0 ? depth : a.path().toString().compareTo(b.path().toString());
        }
    };

    private final ContainmentPolicy policy;
    private final LinuxPlanBuilder.Launcher launcher;
    private final HostProbe host;

    MountsPlan(ContainmentPolicy policy, LinuxPlanBuilder.Launcher launcher) {
        this.policy = policy;
        this.launcher = launcher;
        this.host = launcher.probe();
    }

    void write(PlanWriter plan) {
        systemRoot(plan);
        List<String> masked = EtcSecrets.present(host, launcher.etc());
        refuseMaskedGrants(masked);
        List<PathRule> rules = new ArrayList<>(policy.paths());
        PathRule agentHome = null;
        // Parents before children: a read-only subpath must be mounted on top of the writable grant holding it.
        rules.sort(PARENTS_FIRST);
        for (PathRule rule : rules) {
            if (rule.origin() == PathRule.Origin.AGENT_HOME) {
                agentHome = rule;
                continue;
            }
            bindRule(plan, rule);
        }
        // Masks after every grant, so a grant of /etc/ssl or /etc/ssh cannot show what the root filesystem hides.
        plan.step("hidden (inside grants too): " + String.join(" ", masked) + "; no /home, /root, /run, /sys, /var");
        for (String secret : masked) {
            plan.op(PlanOp.MASK, secret);
        }
        hideOwnState(plan);
        if (agentHome != null) {
            bindRule(plan, agentHome);
        }
    }

    private void systemRoot(PlanWriter plan) {
        plan.step("root: fresh read-only tmpfs; system directories read-only: " + String.join(" ", SYSTEM_DIRECTORIES));
        plan.op(PlanOp.ROOT_TMPFS, 1 << 20, ResourceLimits.tmpfsInodes(1 << 20));
        for (String dir : SYSTEM_DIRECTORIES) {
            Path path = Path.of(dir);
            HostProbe.Kind kind = host.kind(path);
            if (kind == HostProbe.Kind.SYMLINK) {
                plan.op(PlanOp.SYMLINK, host.linkTarget(path), dir);
            } else if (kind == HostProbe.Kind.DIRECTORY) {
                Path real = host.requireRealPath(path);
                bind(plan, PlanOp.BIND_RO, real, path, requireKey(real));
            }
        }
        long tmp = policy.limits().tmpBytes();
        plan.step("/tmp: private tmpfs of " + tmp + " bytes and " + ResourceLimits.tmpfsInodes(tmp) + " inodes (every"
                + " tmpfs has an inode limit: one per KiB); /dev minimal, its devpts at most " + PTYS + " ptys; /proc of its"
                + " own pid namespace");
        plan.op(PlanOp.TMPFS, "/tmp", tmp, "1777", ResourceLimits.tmpfsInodes(tmp));
        plan.op(PlanOp.TMPFS, "/dev", 1 << 16, "755", ResourceLimits.tmpfsInodes(1 << 16));
        for (String device : DEVICES) {
            plan.op(PlanOp.BIND_DEV, "/dev/" + device, "/dev/" + device);
        }
        plan.op(PlanOp.SYMLINK, "/proc/self/fd", "/dev/fd");
        plan.op(PlanOp.SYMLINK, "/proc/self/fd/0", "/dev/stdin");
        plan.op(PlanOp.SYMLINK, "/proc/self/fd/1", "/dev/stdout");
        plan.op(PlanOp.SYMLINK, "/proc/self/fd/2", "/dev/stderr");
        plan.op(PlanOp.SYMLINK, "pts/ptmx", "/dev/ptmx");
        plan.op(PlanOp.DEVPTS, "/dev/pts", PTYS);
        long shm = Math.min(tmp, 64L << 20);
        plan.op(PlanOp.TMPFS, "/dev/shm", shm, "1777", ResourceLimits.tmpfsInodes(shm));
        plan.op(PlanOp.PROC, "/proc");
        for (String path : READ_ONLY_PROC) {
            plan.op(PlanOp.RO_SELF, path);
        }
    }

    private void bindRule(PlanWriter plan, PathRule rule) {
        plan.step((rule.writable() ? "rw " : "ro ") + rule.path() + "  (" + rule.reason() + ")");
        PlanOp op = rule.writable() ? PlanOp.BIND_RW : PlanOp.BIND_RO;
        Optional<PathRule.FileKey> key = keyOf(rule);
        if (key.isPresent()) {
            bind(plan, op, rule.path(), rule.path(), key.get());
        } else {
            // Not there yet (an agent home made just before the launch): nothing was checked, nothing to verify.
            plan.op(op, rule.path().toString(), rule.path().toString());
        }
        if (launcher.root() && rule.userFolder()) {
            idmap(plan, rule);
        }
    }

    /** A bind the helper makes only if the object it opens (never following a link) is still DEV:INO. */
    private static void bind(PlanWriter plan, PlanOp op, Path source, Path destination, PathRule.FileKey key) {
        plan.op(op, source.toString(), destination.toString(), Long.toUnsignedString(key.dev()),
                Long.toUnsignedString(key.ino()));
    }

    /** The identity the policy checked, else the one the grant has now. */
    private Optional<PathRule.FileKey> keyOf(PathRule rule) {
        Optional<PathRule.FileKey> checked = rule.key();
        return checked.isPresent() ? checked : host.fileKey(rule.path());
    }

    private PathRule.FileKey requireKey(Path path) {
        Optional<PathRule.FileKey> key = host.fileKey(path);
        if (key.isEmpty()) {
            throw new ContainmentException(
                    ContainmentException.Reason.LAUNCH_FAILED, "cannot stat " + path + " to bind it: it is gone");
        }
        return key.get();
    }

    /** Shows the grant's owner as the agent account, so the agent may use it as the user granted (rw or ro). */
    private void idmap(PlanWriter plan, PathRule rule) {
        AgentAccount agent = launcher.agent().orElseThrow();
        // Never through a link: the helper mounts only the object checked, so the owner must be that object's.
        HostProbe.Owner owner = host.owner(rule.path());
        if (owner.uid() != agent.uid()) {
            plan.op(PlanOp.IDMAP, owner.uid(), agent.uid(), owner.gid(), agent.gid());
        }
    }

    /**
     * A grant that is a masked path, lies inside one, or is another name for a masked file (a hard link): refused,
     * plainly, rather than mounted and then hidden again.
     */
    private void refuseMaskedGrants(List<String> masked) {
        for (PathRule rule : policy.paths()) {
            if (!rule.userFolder()) {
                continue;
            }
            for (String secret : masked) {
                Path path = Path.of(secret);
                boolean hardLink = host.kind(rule.path()) == HostProbe.Kind.FILE
                        && launcher.etc().equals(Path.of("/etc")) && host.kind(path) != HostProbe.Kind.ABSENT
                        && host.fileKey(path).equals(keyOf(rule));
                if (rule.path().startsWith(path) || hardLink) {
                    throw new ContainmentException(ContainmentException.Reason.UNENFORCEABLE, "the grant "
                            + rule.path() + (hardLink ? " is another name (a hard link) for " : " lies in ") + secret
                            + ", which stays hidden from every server; remove the grant");
                }
            }
        }
    }

    /** mcp-contain's own state inside a grant: hidden behind an empty folder the server may only traverse. */
    private void hideOwnState(PlanWriter plan) {
        for (Path own : ownState()) {
            for (PathRule rule : policy.paths()) {
                if (rule.userFolder() && own.startsWith(rule.path()) && !own.equals(rule.path())
                        && host.kind(own) == HostProbe.Kind.DIRECTORY) {
                    plan.step("hidden inside " + rule.path() + ": " + own + " (mcp-contain's own state)");
                    plan.op(PlanOp.HIDE, own.toString());
                    break;
                }
            }
        }
    }

    /** mcp-contain's own configuration and state (agent homes, pins, audit): never visible through a grant. */
    private List<Path> ownState() {
        List<Path> own = new ArrayList<>();
        Path homes = policy.agentHome().getParent();
        if (homes != null && homes.getFileName() != null && homes.getFileName().toString().equals("homes")
                && homes.getParent() != null) {
            own.add(homes.getParent());
        }
        for (Path path : List.of(launcher.home().resolve(".config/mcp-contain"),
                launcher.home().resolve(".local/share/mcp-contain"), Path.of("/var/lib/mcp-contain"))) {
            if (!own.contains(path)) {
                own.add(path);
            }
        }
        return own;
    }
}
