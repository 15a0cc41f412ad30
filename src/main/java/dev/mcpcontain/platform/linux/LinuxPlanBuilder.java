package dev.mcpcontain.platform.linux;

import dev.mcpcontain.launch.ContainmentException;
import dev.mcpcontain.platform.linux.seccomp.Arch;
import dev.mcpcontain.platform.linux.seccomp.SeccompCompiler;
import dev.mcpcontain.platform.linux.seccomp.SeccompOptions;
import dev.mcpcontain.policy.ContainmentPolicy;
import dev.mcpcontain.policy.LandlockWeaknesses;
import dev.mcpcontain.policy.PathRule;
import dev.mcpcontain.policy.ResourceLimits;
import dev.mcpcontain.profile.Profile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Turns a {@link ContainmentPolicy} into the helper's plan. Every Linux-specific decision is made here, in Java:
 * which namespaces, which mounts in which order, which Landlock rules are required, which rlimits and cgroup
 * files carry the profile's limits. The helper only carries the plan out.
 */
public final class LinuxPlanBuilder {

    /** Host directories every namespaced server sees read-only (symlinks on merged-/usr systems stay symlinks). */
    static final List<String> SYSTEM_DIRECTORIES = List.of("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc");

    /** Files under /etc that hold secrets or grant privilege: hidden behind an unreadable, read-only mask. */
    static final List<String> MASKED_ETC = List.of("/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-",
            "/etc/sudoers", "/etc/sudoers.d", "/etc/security/opasswd", "/etc/ssl/private", "/etc/mcp-contain");

    static final List<String> DEVICES = List.of("null", "zero", "full", "random", "urandom", "tty");

    /** Kernel tunables and triggers under /proc that stay read-only even for a namespace root. */
    static final List<String> READ_ONLY_PROC = List.of("/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus");

    /** Grace between the host closing stdin and SIGTERM, as the TypeScript SDK's own shutdown. */
    static final int STDIN_HUP_GRACE_MS = 2000;

    /** Who launches: decided by the backend from the real process. */
    public record Launcher(boolean root, int uid, int gid, Path home, int verbosity, Path helper, LinuxHostFacts facts,
            Optional<AgentAccount> agent, String runId, Path etc, Map<String, Long> usernsLimits) {

        public Launcher(boolean root, int uid, int gid, Path home, int verbosity, Path helper, LinuxHostFacts facts,
                Optional<AgentAccount> agent, String runId, Path etc) {
            this(root, uid, gid, home, verbosity, helper, facts, agent, runId, etc, UsernsLimits.forThisHost());
        }

        /**
         * Names this launch's cgroups: unique among concurrent launches, not a secret; names the process that lives
         * as long as the run, so that a later launch can sweep what a kill -9 left ({@link CgroupSweep}).
         */
        public static String newRunId() {
            long owner = LauncherLineage.runOwner(System.getenv(), ProcessHandle.current().pid());
            return CgroupSweep.newRunId(owner, CgroupSweep.startTime(owner));
        }
    }

    private final Launcher launcher;

    public LinuxPlanBuilder(Launcher launcher) {
        this.launcher = launcher;
    }

