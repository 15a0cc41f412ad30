/* Landlock: the second layer on the same grants (namespaces mode), or the only filesystem layer (landlock mode).
 * Rights the running kernel does not know are masked off; a feature the plan marks required and the kernel lacks
 * ends the launch. Applied to the server process only, never to the launcher. */
#include "helper.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif
#define LL_NET_BIND_TCP (1ULL << 0)
#define LL_NET_CONNECT_TCP (1ULL << 1)
#define LL_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#define LL_SCOPE_SIGNAL (1ULL << 1)

/* The kernel's struct grew with each ABI; we pass the size for the ABI we use. */
struct ll_ruleset_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net;
    uint64_t scoped;
};

struct ll_path_beneath {
    uint64_t allowed_access;
    int32_t parent_fd;
} __attribute__((packed));

#define RULE_PATH_BENEATH 1

int landlock_abi(void)
{
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    return abi < 0 ? 0 : (int)abi;
}

static uint64_t fs_rights(int abi)
{
    uint64_t all = (1ULL << 13) - 1; /* ABI 1: execute .. make_sym */
    if (abi >= 2)
        all |= LANDLOCK_ACCESS_FS_REFER;
    if (abi >= 3)
        all |= LANDLOCK_ACCESS_FS_TRUNCATE;
    if (abi >= 5)
        all |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
    return all;
}

static const uint64_t FILE_RIGHTS = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE
    | LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_TRUNCATE | LANDLOCK_ACCESS_FS_IOCTL_DEV;

static const uint64_t READ_RIGHTS = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE
    | LANDLOCK_ACCESS_FS_READ_DIR;

/* Opens PATH as O_PATH without following a symlink in any component: a rule must land on exactly the object the
 * plan names, never on what a link (planted by this or another server in a folder it could write) points to.
 * Returns -1 with errno ENOENT when a component is missing; ends the launch on a symlink or any other error. */
static int open_exact(const char *path)
{
    if (path[0] != '/')
        die("landlock: rule path %s is not absolute", path);
    int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        die_errno("landlock: opening /");
    char *copy = xstrdup(path);
    char *save = NULL;
    for (char *name = strtok_r(copy, "/", &save); name; name = strtok_r(NULL, "/", &save)) {
        if (!strcmp(name, "..") || !strcmp(name, "."))
            die("landlock: rule path %s has a '%s' component", path, name);
        int next = openat(fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        int err = errno;
        close(fd);
        if (next < 0) {
            free(copy);
            errno = err;
            if (err == ENOENT)
                return -1;
            die_errno("landlock: opening %s", path);
        }
        struct stat st;
        if (fstat(next, &st) < 0)
            die_errno("landlock: fstat %s", path);
        if (S_ISLNK(st.st_mode))
            die("landlock: %s has a symbolic link at '%s' (it changed since the launch was planned, or something"
                " planted it); refusing to give the link's target a rule. Remove the link or grant the real folder",
                path, name);
        fd = next;
    }
    free(copy);
    return fd;
}

static uint64_t rule_rights(enum landlock_kind kind, int abi)
{
    switch (kind) {
    case LL_READ_DIR: return LANDLOCK_ACCESS_FS_READ_DIR;
    case LL_READ: return READ_RIGHTS;
    case LL_WRITE: return fs_rights(abi) & ~LANDLOCK_ACCESS_FS_IOCTL_DEV;
    case LL_DEVICE: return fs_rights(abi);
    }
    return 0;
}

static void apply(const struct plan *plan, bool guard_layer);

/* The first setuid, setgid or file-capability file below the directory FD (consumed), as a path relative to it in
 * FOUND; false when there is none. No link is followed; filesystems mounted below are searched too; directories
 * the server's uid cannot read are skipped (it cannot reach into them by listing either). */
static bool find_privileged(int fd, char *found, size_t len, int depth)
{
    if (depth > 128)
        die("a writable grant is nested deeper than 128 directories: cannot check it for setuid files");
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return false;
    }
    struct dirent *e;
    bool hit = false;
    while (!hit && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        struct stat st;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            /* A folder the server may enter but not list (mode -wx): it could still open a setuid file inside by
             * name, and this walk cannot see one. Fail closed. */
            if (sub < 0 && errno == EACCES && faccessat(dirfd(d), e->d_name, X_OK, AT_EACCESS) == 0)
                die("a writable grant holds a folder named %s that the server may enter but not list: it cannot be"
                    " checked for setuid files (isolation landlock); make it listable (chmod u+r) or grant read-only",
                    e->d_name);
            if (sub >= 0 && find_privileged(sub, found, len, depth + 1)) {
                /* prepend NAME/ to what the level below found (truncated, never overrun) */
                size_t name_len = strlen(e->d_name), found_len = strnlen(found, len - 1);
                if (name_len + 1 + found_len < len) {
                    memmove(found + name_len + 1, found, found_len + 1);
                    memcpy(found, e->d_name, name_len);
                    found[name_len] = '/';
                }
                hit = true;
            }
        } else if (privileged_file(dirfd(d), e->d_name, &st)) {
            snprintf(found, len, "%s", e->d_name);
            hit = true;
        }
    }
    closedir(d);
    return hit;
}

