/* What each plan operation sets in struct plan: one handler per line of plan_ops.def. The reader (plan.c) has
 * already checked the name, the argument count and how often the operation may appear; a handler checks only what
 * its values mean (a known rlimit, a port in range, never uid 0). */
#include "plan.h"

#include <sched.h>
#include <string.h>
#include <sys/resource.h>

static struct mount_op *new_mount(struct plan *plan, enum mount_kind kind, size_t line)
{
    if (plan->n_mounts >= MAX_OPS)
        die("plan line %zu: too many mount operations", line);
    struct mount_op *m = &plan->mounts[plan->n_mounts++];
    memset(m, 0, sizeof *m);
    m->kind = kind;
    m->tree_fd = -1;
    m->idmap_fd = -1;
    return m;
}

static struct mount_op *path_mount(struct plan *plan, enum mount_kind kind, const char *dst, size_t line)
{
    struct mount_op *m = new_mount(plan, kind, line);
    m->dst = xstrdup(dst);
    return m;
}

static bool required_or_optional(const char *word, const char *op, size_t line)
{
    if (!strcmp(word, "required"))
        return true;
    if (strcmp(word, "optional"))
        die("plan line %zu: %s takes required|optional", line, op);
    return false;
}

static int port(const char *word, size_t line)
{
    unsigned long long p = plan_number(word, line);
    if (p < 1 || p > 65535)
        die("plan line %zu: port %llu out of range", line, p);
    return (int)p;
}

void op_MODE(struct plan *plan, char **arg, int n, size_t line)
{
    if (!strcmp(arg[0], "namespaces"))
        plan->mode = MODE_NAMESPACES;
    else if (!strcmp(arg[0], "landlock"))
        plan->mode = MODE_LANDLOCK;
    else if (!strcmp(arg[0], "reduced"))
        plan->mode = MODE_REDUCED;
    else
        die("plan line %zu: unknown mode '%s'", line, arg[0]);
}

void op_UNSHARE(struct plan *plan, char **arg, int n, size_t line)
{
    static const struct { const char *name; int flag; } spaces[] = {
        {"user", CLONE_NEWUSER}, {"pid", CLONE_NEWPID}, {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS},
        {"net", CLONE_NEWNET}, {"mnt", CLONE_NEWNS}, {"cgroup", CLONE_NEWCGROUP},
    };
    for (int i = 0; i < n; i++) {
        size_t k = 0;
        while (k < sizeof spaces / sizeof spaces[0] && strcmp(spaces[k].name, arg[i]))
            k++;
        if (k == sizeof spaces / sizeof spaces[0])
            die("plan line %zu: unknown namespace '%s'", line, arg[i]);
        plan->clone_flags |= spaces[k].flag;
    }
}

void op_MAP_IDS(struct plan *plan, char **arg, int n, size_t line)
{
    plan->map_ids = true;
}

void op_IDENTITY(struct plan *plan, char **arg, int n, size_t line)
{
    plan->drop_identity = true;
    plan->uid = (uid_t)plan_number(arg[0], line);
    plan->gid = (gid_t)plan_number(arg[1], line);
    if (plan->uid == 0 || plan->gid == 0)
        die("plan line %zu: refusing to run the server as root", line);
}

void op_HOSTNAME(struct plan *plan, char **arg, int n, size_t line)
{
    plan->hostname = xstrdup(arg[0]);
}

void op_USERNS_HINT(struct plan *plan, char **arg, int n, size_t line)
{
    plan->userns_hint = xstrdup(arg[0]);
}

void op_OWN_USERNS(struct plan *plan, char **arg, int n, size_t line)
{
    plan->own_userns = true;
    plan->own_userns_required = required_or_optional(arg[0], "own-userns", line);
}

