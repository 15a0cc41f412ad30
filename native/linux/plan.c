/* The plan: text written by the Java launcher, one operation per line, words separated by one space, each word
 * percent-encoded (%XX) so paths and values may hold any byte but NUL. The first line is "mcp-contain-plan 1",
 * the last "end": a truncated plan is refused, never half-applied.
 *
 *   mode namespaces|landlock|reduced       unshare user|pid|ipc|uts|net|mnt|cgroup ...
 *   map-ids                                 identity UID GID          hostname NAME
 *   root-tmpfs BYTES INODES
 *   bind-ro SRC DST [DEV INO]    bind-rw SRC DST [DEV INO]    bind-dev SRC DST    idmap FROM_UID TO_UID FROM_GID TO_GID
 *   tmpfs DST BYTES MODE INODES   proc DST   devpts DST   dir DST MODE   symlink TARGET DST   mask DST   ro-self DST
 *   hide DST   (an empty folder the server may traverse but not list; read-only once every mount is made)
 *   landlock ABI       landlock-ro PATH   landlock-rw PATH   landlock-readdir PATH   landlock-dev PATH
 *   landlock-own-proc ENTRY                 (read-only, /proc/<the server's own pid>/ENTRY)
 *   landlock-deny-tcp required|optional     landlock-scope required|optional
 *   rlimit NAME SOFT HARD                   (NAME: nofile fsize cpu core nproc data; "inf" for unlimited)
 *   cgroup DIR         cgroup-set DIR FILE VALUE
 *   cwd PATH   exec PATH   arg WORD   env NAME=VALUE   seccomp HEX
 *   verbose N   stdin-hup-grace-ms N   userns-hint TEXT
 *   net-proxy PATH   net-proxy-port PORT   net-capture PORT   net-dns PORT   (egress.c: allow-list bridge)
 *   home BASE NAME UID GID BASE_MODE        home-tmp       home-limit BYTES
 *   own-userns required|optional            userns-limit NAME VALUE   (NAME: a file in /proc/sys/user)
 *
 * Every tmpfs carries an inode limit: a tmpfs without one is refused (an inode costs kernel memory that its
 * byte size does not count). "rlimit" also takes msgqueue, sigpending.
 *
 * "idmap" applies to the bind just before it. Mount operations run in the order given. A bind with DEV INO is
 * refused (125) unless the source, opened without following any symbolic link, is still that device and inode. */
#include "helper.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define MAX_PLAN (16u << 20)
#define MAX_WORDS 8