/* Without a mount namespace nothing can make one file of a writable grant read-only, and a store through a shared
 * writable mapping keeps the setuid bit (write, truncate and clone strip it): a setuid or setgid file, or one with
 * file capabilities, in a writable grant would come back to the host with the server's code in it. Full isolation
 * binds such files read-only over themselves; this mode refuses the grant. Checked as the server's uid, after the
 * identity drop, on the very descriptor the rule is made from. */
static void refuse_privileged_in_writable(int fd, const char *path, const struct stat *st)
{
    char found[4096] = "";
    if (S_ISDIR(st->st_mode)) {
        int walk = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (walk < 0 || !find_privileged(walk, found, sizeof found, 0))
            return;
        die("the writable grant %s holds %s/%s, which is setuid, setgid or has file capabilities: isolation landlock"
            " cannot keep it read-only (a store through a shared mapping keeps the bit); grant the folder read-only,"
            " remove the bit (chmod u-s,g-s) or use full isolation", path, path, found);
    }
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    if (S_ISREG(st->st_mode) && ((st->st_mode & (S_ISUID | S_ISGID)) || getxattr(proc, "security.capability", NULL, 0) >= 0))
        die("the writable grant %s is setuid, setgid or has file capabilities: isolation landlock cannot keep it"
            " read-only; grant it read-only or use full isolation", path);
}

/* Islands: the writable places of landlock mode (the agent home, each writable grant), kept apart as separate mounts
 * keep them apart in full isolation. Without that, all of them are one mount, and a hard link or rename from a grant
 * into the home outlives the grant: the next run, granted nothing, still read and wrote the user's file through the
 * link in its home (and a link from the home into a grant kept a file of the user's writable from the home).
 *
 * Landlock refuses a link or rename (EXDEV) unless, in every layer, the destination grants no right the source
 * lacks. So each island gets a marker no other island has: B layers that handle only IOCTL_DEV and REFER (REFER
 * granted everywhere: the main layer decides it), and in which IOCTL_DEV is granted beneath the islands whose set of
 * layers contains that one. Each island has its own set of B/2 of the B layers, and two different sets of the same
 * size never contain each other: between two islands one direction gains a marker and the other loses one, refused
 * both ways; within one island nothing differs. IOCTL_DEV is withheld by the main layer anyway (and granted here on
 * the device rules too), so no access changes. B = 2 keeps 2 places apart, 4 keeps 6, 6 keeps 20, 9 keeps 126. */
static int choose(int n, int k)
{
    long long r = 1;
    for (int i = 1; i <= k; i++)
        r = r * (n - k + i) / i;
    return (int)r;
}

/* The INDEX-th subset of size K of {0..N-1}, as a bit set, in lexicographic order. */
static unsigned subset(int n, int k, int index)
{
    unsigned set = 0;
    int next = 0;
    for (int chosen = 0; chosen < k; chosen++) {
        for (;; next++) {
            int rest = choose(n - next - 1, k - chosen - 1); /* subsets that take NEXT here */
            if (index < rest)
                break;
            index -= rest;
        }
        set |= 1u << next++;
    }
    return set;
}

void landlock_apply_islands(const struct plan *plan)
{
    size_t n = plan->n_landlock_islands;
    if (n < 2 || plan->landlock_min_abi == 0)
        return;
    int abi = landlock_abi();
    if (abi < 5)
        die("keeping %zu writable places apart needs Landlock ABI 5 (IOCTL_DEV, Linux 6.10); this kernel offers %d", n, abi);
    int layers = 2;
    while (choose(layers, layers / 2) < (int)n)
        layers++;
    for (int layer = 0; layer < layers; layer++) {
        struct ll_ruleset_attr attr = {.handled_access_fs = LANDLOCK_ACCESS_FS_IOCTL_DEV | LANDLOCK_ACCESS_FS_REFER};
        int ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(uint64_t), 0);
        if (ruleset < 0)
            die_errno("landlock_create_ruleset (islands)");
        int root = open_exact("/");
        struct ll_path_beneath everywhere = {.allowed_access = LANDLOCK_ACCESS_FS_REFER, .parent_fd = root};
        if (root < 0 || syscall(SYS_landlock_add_rule, ruleset, RULE_PATH_BENEATH, &everywhere, 0) < 0)
            die_errno("landlock: the islands' rule for /");
        close(root);
        for (size_t i = 0; i < n; i++) {
            if (!(subset(layers, layers / 2, (int)i) & (1u << layer)))
                continue;
            int fd = open_exact(plan->landlock_islands[i]);
            if (fd < 0)
                die("landlock: the writable place %s is missing", plan->landlock_islands[i]);
            struct ll_path_beneath mark = {.allowed_access = LANDLOCK_ACCESS_FS_IOCTL_DEV, .parent_fd = fd};
            if (syscall(SYS_landlock_add_rule, ruleset, RULE_PATH_BENEATH, &mark, 0) < 0)
                die_errno("landlock: marking %s", plan->landlock_islands[i]);
            close(fd);
        }
        for (size_t i = 0; i < plan->n_landlock; i++) {
            const struct landlock_rule *r = &plan->landlock[i];
            if (r->kind != LL_DEVICE)
                continue;
            int fd = open_exact(r->path);
            if (fd < 0)
                continue;
            struct ll_path_beneath dev = {.allowed_access = LANDLOCK_ACCESS_FS_IOCTL_DEV, .parent_fd = fd};
            if (syscall(SYS_landlock_add_rule, ruleset, RULE_PATH_BENEATH, &dev, 0) < 0)
                die_errno("landlock: device rule for %s (islands)", r->path);
            close(fd);
        }
        if (syscall(SYS_landlock_restrict_self, ruleset, 0) < 0)
            die_errno("landlock_restrict_self (islands)");
        close(ruleset);
    }
    note(plan, 1, "Landlock: %zu writable places kept apart (%d marker layers): no link or rename between them", n, layers);
}