void op_USERNS_LIMIT(struct plan *plan, char **arg, int n, size_t line)
{
    if (plan->n_userns_limits >= sizeof plan->userns_limits / sizeof plan->userns_limits[0])
        die("plan line %zu: too many userns limits", line);
    if (strchr(arg[0], '/') || arg[0][0] == '.')
        die("plan line %zu: '%s' is not a /proc/sys/user name", line, arg[0]);
    plan->userns_limits[plan->n_userns_limits].name = xstrdup(arg[0]);
    plan->userns_limits[plan->n_userns_limits++].value = plan_number(arg[1], line);
}

void op_IPC_LIMIT(struct plan *plan, char **arg, int n, size_t line)
{
    static const char *const known[] = {"shmmax", "shmall", "shmmni", "msgmni", "msgmnb", "msgmax", "sem"};
    bool ok = false;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        ok |= !strcmp(arg[0], known[i]);
    if (!ok)
        die("plan line %zu: '%s' is not a SysV IPC limit (shmmax shmall shmmni msgmni msgmnb msgmax sem)", line, arg[0]);
    if (plan->n_ipc_limits >= sizeof plan->ipc_limits / sizeof plan->ipc_limits[0])
        die("plan line %zu: too many IPC limits", line);
    if (!arg[1][0] || strspn(arg[1], "0123456789 ") != strlen(arg[1]))
        die("plan line %zu: IPC limit %s: '%s' is not one or more numbers", line, arg[0], arg[1]);
    plan->ipc_limits[plan->n_ipc_limits].name = xstrdup(arg[0]);
    plan->ipc_limits[plan->n_ipc_limits++].value = xstrdup(arg[1]);
}

void op_ROOT_TMPFS(struct plan *plan, char **arg, int n, size_t line)
{
    plan->root_tmpfs_bytes = plan_number(arg[0], line);
    plan->root_tmpfs_inodes = (unsigned long)plan_number(arg[1], line);
    if (plan->root_tmpfs_inodes == 0)
        die("plan line %zu: a tmpfs needs an inode limit", line);
}

/* SRC DST, or SRC DST DEV INO: the helper then mounts only the object the launcher checked. */
static void bind(struct plan *plan, enum mount_kind kind, char **arg, int n, size_t line)
{
    if (n == 3)
        die("plan line %zu: a bind takes SRC DST, or SRC DST DEV INO", line);
    struct mount_op *m = new_mount(plan, kind, line);
    m->src = xstrdup(arg[0]);
    m->dst = xstrdup(arg[1]);
    if (n == 4) {
        m->verify = true;
        m->src_dev = plan_number(arg[2], line);
        m->src_ino = plan_number(arg[3], line);
    }
}

void op_BIND_RO(struct plan *plan, char **arg, int n, size_t line)
{
    bind(plan, M_BIND_RO, arg, n, line);
}

void op_BIND_RW(struct plan *plan, char **arg, int n, size_t line)
{
    bind(plan, M_BIND_RW, arg, n, line);
}

void op_BIND_DEV(struct plan *plan, char **arg, int n, size_t line)
{
    bind(plan, M_BIND_DEV, arg, n, line);
}

void op_IDMAP(struct plan *plan, char **arg, int n, size_t line)
{
    struct mount_op *m = plan->n_mounts ? &plan->mounts[plan->n_mounts - 1] : NULL;
    if (!m || (m->kind != M_BIND_RO && m->kind != M_BIND_RW))
        die("plan line %zu: idmap must follow a bind", line);
    m->idmap = true;
    m->idmap_from_uid = (uid_t)plan_number(arg[0], line);
    m->idmap_to_uid = (uid_t)plan_number(arg[1], line);
    m->idmap_from_gid = (gid_t)plan_number(arg[2], line);
    m->idmap_to_gid = (gid_t)plan_number(arg[3], line);
}

void op_TMPFS(struct plan *plan, char **arg, int n, size_t line)
{
    struct mount_op *m = path_mount(plan, M_TMPFS, arg[0], line);
    m->size = (unsigned long)plan_number(arg[1], line);
    m->mode = plan_mode_bits(arg[2], line);
    m->inodes = (unsigned long)plan_number(arg[3], line);
    if (m->inodes == 0)
        die("plan line %zu: a tmpfs needs an inode limit", line);
}

