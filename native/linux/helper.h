/* mcp-contain-helper: mechanism only. Java decides the policy and writes it as a plan (plan_ops.def defines the
 * format); this program carries the plan out in a fixed order and never decides anything of its own. */
#ifndef MCP_CONTAIN_HELPER_H
#define MCP_CONTAIN_HELPER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define EXIT_CONTAIN_FAILED 125
#define EXIT_NOT_EXECUTABLE 126
#define EXIT_NOT_FOUND 127

#define MAX_OPS 1024
#define MAX_LANDLOCK 2048 /* per-entry rules under /etc can be many */
#define MAX_ISLANDS 126   /* C(9,4): nine marker layers keep 126 places apart (landlock.c) */
#define MAX_ARGS 4096

enum mode { MODE_NAMESPACES, MODE_LANDLOCK, MODE_REDUCED };

enum mount_kind {
    M_BIND_RO, M_BIND_RW, M_BIND_DEV, M_TMPFS, M_PROC, M_DEVPTS, M_DIR, M_SYMLINK, M_MASK, M_RO_SELF, M_HIDE,
};

struct mount_op {
    enum mount_kind kind;
    char *src;          /* host path for binds, link target for symlinks */
    char *dst;          /* path inside the new root */
    unsigned long size; /* tmpfs bytes */
    unsigned long inodes; /* tmpfs nr_inodes; 0: the kernel's default (refused by the plan for tmpfs) */
    unsigned mode;      /* tmpfs/dir mode */
    bool idmap;         /* bind through an idmapped mount: on-disk owner shown as the server's identity */
    uid_t idmap_from_uid, idmap_to_uid;
    gid_t idmap_from_gid, idmap_to_gid;
    bool verify;        /* the source must still be src_dev:src_ino when opened (plan time == mount time) */
    unsigned long long src_dev, src_ino;
    int tree_fd;        /* detached clone of the source, taken before the root is replaced */
    int idmap_fd;       /* user namespace carrying the idmap, made by the supervisor */
};

/* What a Landlock rule allows beneath its path (masked to file rights on a file). */
enum landlock_kind {
    LL_READ,      /* execute, read files, list directories */
    LL_WRITE,     /* everything but device ioctls: a grant holds files, not devices to drive */
    LL_DEVICE,    /* everything, device ioctls included: only the named device nodes */
    LL_READ_DIR,  /* list directories and nothing else */
};

struct landlock_rule {
    char *path;          /* absolute; for own_proc, the entry under /proc/<the server's pid> */
    enum landlock_kind kind;
    bool own_proc;       /* resolved at apply time against the server's own pid */
};

/* The persistent home: BASE (the launcher's, resolved by it) / NAME, owned by UID:GID, mode 0700. */
struct home_op {
    char *base;
    char *name;
    unsigned base_mode;
    uid_t uid;
    gid_t gid;
    bool tmp;                   /* also NAME/tmp (landlock mode: no private /tmp) */
    unsigned long long limit;   /* bytes; 0: none */
};

/* A per-user-namespace counter (/proc/sys/user/NAME), set inside the server's own user namespace. */
struct ipc_limit {
    char *name;  /* below /proc/sys/kernel: shmmax shmall shmmni msgmni msgmnb msgmax sem */
    char *value;
};

struct userns_limit {
    char *name;
    unsigned long long value;
};

struct rlimit_op {
    int resource;
    unsigned long long soft, hard;
};

struct cgroup_op {
    char *dir;          /* created by the supervisor, the server tree is placed in it, removed at the end */
    char *file;         /* NULL: membership only */
    char *value;
};

struct plan {
    enum mode mode;
    int clone_flags;            /* CLONE_NEW* */
    bool map_ids;               /* write uid_map/gid_map for our own uid (unprivileged user namespace) */
    bool drop_identity;         /* root launcher: setresuid/setresgid to the agent */
    uid_t uid;
    gid_t gid;
    char *hostname;
    size_t root_tmpfs_bytes;
    struct mount_op mounts[MAX_OPS];
    size_t n_mounts;
    struct landlock_rule landlock[MAX_LANDLOCK];
    size_t n_landlock;
    int landlock_min_abi;       /* 0: Landlock not used */
    bool landlock_deny_tcp;     /* handle TCP bind/connect with no rule: all denied */
    bool landlock_deny_tcp_required;
    bool landlock_scope;        /* abstract unix sockets and signals stay inside the domain */
    bool landlock_scope_required;
    char *landlock_islands[MAX_ISLANDS]; /* landlock.c: no link or rename between two of them */
    size_t n_landlock_islands;
    struct rlimit_op rlimits[16];
    size_t n_rlimits;
    struct cgroup_op cgroups[32];
    size_t n_cgroups;
    char *cwd;
    char *exec_path;
    char *argv[MAX_ARGS];
    size_t argc;
    char *envp[MAX_ARGS];
    size_t envc;
    unsigned char *seccomp;
    size_t seccomp_len;
    unsigned char *guard_filter;   /* create_guard.c: the notifying filter; NULL: no guard */
    size_t guard_filter_len;
    char *guard_names[128];
    size_t n_guard_names;
    char *guard_exempt[64];
    size_t n_guard_exempt;
    int verbose;
    int stdin_hup_grace_ms;
    char *userns_hint;          /* shown when a user namespace cannot be created */
    struct home_op home;
    struct userns_limit userns_limits[16];
    size_t n_userns_limits;
    struct ipc_limit ipc_limits[8];
    size_t n_ipc_limits;
    bool own_userns;            /* root launcher: the server enters a user namespace of its own (for its counters) */
    bool own_userns_required;   /* else, where the host refuses one (a container's seccomp), say so and go on */
    unsigned long root_tmpfs_inodes;
    char *net_proxy;            /* the launcher's filtering proxy, a unix socket path inside the sandbox */
    int net_proxy_port;         /* 127.0.0.1 port relayed to it as is (proxy-aware clients) */
    int net_capture[64];        /* ports captured from clients that ignore proxies */
    size_t n_net_capture;
    int net_dns_port;           /* the DNS stub's port (53) */
};

