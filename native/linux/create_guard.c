/* create_guard: the names a server may not create in its writable grants (.git, .envrc, HEAD, ...; the list is the
 * launcher's), kept out without a race.
 *
 * A name that exists can be pinned with a read-only mount; a name that does not exist cannot, and neither Landlock
 * nor BPF can look at names. So every syscall that can name a new entry (open/openat with O_CREAT, creat, mkdir*,
 * mknod*, symlink*, link*, rename*) is sent by a second seccomp filter (CreateGuardFilter.java) to this guard, a
 * process forked from the server just before execve: same credentials, same Landlock rules, same mounts and the
 * main seccomp filter, so it can do nothing the server could not do itself.
 *
 * The guard never lets a notified call continue (SECCOMP_USER_NOTIF_FLAG_CONTINUE would make the kernel read the
 * path again, and another thread may have rewritten it after the check). It copies the path out of the server's
 * memory once, checks the last component of that copy, and performs the call itself with the copy: the name
 * checked is the name created. A protected name is refused with EPERM unless the directory it would be created in
 * is on an exempt mount (the server's own home and /tmp, grants given ",unprotected"); that directory is opened
 * once, its mount read from the descriptor, and the entry created relative to that descriptor. Renames across
 * mounts fail (EXDEV), so a directory cannot be checked on an exempt mount and used on another.
 *
 * Names compare case-insensitively, with the few non-ASCII letters that a casefolded directory or an exFAT/NTFS
 * upcase table takes for ASCII ones folded to those (".vſcode"), any other byte >= 0x80 and trailing dots and
 * spaces ignored, so that such a grant cannot be used to spell ".git" another way. objects, refs and commondir are
 * refused beside a HEAD (a folder with those is a git directory). open with O_CREAT but without O_EXCL follows a
 * symbolic link in the last component and would create the link's target: it is opened with O_NOFOLLOW first, and
 * creation through a dangling link is refused (EPERM).
 *
 * The guard's Landlock layer is the server's rules plus /proc to read (the server's own layer, on top of it, has
 * only the rules): so what an open hands back is never on /proc (EACCES), and paths are resolved as the caller's,
 * never through the guard's own /proc/self (see "resolving a path as the caller would" below).
 *
 * Fails closed: a path it cannot read (EFAULT), a server process it may not inspect (non-dumpable: EACCES), a
 * guard that died (the kernel answers ENOSYS) all end in the call failing, never in it running unchecked. */
#include "helper.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#define GUARD_THREADS 4      /* started with; a call that blocks (a FIFO opened with O_CREAT) holds one */
#define GUARD_MAX_THREADS 64 /* grown to while every one is busy, so that blocked opens do not stop the others */
#define GUARD_STACK (256 * 1024)
#define PATH_BUF (4096 + 64) /* PATH_MAX, and room for /proc/self rewritten as /proc/PID/task/TID */
#define MAX_REFUSALS_SHOWN 20
#define MAX_LINK_HOPS 40     /* the kernel's limit on symbolic links followed in one lookup */

#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0
#endif
#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif
#ifndef BINFMTFS_MAGIC
#define BINFMTFS_MAGIC 0x42494e4d
#endif

static const struct plan *guard_plan;
static int listener = -1;
static unsigned long long exempt_mounts[64];
static size_t n_exempt_mounts;
static int refusals_shown;
static int n_threads, n_busy; /* serve() threads, and how many of them are carrying out a call */

/* In this order: the kinds from C_SYMLINK on have an old path (or a link target) too. */
enum call_kind { C_OPEN, C_MKDIR, C_MKNOD, C_SYMLINK, C_LINK, C_RENAME };

/* One notified call, decoded: the new entry is (new_dirfd, new_path); link and rename also have an old one. */
struct call {
    enum call_kind kind;
    pid_t tid, tgid;
    mode_t umask;
    long long new_dirfd, old_dirfd;
    unsigned long long new_addr, old_addr;
    int flags;
    mode_t mode;
    dev_t dev;
    char new_path[PATH_BUF], old_path[PATH_BUF];
};

/* --- names ---------------------------------------------------------------------------------------------------- */

/* The last component of PATH: *START is where it begins, and it runs to the first trailing slash. */
static size_t last_component(const char *path, size_t *start)
{
    size_t end = strlen(path);
    while (end > 1 && path[end - 1] == '/')
        end--;
    size_t s = end;
    while (s > 0 && path[s - 1] != '/')
        s--;
    *start = s;
    return end - s;
}

/* Non-ASCII letters that some case-insensitive filesystem takes for ASCII ones: ext4/f2fs/tmpfs casefolding (NFD +
 * full case folding: U+017F and U+212A fold to s and k, U+00DF, U+1E9E and the Latin ligatures to two or three
 * letters) and the upcase tables of exFAT and NTFS (U+0131 and U+0130 take I). ".vſcode" is ".vscode" there. */