void op_PROC(struct plan *plan, char **arg, int n, size_t line)
{
    path_mount(plan, M_PROC, arg[0], line);
}

void op_DEVPTS(struct plan *plan, char **arg, int n, size_t line)
{
    struct mount_op *m = path_mount(plan, M_DEVPTS, arg[0], line);
    m->inodes = (unsigned long)plan_number(arg[1], line); /* the instance's pty limit */
    if (m->inodes == 0)
        die("plan line %zu: a devpts needs a pty limit", line);
}

void op_DIR(struct plan *plan, char **arg, int n, size_t line)
{
    path_mount(plan, M_DIR, arg[0], line)->mode = plan_mode_bits(arg[1], line);
}

void op_SYMLINK(struct plan *plan, char **arg, int n, size_t line)
{
    path_mount(plan, M_SYMLINK, arg[1], line)->src = xstrdup(arg[0]);
}

void op_MASK(struct plan *plan, char **arg, int n, size_t line)
{
    path_mount(plan, M_MASK, arg[0], line);
}

void op_RO_SELF(struct plan *plan, char **arg, int n, size_t line)
{
    path_mount(plan, M_RO_SELF, arg[0], line);
}

void op_HIDE(struct plan *plan, char **arg, int n, size_t line)
{
    path_mount(plan, M_HIDE, arg[0], line);
}

void op_LANDLOCK(struct plan *plan, char **arg, int n, size_t line)
{
    plan->landlock_min_abi = (int)plan_number(arg[0], line);
}

static void landlock_rule(struct plan *plan, const char *path, enum landlock_kind kind, bool own_proc, size_t line)
{
    if (plan->n_landlock >= MAX_LANDLOCK)
        die("plan line %zu: too many landlock rules", line);
    if (own_proc ? (strchr(path, '/') || !strcmp(path, "..") || !strcmp(path, ".")) : path[0] != '/')
        die("plan line %zu: bad landlock path '%s'", line, path);
    struct landlock_rule *r = &plan->landlock[plan->n_landlock++];
    r->path = xstrdup(path);
    r->kind = kind;
    r->own_proc = own_proc;
}

void op_LANDLOCK_RO(struct plan *plan, char **arg, int n, size_t line)
{
    landlock_rule(plan, arg[0], LL_READ, false, line);
}

void op_LANDLOCK_RW(struct plan *plan, char **arg, int n, size_t line)
{
    landlock_rule(plan, arg[0], LL_WRITE, false, line);
}

void op_LANDLOCK_READDIR(struct plan *plan, char **arg, int n, size_t line)
{
    landlock_rule(plan, arg[0], LL_READ_DIR, false, line);
}

void op_LANDLOCK_DEV(struct plan *plan, char **arg, int n, size_t line)
{
    landlock_rule(plan, arg[0], LL_DEVICE, false, line);
}

void op_LANDLOCK_OWN_PROC(struct plan *plan, char **arg, int n, size_t line)
{
    landlock_rule(plan, arg[0], LL_READ, true, line);
}

void op_LANDLOCK_DENY_TCP(struct plan *plan, char **arg, int n, size_t line)
{
    plan->landlock_deny_tcp = true;
    plan->landlock_deny_tcp_required = required_or_optional(arg[0], "landlock-deny-tcp", line);
}

void op_LANDLOCK_SCOPE(struct plan *plan, char **arg, int n, size_t line)
{
    plan->landlock_scope = true;
    plan->landlock_scope_required = required_or_optional(arg[0], "landlock-scope", line);
}

void op_LANDLOCK_ISLAND(struct plan *plan, char **arg, int n, size_t line)
{
    if (plan->n_landlock_islands >= MAX_ISLANDS)
        die("plan line %zu: more than %d writable places to keep apart", line, MAX_ISLANDS);
    if (arg[0][0] != '/')
        die("plan line %zu: bad landlock island '%s'", line, arg[0]);
    plan->landlock_islands[plan->n_landlock_islands++] = xstrdup(arg[0]);
}

