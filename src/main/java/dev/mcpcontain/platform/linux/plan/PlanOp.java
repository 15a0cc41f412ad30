package dev.mcpcontain.platform.linux.plan;

/**
 * The helper's plan operations, as native/linux/plan_ops.def defines them (the helper builds its op table from that
 * file; PlanOpContractTest holds this enum to it: same names, argument counts and occurrences). What each one means
 * is said there, once.
 */
enum PlanOp {
    // How the server is isolated
    MODE("mode", 1, 1, Occurs.REQUIRED),
    UNSHARE("unshare", 1, 7, Occurs.ONCE),
    MAP_IDS("map-ids", 0, 0, Occurs.ONCE),
    IDENTITY("identity", 2, 2, Occurs.ONCE),
    HOSTNAME("hostname", 1, 1, Occurs.ONCE),
    USERNS_HINT("userns-hint", 1, 1, Occurs.ONCE),
    OWN_USERNS("own-userns", 1, 1, Occurs.ONCE),
    USERNS_LIMIT("userns-limit", 2, 2, Occurs.MANY),
    IPC_LIMIT("ipc-limit", 2, 2, Occurs.MANY),
    // The new root, in the order given
    ROOT_TMPFS("root-tmpfs", 2, 2, Occurs.ONCE),
    BIND_RO("bind-ro", 2, 4, Occurs.MANY),
    BIND_RW("bind-rw", 2, 4, Occurs.MANY),
    BIND_DEV("bind-dev", 2, 2, Occurs.MANY),
    IDMAP("idmap", 4, 4, Occurs.MANY),
    TMPFS("tmpfs", 4, 4, Occurs.MANY),
    PROC("proc", 1, 1, Occurs.MANY),
    DEVPTS("devpts", 2, 2, Occurs.MANY),
    DIR("dir", 2, 2, Occurs.MANY),
    SYMLINK("symlink", 2, 2, Occurs.MANY),
    MASK("mask", 1, 1, Occurs.MANY),
    RO_SELF("ro-self", 1, 1, Occurs.MANY),
    HIDE("hide", 1, 1, Occurs.MANY),
    // Landlock
    LANDLOCK("landlock", 1, 1, Occurs.ONCE),
    LANDLOCK_RO("landlock-ro", 1, 1, Occurs.MANY),
    LANDLOCK_RW("landlock-rw", 1, 1, Occurs.MANY),
    LANDLOCK_READDIR("landlock-readdir", 1, 1, Occurs.MANY),
    LANDLOCK_DEV("landlock-dev", 1, 1, Occurs.MANY),
    LANDLOCK_OWN_PROC("landlock-own-proc", 1, 1, Occurs.MANY),
    LANDLOCK_DENY_TCP("landlock-deny-tcp", 1, 1, Occurs.ONCE),
    LANDLOCK_SCOPE("landlock-scope", 1, 1, Occurs.ONCE),
    LANDLOCK_ISLAND("landlock-island", 1, 1, Occurs.MANY),
    // Limits
    RLIMIT("rlimit", 3, 3, Occurs.MANY),
    CGROUP("cgroup", 1, 1, Occurs.MANY),
    CGROUP_SET("cgroup-set", 3, 3, Occurs.MANY),
    // The persistent home
    HOME("home", 5, 5, Occurs.ONCE),
    HOME_TMP("home-tmp", 0, 0, Occurs.ONCE),
    HOME_LIMIT("home-limit", 1, 1, Occurs.ONCE),
    // The outbound allow-list bridge
    NET_PROXY("net-proxy", 1, 1, Occurs.ONCE),
    NET_PROXY_PORT("net-proxy-port", 1, 1, Occurs.ONCE),
    NET_CAPTURE("net-capture", 1, 1, Occurs.MANY),
    NET_DNS("net-dns", 1, 1, Occurs.ONCE),
    // The server
    SECCOMP("seccomp", 1, 1, Occurs.ONCE),
    CREATE_GUARD("create-guard", 1, 1, Occurs.ONCE),
    CREATE_GUARD_NAME("create-guard-name", 1, 1, Occurs.MANY),
    CREATE_GUARD_EXEMPT("create-guard-exempt", 1, 1, Occurs.MANY),
    CWD("cwd", 1, 1, Occurs.ONCE),
    EXEC("exec", 1, 1, Occurs.REQUIRED),
    ARG("arg", 1, 1, Occurs.MANY),
    ENV("env", 1, 1, Occurs.MANY),
    VERBOSE("verbose", 1, 1, Occurs.REQUIRED),
    STDIN_HUP_GRACE_MS("stdin-hup-grace-ms", 1, 1, Occurs.REQUIRED),
    /** Written by {@link PlanWriter#finish()} only. */
    END("end", 0, 0, Occurs.REQUIRED);

    /** How often an operation may appear in one plan. */
    enum Occurs { REQUIRED, ONCE, MANY }

    final String word;
    final int minArgs;
    final int maxArgs;
    final Occurs occurs;

    PlanOp(String word, int minArgs, int maxArgs, Occurs occurs) {
        this.word = word;
        this.minArgs = minArgs;
        this.maxArgs = maxArgs;
        this.occurs = occurs;
    }

    /** The helper's rule, refused here at write time so that a wrong plan is a launcher bug, not a refused launch. */
    void checkArgs(int count) {
        if (count < minArgs || count > maxArgs) {
            throw new IllegalArgumentException("plan operation '" + word + "' takes " + (minArgs == maxArgs
                    ? String.valueOf(minArgs) : minArgs + " to " + maxArgs) + " argument(s), got " + count);
        }
    }
}