static int hex(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes in place; a NUL byte or a broken escape makes the whole plan invalid. */
static char *decode(char *word, size_t line)
{
    char *out = word;
    for (char *in = word; *in; in++) {
        if (*in == '%') {
            int hi = hex(in[1]), lo = hi < 0 ? -1 : hex(in[2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
                die("plan line %zu: bad escape", line);
            *out++ = (char)(hi << 4 | lo);
            in += 2;
        } else {
            *out++ = *in;
        }
    }
    *out = '\0';
    return word;
}

static unsigned long long number(const char *s, size_t line)
{
    if (strcmp(s, "inf") == 0)
        return RLIM_INFINITY;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || end == s)
        die("plan line %zu: '%s' is not a number", line, s);
    return v;
}

static void need(int have, int want, const char *op, size_t line)
{
    if (have != want)
        die("plan line %zu: '%s' takes %d argument(s), got %d", line, op, want - 1, have - 1);
}

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

static void add_landlock(struct plan *plan, const char *path, enum landlock_kind kind, bool own_proc, size_t line)
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

static int rlimit_resource(const char *name, size_t line)
{
    static const struct { const char *name; int resource; } names[] = {
        {"nofile", RLIMIT_NOFILE}, {"fsize", RLIMIT_FSIZE}, {"cpu", RLIMIT_CPU}, {"core", RLIMIT_CORE},
        {"nproc", RLIMIT_NPROC}, {"data", RLIMIT_DATA}, {"as", RLIMIT_AS}, {"memlock", RLIMIT_MEMLOCK},
        {"msgqueue", RLIMIT_MSGQUEUE}, {"sigpending", RLIMIT_SIGPENDING},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(names[i].name, name) == 0)
            return names[i].resource;
    die("plan line %zu: unknown rlimit '%s'", line, name);
}

static int clone_flag(const char *name, size_t line)
{
    if (!strcmp(name, "user")) return CLONE_NEWUSER;
    if (!strcmp(name, "pid")) return CLONE_NEWPID;
    if (!strcmp(name, "ipc")) return CLONE_NEWIPC;
    if (!strcmp(name, "uts")) return CLONE_NEWUTS;
    if (!strcmp(name, "net")) return CLONE_NEWNET;
    if (!strcmp(name, "mnt")) return CLONE_NEWNS;
    if (!strcmp(name, "cgroup")) return CLONE_NEWCGROUP;
    die("plan line %zu: unknown namespace '%s'", line, name);
}

static void parse_seccomp(struct plan *plan, const char *hexstr, size_t line)
{
    size_t len = strlen(hexstr);
    if (len % 16 != 0 || len == 0 || len / 16 > 4096)
        die("plan line %zu: seccomp program must be 1..4096 instructions of 8 bytes", line);
    plan->seccomp = xcalloc(len / 2, 1);
    for (size_t i = 0; i < len / 2; i++) {
        int hi = hex(hexstr[2 * i]), lo = hex(hexstr[2 * i + 1]);
        if (hi < 0 || lo < 0)
            die("plan line %zu: seccomp program is not hex", line);
        plan->seccomp[i] = (unsigned char)(hi << 4 | lo);
    }
    plan->seccomp_len = len / 2;
}

static void apply_line(struct plan *plan, char **w, int n, size_t line, bool *ended)
{
    const char *op = w[0];
    struct mount_op *m;
    if (!strcmp(op, "mode")) {
        need(n, 2, op, line);
        if (!strcmp(w[1], "namespaces")) plan->mode = MODE_NAMESPACES;
        else if (!strcmp(w[1], "landlock")) plan->mode = MODE_LANDLOCK;
        else if (!strcmp(w[1], "reduced")) plan->mode = MODE_REDUCED;
        else die("plan line %zu: unknown mode '%s'", line, w[1]);
    } else if (!strcmp(op, "unshare")) {
        for (int i = 1; i < n; i++)
            plan->clone_flags |= clone_flag(w[i], line);
    } else if (!strcmp(op, "map-ids")) {
        plan->map_ids = true;
    } else if (!strcmp(op, "identity")) {
        need(n, 3, op, line);
        plan->drop_identity = true;
        plan->uid = (uid_t)number(w[1], line);
        plan->gid = (gid_t)number(w[2], line);
        if (plan->uid == 0 || plan->gid == 0)
            die("plan line %zu: refusing to run the server as root", line);
    } else if (!strcmp(op, "hostname")) {
        need(n, 2, op, line);
        plan->hostname = xstrdup(w[1]);
    } else if (!strcmp(op, "root-tmpfs")) {
        need(n, 3, op, line);
        plan->root_tmpfs_bytes = number(w[1], line);
        plan->root_tmpfs_inodes = (unsigned long)number(w[2], line);
        if (plan->root_tmpfs_inodes == 0)
            die("plan line %zu: a tmpfs needs an inode limit", line);
    } else if (!strcmp(op, "bind-ro") || !strcmp(op, "bind-rw") || !strcmp(op, "bind-dev")) {
        need(n, n == 5 && strcmp(op, "bind-dev") ? 5 : 3, op, line);
        m = new_mount(plan, !strcmp(op, "bind-ro") ? M_BIND_RO : !strcmp(op, "bind-rw") ? M_BIND_RW : M_BIND_DEV, line);
        m->src = xstrdup(w[1]);
        m->dst = xstrdup(w[2]);
        if (n == 5) {
            m->verify = true;
            m->src_dev = number(w[3], line);
            m->src_ino = number(w[4], line);
        }
    } else if (!strcmp(op, "idmap")) {
        need(n, 5, op, line);
        if (plan->n_mounts == 0 || (plan->mounts[plan->n_mounts - 1].kind != M_BIND_RO
                                    && plan->mounts[plan->n_mounts - 1].kind != M_BIND_RW))
            die("plan line %zu: idmap must follow a bind", line);
        m = &plan->mounts[plan->n_mounts - 1];
        m->idmap = true;
        m->idmap_from_uid = (uid_t)number(w[1], line);
        m->idmap_to_uid = (uid_t)number(w[2], line);
        m->idmap_from_gid = (gid_t)number(w[3], line);
        m->idmap_to_gid = (gid_t)number(w[4], line);
    } else if (!strcmp(op, "tmpfs")) {
        need(n, 5, op, line);
        m = new_mount(plan, M_TMPFS, line);
        m->dst = xstrdup(w[1]);
        m->size = (unsigned long)number(w[2], line);
        m->mode = (unsigned)strtoul(w[3], NULL, 8);
        m->inodes = (unsigned long)number(w[4], line);
        if (m->inodes == 0)
            die("plan line %zu: a tmpfs needs an inode limit", line);
    } else if (!strcmp(op, "proc") || !strcmp(op, "devpts") || !strcmp(op, "mask") || !strcmp(op, "ro-self")
               || !strcmp(op, "hide")) {
        need(n, 2, op, line);
        m = new_mount(plan, !strcmp(op, "proc") ? M_PROC : !strcmp(op, "devpts") ? M_DEVPTS
                            : !strcmp(op, "mask") ? M_MASK : !strcmp(op, "hide") ? M_HIDE : M_RO_SELF, line);
        m->dst = xstrdup(w[1]);
    } else if (!strcmp(op, "dir")) {
        need(n, 3, op, line);
        m = new_mount(plan, M_DIR, line);
        m->dst = xstrdup(w[1]);
        m->mode = (unsigned)strtoul(w[2], NULL, 8);
    } else if (!strcmp(op, "symlink")) {
        need(n, 3, op, line);
        m = new_mount(plan, M_SYMLINK, line);
        m->src = xstrdup(w[1]);
        m->dst = xstrdup(w[2]);
    } else if (!strcmp(op, "landlock")) {
        need(n, 2, op, line);
        plan->landlock_min_abi = (int)number(w[1], line);
    } else if (!strcmp(op, "landlock-ro") || !strcmp(op, "landlock-rw") || !strcmp(op, "landlock-readdir")
               || !strcmp(op, "landlock-dev") || !strcmp(op, "landlock-own-proc")) {
        need(n, 2, op, line);
        enum landlock_kind kind = !strcmp(op, "landlock-rw") ? LL_WRITE : !strcmp(op, "landlock-dev") ? LL_DEVICE
                                : !strcmp(op, "landlock-readdir") ? LL_READ_DIR : LL_READ;
        add_landlock(plan, w[1], kind, !strcmp(op, "landlock-own-proc"), line);
    } else if (!strcmp(op, "landlock-deny-tcp") || !strcmp(op, "landlock-scope")) {
        need(n, 2, op, line);
        bool required = !strcmp(w[1], "required");
        if (!required && strcmp(w[1], "optional"))
            die("plan line %zu: %s takes required|optional", line, op);
        if (!strcmp(op, "landlock-scope")) {
            plan->landlock_scope = true;
            plan->landlock_scope_required = required;
        } else {
            plan->landlock_deny_tcp = true;
            plan->landlock_deny_tcp_required = required;
        }
    } else if (!strcmp(op, "rlimit")) {
        need(n, 4, op, line);
        if (plan->n_rlimits >= sizeof plan->rlimits / sizeof plan->rlimits[0])
            die("plan line %zu: too many rlimits", line);
        struct rlimit_op *r = &plan->rlimits[plan->n_rlimits++];
        r->resource = rlimit_resource(w[1], line);
        r->soft = number(w[2], line);
        r->hard = number(w[3], line);
    } else if (!strcmp(op, "cgroup") || !strcmp(op, "cgroup-set")) {
        need(n, !strcmp(op, "cgroup") ? 2 : 4, op, line);
        if (plan->n_cgroups >= sizeof plan->cgroups / sizeof plan->cgroups[0])
            die("plan line %zu: too many cgroup operations", line);
        struct cgroup_op *c = &plan->cgroups[plan->n_cgroups++];
        c->dir = xstrdup(w[1]);
        c->file = n == 4 ? xstrdup(w[2]) : NULL;
        c->value = n == 4 ? xstrdup(w[3]) : NULL;
    } else if (!strcmp(op, "cwd")) {
        need(n, 2, op, line);
        plan->cwd = xstrdup(w[1]);
    } else if (!strcmp(op, "exec")) {
        need(n, 2, op, line);
        plan->exec_path = xstrdup(w[1]);
    } else if (!strcmp(op, "arg") || !strcmp(op, "env")) {
        need(n, 2, op, line);
        bool is_arg = !strcmp(op, "arg");
        size_t *count = is_arg ? &plan->argc : &plan->envc;
        if (*count >= MAX_ARGS - 1)
            die("plan line %zu: too many %ss", line, op);
        if (!is_arg && !strchr(w[1], '='))
            die("plan line %zu: env needs NAME=VALUE", line);
        (is_arg ? plan->argv : plan->envp)[(*count)++] = xstrdup(w[1]);
    } else if (!strcmp(op, "seccomp")) {
        need(n, 2, op, line);
        parse_seccomp(plan, w[1], line);
    } else if (!strcmp(op, "verbose")) {
        need(n, 2, op, line);
        plan->verbose = (int)number(w[1], line);
    } else if (!strcmp(op, "stdin-hup-grace-ms")) {
        need(n, 2, op, line);
        plan->stdin_hup_grace_ms = (int)number(w[1], line);
    } else if (!strcmp(op, "userns-hint")) {
        need(n, 2, op, line);
        plan->userns_hint = xstrdup(w[1]);
    } else if (!strcmp(op, "home")) {
        need(n, 6, op, line);
        plan->home.base = xstrdup(w[1]);
        plan->home.name = xstrdup(w[2]);
        if (!*w[2] || strchr(w[2], '/') || !strcmp(w[2], ".") || !strcmp(w[2], ".."))
            die("plan line %zu: a home name is one path component", line);
        plan->home.uid = (uid_t)number(w[3], line);
        plan->home.gid = (gid_t)number(w[4], line);
        plan->home.base_mode = (unsigned)strtoul(w[5], NULL, 8);
    } else if (!strcmp(op, "home-tmp")) {
        need(n, 1, op, line);
        plan->home.tmp = true;
    } else if (!strcmp(op, "home-limit")) {
        need(n, 2, op, line);
        plan->home.limit = number(w[1], line);
    } else if (!strcmp(op, "own-userns")) {
        need(n, 2, op, line);
        plan->own_userns = true;
        plan->own_userns_required = !strcmp(w[1], "required");
        if (!plan->own_userns_required && strcmp(w[1], "optional"))
            die("plan line %zu: own-userns takes required|optional", line);
    } else if (!strcmp(op, "userns-limit")) {
        need(n, 3, op, line);
        if (plan->n_userns_limits >= sizeof plan->userns_limits / sizeof plan->userns_limits[0])
            die("plan line %zu: too many userns limits", line);
        if (strchr(w[1], '/') || w[1][0] == '.')
            die("plan line %zu: '%s' is not a /proc/sys/user name", line, w[1]);
        plan->userns_limits[plan->n_userns_limits].name = xstrdup(w[1]);
        plan->userns_limits[plan->n_userns_limits++].value = number(w[2], line);
    } else if (!strcmp(op, "net-proxy")) {
        need(n, 2, op, line);
        plan->net_proxy = xstrdup(w[1]);
    } else if (!strcmp(op, "net-proxy-port") || !strcmp(op, "net-capture") || !strcmp(op, "net-dns")) {
        need(n, 2, op, line);
        unsigned long long port = number(w[1], line);
        if (port < 1 || port > 65535)
            die("plan line %zu: port %llu out of range", line, port);
        if (!strcmp(op, "net-proxy-port")) {
            plan->net_proxy_port = (int)port;
        } else if (!strcmp(op, "net-dns")) {
            plan->net_dns_port = (int)port;
        } else {
            if (plan->n_net_capture >= sizeof plan->net_capture / sizeof plan->net_capture[0])
                die("plan line %zu: too many captured ports", line);
            plan->net_capture[plan->n_net_capture++] = (int)port;
        }
    } else if (!strcmp(op, "end")) {
        need(n, 1, op, line);
        *ended = true;
    } else {
        die("plan line %zu: unknown operation '%s' (helper and launcher versions differ?)", line, op);
    }
}

void plan_read(int fd, struct plan *plan)
{
    size_t cap = 1 << 16, len = 0;
    char *buf = xcalloc(cap, 1);
    for (;;) {
        if (len + 1 >= cap) {
            if (cap >= MAX_PLAN)
                die("plan larger than %u bytes", MAX_PLAN);
            cap *= 2;
            char *bigger = realloc(buf, cap);
            if (!bigger)
                die("out of memory");
            buf = bigger;
        }
        ssize_t n = read(fd, buf + len, cap - len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            die_errno("reading the plan");
        if (n == 0)
            break;
        len += (size_t)n;
    }
    buf[len] = '\0';
    if (memchr(buf, '\0', len))
        die("plan contains a NUL byte");

    plan->stdin_hup_grace_ms = 2000;
    bool ended = false;
    size_t line_no = 0;
    char *save = NULL;
    for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        line_no++;
        if (ended)
            die("plan line %zu: text after 'end'", line_no);
        char *words[MAX_WORDS];
        int n = 0;
        char *wsave = NULL;
        for (char *w = strtok_r(line, " ", &wsave); w; w = strtok_r(NULL, " ", &wsave)) {
            if (n == MAX_WORDS)
                die("plan line %zu: too many words", line_no);
            words[n++] = decode(w, line_no);
        }
        if (n == 0)
            continue;
        if (line_no == 1) {
            if (n != 2 || strcmp(words[0], "mcp-contain-plan") || strcmp(words[1], "1"))
                die("not an mcp-contain plan (version 1)");
            continue;
        }
        apply_line(plan, words, n, line_no, &ended);
    }
    if (!ended)
        die("plan is truncated (no 'end' line)");
    if (!plan->exec_path || plan->argc == 0)
        die("plan names no program");
    plan->argv[plan->argc] = NULL;
    plan->envp[plan->envc] = NULL;
}