void op_RLIMIT(struct plan *plan, char **arg, int n, size_t line)
{
    static const struct { const char *name; int resource; } names[] = {
        {"nofile", RLIMIT_NOFILE}, {"fsize", RLIMIT_FSIZE}, {"cpu", RLIMIT_CPU}, {"core", RLIMIT_CORE},
        {"nproc", RLIMIT_NPROC}, {"data", RLIMIT_DATA}, {"as", RLIMIT_AS}, {"memlock", RLIMIT_MEMLOCK},
        {"msgqueue", RLIMIT_MSGQUEUE}, {"sigpending", RLIMIT_SIGPENDING},
    };
    size_t k = 0;
    while (k < sizeof names / sizeof names[0] && strcmp(names[k].name, arg[0]))
        k++;
    if (k == sizeof names / sizeof names[0])
        die("plan line %zu: unknown rlimit '%s'", line, arg[0]);
    if (plan->n_rlimits >= sizeof plan->rlimits / sizeof plan->rlimits[0])
        die("plan line %zu: too many rlimits", line);
    struct rlimit_op *r = &plan->rlimits[plan->n_rlimits++];
    r->resource = names[k].resource;
    r->soft = plan_number(arg[1], line);
    r->hard = plan_number(arg[2], line);
}

static struct cgroup_op *new_cgroup(struct plan *plan, const char *dir, size_t line)
{
    if (plan->n_cgroups >= sizeof plan->cgroups / sizeof plan->cgroups[0])
        die("plan line %zu: too many cgroup operations", line);
    struct cgroup_op *c = &plan->cgroups[plan->n_cgroups++];
    c->dir = xstrdup(dir);
    c->file = NULL;
    c->value = NULL;
    return c;
}

void op_CGROUP(struct plan *plan, char **arg, int n, size_t line)
{
    new_cgroup(plan, arg[0], line);
}

void op_CGROUP_SET(struct plan *plan, char **arg, int n, size_t line)
{
    struct cgroup_op *c = new_cgroup(plan, arg[0], line);
    c->file = xstrdup(arg[1]);
    c->value = xstrdup(arg[2]);
}

void op_HOME(struct plan *plan, char **arg, int n, size_t line)
{
    plan->home.base = xstrdup(arg[0]);
    plan->home.name = xstrdup(arg[1]);
    if (!*arg[1] || strchr(arg[1], '/') || !strcmp(arg[1], ".") || !strcmp(arg[1], ".."))
        die("plan line %zu: a home name is one path component", line);
    plan->home.uid = (uid_t)plan_number(arg[2], line);
    plan->home.gid = (gid_t)plan_number(arg[3], line);
    plan->home.base_mode = plan_mode_bits(arg[4], line);
}

void op_HOME_TMP(struct plan *plan, char **arg, int n, size_t line)
{
    plan->home.tmp = true;
}

void op_HOME_LIMIT(struct plan *plan, char **arg, int n, size_t line)
{
    plan->home.limit = plan_number(arg[0], line);
}

void op_NET_PROXY(struct plan *plan, char **arg, int n, size_t line)
{
    plan->net_proxy = xstrdup(arg[0]);
}

void op_NET_PROXY_PORT(struct plan *plan, char **arg, int n, size_t line)
{
    plan->net_proxy_port = port(arg[0], line);
}

void op_NET_CAPTURE(struct plan *plan, char **arg, int n, size_t line)
{
    int p = port(arg[0], line);
    if (plan->n_net_capture >= sizeof plan->net_capture / sizeof plan->net_capture[0])
        die("plan line %zu: too many captured ports", line);
    plan->net_capture[plan->n_net_capture++] = p;
}

void op_NET_DNS(struct plan *plan, char **arg, int n, size_t line)
{
    plan->net_dns_port = port(arg[0], line);
}

