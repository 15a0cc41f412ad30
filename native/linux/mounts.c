/* The server's filesystem: a fresh tmpfs root holding only what the plan binds, then pivot_root into it.
 *
 * Every bind source is opened and cloned (open_tree) *before* anything is mounted, through openat2 with
 * RESOLVE_NO_SYMLINKS: the launcher resolved the paths, so a symlink appearing now means a path was swapped
 * under us, and we refuse rather than follow it. Destinations are walked component by component without
 * following symlinks, so a link planted inside a writable grant cannot redirect a later mount. */
#include "helper.h"
#include "sys.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

static int idmap_fds[16];
static struct { uid_t fu, tu; gid_t fg, tg; } idmap_keys[16];
static size_t n_idmaps;

/* Must run in the supervisor, before the clone: the maps are written through /proc/PID, which only names the
 * right process from the host's pid namespace. Init inherits the descriptors. */
static int idmap_for(const struct mount_op *m)
{
    for (size_t i = 0; i < n_idmaps; i++)
        if (idmap_keys[i].fu == m->idmap_from_uid && idmap_keys[i].tu == m->idmap_to_uid
            && idmap_keys[i].fg == m->idmap_from_gid && idmap_keys[i].tg == m->idmap_to_gid)
            return idmap_fds[i];
    if (n_idmaps == sizeof idmap_fds / sizeof idmap_fds[0])
        die("too many distinct idmaps");
    idmap_keys[n_idmaps].fu = m->idmap_from_uid;
    idmap_keys[n_idmaps].tu = m->idmap_to_uid;
    idmap_keys[n_idmaps].fg = m->idmap_from_gid;
    idmap_keys[n_idmaps].tg = m->idmap_to_gid;
    idmap_fds[n_idmaps] = idmap_userns_fd(m->idmap_from_uid, m->idmap_to_uid, m->idmap_from_gid, m->idmap_to_gid);
    return idmap_fds[n_idmaps++];
}

static void capture(const struct plan *plan, struct mount_op *m)
{
    struct mc_open_how how = {.flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
    int fd = sys_openat2(AT_FDCWD, m->src, &how);
    if (fd < 0) {
        if (errno == ELOOP)
            die("refusing to bind %s: a component is a symbolic link now (was it swapped?)", m->src);
        die_errno("cannot open %s to bind it", m->src);
    }
    if (m->verify) {
        /* The launcher checked this object (no link on the way, not a system directory, what to pin inside it);
         * the mount must be made from that very object, so it is cloned from this descriptor, never the name. */
        struct stat st;
        if (fstat(fd, &st) < 0)
            die_errno("fstat %s", m->src);
        if ((unsigned long long)st.st_dev != m->src_dev || (unsigned long long)st.st_ino != m->src_ino)
            die("refusing to bind %s: it is not the object checked at launch (device/inode changed: was it"
                " replaced?)", m->src);
    }
    m->tree_fd = sys_open_tree(fd, "", OPEN_TREE_CLONE | O_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
    if (m->tree_fd < 0)
        die_errno("open_tree %s", m->src);
    close(fd);

    struct mc_mount_attr attr = {0};
    switch (m->kind) {
    case M_BIND_RO: attr.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV; break;
    case M_BIND_RW: attr.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV; break;
    case M_BIND_DEV: attr.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC; break;
    default: die("internal: capture of a non-bind");
    }
    if (m->idmap) {
        attr.attr_set |= MOUNT_ATTR_IDMAP;
        attr.userns_fd = (uint64_t)m->idmap_fd;
    }
    if (sys_mount_setattr(m->tree_fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr) < 0) {
        if (m->idmap && (errno == EINVAL || errno == EPERM))
            die_errno("cannot make %s writable for the agent account: its filesystem does not support idmapped"
                      " mounts (grant it read-only, or run mcp-contain as a normal user)", m->src);
        die_errno("setting mount attributes on %s", m->src);
    }
    note(plan, 2, "captured %s%s", m->src, m->idmap ? " (idmapped)" : "");
}

void mounts_prepare_idmaps(struct plan *plan)
{
    for (size_t i = 0; i < plan->n_mounts; i++) {
        struct mount_op *m = &plan->mounts[i];
        if (m->idmap)
            m->idmap_fd = idmap_for(m);
    }
}

void mounts_capture_sources(struct plan *plan)
{
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        die_errno("making the mount namespace private");
    for (size_t i = 0; i < plan->n_mounts; i++) {
        struct mount_op *m = &plan->mounts[i];
        if (m->kind == M_BIND_RO || m->kind == M_BIND_RW || m->kind == M_BIND_DEV)
            capture(plan, m);
    }
}

/* Opens DIR/NAME as a directory without following a symlink there. */
static int open_dir_nofollow(int dirfd, const char *name, const char *whole)
{
    int fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOTDIR || errno == ELOOP)
            die("refusing to mount at %s: '%s' is not a directory (symbolic link?)", whole, name);
        die_errno("opening %s", whole);
    }
    return fd;
}