static const struct {
    const char *utf8, *ascii;
} ASCII_FOLDS[] = {
    {"\xc5\xbf", "s"},      {"\xe2\x84\xaa", "k"},  {"\xc3\x9f", "ss"},     {"\xe1\xba\x9e", "ss"},
    {"\xc4\xb1", "i"},      {"\xc4\xb0", "i"},      {"\xef\xac\x80", "ff"}, {"\xef\xac\x81", "fi"},
    {"\xef\xac\x82", "fl"}, {"\xef\xac\x83", "ffi"}, {"\xef\xac\x84", "ffl"}, {"\xef\xac\x85", "st"},
    {"\xef\xac\x86", "st"},
};

/* BASE folded as described above, into FOLDED (256 bytes); its length, 0 for "", "." and "..". */
static size_t fold_name(const char *base, size_t len, char *folded)
{
    if (len == 0 || (len == 1 && base[0] == '.') || (len == 2 && base[0] == '.' && base[1] == '.'))
        return 0;
    size_t n = 0;
    for (size_t i = 0; i < len && n + 4 < 256;) {
        unsigned char c = (unsigned char)base[i];
        if (c < 0x80) {
            folded[n++] = (char)tolower(c);
            i++;
            continue;
        }
        size_t used = 1;
        for (size_t f = 0; f < sizeof ASCII_FOLDS / sizeof ASCII_FOLDS[0]; f++) {
            size_t ul = strlen(ASCII_FOLDS[f].utf8);
            if (ul <= len - i && !memcmp(base + i, ASCII_FOLDS[f].utf8, ul)) {
                for (const char *a = ASCII_FOLDS[f].ascii; *a; a++)
                    folded[n++] = *a;
                used = ul;
                break;
            }
        }
        i += used; /* any other byte >= 0x80 is ignored */
    }
    while (n > 0 && (folded[n - 1] == '.' || folded[n - 1] == ' '))
        n--;
    folded[n] = '\0';
    return n;
}

static bool name_is_protected(const char *base, size_t len)
{
    char folded[256];
    if (fold_name(base, len, folded) == 0)
        return false;
    for (size_t i = 0; i < guard_plan->n_guard_names; i++) {
        if (!strcmp(folded, guard_plan->guard_names[i]))
            return true;
    }
    return false;
}

/* git takes a folder holding a valid HEAD and objects/ and refs/ (or a commondir file naming a folder that has
 * them) for a git directory, and trusts its config and hooks. HEAD cannot be created, but one may exist (a folder
 * with a file named HEAD alone is not pinned): these are refused beside it. */
static bool name_completes_repository(const char *base, size_t len)
{
    char folded[256];
    if (fold_name(base, len, folded) == 0)
        return false;
    return !strcmp(folded, "objects") || !strcmp(folded, "refs") || !strcmp(folded, "commondir");
}

/* --- the server's side of a call ------------------------------------------------------------------------------ */