/* A BPF program in hex, 8 bytes an instruction, at most 4096 of them. */
static unsigned char *bpf_program(const char *hexstr, size_t *out_len, size_t line)
{
    size_t len = strlen(hexstr);
    if (len % 16 != 0 || len == 0 || len / 16 > 4096)
        die("plan line %zu: seccomp program must be 1..4096 instructions of 8 bytes", line);
    unsigned char *prog = xcalloc(len / 2, 1);
    for (size_t i = 0; i < len / 2; i++) {
        int hi = plan_hex_digit(hexstr[2 * i]), lo = plan_hex_digit(hexstr[2 * i + 1]);
        if (hi < 0 || lo < 0)
            die("plan line %zu: seccomp program is not hex", line);
        prog[i] = (unsigned char)(hi << 4 | lo);
    }
    *out_len = len / 2;
    return prog;
}

void op_SECCOMP(struct plan *plan, char **arg, int n, size_t line)
{
    plan->seccomp = bpf_program(arg[0], &plan->seccomp_len, line);
}

void op_CREATE_GUARD(struct plan *plan, char **arg, int n, size_t line)
{
    plan->guard_filter = bpf_program(arg[0], &plan->guard_filter_len, line);
}

void op_CREATE_GUARD_NAME(struct plan *plan, char **arg, int n, size_t line)
{
    const char *name = arg[0];
    if (!*name || strlen(name) > 200 || strchr(name, '/'))
        die("plan line %zu: create-guard-name must be one path component", line);
    for (const char *p = name; *p; p++) {
        if ((unsigned char)*p >= 0x80 || (*p >= 'A' && *p <= 'Z'))
            die("plan line %zu: create-guard-name must be lower case ASCII", line);
    }
    if (plan->n_guard_names >= sizeof plan->guard_names / sizeof plan->guard_names[0])
        die("plan line %zu: too many create-guard names", line);
    plan->guard_names[plan->n_guard_names++] = xstrdup(name);
}

void op_CREATE_GUARD_EXEMPT(struct plan *plan, char **arg, int n, size_t line)
{
    if (arg[0][0] != '/')
        die("plan line %zu: create-guard-exempt needs an absolute path", line);
    if (plan->n_guard_exempt >= sizeof plan->guard_exempt / sizeof plan->guard_exempt[0])
        die("plan line %zu: too many create-guard exempt paths", line);
    plan->guard_exempt[plan->n_guard_exempt++] = xstrdup(arg[0]);
}

void op_CWD(struct plan *plan, char **arg, int n, size_t line)
{
    plan->cwd = xstrdup(arg[0]);
}

void op_EXEC(struct plan *plan, char **arg, int n, size_t line)
{
    plan->exec_path = xstrdup(arg[0]);
}

void op_ARG(struct plan *plan, char **arg, int n, size_t line)
{
    if (plan->argc >= MAX_ARGS - 1)
        die("plan line %zu: too many args", line);
    plan->argv[plan->argc++] = xstrdup(arg[0]);
}

void op_ENV(struct plan *plan, char **arg, int n, size_t line)
{
    if (plan->envc >= MAX_ARGS - 1)
        die("plan line %zu: too many envs", line);
    if (!strchr(arg[0], '='))
        die("plan line %zu: env needs NAME=VALUE", line);
    plan->envp[plan->envc++] = xstrdup(arg[0]);
}

void op_VERBOSE(struct plan *plan, char **arg, int n, size_t line)
{
    plan->verbose = (int)plan_number(arg[0], line);
}

void op_STDIN_HUP_GRACE_MS(struct plan *plan, char **arg, int n, size_t line)
{
    plan->stdin_hup_grace_ms = (int)plan_number(arg[0], line);
}

/* The reader notices "end" itself (nothing may follow it); as an operation it sets nothing. */
void op_END(struct plan *plan, char **arg, int n, size_t line)
{
}