    public LinuxLaunchPlan build(ContainmentPolicy policy) {
        PlanWriter plan = new PlanWriter();
        List<String> describe = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        List<LinuxLaunchPlan.CgroupParent> cgroupParents = new ArrayList<>();
        boolean networkNone = policy.network() == Profile.Network.NONE;
        if (policy.network() == Profile.Network.ALLOW_LIST && policy.isolation() != Profile.Isolation.FULL) {
            throw new ContainmentException(ContainmentException.Reason.UNENFORCEABLE, "an outbound allow-list"
                    + " (--allow-host, network.allow) needs isolation 'full': the server's own network namespace is"
                    + " what makes the filtering proxy its only way out; isolation '"
                    + policy.isolation().name().toLowerCase(java.util.Locale.ROOT) + "' has none");
        }
        Optional<EgressPlan> egress = policy.network() == Profile.Network.ALLOW_LIST
                ? Optional.of(EgressPlan.of(policy, launcher.runId())) : Optional.empty();
        String mode;

        switch (policy.isolation()) {
            case FULL -> {
                mode = namespaces(policy, plan, describe, networkNone);
                landlock(policy, plan, describe, true, networkNone);
                egress.ifPresent(e -> e.write(plan, describe));
            }
            case LANDLOCK -> {
                mode = "linux/landlock (no namespaces)";
                plan.op(PlanOp.MODE, "landlock");
                refuseProtectedInsideWritable(policy);
                refuseKernelFilesystemGrants(policy);
                List<LandlockWeaknesses.Weakness> open = acceptedWeaknesses(policy);
                landlock(policy, plan, describe, false, networkNone);
                warnings.add("isolation 'landlock' chosen: no namespaces. The server runs as " + (launcher.root()
                        ? "the agent account" : "you") + ", in your pid and IPC" + (networkNone ? "" : " and network")
                        + " namespaces; only Landlock and seccomp confine it. No unix sockets but socketpair (Landlock"
                        + " cannot keep them from the host's session bus, ssh-agent or docker.sock).");
                for (LandlockWeaknesses.Weakness w : open) {
                    warnings.add("accepted weakness " + w.name() + ": " + w.meaning());
                    describe.add("accepted weakness " + w.name() + " (" + w.mechanism() + ")");
                }
                agentWithoutNamespaces(plan, describe, warnings);
            }
            case REDUCED -> {
                mode = "linux/reduced (the user's session)";
                plan.op(PlanOp.MODE, "reduced");
                describe.add("no namespaces, no filesystem confinement: the user's own session");
                warnings.add("reduced protections (profile '" + policy.profileName() + "'): the server runs in your"
                        + " session with your files" + (networkNone ? "" : " and network")
                        + "; only the environment, limits and seccomp apply. For testing only.");
                agentWithoutNamespaces(plan, describe, warnings);
            }
            default -> throw new IllegalStateException(policy.isolation().toString());
        }

        home(policy, plan, describe);
        // Decided with the namespaces: a user launcher's server in full isolation has a user namespace of its own.
        boolean ownUserNamespace = policy.isolation() == Profile.Isolation.FULL && !launcher.root();
        limits(policy.limits(), policy.serverId(), ownUserNamespace, plan, describe, cgroupParents);
        usernsCounters(policy, plan, describe, warnings);
        // Every mode: no setuid/setgid files, no file capabilities. Landlock isolation also closes with seccomp what
        // no namespace hides there (host pathname sockets, SysV IPC, netlink, other processes, metadata by path):
        // SeccompOptions.Isolation says which mode gets what.
        SeccompOptions seccomp = seccomp(plan, networkNone, switch (policy.isolation()) {
            case FULL -> SeccompOptions.Isolation.FULL;
            case LANDLOCK -> SeccompOptions.Isolation.LANDLOCK;
            case REDUCED -> SeccompOptions.Isolation.REDUCED;
        });

        plan.op(PlanOp.CWD, policy.workingDirectory().toString());
        plan.op(PlanOp.EXEC, policy.program());
        for (String arg : policy.command()) {
            plan.op(PlanOp.ARG, arg);
        }
        Map<String, String> environment = egress.map(e -> e.environment(policy.environment()))
                .orElse(policy.environment());
        for (Map.Entry<String, String> variable : environment.entrySet()) {
            plan.op(PlanOp.ENV, variable.getKey() + "=" + variable.getValue());
        }
        plan.op(PlanOp.VERBOSE, launcher.verbosity());
        plan.op(PlanOp.STDIN_HUP_GRACE_MS, STDIN_HUP_GRACE_MS);
        describe.add("environment: " + environment.size() + " variables (allow-list; "
                + String.join(", ", environment.keySet()) + ")");
        describe.add("descriptors: only 0, 1, 2 reach the server; stdio passed through untouched");
        describe.add("lifecycle: new session; signals forwarded; tree killed when the launcher dies or stdin closes"
                + " (after " + STDIN_HUP_GRACE_MS + " ms)");

        Optional<AgentAccount> owner = launcher.root() ? launcher.agent() : Optional.empty();
        return new LinuxLaunchPlan(policy, mode, launcher.helper(), plan.finish(), List.copyOf(describe), seccomp,
                List.copyOf(warnings), List.copyOf(cgroupParents), owner, egress.map(EgressPlan::hostSocket));
    }

    /**
     * A root launcher without namespaces: the server still runs as the agent account, never as uid 0. Without a mount
     * namespace there are no idmapped mounts, so granted folders are only as usable as the agent's own permissions
     * on them allow; said on every launch.
     */
    private void agentWithoutNamespaces(PlanWriter plan, List<String> describe, List<String> warnings) {
        if (!launcher.root()) {
            return;
        }
        AgentAccount agent = launcher.agent().orElseThrow();
        plan.op(PlanOp.IDENTITY, agent.uid(), agent.gid());
        describe.add("identity: agent account " + agent.name() + " (uid " + agent.uid() + "), no capabilities");
        warnings.add("started as root without namespaces: the server runs as " + agent.name() + ", and granted folders"
                + " are usable only as far as " + agent.name() + "'s own permissions allow (no idmapped mounts without a"
                + " mount namespace)");
    }