void landlock_apply(const struct plan *plan)
{
    apply(plan, false);
}

/* The create guard's layer (create_guard.c): the server's rules plus /proc to read, so that the guard can read the
 * memory and directories of every server process (landlock mode allows the server only its own /proc entries).
 * The server then adds its own layer on top: it is nested in the guard's domain, which lets the guard inspect it
 * (Landlock lets a domain ptrace only its own or nested domains) and keeps the server from signalling the guard. */
void landlock_apply_guard_layer(const struct plan *plan)
{
    apply(plan, true);
}

static void apply(const struct plan *plan, bool guard_layer)
{
    if (plan->landlock_min_abi == 0)
        return;
    int abi = landlock_abi();
    if (abi < plan->landlock_min_abi)
        die("Landlock ABI %d is required, this kernel offers %s%d (Landlock needs Linux 5.13+ with"
            " CONFIG_SECURITY_LANDLOCK and 'landlock' in the lsm= boot list)",
            plan->landlock_min_abi, abi == 0 ? "none: " : "", abi);

    struct ll_ruleset_attr attr = {.handled_access_fs = fs_rights(abi)};
    size_t attr_size = sizeof(uint64_t);
    if (plan->landlock_deny_tcp) {
        if (abi >= 4) {
            attr.handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
            attr_size = 2 * sizeof(uint64_t);
        } else if (plan->landlock_deny_tcp_required) {
            die("Landlock ABI 4 (Linux 6.7) is required to deny TCP without a network namespace; this kernel offers %d", abi);
        }
    }
    if (plan->landlock_scope) {
        if (abi >= 6) {
            attr.scoped = LL_SCOPE_ABSTRACT_UNIX_SOCKET | LL_SCOPE_SIGNAL;
            attr_size = sizeof attr;
        } else if (plan->landlock_scope_required) {
            die("Landlock ABI 6 (Linux 6.12) is required to keep signals and abstract sockets inside; this kernel offers %d", abi);
        }
    }
    int ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, attr_size, 0);
    if (ruleset < 0)
        die_errno("landlock_create_ruleset");

    for (size_t i = 0; i < plan->n_landlock; i++) {
        const struct landlock_rule *r = &plan->landlock[i];
        char own[64];
        const char *path = r->path;
        if (r->own_proc) {
            /* This process execs the server, so its pid is the server's: its own entries and nobody else's. */
            snprintf(own, sizeof own, "/proc/%d/%s", (int)getpid(), r->path);
            path = own;
        }
        int fd = open_exact(path);
        if (fd < 0)
            continue; /* missing (e.g. /lib32 on a host without it): nothing there to allow */
        struct stat st;
        if (fstat(fd, &st) < 0)
            die_errno("landlock: fstat %s", path);
        uint64_t allowed = rule_rights(r->kind, abi);
        if (r->kind == LL_WRITE && plan->mode != MODE_NAMESPACES && !guard_layer) /* once, not per layer */
            refuse_privileged_in_writable(fd, path, &st);
        if (!S_ISDIR(st.st_mode))
            allowed &= FILE_RIGHTS;
        allowed &= fs_rights(abi);
        struct ll_path_beneath rule = {.allowed_access = allowed, .parent_fd = fd};
        if (allowed && syscall(SYS_landlock_add_rule, ruleset, RULE_PATH_BENEATH, &rule, 0) < 0)
            die_errno("landlock: rule for %s", path);
        close(fd);
    }
    if (guard_layer) {
        int fd = open_exact("/proc");
        struct ll_path_beneath rule = {.allowed_access = READ_RIGHTS & fs_rights(abi), .parent_fd = fd};
        if (fd < 0 || syscall(SYS_landlock_add_rule, ruleset, RULE_PATH_BENEATH, &rule, 0) < 0)
            die_errno("landlock: the create guard's rule for /proc");
        close(fd);
    }
    if (syscall(SYS_landlock_restrict_self, ruleset, 0) < 0)
        die_errno("landlock_restrict_self");
    close(ruleset);
    note(plan, 1, "Landlock ABI %d enforced (%zu rules)", abi, plan->n_landlock);
}