/* Copies a NUL-terminated string out of the server's memory, page by page (a read across an unmapped page fails). */
static int read_string(int mem, unsigned long long addr, char *buf, size_t size)
{
    size_t got = 0;
    while (got < size - 64) {
        size_t page_left = 4096 - (size_t)((addr + got) & 4095);
        size_t want = page_left < size - 64 - got ? page_left : size - 64 - got;
        ssize_t r = pread(mem, buf + got, want, (off_t)(addr + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -EFAULT;
        if (memchr(buf + got, '\0', (size_t)r))
            return 0;
        got += (size_t)r;
    }
    return -ENAMETOOLONG;
}

/* Umask and thread group of the calling thread, from /proc/TID/status. */
static int read_status(struct call *c)
{
    char path[64], buf[4096];
    snprintf(path, sizeof path, "/proc/%d/status", c->tid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -EACCES;
    buf[n] = '\0';
    char *u = strstr(buf, "\nUmask:\t"), *t = strstr(buf, "\nTgid:\t");
    if (!u || !t)
        return -EACCES;
    c->umask = (mode_t)strtoul(u + 8, NULL, 8) & 0777;
    c->tgid = (pid_t)strtol(t + 7, NULL, 10);
    return 0;
}

/* /proc/self and /proc/thread-self name the guard here: make them name the caller. */
static void rewrite_proc_self(const struct call *c, char *path)
{
    char prefix[80];
    const char *tail;
    if (!strncmp(path, "/proc/self", 10) && (path[10] == '/' || !path[10])) {
        tail = path + 10;
        snprintf(prefix, sizeof prefix, "/proc/%d", c->tgid);
    } else if (!strncmp(path, "/proc/thread-self", 17) && (path[17] == '/' || !path[17])) {
        tail = path + 17;
        snprintf(prefix, sizeof prefix, "/proc/%d/task/%d", c->tgid, c->tid);
    } else {
        return;
    }
    size_t plen = strlen(prefix), tlen = strlen(tail);
    if (plen + tlen + 1 > PATH_BUF)
        return; /* cannot happen: read_string leaves 64 bytes spare */
    memmove(path + plen, tail, tlen + 1);
    memcpy(path, prefix, plen);
}

/* The caller's directory descriptor DIRFD, reopened here (AT_FDCWD: its working directory). Absolute paths ignore
 * it, as the kernel does. *OUT is AT_FDCWD or a descriptor to close. */
static int caller_dirfd(const struct call *c, long long dirfd_arg, const char *path, bool empty_path_ok, int *out)
{
    *out = AT_FDCWD;
    if (path[0] == '/')
        return 0;
    int dirfd = (int)(unsigned)dirfd_arg;
    char proc[80];
    if (dirfd == AT_FDCWD)
        snprintf(proc, sizeof proc, "/proc/%d/cwd", c->tid);
    else if (dirfd >= 0)
        snprintf(proc, sizeof proc, "/proc/%d/fd/%d", c->tid, dirfd);
    else
        return -EBADF;
    if (!path[0] && !empty_path_ok)
        return -ENOENT;
    int fd = open(proc, O_PATH | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? -EBADF : -errno;
    *out = fd;
    return 0;
}

/* --- resolving a path as the caller would ---------------------------------------------------------------------
 *
 * The kernel resolves /proc/self (and /dev/stdout, /dev/fd/N, which lead there) as the process doing the lookup:
 * here, the guard. Two steps keep every path meaning what it meant to the caller. The directory of the last
 * component is opened first, and if that lookup ended in the guard's own /proc/PID it is swapped for the caller's
 * (d_path of the descriptor says where it ended, however it got there). And a symbolic link in the last component
 * is followed here, one link at a time, each target located again the same way, so a link to /proc/self/fd/1 lands
 * in the caller's fd/1; only a magic link in the caller's own /proc is left to the kernel to follow. */

static bool on_fs(int fd, long type)
{
    struct statfs sf;
    return fstatfs(fd, &sf) == 0 && (long)sf.f_type == type;
}

/* *FD is a directory just opened: if it is in the guard's own /proc/PID, the same directory in the caller's. */
static int proc_dir_as_caller(const struct call *c, int *fd)
{
    if (!on_fs(*fd, PROC_SUPER_MAGIC))
        return 0;
    char link[64], where[PATH_BUF];
    snprintf(link, sizeof link, "/proc/self/fd/%d", *fd);
    ssize_t n = readlink(link, where, sizeof where - 1);
    if (n < 0)
        return -errno;
    where[n] = '\0';
    char own[32];
    int ol = snprintf(own, sizeof own, "/proc/%d", (int)getpid());
    if (strncmp(where, own, (size_t)ol) || (where[ol] && where[ol] != '/'))
        return 0;
    const char *rest = where + ol;
    char fixed[PATH_BUF + 64];
    if (!strncmp(rest, "/task/", 6)) {
        rest += 6;
        while (isdigit((unsigned char)*rest))
            rest++;
        snprintf(fixed, sizeof fixed, "/proc/%d/task/%d%s", c->tgid, c->tid, rest);
    } else {
        snprintf(fixed, sizeof fixed, "/proc/%d%s", c->tgid, rest);
    }
    int nfd = open(fixed, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (nfd < 0)
        return -errno;
    close(*fd);
    *fd = nfd;
    return 0;
}

/* (DIRFD, PATH) split: *PFD the directory holding the last component (opened here; -1 when PATH has none, as "/",
 * and DIRFD is to be used with PATH as it is), NAME (PATH_BUF) that component, trailing slashes kept. */
static int locate(const struct call *c, int dirfd, const char *path, int *pfd, char *name)
{
    size_t start;
    size_t len = last_component(path, &start);
    *pfd = -1;
    snprintf(name, PATH_BUF, "%s", path + start);
    if (len == 0) {
        snprintf(name, PATH_BUF, "%s", path);
        return 0;
    }
    char parent[PATH_BUF];
    if (start == 0)
        snprintf(parent, sizeof parent, ".");
    else
        snprintf(parent, sizeof parent, "%.*s", (int)start, path);
    int fd = openat(dirfd, parent, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    int r = proc_dir_as_caller(c, &fd);
    if (r < 0) {
        close(fd);
        return r;
    }
    *pfd = fd;
    return 0;
}

/* While (*PFD, NAME) is a symbolic link (not a magic link of the caller's /proc), replaces it with its target,
 * located again. *HOPS counts the links followed. */
static int follow_links(const struct call *c, int *pfd, char *name, int *hops)
{
    while (*pfd >= 0 && !on_fs(*pfd, PROC_SUPER_MAGIC) && name[0] && name[strlen(name) - 1] != '/') {
        char target[PATH_BUF];
        ssize_t n = readlinkat(*pfd, name, target, sizeof target - 64);
        if (n < 0)
            return errno == EINVAL || errno == ENOENT ? 0 : -errno; /* not a link, or nothing there */
        if (++*hops > MAX_LINK_HOPS)
            return -ELOOP;
        target[n] = '\0';
        rewrite_proc_self(c, target);
        int next;
        int r = locate(c, target[0] == '/' ? AT_FDCWD : *pfd, target, &next, name);
        if (r < 0)
            return r;
        if (next < 0)
            return 0; /* a link to "/": opened as it is, from the guard's root, the caller's too */
        close(*pfd);
        *pfd = next;
    }
    return 0;
}

/* What the guard opened for the caller must be something the caller could open: the guard may read /proc (to read
 * the caller's memory; in landlock isolation the server may read only its own few entries), so a file on /proc or a
 * namespace file is refused as Landlock would refuse it. A magic link's target (a pipe, a file) is not on /proc. */
static bool caller_may_have(int fd)
{
    struct statfs sf;
    if (fstatfs(fd, &sf) < 0)
        return false;
    long t = (long)sf.f_type;
    return t != PROC_SUPER_MAGIC && t != NSFS_MAGIC && t != BINFMTFS_MAGIC;
}

/* --- where a protected name would go -------------------------------------------------------------------------- */

static int mount_id_of(int fd, const char *path, int flags, unsigned long long *id, bool *root)
{
    struct statx stx;
    if (statx(fd, path, flags, STATX_MNT_ID, &stx) < 0)
        return -errno;
    if (!(stx.stx_mask & STATX_MNT_ID))
        return -EOPNOTSUPP;
    *id = stx.stx_mnt_id;
    if (root)
        *root = (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) && (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
    return 0;
}

/* A path given as exempt counts only where it is the root of its own mount: in landlock mode the home and the
 * grants share the host's mounts, and exempting one would exempt the others. */
static void exempt_mounts_compute(void)
{
    for (size_t i = 0; i < guard_plan->n_guard_exempt && n_exempt_mounts < 64; i++) {
        unsigned long long id;
        bool root;
        if (mount_id_of(AT_FDCWD, guard_plan->guard_exempt[i], AT_SYMLINK_NOFOLLOW, &id, &root) < 0 || !root) {
            note(guard_plan, 1, "create guard: %s is not a mount of its own here; protected names stay refused there",
                 guard_plan->guard_exempt[i]);
            continue;
        }
        exempt_mounts[n_exempt_mounts++] = id;
    }
}

/* The name NAME to create in the directory PFD (opened once; the entry is made relative to that very descriptor):
 * 0, or -EPERM for a protected name (or objects, refs, commondir beside a HEAD) on a mount that is not exempt. */
static int check_new_name(int pfd, const char *name)
{
    size_t start;
    size_t len = last_component(name, &start);
    struct stat st;
    if (!name_is_protected(name + start, len)
        && !(name_completes_repository(name + start, len) && pfd >= 0
             && fstatat(pfd, "HEAD", &st, AT_SYMLINK_NOFOLLOW) == 0))
        return 0;
    if (pfd < 0)
        return -EPERM;
    unsigned long long id = 0;
    if (mount_id_of(pfd, "", AT_EMPTY_PATH, &id, NULL) == 0) {
        for (size_t i = 0; i < n_exempt_mounts; i++) {
            if (exempt_mounts[i] == id)
                return 0;
        }
    }
    return -EPERM;
}

static void say_refused(const char *path)
{
    size_t start;
    size_t len = last_component(path, &start);
    bool beside_head = !name_is_protected(path + start, len);
    if (__atomic_fetch_add(&refusals_shown, 1, __ATOMIC_RELAXED) < MAX_REFUSALS_SHOWN)
        fprintf(stderr, "mcp-contain: refused to let the server create '%.*s' (%s): %s in a writable grant; grant the"
                " folder with ,unprotected to allow it\n", (int)len, path + start, path,
                beside_head ? "beside a HEAD it would make the folder a git repository" : "a protected name");
}

/* --- carrying the call out ------------------------------------------------------------------------------------ */

/* Answers call ID: success (value 0) when ERR is 0, else the error ERR. */
static void reply(unsigned long long id, int err)
{
    struct seccomp_notif_resp resp = {.id = id, .val = 0, .error = err ? -err : 0, .flags = 0};
    if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 && errno != ENOENT)
        note(guard_plan, 1, "create guard: answering a call: %s", strerror(errno));
}

/* FD, opened here, installed in the caller as the call's result. 1: answered (or the caller is gone). */
static int hand_over(const struct call *c, int fd, unsigned long long id)
{
    if (!caller_may_have(fd)) {
        close(fd);
        return -EACCES;
    }
    struct seccomp_notif_addfd add = {
        .id = id, .flags = SECCOMP_ADDFD_FLAG_SEND, .srcfd = (unsigned)fd, .newfd = 0,
        .newfd_flags = (c->flags & O_CLOEXEC) ? O_CLOEXEC : 0,
    };
    int r = ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add);
    int err = errno;
    close(fd);
    return r < 0 ? (err == ENOENT ? 1 : -err) : 1;
}

/* The mode to create with in the directory PFD: the caller's umask applied, unless the directory has a default ACL,
 * which the kernel then applies instead of the umask (the guard's own umask is 0). */
static mode_t create_mode(const struct call *c, int pfd, mode_t mode)
{
    if (pfd >= 0) {
        /* By descriptor first: in landlock isolation the main filter refuses xattr reads by path (EOPNOTSUPP), and
         * PFD is O_PATH, which fgetxattr does not take. A folder the guard may search but not read falls back to the
         * path; where that is refused too, the umask applies (a narrower mode, never a wider one). */
        ssize_t acl = -1;
        int dfd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            acl = fgetxattr(dfd, "system.posix_acl_default", NULL, 0);
            close(dfd);
        } else {
            char p[64];
            snprintf(p, sizeof p, "/proc/self/fd/%d", pfd);
            acl = getxattr(p, "system.posix_acl_default", NULL, 0);
        }
        if (acl > 0)
            return mode & 07777;
    }
    return mode & ~c->umask & 07777;
}

/* Opens what (*PFD, NAME) names without creating anything, following links as the caller asked. */
static int open_no_create(const struct call *c, int *pfd, char *name, int flags)
{
    int hops = 0;
    if (!(c->flags & O_NOFOLLOW)) {
        int r = follow_links(c, pfd, name, &hops);
        if (r < 0)
            return r;
    }
    int fd = openat(*pfd >= 0 ? *pfd : AT_FDCWD, name, (flags & ~(O_CREAT | O_EXCL)) | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    return fd;
}

/* An open with O_CREAT of a protected name: what exists there may be opened (a pinned file then answers EROFS to
 * writing, as without the guard); nothing is created. */
static int open_existing(const struct call *c, int *pfd, char *name, unsigned long long id)
{
    if (c->flags & O_EXCL)
        return -EPERM; /* O_EXCL asks for a new entry: that is exactly what is refused */
    int fd = open_no_create(c, pfd, name, c->flags & ~O_CLOEXEC);
    if (fd < 0)
        return fd == -ENOENT ? -EPERM : fd;
    return hand_over(c, fd, id);
}

/* open/openat/creat with O_CREAT: opened here and installed in the caller as the call's result. */
static int do_open(const struct call *c, int *pfd, char *name, unsigned long long id)
{
    mode_t mode = create_mode(c, *pfd, c->mode);
    int flags = c->flags & ~O_CLOEXEC;
    int at = *pfd >= 0 ? *pfd : AT_FDCWD;
    int fd = -1;
    if (flags & O_PATH) {
        fd = open_no_create(c, pfd, name, flags); /* O_PATH ignores O_CREAT: nothing is made */
        if (fd < 0)
            return fd;
    } else if (flags & O_EXCL) {
        fd = openat(at, name, flags | O_CLOEXEC, mode); /* O_EXCL never follows the last component */
    } else {
        fd = openat(at, name, flags | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd < 0 && errno == ELOOP && !(c->flags & O_NOFOLLOW)) {
            /* The last component is a link: open what it names, but create nothing through it. */
            fd = open_no_create(c, pfd, name, flags);
            if (fd < 0)
                return fd == -ENOENT ? -EPERM : fd;
        }
    }
    if (fd < 0)
        return -errno;
    return hand_over(c, fd, id);
}

static int carry_out(struct call *c, unsigned long long id)
{
    int newfd = AT_FDCWD, oldfd = AT_FDCWD, npfd = -1, opfd = -1, new_at = AT_FDCWD, old_at = AT_FDCWD, r;
    char *new_name = malloc(PATH_BUF), *old_name = malloc(PATH_BUF);
    bool empty_old = c->kind == C_LINK && (c->flags & AT_EMPTY_PATH);
    if (!new_name || !old_name) {
        r = -ENOMEM;
        goto out;
    }
    if ((r = caller_dirfd(c, c->new_dirfd, c->new_path, false, &newfd)) < 0)
        goto out;
    if ((r = locate(c, newfd, c->new_path, &npfd, new_name)) < 0)
        goto out;
    new_at = npfd >= 0 ? npfd : newfd;
    if (c->kind == C_LINK || c->kind == C_RENAME) {
        if ((r = caller_dirfd(c, c->old_dirfd, c->old_path, empty_old, &oldfd)) < 0)
            goto out;
        if (c->old_path[0] && (r = locate(c, oldfd, c->old_path, &opfd, old_name)) < 0)
            goto out;
        if (!c->old_path[0])
            old_name[0] = '\0';
        if (c->kind == C_LINK && (c->flags & AT_SYMLINK_FOLLOW) && opfd >= 0) {
            int hops = 0;
            if ((r = follow_links(c, &opfd, old_name, &hops)) < 0)
                goto out;
        }
        old_at = opfd >= 0 ? opfd : oldfd;
    }
    if ((r = check_new_name(npfd, new_name)) < 0) {
        if (c->kind == C_OPEN && r == -EPERM)
            r = open_existing(c, &npfd, new_name, id);
        if (r == -EPERM)
            say_refused(c->new_path);
        goto out;
    }
    /* An exchange puts each name's entry where the other's was: both are new names there. */
    if (c->kind == C_RENAME && (c->flags & RENAME_EXCHANGE) && (r = check_new_name(opfd, old_name)) < 0) {
        say_refused(c->old_path);
        goto out;
    }
    switch (c->kind) {
    case C_OPEN:
        r = do_open(c, &npfd, new_name, id);
        goto out;
    case C_MKDIR:
        r = mkdirat(new_at, new_name, create_mode(c, npfd, c->mode));
        break;
    case C_MKNOD:
        r = mknodat(new_at, new_name, (c->mode & S_IFMT) | create_mode(c, npfd, c->mode), c->dev);
        break;
    case C_SYMLINK:
        r = symlinkat(c->old_path, new_at, new_name);
        break;
    case C_LINK:
        r = linkat(old_at, old_name, new_at, new_name, c->flags);
        break;
    case C_RENAME:
        r = (int)syscall(SYS_renameat2, old_at, old_name, new_at, new_name, (unsigned)c->flags);
        break;
    }
    if (r < 0)
        r = -errno;
out:
    free(new_name);
    free(old_name);
    if (npfd >= 0)
        close(npfd);
    if (opfd >= 0)
        close(opfd);
    if (newfd >= 0)
        close(newfd);
    if (oldfd >= 0)
        close(oldfd);
    return r;
}

/* Fills C from the notification: which call, which arguments. 0, or -ENOSYS for a call the filter never sends. */
static int decode(const struct seccomp_notif *req, struct call *c)
{
    const unsigned long long *a = req->data.args;
    c->new_dirfd = c->old_dirfd = (long long)(unsigned)AT_FDCWD;
    c->old_addr = 0;
    c->flags = 0;
    c->mode = 0;
    switch (req->data.nr) {
#ifdef SYS_open
    case SYS_open: c->kind = C_OPEN; c->new_addr = a[0]; c->flags = (int)a[1]; c->mode = (mode_t)a[2]; break;
    case SYS_creat:
        c->kind = C_OPEN; c->new_addr = a[0]; c->flags = O_CREAT | O_WRONLY | O_TRUNC; c->mode = (mode_t)a[1];
        break;
    case SYS_mkdir: c->kind = C_MKDIR; c->new_addr = a[0]; c->mode = (mode_t)a[1]; break;
    case SYS_mknod: c->kind = C_MKNOD; c->new_addr = a[0]; c->mode = (mode_t)a[1]; c->dev = (dev_t)(unsigned)a[2]; break;
    case SYS_symlink: c->kind = C_SYMLINK; c->old_addr = a[0]; c->new_addr = a[1]; break;
    case SYS_link: c->kind = C_LINK; c->old_addr = a[0]; c->new_addr = a[1]; break;
    case SYS_rename: c->kind = C_RENAME; c->old_addr = a[0]; c->new_addr = a[1]; break;
#endif
    case SYS_openat:
        c->kind = C_OPEN; c->new_dirfd = (long long)a[0]; c->new_addr = a[1]; c->flags = (int)a[2];
        c->mode = (mode_t)a[3];
        break;
    case SYS_mkdirat: c->kind = C_MKDIR; c->new_dirfd = (long long)a[0]; c->new_addr = a[1]; c->mode = (mode_t)a[2];
        break;
    case SYS_mknodat:
        c->kind = C_MKNOD; c->new_dirfd = (long long)a[0]; c->new_addr = a[1]; c->mode = (mode_t)a[2];
        c->dev = (dev_t)(unsigned)a[3]; /* the kernel takes an unsigned int */
        break;
    case SYS_symlinkat:
        c->kind = C_SYMLINK; c->old_addr = a[0]; c->new_dirfd = (long long)a[1]; c->new_addr = a[2];
        break;
    case SYS_linkat:
        c->kind = C_LINK; c->old_dirfd = (long long)a[0]; c->old_addr = a[1]; c->new_dirfd = (long long)a[2];
        c->new_addr = a[3]; c->flags = (int)a[4];
        break;
#ifdef SYS_renameat
    case SYS_renameat:
        c->kind = C_RENAME; c->old_dirfd = (long long)a[0]; c->old_addr = a[1]; c->new_dirfd = (long long)a[2];
        c->new_addr = a[3];
        break;
#endif
    case SYS_renameat2:
        c->kind = C_RENAME; c->old_dirfd = (long long)a[0]; c->old_addr = a[1]; c->new_dirfd = (long long)a[2];
        c->new_addr = a[3]; c->flags = (int)a[4];
        break;
    default:
        return -ENOSYS;
    }
    return 0;
}

static void handle(const struct seccomp_notif *req)
{
    struct call *c = calloc(1, sizeof *c);
    if (!c) {
        reply(req->id, ENOMEM);
        return;
    }
    c->tid = (pid_t)req->pid;
    int r = decode(req, c);
    int mem = -1;
    if (r == 0) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/mem", c->tid);
        mem = open(path, O_RDONLY | O_CLOEXEC);
        r = mem < 0 ? -EACCES : read_status(c);
    }
    /* The thread may have died and its id been reused between the notification and the opens above. */
    if (r == 0 && ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &req->id) < 0)
        r = -ENOENT;
    if (r == 0)
        r = read_string(mem, c->new_addr, c->new_path, sizeof c->new_path);
    if (r == 0 && c->kind >= C_SYMLINK) /* symlink's target, link's and rename's old path; NULL is EFAULT */
        r = read_string(mem, c->old_addr, c->old_path, sizeof c->old_path);
    if (mem >= 0)
        close(mem);
    if (r == 0) {
        rewrite_proc_self(c, c->new_path);
        if (c->kind == C_LINK || c->kind == C_RENAME)
            rewrite_proc_self(c, c->old_path);
        r = carry_out(c, req->id);
    }
    if (r != 1)
        reply(req->id, r < 0 ? -r : 0);
    free(c);
}

static void *serve(void *unused);

/* One more serve() thread, unless there are GUARD_MAX_THREADS already. A FIFO opened with O_CREAT blocks the thread
 * that opens it until a reader comes, and the reader may first need a call of its own (a shell opens /dev/null with
 * O_CREAT for "> /dev/null"): with every thread blocked, every creation in the server would wait forever. */
static void spawn_thread(void)
{
    int n = __atomic_load_n(&n_threads, __ATOMIC_RELAXED);
    do {
        if (n >= GUARD_MAX_THREADS)
            return;
    } while (!__atomic_compare_exchange_n(&n_threads, &n, n + 1, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED));
    pthread_attr_t attr;
    pthread_t t;
    int r = pthread_attr_init(&attr);
    if (r == 0) {
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        pthread_attr_setstacksize(&attr, GUARD_STACK);
        r = pthread_create(&t, &attr, serve, NULL);
        pthread_attr_destroy(&attr);
    }
    if (r != 0)
        __atomic_sub_fetch(&n_threads, 1, __ATOMIC_RELAXED); /* the others go on; tried again on the next call */
}

static void *serve(void *unused)
{
    for (;;) {
        struct pollfd p = {.fd = listener, .events = POLLIN};
        if (poll(&p, 1, -1) < 0) {
            if (errno == EINTR)
                continue;
            _exit(0);
        }
        if (p.revents & (POLLHUP | POLLERR | POLLNVAL))
            _exit(0); /* no process uses the filter any more: the server tree is gone */
        struct seccomp_notif req;
        memset(&req, 0, sizeof req);
        if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
            if (errno == EINTR || errno == ENOENT || errno == EAGAIN)
                continue;
            _exit(0);
        }
        if (__atomic_add_fetch(&n_busy, 1, __ATOMIC_RELAXED) >= __atomic_load_n(&n_threads, __ATOMIC_RELAXED))
            spawn_thread(); /* always one left waiting for the next call */
        handle(&req);
        __atomic_sub_fetch(&n_busy, 1, __ATOMIC_RELAXED);
    }
    return unused;
}

/* --- start-up ------------------------------------------------------------------------------------------------- */

static int receive_fd(int sock)
{
    char byte;
    char control[CMSG_SPACE(sizeof(int))];
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
    if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
        return -1;
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    if (!cm || cm->cmsg_type != SCM_RIGHTS || cm->cmsg_len != CMSG_LEN(sizeof(int)))
        return -1;
    int fd;
    memcpy(&fd, CMSG_DATA(cm), sizeof fd);
    return fd;
}

static void send_fd(int sock, int fd)
{
    char byte = 'L';
    char control[CMSG_SPACE(sizeof(int))];
    memset(control, 0, sizeof control);
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &fd, sizeof fd);
    if (sendmsg(sock, &msg, 0) != 1)
        die_errno("handing the create guard its listener");
}

static void __attribute__((noreturn)) guard_main(int sock)
{
    /* Dumpable, so that a user's supervisor may look at its descriptors (homeSize counts every process of the run;
     * one it may not examine counts as over). The server cannot reach it anyway: ptrace, process_vm_* and pidfd_getfd
     * are denied by the main filter, and Landlock refuses /proc/PID/mem and the like of a process outside the
     * caller's own domain or those nested in it, which the guard's (the parent of the server's) is not. */
    umask(0); /* each call applies its caller's umask itself */
    if (chdir("/") < 0)
        _exit(EXIT_CONTAIN_FAILED);
    exempt_mounts_compute();
    listener = receive_fd(sock);
    if (listener < 0)
        _exit(EXIT_CONTAIN_FAILED);
    n_threads = 1; /* this one */
    for (int i = 1; i < GUARD_THREADS; i++) {
        spawn_thread();
        if (n_threads != i + 1)
            _exit(EXIT_CONTAIN_FAILED);
    }
    char ready = 'r';
    if (write(sock, &ready, 1) != 1)
        _exit(EXIT_CONTAIN_FAILED);
    close(sock);
    serve(NULL);
    _exit(0);
}

static bool kernel_at_least(int major, int minor)
{
    struct utsname u;
    int ma = 0, mi = 0;
    if (uname(&u) < 0 || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
        return false;
    return ma > major || (ma == major && mi >= minor);
}

static int guard_sock = -1; /* the server's end, between create_guard_fork and create_guard_attach */

/* In the server, after its rlimits, identity and NO_NEW_PRIVS and the guard's Landlock layer, before its own. */
void create_guard_fork(const struct plan *plan)
{
    guard_plan = plan;
    /* 5.14: SECCOMP_ADDFD_FLAG_SEND, without which an open with O_CREAT cannot be answered with its descriptor. */
    if (!kernel_at_least(5, 14))
        die("keeping protected names out of writable grants needs Linux 5.14 or later (seccomp user notification"
            " with SECCOMP_ADDFD_FLAG_SEND): grant those folders read-only, or add ,unprotected to them");
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        die_errno("socketpair for the create guard");
    /* Forked twice so that the guard is init's child (init reaps it and ends it with the tree), not the server's:
     * a server may wait for children it did not start. */
    pid_t first = fork();
    if (first < 0)
        die_errno("fork (create guard)");
    if (first == 0) {
        pid_t guard = fork();
        if (guard == 0) {
            close(sv[0]);
            seccomp_apply(plan); /* the server's main filter: the guard can do no more than the server */
            guard_main(sv[1]);
        }
        _exit(guard < 0 ? 1 : 0);
    }
    int status;
    while (waitpid(first, &status, 0) < 0) {
        if (errno != EINTR)
            die_errno("waiting for the create guard");
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die("could not start the create guard");
    close(sv[1]);
    guard_sock = sv[0];
}

/* In the server, after its main seccomp filter, just before execve. */
void create_guard_attach(const struct plan *plan)
{
    if (guard_sock < 0)
        return;
    struct sock_fprog prog = {
        .len = (unsigned short)(plan->guard_filter_len / sizeof(struct sock_filter)),
        .filter = (struct sock_filter *)plan->guard_filter,
    };
    /* WAIT_KILLABLE_RECV (5.19): once the guard has the call, only a fatal signal interrupts it, so a call the
     * guard already carried out is not restarted and done twice. */
    long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                      SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, &prog);
    if (fd < 0 && errno == EINVAL)
        fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
    if (fd < 0)
        die_errno("installing the create guard's filter");
    send_fd(guard_sock, (int)fd);
    close((int)fd);
    char ready;
    if (read(guard_sock, &ready, 1) != 1 || ready != 'r')
        die("the create guard did not start");
    close(guard_sock);
    guard_sock = -1;
}