    private String namespaces(ContainmentPolicy policy, PlanWriter plan, List<String> describe, boolean networkNone) {
        plan.op(PlanOp.MODE, "namespaces");
        List<String> spaces = new ArrayList<>();
        String mode;
        if (launcher.root()) {
            AgentAccount agent = launcher.agent().orElseThrow();
            mode = "linux/namespaces (root launcher, server as " + agent.name() + ")";
            plan.op(PlanOp.IDENTITY, agent.uid(), agent.gid());
            describe.add("identity: agent account " + agent.name() + " (uid " + agent.uid() + "), no capabilities");
        } else {
            launcher.facts().usernsBlockedBySysctl().ifPresent(why -> {
                throw new ContainmentException(ContainmentException.Reason.UNENFORCEABLE,
                        "full isolation needs user namespaces, which this host disables (" + why + "). "
                                + usernsFix());
            });
            spaces.add("user");
            mode = "linux/namespaces (user namespace)";
            describe.add("identity: uid " + launcher.uid() + " inside its own user namespace, no capabilities");
        }
        spaces.addAll(List.of("pid", "ipc", "uts", "mnt", "cgroup"));
        if (policy.network() != Profile.Network.HOST) {
            spaces.add("net");
        }
        plan.op(PlanOp.UNSHARE, spaces.toArray());
        if (!launcher.root()) {
            plan.op(PlanOp.MAP_IDS);
            plan.op(PlanOp.USERNS_HINT, usernsFix());
        }
        plan.op(PlanOp.HOSTNAME, hostname(policy.serverId()));
        describe.add("namespaces: " + String.join(", ", spaces) + (policy.network() == Profile.Network.HOST
                ? " (host network)" : ""));
        mounts(policy, plan, describe);
        return mode;
    }

    private String usernsFix() {
        if (launcher.facts().apparmorRestrictsUserns()) {
            return "Ubuntu's AppArmor restricts unprivileged user namespaces: install mcp-contain with 'sudo"
                    + " scripts/install' (it loads an AppArmor profile for " + launcher.helper() + "), or choose the"
                    + " weaker mode explicitly with --isolation landlock.";
        }
        return "Enable them (sysctl kernel.unprivileged_userns_clone=1 / user.max_user_namespaces > 0; in a"
                + " container run with a seccomp profile that allows unshare), or choose the weaker mode explicitly"
                + " with --isolation landlock.";
    }

    private static String hostname(String serverId) {
        String name = "mcp-" + serverId;
        return name.length() > 63 ? name.substring(0, 63) : name;
    }

    /**
     * The persistent home, set up by the helper through descriptors (never a path a server could have swapped):
     * owned by the server's uid, mode 0700. The directory holding every home is 0700 for a user; for a root launcher
     * it is root's, group the agent's, 0710, in every mode: a server without a mount namespace passes through it by
     * path, and no other local user may even do that. One mode for all modes, so that concurrent root launches in
     * different isolation modes never flip it under each other. homeSize: the supervisor stops a server whose home
     * grows past it.
     */
    private void home(ContainmentPolicy policy, PlanWriter plan, List<String> describe) {
        Path home = policy.agentHome();
        int uid = launcher.root() ? launcher.agent().orElseThrow().uid() : launcher.uid();
        int gid = launcher.root() ? launcher.agent().orElseThrow().gid() : launcher.gid();
        String baseMode = launcher.root() ? "710" : "700";
        plan.op(PlanOp.HOME, home.getParent().toString(), home.getFileName().toString(), uid, gid, baseMode);
        if (policy.isolation() == Profile.Isolation.LANDLOCK) {
            plan.op(PlanOp.HOME_TMP);
        }
        long limit = policy.limits().homeSizeBytes();
        if (limit > 0) {
            plan.op(PlanOp.HOME_LIMIT, limit);
        }
        describe.add("home: " + home + " (uid " + uid + ", 0700; " + home.getParent() + " " + baseMode + "), set up"
                + " through descriptors without following links" + (limit > 0 ? "; homeSize " + limit
                + " bytes: refused at start when over, stopped when it grows over (checked every "
                + HOME_CHECK_MS + " ms when its filesystem changed)" : ""));
    }

    /** As native/linux/supervise.c HOME_CHECK_MS. */
    static final int HOME_CHECK_MS = 250;