/* Creates the parents of REL under ROOTFD and returns an O_PATH fd of the parent and the last name in *LAST. */
static int walk_parent(int rootfd, const char *rel, char *buf, size_t bufsize, const char **last)
{
    while (*rel == '/')
        rel++;
    if (strlen(rel) >= bufsize)
        die("path too long: %s", rel);
    strcpy(buf, rel);
    int cur = dup(rootfd);
    if (cur < 0)
        die_errno("dup");
    char *p = buf;
    for (;;) {
        char *slash = strchr(p, '/');
        if (!slash)
            break;
        *slash = '\0';
        if (*p) {
            if (mkdirat(cur, p, 0755) < 0 && errno != EEXIST)
                die_errno("creating /%s", buf);
            int next = open_dir_nofollow(cur, p, rel);
            close(cur);
            cur = next;
        }
        *slash = '/';
        p = slash + 1;
    }
    *last = p;
    return cur;
}

/* Returns an O_PATH fd for the mount point REL, creating a directory or an empty file as needed. */
static int target(int rootfd, const char *rel, bool dir)
{
    char buf[4096];
    const char *last;
    int parent = walk_parent(rootfd, rel, buf, sizeof buf, &last);
    int fd;
    if (*last == '\0') {
        fd = parent;
    } else if (dir) {
        if (mkdirat(parent, last, 0755) < 0 && errno != EEXIST)
            die_errno("creating %s", rel);
        fd = open_dir_nofollow(parent, last, rel);
        close(parent);
    } else {
        fd = openat(parent, last, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT) {
            int created = openat(parent, last, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0444);
            if (created < 0)
                die_errno("creating %s", rel);
            close(created);
            fd = openat(parent, last, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        }
        if (fd < 0)
            die_errno("opening %s", rel);
        struct stat st;
        if (fstat(fd, &st) < 0 || S_ISLNK(st.st_mode))
            die("refusing to mount at %s: it is a symbolic link", rel);
        close(parent);
    }
    return fd;
}

static int fresh_fs(const char *fstype, const char *const *options, unsigned attrs, const char *what)
{
    int fs = sys_fsopen(fstype, FSOPEN_CLOEXEC);
    if (fs < 0)
        die_errno("fsopen %s for %s", fstype, what);
    for (size_t i = 0; options && options[i]; i += 2) {
        int r = options[i + 1] ? sys_fsconfig(fs, FSCONFIG_SET_STRING, options[i], options[i + 1], 0)
                               : sys_fsconfig(fs, FSCONFIG_SET_FLAG, options[i], NULL, 0);
        if (r < 0)
            die_errno("%s option %s for %s", fstype, options[i], what);
    }
    if (sys_fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
        die_errno("creating %s for %s", fstype, what);
    int mnt = sys_fsmount(fs, FSMOUNT_CLOEXEC, attrs);
    if (mnt < 0)
        die_errno("fsmount %s for %s", fstype, what);
    close(fs);
    return mnt;
}

static void attach(int tree, int dstfd, const char *what)
{
    if (sys_move_mount(tree, "", dstfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
        die_errno("mounting %s", what);
}

static bool tree_is_dir(int tree)
{
    struct stat st;
    if (fstat(tree, &st) < 0)
        die_errno("fstat");
    return S_ISDIR(st.st_mode);
}

/* A read-only, mode-000 object over DST: opening it fails with EACCES and chmod with EROFS. */
static void mask(int rootfd, const char *dst)
{
    char buf[4096];
    const char *last;
    int parent = walk_parent(rootfd, dst, buf, sizeof buf, &last);
    int existing = openat(parent, last, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    close(parent);
    if (existing < 0) {
        if (errno == ENOENT)
            return; /* nothing there to hide */
        die_errno("opening %s to mask it", dst);
    }
    bool dir = tree_is_dir(existing);
    close(existing);
    const char *const opts[] = {"mode", "0000", "size", "4096", "nr_inodes", "4", NULL};
    int tree = fresh_fs("tmpfs", opts, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, dst);
    if (!dir) {
        /* A file needs a file: make one in a scratch tmpfs and bind just that. */
        const char *const scratch_opts[] = {"mode", "0700", "size", "4096", "nr_inodes", "4", NULL};
        int scratch = fresh_fs("tmpfs", scratch_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, dst);
        int f = openat(scratch, "masked", O_CREAT | O_WRONLY | O_CLOEXEC, 0000);
        if (f < 0)
            die_errno("creating mask for %s", dst);
        close(f);
        close(tree);
        tree = sys_open_tree(scratch, "masked", OPEN_TREE_CLONE | O_CLOEXEC);
        if (tree < 0)
            die_errno("open_tree mask for %s", dst);
        struct mc_mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC};
        if (sys_mount_setattr(tree, "", AT_EMPTY_PATH, &attr) < 0)
            die_errno("mask attributes for %s", dst);
        close(scratch);
    }
    int dstfd = target(rootfd, dst, dir);
    attach(tree, dstfd, dst);
    close(dstfd);
    close(tree);
}

static int hidden[64];
static size_t n_hidden;

/* An empty folder over DST (mcp-contain's own state inside a grant): mode 0711, so a bind made later below it
 * (the server's own home) stays reachable while nothing else is listed. Read-only once every mount is made. */
static void hide(int rootfd, const char *dst)
{
    char buf[4096];
    const char *last;
    int parent = walk_parent(rootfd, dst, buf, sizeof buf, &last);
    int existing = openat(parent, last, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    close(parent);
    if (existing < 0) {
        if (errno == ENOENT)
            return;
        die_errno("opening %s to hide it", dst);
    }
    bool dir = tree_is_dir(existing);
    close(existing);
    if (!dir)
        die("refusing to hide %s: not a directory", dst);
    if (n_hidden == sizeof hidden / sizeof hidden[0])
        die("too many hidden folders");
    const char *const opts[] = {"mode", "0711", "size", "65536", "nr_inodes", "256", NULL};
    int tree = fresh_fs("tmpfs", opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, dst);
    int dstfd = target(rootfd, dst, true);
    attach(tree, dstfd, dst);
    close(dstfd);
    hidden[n_hidden++] = tree;
}

static void ro_self(int rootfd, const char *dst)
{
    char buf[4096];
    const char *last;
    int parent = walk_parent(rootfd, dst, buf, sizeof buf, &last);
    int tree = sys_open_tree(parent, last, OPEN_TREE_CLONE | O_CLOEXEC | AT_RECURSIVE | AT_SYMLINK_NOFOLLOW);
    if (tree < 0) {
        if (errno == ENOENT) {
            close(parent);
            return; /* nothing to protect */
        }
        die_errno("open_tree %s", dst);
    }
    struct mc_mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV};
    if (sys_mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr) < 0)
        die_errno("read-only %s", dst);
    int dstfd = openat(parent, last, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (dstfd < 0)
        die_errno("opening %s", dst);
    attach(tree, dstfd, dst);
    close(dstfd);
    close(tree);
    close(parent);
}

/* Whether a file is privileged on the host: setuid, setgid or with a file capability. */
bool privileged_file(int dirfd, const char *name, const struct stat *st)
{
    if (!S_ISREG(st->st_mode))
        return false;
    if (st->st_mode & (S_ISUID | S_ISGID))
        return true;
    int fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return false;
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    ssize_t n = getxattr(proc, "security.capability", NULL, 0);
    close(fd);
    return n >= 0;
}

/* Every setuid, setgid or file-capability file already in a writable grant gets a read-only bind over itself.
 * Seccomp stops a server from making such a file, and write, truncate, fallocate and clone strip the bits from a
 * file they change; a store through a shared writable mapping does not. Through the idmap a root launcher's server
 * owns root's files, so a setuid-root program in a writable grant would keep its bit with the server's code in it:
 * root for any local user. Read-only, it cannot be opened for writing, renamed or replaced. Walked below the
 * grant's descriptor without following a link; unreadable directories are skipped (the server cannot write into
 * them either). Filesystems mounted below the grant are walked too: the grant is bound recursively with the same
 * idmap, so a setuid-root file on a nested mount (a second disk, a tmpfs, a btrfs subvolume, which has a device
 * number of its own) was writable through a shared mapping and kept its bit on the host. */
static void protect_privileged_files(struct plan *plan, int rootfd, const char *dir, int depth)
{
    if (depth > 128)
        die("the writable grant %s is nested deeper than 128 directories: cannot check it for setuid files", dir);
    int fd = openat(rootfd, dir[0] == '/' ? dir + 1 : dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == EACCES || errno == ENOENT)
            return;
        die_errno("opening %s to check it for setuid files", dir);
    }
    DIR *d = fdopendir(fd);
    if (!d)
        die_errno("listing %s", dir);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        struct stat st;
        if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
            continue;
        char path[4096];
        if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path)
            die("a path in the writable grant %s is too long to check for setuid files", dir);
        if (S_ISDIR(st.st_mode)) {
            protect_privileged_files(plan, rootfd, path, depth + 1);
        } else if (privileged_file(fd, e->d_name, &st)) {
            ro_self(rootfd, path);
            note(plan, 1, "%s is setuid, setgid or has file capabilities: read-only inside the writable grant", path);
        }
    }
    closedir(d);
}

/* A writable grant of a directory is walked; a writable grant of a single file is checked itself. */
static void protect_grant(struct plan *plan, int rootfd, const char *dst)
{
    const char *rel = dst[0] == '/' ? dst + 1 : dst;
    struct stat st;
    if (fstatat(rootfd, rel, &st, AT_SYMLINK_NOFOLLOW) < 0)
        die_errno("stat %s", dst);
    if (S_ISDIR(st.st_mode)) {
        protect_privileged_files(plan, rootfd, dst, 0);
    } else if (privileged_file(rootfd, rel, &st)) {
        ro_self(rootfd, dst);
        note(plan, 1, "%s is setuid, setgid or has file capabilities: granted read-only", dst);
    }
}

void mounts_build_root(struct plan *plan)
{
    char size[32], inodes[32];
    snprintf(size, sizeof size, "%zu", plan->root_tmpfs_bytes ? plan->root_tmpfs_bytes : (size_t)1 << 20);
    snprintf(inodes, sizeof inodes, "%lu", plan->root_tmpfs_inodes ? plan->root_tmpfs_inodes : 1024UL);
    const char *const root_opts[] = {"mode", "0755", "size", size, "nr_inodes", inodes, NULL};
    int root_tree = fresh_fs("tmpfs", root_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, "the new root");
    /* pivot_root needs the new root attached somewhere: /tmp of this private namespace; the host's /tmp is
     * untouched and every bind source was captured already. */
    int tmp = open("/tmp", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (tmp < 0)
        die_errno("opening /tmp to attach the new root");
    attach(root_tree, tmp, "the new root on /tmp");
    close(tmp);
    close(root_tree);
    int rootfd = open("/tmp", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (rootfd < 0)
        die_errno("opening the new root");

    for (size_t i = 0; i < plan->n_mounts; i++) {
        struct mount_op *m = &plan->mounts[i];
        int dstfd;
        char bytes[32], mode[16], nr_inodes[32];
        switch (m->kind) {
        case M_BIND_RO:
        case M_BIND_RW:
        case M_BIND_DEV:
            dstfd = target(rootfd, m->dst, tree_is_dir(m->tree_fd));
            attach(m->tree_fd, dstfd, m->dst);
            close(dstfd);
            close(m->tree_fd);
            m->tree_fd = -1;
            note(plan, 2, "bind %s %s %s", m->kind == M_BIND_RW ? "rw" : m->kind == M_BIND_RO ? "ro" : "dev",
                 m->src, m->dst);
            if (m->kind == M_BIND_RW)
                protect_grant(plan, rootfd, m->dst);
            break;
        case M_TMPFS: {
            snprintf(bytes, sizeof bytes, "%lu", m->size);
            snprintf(mode, sizeof mode, "%o", m->mode);
            snprintf(nr_inodes, sizeof nr_inodes, "%lu", m->inodes);
            const char *const opts[] = {"mode", mode, "size", bytes, "nr_inodes", nr_inodes, NULL};
            int tree = fresh_fs("tmpfs", opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, m->dst);
            dstfd = target(rootfd, m->dst, true);
            attach(tree, dstfd, m->dst);
            close(dstfd);
            close(tree);
            break;
        }
        case M_PROC: {
            int tree = fresh_fs("proc", NULL, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, m->dst);
            dstfd = target(rootfd, m->dst, true);
            attach(tree, dstfd, m->dst);
            close(dstfd);
            close(tree);
            break;
        }
        case M_DEVPTS: {
            /* max: ptys are a host-wide pool (kernel.pty.max less kernel.pty.reserve for the host's own instance,
             * 3072 by default) that every other devpts instance draws from: without it one server held all of them
             * and other servers and containers got ENOSPC from /dev/ptmx. */
            char max[32];
            snprintf(max, sizeof max, "%lu", m->inodes);
            const char *const opts[] = {"newinstance", NULL, "ptmxmode", "0666", "mode", "0620", "max", max, NULL};
            int tree = fresh_fs("devpts", opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, m->dst);
            dstfd = target(rootfd, m->dst, true);
            attach(tree, dstfd, m->dst);
            close(dstfd);
            close(tree);
            break;
        }
        case M_DIR:
            dstfd = target(rootfd, m->dst, true);
            if (fchmodat(rootfd, m->dst[0] == '/' ? m->dst + 1 : m->dst, m->mode, 0) < 0 && errno != EROFS)
                die_errno("chmod %s", m->dst);
            close(dstfd);
            break;
        case M_SYMLINK: {
            char buf[4096];
            const char *last;
            int parent = walk_parent(rootfd, m->dst, buf, sizeof buf, &last);
            if (symlinkat(m->src, parent, last) < 0 && errno != EEXIST)
                die_errno("symlink %s -> %s", m->dst, m->src);
            close(parent);
            break;
        }
        case M_MASK:
            mask(rootfd, m->dst);
            break;
        case M_RO_SELF:
            ro_self(rootfd, m->dst);
            break;
        case M_HIDE:
            hide(rootfd, m->dst);
            break;
        }
    }
    for (size_t i = 0; i < n_hidden; i++) {
        struct mc_mount_attr ro = {.attr_set = MOUNT_ATTR_RDONLY};
        if (sys_mount_setattr(hidden[i], "", AT_EMPTY_PATH, &ro) < 0)
            die_errno("making a hidden folder read-only");
        close(hidden[i]);
    }

    /* Nothing new may appear at the top level: the root itself becomes read-only. */
    struct mc_mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
    if (sys_mount_setattr(rootfd, "", AT_EMPTY_PATH, &attr) < 0)
        die_errno("making the new root read-only");
    if (fchdir(rootfd) < 0)
        die_errno("entering the new root");
    if (sys_pivot_root(".", ".") < 0)
        die_errno("pivot_root");
    if (umount2(".", MNT_DETACH) < 0)
        die_errno("detaching the old root");
    if (chdir("/") < 0)
        die_errno("chdir /");
    close(rootfd);
    for (size_t i = 0; i < n_idmaps; i++)
        close(idmap_fds[i]);
}