/* parent.c: the launcher's parent (the host), watched so the tree dies with it */
struct parent_watch {
    pid_t host, launcher;
    int host_fd, launcher_fd;   /* pidfds, -1 when not open */
    bool armed;
};
void parent_watch_arm(struct parent_watch *w, pid_t host, pid_t launcher);
bool parent_watch_alive(const struct parent_watch *w);
bool parent_watch_polled(const struct parent_watch *w);

/* util.c */
void at_die(void (*cleanup)(void));
void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void die_errno(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void note(const struct plan *plan, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void *xcalloc(size_t n, size_t size);
char *xstrdup(const char *s);
int write_file(const char *path, const char *content);
int write_file_at(int dirfd, const char *path, const char *content);

/* plan.c */
void plan_read(int fd, struct plan *plan);

/* namespaces.c */
int write_own_id_maps(uid_t outer_uid, gid_t outer_gid, const char **failed);
int idmap_userns_fd(uid_t from_uid, uid_t to_uid, gid_t from_gid, gid_t to_gid);

/* mounts.c */
void mounts_prepare_idmaps(struct plan *plan);
void mounts_capture_sources(struct plan *plan);
void mounts_build_root(struct plan *plan);
/* Whether NAME (in DIRFD, already lstat'ed into ST) is a setuid, setgid or file-capability regular file. */
struct stat;
bool privileged_file(int dirfd, const char *name, const struct stat *st);

/* landlock.c */
int landlock_abi(void);
void landlock_apply(const struct plan *plan);
void landlock_apply_guard_layer(const struct plan *plan);
void landlock_apply_islands(const struct plan *plan);

/* stdio_sockets.c */
void stdio_sockets_claim(const struct plan *plan);
void stdio_pipes_own(const struct plan *plan);

/* seccomp.c */
void seccomp_apply(const struct plan *plan);

/* create_guard.c */
void create_guard_fork(const struct plan *plan);
void create_guard_attach(const struct plan *plan);

/* limits.c */
void rlimits_apply(const struct plan *plan, bool in_own_userns);
void ipc_open_sysctl_dir(const struct plan *plan);
void ipc_limits_as_owner(const struct plan *plan);
void ipc_limits_nested(const struct plan *plan);
void cgroups_create(const struct plan *plan);
void cgroups_enter(const struct plan *plan, pid_t pid);
void cgroups_remove(const struct plan *plan);

/* identity.c */
void identity_drop(const struct plan *plan);

/* home.c */
void home_prepare(const struct plan *plan);
/* Bytes in the home, or -1 with *WHY saying what could not be measured (counts as over the limit). */
long long home_usage(const char **why);
bool home_fs_changed(void);
void home_fs_mark(void);
long long home_fs_growth(void);
int home_descriptor(void);

/* held.c */
/* Bytes in files of the home's filesystem that no name reaches but the run's processes still hold (descriptors,
 * cwd, mappings), or -1 with *WHY when that cannot be measured (counts as over the limit). *MAPPED: 0, or the cause
 * was a deleted mapping the launcher could not stat: 2 because map_files is refused to it, 1 for another reason. */
long long held_unlinked_usage(const struct plan *plan, pid_t init, const char **why, int *mapped);

/* userns.c */
void userns_open_sysctl_dir(const struct plan *plan);
void userns_enter_own(const struct plan *plan, int ready_fd, int mapped_fd);
void userns_write_maps_for(const struct plan *plan, pid_t server);
void userns_apply_limits(const struct plan *plan);

/* egress.c */
void egress_start(const struct plan *plan);

/* tty_relay.c: fds 0-2 that are terminals reach the server as pipes the supervisor relays, controls shown as text */
struct tty_relay {
    bool active;
    int server_end[3], relay_end[3];
    unsigned char in[4096];
    size_t in_len, in_off;
    bool in_eof;
    unsigned char held[3][4]; /* an incomplete UTF-8 sequence that ended a read, per output */
    size_t held_len[3];
    int term_fd[3];           /* the terminal reopened O_NONBLOCK for writing (its own file description), or -1 */
    char *pend[3];            /* shown output the terminal has not taken yet */
    size_t pend_len[3], pend_off[3];
};
struct pollfd;
void tty_relay_prepare(struct tty_relay *t);
void tty_relay_child(const struct tty_relay *t);
void tty_relay_parent(struct tty_relay *t);
int tty_relay_pollfds(struct tty_relay *t, struct pollfd *fds);
bool tty_relay_step(struct tty_relay *t, const struct pollfd *fds);
void tty_relay_drain(struct tty_relay *t, int fd, bool all);

/* supervise.c */
int supervise(struct plan *plan, pid_t host, pid_t launcher);

/* probe.c */
int probe(void);

#endif