    /**
     * Per-user kernel counters, bounded inside the server's own user namespace. A user launcher's server has one
     * (full isolation); a root launcher's server enters one just before it drops to the agent account. Without
     * namespaces as a user there is none: said in the warnings.
     */
    private void usernsCounters(ContainmentPolicy policy, PlanWriter plan, List<String> describe, List<String> warnings) {
        boolean ownUserns = launcher.root() || policy.isolation() == Profile.Isolation.FULL;
        plan.op(PlanOp.RLIMIT, "msgqueue", MSGQUEUE_BYTES, MSGQUEUE_BYTES);
        plan.op(PlanOp.RLIMIT, "sigpending", SIGPENDING, SIGPENDING);
        if (!ownUserns) {
            warnings.add("isolation '" + policy.isolation().name().toLowerCase(java.util.Locale.ROOT) + "' as a user:"
                    + " no user namespace, so inotify and fanotify instances and watches count against your own"
                    + " per-user limits (a server can use them up for your session)");
            describe.add("per-user counters: the host's (no user namespace of the server's own); POSIX message queues "
                    + MSGQUEUE_BYTES + " bytes, pending signals " + SIGPENDING);
            return;
        }
        if (launcher.root()) {
            // Required in full isolation (root creates namespaces there anyway); elsewhere a container's seccomp
            // may refuse even root one: then the helper says so on stderr and the counters stay the host's.
            plan.op(PlanOp.OWN_USERNS, policy.isolation() == Profile.Isolation.FULL ? "required" : "optional");
        }
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, Long> limit : launcher.usernsLimits().entrySet()) {
            plan.op(PlanOp.USERNS_LIMIT, limit.getKey(), limit.getValue());
            text.append(text.length() == 0 ? "" : ", ").append(limit.getKey()).append('=').append(limit.getValue());
        }
        describe.add("per-user counters in the server's own user namespace: " + text + "; POSIX message queues "
                + MSGQUEUE_BYTES + " bytes, pending signals " + SIGPENDING);
    }

    static final long MSGQUEUE_BYTES = 204_800;
    static final long SIGPENDING = 1024;

    private void mounts(ContainmentPolicy policy, PlanWriter plan, List<String> describe) {
        plan.op(PlanOp.ROOT_TMPFS, 1 << 20, ResourceLimits.tmpfsInodes(1 << 20));
        for (String dir : SYSTEM_DIRECTORIES) {
            Path path = Path.of(dir);
            if (Files.isSymbolicLink(path)) {
                plan.op(PlanOp.SYMLINK, readLink(path), dir);
            } else if (Files.isDirectory(path)) {
                Path real = Path.of(canonical(path));
                bind(plan, PlanOp.BIND_RO, real, Path.of(dir), key(real));
            }
        }
        plan.op(PlanOp.TMPFS, "/tmp", policy.limits().tmpBytes(), "1777", ResourceLimits.tmpfsInodes(policy.limits().tmpBytes()));
        plan.op(PlanOp.TMPFS, "/dev", 1 << 16, "755", ResourceLimits.tmpfsInodes(1 << 16));
        for (String device : DEVICES) {
            plan.op(PlanOp.BIND_DEV, "/dev/" + device, "/dev/" + device);
        }
        plan.op(PlanOp.SYMLINK, "/proc/self/fd", "/dev/fd");
        plan.op(PlanOp.SYMLINK, "/proc/self/fd/0", "/dev/stdin");
        plan.op(PlanOp.SYMLINK, "/proc/self/fd/1", "/dev/stdout");
        plan.op(PlanOp.SYMLINK, "/proc/self/fd/2", "/dev/stderr");
        plan.op(PlanOp.SYMLINK, "pts/ptmx", "/dev/ptmx");
        plan.op(PlanOp.DEVPTS, "/dev/pts");
        long shm = Math.min(policy.limits().tmpBytes(), 64L << 20);
        plan.op(PlanOp.TMPFS, "/dev/shm", shm, "1777", ResourceLimits.tmpfsInodes(shm));
        plan.op(PlanOp.PROC, "/proc");
        for (String path : READ_ONLY_PROC) {
            plan.op(PlanOp.RO_SELF, path);
        }
        describe.add("root: fresh read-only tmpfs; system directories read-only: " + String.join(" ", SYSTEM_DIRECTORIES));
        describe.add("/tmp: private tmpfs of " + policy.limits().tmpBytes() + " bytes and "
                + ResourceLimits.tmpfsInodes(policy.limits().tmpBytes()) + " inodes (every tmpfs has an inode limit:"
                + " one per KiB); /dev minimal; /proc of its own pid namespace");

        List<String> masked = maskedPaths();
        refuseMaskedGrants(policy, masked);
        List<PathRule> rules = new ArrayList<>(policy.paths());
        PathRule agentHome = null;
        // Parents before children: a read-only subpath must be mounted on top of the writable grant holding it.
        rules.sort(Comparator.comparingInt((PathRule r) -> r.path().getNameCount()).thenComparing(r -> r.path().toString()));
        for (PathRule rule : rules) {
            if (rule.origin() == PathRule.Origin.AGENT_HOME) {
                agentHome = rule;
                continue;
            }
            bindRule(plan, describe, rule);
        }
        // Masks after every grant, so a grant of /etc/ssl or /etc/ssh cannot show what the root filesystem hides.
        for (String secret : masked) {
            plan.op(PlanOp.MASK, secret);
        }
        describe.add("hidden (inside grants too): " + String.join(" ", masked) + "; no /home, /root, /run, /sys, /var");
        // mcp-contain's own state inside a grant: hidden behind an empty folder the server may only traverse.
        for (Path own : ownState(policy)) {
            for (PathRule rule : policy.paths()) {
                if (rule.userFolder() && own.startsWith(rule.path()) && !own.equals(rule.path())
                        && Files.isDirectory(own, LinkOption.NOFOLLOW_LINKS)) {
                    plan.op(PlanOp.HIDE, own.toString());
                    describe.add("hidden inside " + rule.path() + ": " + own + " (mcp-contain's own state)");
                    break;
                }
            }
        }
        if (agentHome != null) {
            bindRule(plan, describe, agentHome);
        }
    }

    private void bindRule(PlanWriter plan, List<String> describe, PathRule rule) {
        PlanOp op = rule.writable() ? PlanOp.BIND_RW : PlanOp.BIND_RO;
        Optional<PathRule.FileKey> key = rule.key().or(() -> existingKey(rule.path()));
        if (key.isPresent()) {
            bind(plan, op, rule.path(), rule.path(), key.get());
        } else {
            // Not there yet (an agent home made just before the launch): nothing was checked, nothing to verify.
            plan.op(op, rule.path().toString(), rule.path().toString());
        }
        if (launcher.root() && rule.userFolder()) {
            idmap(plan, rule);
        }
        describe.add((rule.writable() ? "rw " : "ro ") + rule.path() + "  (" + rule.reason() + ")");
    }

    /** A bind the helper makes only if the object it opens (never following a link) is still DEV:INO. */
    private static void bind(PlanWriter plan, PlanOp op, Path source, Path destination, PathRule.FileKey key) {
        plan.op(op, source.toString(), destination.toString(), Long.toUnsignedString(key.dev()),
                Long.toUnsignedString(key.ino()));
    }

    private static Optional<PathRule.FileKey> existingKey(Path path) {
        return Files.exists(path, LinkOption.NOFOLLOW_LINKS) ? Optional.of(key(path)) : Optional.empty();
    }

    private static PathRule.FileKey key(Path path) {
        try {
            long dev = ((Number) Files.getAttribute(path, "unix:dev", LinkOption.NOFOLLOW_LINKS)).longValue();
            long ino = ((Number) Files.getAttribute(path, "unix:ino", LinkOption.NOFOLLOW_LINKS)).longValue();
            return new PathRule.FileKey(dev, ino);
        } catch (IOException e) {
            throw new ContainmentException(ContainmentException.Reason.LAUNCH_FAILED,
                    "cannot stat " + path + " to bind it: " + e.getMessage(), e);
        }
    }

    /** Everything the root filesystem hides, as it exists on this host: secrets under /etc and ssh host keys. */
    private List<String> maskedPaths() {
        List<String> masked = new ArrayList<>();
        for (String secret : MASKED_ETC) {
            if (Files.exists(launcher.etc().resolveSibling(secret.substring(1)), LinkOption.NOFOLLOW_LINKS)) {
                masked.add(secret);
            }
        }
        Path ssh = launcher.etc().resolve("ssh");
        if (Files.isDirectory(ssh)) {
            try (Stream<Path> files = Files.list(ssh)) {
                files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith("_key")).sorted()
                        .forEach(n -> masked.add("/etc/ssh/" + n));
            } catch (IOException e) {
                throw new ContainmentException(ContainmentException.Reason.LAUNCH_FAILED, "cannot list " + ssh, e);
            }
        }
        return masked;
    }

    /**
     * A grant that is a masked path, lies inside one, or is another name for a masked file (a hard link): refused,
     * plainly, rather than mounted and then hidden again.
     */
    private void refuseMaskedGrants(ContainmentPolicy policy, List<String> masked) {
        for (PathRule rule : policy.paths()) {
            if (!rule.userFolder()) {
                continue;
            }
            for (String secret : masked) {
                Path path = Path.of(secret);
                boolean hardLink = Files.isRegularFile(rule.path(), LinkOption.NOFOLLOW_LINKS)
                        && launcher.etc().equals(Path.of("/etc")) && Files.exists(path, LinkOption.NOFOLLOW_LINKS)
                        && key(path).equals(rule.key().orElseGet(() -> key(rule.path())));
                if (rule.path().startsWith(path) || hardLink) {
                    throw new ContainmentException(ContainmentException.Reason.UNENFORCEABLE, "the grant "
                            + rule.path() + (hardLink ? " is another name (a hard link) for " : " lies in ") + secret
                            + ", which stays hidden from every server; remove the grant");
                }
            }
        }
    }

    /** mcp-contain's own configuration and state (agent homes, pins, audit): never visible through a grant. */
    private List<Path> ownState(ContainmentPolicy policy) {
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

    /** Shows the grant's owner as the agent account, so the agent may use it as the user granted (rw or ro). */
    private void idmap(PlanWriter plan, PathRule rule) {
        AgentAccount agent = launcher.agent().orElseThrow();
        try {
            // Never through a link: the helper mounts only the object checked, so the owner must be that object's.
            int uid = (Integer) Files.getAttribute(rule.path(), "unix:uid", LinkOption.NOFOLLOW_LINKS);
            int gid = (Integer) Files.getAttribute(rule.path(), "unix:gid", LinkOption.NOFOLLOW_LINKS);
            if (uid != agent.uid()) {
                plan.op(PlanOp.IDMAP, uid, agent.uid(), gid, agent.gid());
            }
        } catch (IOException e) {
            throw new ContainmentException(ContainmentException.Reason.LAUNCH_FAILED,
                    "cannot read the owner of " + rule.path() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Landlock: the second layer in full isolation (the same paths the mounts expose), the only filesystem layer
     * in landlock isolation. Scopes keep signals and abstract sockets inside; required wherever no namespace
     * already does that. Rule paths never contain a symlink (the helper refuses one), so symlinked system
     * directories (merged /usr) are left to the directory they point into.
     */
    private void landlock(ContainmentPolicy policy, PlanWriter plan, List<String> describe, boolean namespaced,
            boolean networkNone) {
        plan.op(PlanOp.LANDLOCK, 1);
        for (String dir : systemDirectoryRules()) {
            if (!namespaced && dir.equals("/etc")) {
                etcWithoutSecrets(plan);
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
            plan.op(PlanOp.LANDLOCK_RW, realAgentHome(policy).resolve("tmp").toString());
        }
        for (PathRule rule : policy.paths()) {
            String path = !namespaced && rule.origin() == PathRule.Origin.AGENT_HOME
                    ? realAgentHome(policy).toString() : rule.path().toString();
            plan.op(rule.writable() ? PlanOp.LANDLOCK_RW : PlanOp.LANDLOCK_RO, path);
        }
        boolean sharedNetwork = !namespaced || policy.network() == Profile.Network.HOST;
        if (networkNone) {
            plan.op(PlanOp.LANDLOCK_DENY_TCP, namespaced ? "optional" : "required");
        }
        plan.op(PlanOp.LANDLOCK_SCOPE, !namespaced || sharedNetwork ? "required" : "optional");
        describe.add("landlock: " + (namespaced ? "second layer on the same paths" : "the filesystem layer")
                + (networkNone ? "; TCP denied" : "") + "; signals and abstract unix sockets scoped to the server"
                + (!namespaced || sharedNetwork ? " (required: ABI 6)" : ""));
        if (!namespaced) {
            describe.add("landlock: /dev only " + String.join(" ", HOST_DEVICES) + " (no /dev/shm, /dev/pts, /dev/tty);"
                    + " /proc only " + String.join(" ", HOST_PROC_FILES) + " and the server's own /proc/PID/{"
                    + String.join(",", OWN_PROC_ENTRIES) + "}; /etc without " + String.join(" ", MASKED_ETC)
                    + " and ssh host keys");
        }
    }

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

    private static void hostDevAndProc(PlanWriter plan) {
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
    private static List<String> systemDirectoryRules() {
        List<String> dirs = new ArrayList<>();
        for (String dir : SYSTEM_DIRECTORIES) {
            Path path = Path.of(dir);
            if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            String real = Files.isSymbolicLink(path) ? canonical(path) : dir;
            if (dirs.stream().noneMatch(d -> Path.of(real).startsWith(d))) {
                dirs.removeIf(d -> Path.of(d).startsWith(real));
                dirs.add(real);
            }
        }
        return dirs;
    }

    /**
     * /etc without the masked secrets: Landlock rules only add access, so /etc is granted entry by entry (and the
     * directories above each secret likewise), leaving out the secrets and the ssh host keys. Listing stays allowed.
     */
    private void etcWithoutSecrets(PlanWriter plan) {
        List<String> hidden = new ArrayList<>(MASKED_ETC);
        Path ssh = launcher.etc().resolve("ssh");
        if (Files.isDirectory(ssh, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> files = Files.list(ssh)) {
                files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith("_key")).sorted()
                        .forEach(n -> hidden.add("/etc/ssh/" + n));
            } catch (IOException e) {
                throw new ContainmentException(ContainmentException.Reason.LAUNCH_FAILED, "cannot list " + ssh, e);
            }
        }
        grantExcept(plan, "/etc", hidden);
    }

    private void grantExcept(PlanWriter plan, String dir, List<String> hidden) {
        plan.op(PlanOp.LANDLOCK_READDIR, dir);
        Path host = launcher.etc().resolveSibling(dir.substring(1));
        List<String> names;
        try (Stream<Path> entries = Files.list(host)) {
            names = entries.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new ContainmentException(ContainmentException.Reason.LAUNCH_FAILED, "cannot list " + host, e);
        }
        for (String name : names) {
            String child = dir + "/" + name;
            if (hidden.contains(child)) {
                continue;
            }
            boolean holdsHidden = hidden.stream().anyMatch(h -> h.startsWith(child + "/"));
            if (holdsHidden && Files.isDirectory(host.resolve(name), LinkOption.NOFOLLOW_LINKS)) {
                grantExcept(plan, child, hidden);
            } else if (!Files.isSymbolicLink(host.resolve(name))) {
                // A symlink in /etc needs no rule: what it points to is allowed (or not) on its own.
                plan.op(PlanOp.LANDLOCK_RO, child);
            }
        }
    }

    /** The agent home without symlinks above it (the server cannot replace it: its parent is not writable). */
    private static Path realAgentHome(ContainmentPolicy policy) {
        try {
            return policy.agentHome().toRealPath();
        } catch (IOException e) {
            return policy.agentHome();
        }
    }

    /**
     * The open weaknesses of landlock isolation that apply to this launch, all accepted by the profile; refuses
     * the launch naming every one that is not.
     */
    private static List<LandlockWeaknesses.Weakness> acceptedWeaknesses(ContainmentPolicy policy) {
        List<LandlockWeaknesses.Weakness> open = LandlockWeaknesses.openFor(policy);
        List<LandlockWeaknesses.Weakness> missing = open.stream().filter(w -> !policy.accepted().contains(w.name())).toList();
        if (!missing.isEmpty()) {
            StringBuilder message = new StringBuilder("isolation 'landlock' (no namespaces) leaves weaknesses open"
                    + " that profile '" + policy.profileName() + "' does not accept:");
            for (LandlockWeaknesses.Weakness w : missing) {
                message.append("\n  ").append(w.name()).append(": ").append(w.meaning());
            }
            message.append("\nUse full isolation, or accept them in the profile: \"accept\": [")
                    .append(String.join(", ", missing.stream().map(w -> "\"" + w.name() + "\"").toList())).append("]");
            throw new ContainmentException(ContainmentException.Reason.UNENFORCEABLE, message.toString());
        }
        return open;
    }

    /** Kernel filesystems: without a mount namespace a grant there would expose every device or process. */
    static final List<String> KERNEL_FILESYSTEMS = List.of("/dev", "/proc", "/sys");

    private static void refuseKernelFilesystemGrants(ContainmentPolicy policy) {
        for (PathRule rule : policy.paths()) {
            for (String kernel : KERNEL_FILESYSTEMS) {
                if (rule.path().startsWith(kernel)) {
                    throw new ContainmentException(ContainmentException.Reason.UNENFORCEABLE,
                            "isolation 'landlock' cannot grant " + rule.path() + " (" + rule.reason() + "): without a"
                                    + " mount namespace nothing hides the other devices or processes under " + kernel
                                    + "; remove the grant, or use full isolation");
                }
            }
        }
    }

    private static void refuseProtectedInsideWritable(ContainmentPolicy policy) {
        for (PathRule inner : policy.paths()) {
            if (inner.writable()) {
                continue;
            }
            for (PathRule outer : policy.paths()) {
                if (outer.writable() && !outer.path().equals(inner.path()) && inner.path().startsWith(outer.path())) {
                    throw new ContainmentException(ContainmentException.Reason.UNENFORCEABLE,
                            "isolation 'landlock' cannot keep " + inner.path() + " read-only inside the writable "
                                    + outer.path() + " (Landlock rules only add access); grant " + outer.path()
                                    + " read-only, or use full isolation");
                }
            }
        }
    }

    private void limits(ResourceLimits limits, String serverId, boolean ownUserNamespace, PlanWriter plan,
            List<String> describe, List<LinuxLaunchPlan.CgroupParent> cgroupParents) {
        plan.op(PlanOp.RLIMIT, "nofile", limits.openFiles(), limits.openFiles());
        plan.op(PlanOp.RLIMIT, "fsize", limits.fileSizeBytes(), limits.fileSizeBytes());
        plan.op(PlanOp.RLIMIT, "core", 0, 0);
        limits.cpuSeconds().ifPresent(s -> plan.op(PlanOp.RLIMIT, "cpu", s, s + 5));
        describe.add("rlimits: open files " + limits.openFiles() + ", file size " + limits.fileSizeBytes()
                + ", core 0" + limits.cpuSeconds().stream().mapToObj(s -> ", cpu " + s + " s").findFirst().orElse(""));

        LinuxHostFacts.Cgroups cgroups = launcher.facts().cgroups();
        String leaf = "mcp-contain";
        String run = serverId + "." + launcher.runId();
        boolean useCgroups = launcher.root() && cgroups.any();
        if (useCgroups && cgroups.unified().isPresent()) {
            Path parent = cgroups.unified().get().resolve(leaf);
            Path dir = parent.resolve(run);
            cgroupParents.add(new LinuxLaunchPlan.CgroupParent(parent, List.of("memory", "pids", "cpu")));
            plan.op(PlanOp.CGROUP, dir.toString());
            plan.op(PlanOp.CGROUP_SET, dir.toString(), "memory.max", limits.memoryBytes());
            plan.op(PlanOp.CGROUP_SET, dir.toString(), "memory.swap.max", 0);
            plan.op(PlanOp.CGROUP_SET, dir.toString(), "pids.max", limits.processes());
            limits.cpus().ifPresent(c -> plan.op(PlanOp.CGROUP_SET, dir.toString(), "cpu.max",
                    Math.round(c * 100_000) + " 100000"));
            describe.add("cgroup v2 " + dir + ": memory " + limits.memoryBytes() + ", pids " + limits.processes()
                    + limits.cpus().stream().mapToObj(c -> ", cpus " + c).findFirst().orElse(""));
            return;
        }
        if (useCgroups) {
            if (cgroups.memoryV1().isPresent()) {
                Path parent = cgroups.memoryV1().get().resolve(leaf);
                Path dir = parent.resolve(run);
                cgroupParents.add(new LinuxLaunchPlan.CgroupParent(parent, List.of()));
                plan.op(PlanOp.CGROUP, dir.toString());
                plan.op(PlanOp.CGROUP_SET, dir.toString(), "memory.limit_in_bytes", limits.memoryBytes());
                if (Files.exists(cgroups.memoryV1().get().resolve("memory.memsw.limit_in_bytes"))) {
                    plan.op(PlanOp.CGROUP_SET, dir.toString(), "memory.memsw.limit_in_bytes", limits.memoryBytes());
                }
                describe.add("cgroup v1 " + dir + ": memory " + limits.memoryBytes());
            } else {
                plan.op(PlanOp.RLIMIT, "data", limits.memoryBytes(), limits.memoryBytes());
                describe.add("memory: RLIMIT_DATA " + limits.memoryBytes() + " per process (no memory cgroup)");
            }
            if (cgroups.pidsV1().isPresent()) {
                Path parent = cgroups.pidsV1().get().resolve(leaf);
                Path dir = parent.resolve(run);
                cgroupParents.add(new LinuxLaunchPlan.CgroupParent(parent, List.of()));
                plan.op(PlanOp.CGROUP, dir.toString());
                plan.op(PlanOp.CGROUP_SET, dir.toString(), "pids.max", limits.processes());
                describe.add("cgroup v1 " + dir + ": pids " + limits.processes());
            } else {
                processRlimit(limits, ownUserNamespace, plan, describe);
            }
            if (limits.cpus().isPresent()) {
                Path cpu = cgroups.cpuV1().orElseThrow(() -> cpuUnenforceable());
                Path parent = cpu.resolve(leaf);
                Path dir = parent.resolve(run);
                cgroupParents.add(new LinuxLaunchPlan.CgroupParent(parent, List.of()));
                plan.op(PlanOp.CGROUP, dir.toString());
                plan.op(PlanOp.CGROUP_SET, dir.toString(), "cpu.cfs_period_us", 100_000);
                plan.op(PlanOp.CGROUP_SET, dir.toString(), "cpu.cfs_quota_us", Math.round(limits.cpus().getAsDouble() * 100_000));
            }
            return;
        }
        if (limits.cpus().isPresent()) {
            throw cpuUnenforceable();
        }
        plan.op(PlanOp.RLIMIT, "data", limits.memoryBytes(), limits.memoryBytes());
        describe.add("memory: RLIMIT_DATA " + limits.memoryBytes() + " per process (no writable cgroup for this user)");
        processRlimit(limits, ownUserNamespace, plan, describe);
    }

    /**
     * RLIMIT_NPROC counts a uid's tasks. Inside the server's own user namespace (Linux 5.14+) the count is per
     * namespace, so the limit is the server's own; elsewhere the uid's existing tasks are added so the server
     * gets exactly its allowance on top of them.
     */
    private void processRlimit(ResourceLimits limits, boolean ownUserNamespace, PlanWriter plan, List<String> describe) {
        long existing = 0;
        if (!ownUserNamespace) {
            int uid = launcher.root() ? launcher.agent().map(AgentAccount::uid).orElse(launcher.uid()) : launcher.uid();
            existing = TaskCounter.tasksOf(uid);
        }
        long nproc = limits.processes() + existing;
        plan.op(PlanOp.RLIMIT, "nproc", nproc, nproc);
        describe.add("processes: RLIMIT_NPROC " + nproc + (ownUserNamespace
                ? " (counted inside the server's user namespace)"
                : " (" + existing + " tasks already running as this uid, plus the server's " + limits.processes() + ")"));
    }

    private static ContainmentException cpuUnenforceable() {
        return new ContainmentException(ContainmentException.Reason.UNENFORCEABLE,
                "the profile limits 'cpus', which needs a writable cgroup (run mcp-contain as root, or on a host with"
                        + " a cpu controller); remove 'cpus' or use 'cpuSeconds'");
    }

    private static SeccompOptions seccomp(PlanWriter plan, boolean networkNone, SeccompOptions.Isolation isolation) {
        SeccompOptions options = new SeccompOptions(Arch.current(), networkNone, isolation);
        plan.op(PlanOp.SECCOMP, HexFormat.of().formatHex(SeccompCompiler.compile(options)));
        return options;
    }

    private static String readLink(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException e) {
            throw new ContainmentException(ContainmentException.Reason.LAUNCH_FAILED, "cannot read link " + link, e);
        }
    }

    private static String canonical(Path path) {
        try {
            return path.toRealPath().toString();
        } catch (IOException e) {
            throw new ContainmentException(ContainmentException.Reason.LAUNCH_FAILED, "cannot resolve " + path, e);
        }
    }
}
