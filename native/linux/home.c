/* The server's persistent home: created, owned and moded here, through descriptors only.
 *
 * A server writes into its home, and a later launch (maybe by root) works on it again. Every operation therefore
 * goes through a descriptor opened without following a symbolic link: the base directory (resolved by the
 * launcher, writable by no server) with RESOLVE_NO_SYMLINKS, the home and its tmp below it with O_NOFOLLOW. The
 * ownership and mode changes are fchown/fchmod on those descriptors, so a link the server planted (home/tmp ->
 * /etc) is never chowned, chmodded or granted: a planted link at tmp is removed (unlink does not follow) and a real
 * directory made in its place; anything else unexpected ends the launch with a message.
 *
 * Java decides the owner and the modes (plan ops "home", "home-tmp", "home-limit"); this file only carries them
 * out. The size watch (home_usage) walks the home with fstatat(AT_SYMLINK_NOFOLLOW) below the home's descriptor. */
#include "helper.h"
#include "sys.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

/* What each entry of the home counts for at least: one block. An empty file, a fast symbolic link, a fifo or a
 * device node occupies no block but one of the filesystem's inodes, which are finite and shared with the host
 * (/var/lib, or the user's home): counted by blocks alone, 80,000 empty files in a 256 MB home were never stopped,
 * and millions would have used up the inodes of the filesystem holding /etc and /var/log. */
#define HOME_ENTRY_BYTES 4096LL

static int home_fd = -1;

/* Opens DIR/NAME as a directory, never through a link. Creates it first with MODE when missing. */
static int open_child_dir(int dirfd, const char *name, unsigned mode, const char *what, bool repair_link)
{
    if (mkdirat(dirfd, name, mode) < 0 && errno != EEXIST)
        die_errno("creating %s", what);
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0)
        return fd;
    int err = errno;
    struct stat st;
    if ((err == ELOOP || err == ENOTDIR) && fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if (S_ISLNK(st.st_mode) && repair_link) {
            /* Planted by the server in its own home: remove the link (not its target) and make the directory. */
            if (unlinkat(dirfd, name, 0) < 0)
                die_errno("removing the symbolic link at %s", what);
            fprintf(stderr, "mcp-contain: %s was a symbolic link (left by an earlier run); replaced it by a directory\n", what);
            return open_child_dir(dirfd, name, mode, what, false);
        }
        die("refusing to use %s: it is a %s, not a directory (remove it and start again)", what,
            S_ISLNK(st.st_mode) ? "symbolic link" : "file");
    }
    errno = err;
    die_errno("opening %s", what);
}

/* Owner and mode through the descriptor: never a path a server could have swapped. */
static void own(int fd, uid_t uid, gid_t gid, unsigned mode, const char *what)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        die_errno("fstat %s", what);
    if ((st.st_uid != uid || st.st_gid != gid) && fchown(fd, uid, gid) < 0)
        die_errno("giving %s to uid %u", what, uid);
    if ((st.st_mode & 07777) != mode && fchmod(fd, mode) < 0)
        die_errno("setting mode %o on %s", mode, what);
}

void home_prepare(const struct plan *plan)
{
    const struct home_op *h = &plan->home;
    if (!h->base)
        return;
    char what[4096 + 256];
    struct mc_open_how how = {.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
                              .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
    int base = sys_openat2(AT_FDCWD, h->base, &how);
    if (base < 0) {
        if (errno == ELOOP)
            die("refusing to use %s for agent homes: a component is a symbolic link", h->base);
        die_errno("opening %s", h->base);
    }
    /* Only the launcher's own base: someone else's directory here would be someone else's to read. */
    struct stat st;
    if (fstat(base, &st) < 0)
        die_errno("fstat %s", h->base);
    if (st.st_uid != getuid())
        die("refusing to use %s for agent homes: it belongs to uid %u, not to uid %u", h->base, st.st_uid, getuid());
    /* Group bits in the mode mean the server's group may pass through (root launches): the base's group is its. */
    if ((h->base_mode & 0070) && st.st_gid != h->gid && fchown(base, (uid_t)-1, h->gid) < 0)
        die_errno("giving %s to gid %u", h->base, h->gid);
    if ((st.st_mode & 07777) != h->base_mode && fchmod(base, h->base_mode) < 0)
        die_errno("setting mode %o on %s", h->base_mode, h->base);

    /* Without a mount namespace the server reaches its home by path, so the agent must pass through the folder
     * holding the base too (a root launcher's data directory, made 0700 by whatever wrote state there first):
     * give it to the agent's group, traverse only, when it is the launcher's own. */
    if (plan->mode != MODE_NAMESPACES && (h->base_mode & 0010)) {
        int up = openat(base, "..", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        struct stat ust;
        if (up >= 0 && fstat(up, &ust) == 0 && ust.st_uid == getuid() && !(ust.st_mode & 0011)) {
            if (fchown(up, (uid_t)-1, h->gid) < 0 || fchmod(up, (ust.st_mode & 07777) | 0010) < 0)
                die_errno("letting the agent pass through the folder holding %s", h->base);
        }
        if (up >= 0)
            close(up);
    }

    snprintf(what, sizeof what, "%s/%s", h->base, h->name);
    home_fd = open_child_dir(base, h->name, 0700, what, false);
    close(base);
    if (fstat(home_fd, &st) < 0)
        die_errno("fstat %s", what);
    if (st.st_uid != getuid() && st.st_uid != h->uid)
        die("refusing to use %s as the agent home: it belongs to uid %u", what, st.st_uid);
    own(home_fd, h->uid, h->gid, 0700, what);
    note(plan, 2, "home %s (uid %u, mode 0700)", what, h->uid);

    if (h->tmp) {
        char tmp_what[sizeof what + 8];
        snprintf(tmp_what, sizeof tmp_what, "%s/tmp", what);
        int tmp = open_child_dir(home_fd, "tmp", 0700, tmp_what, true);
        own(tmp, h->uid, h->gid, 0700, tmp_what);
        close(tmp);
    }
}

/* Bytes the home holds (allocated blocks), walked below its descriptor without following a link and without
 * crossing into another filesystem (a mount below the home is not the home's data). Fails closed: anything the walk
 * cannot measure makes the whole home unmeasurable (-1), which counts as over the limit. That covers depth beyond
 * the descriptors we may hold and, above all, permissions: a server can chmod a directory of its home to 0300 or
 * 0400, and a supervisor without CAP_DAC_OVERRIDE (every unprivileged launch) could then neither list it nor stat
 * what is in it, so skipping it would hide any amount of data. Only ENOENT (removed while we walked) is skipped. */
static long long usage_at(int dirfd, dev_t dev, int depth, const char **why)
{
    if (depth > 256) {
        *why = "is nested deeper than 256 directories";
        return 0;
    }
    int fd = dup(dirfd);
    if (fd < 0) {
        *why = "cannot be walked (out of descriptors)";
        return 0;
    }
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        *why = "holds a directory the launcher cannot read";
        return 0;
    }
    rewinddir(d); /* the duplicate shares its offset with DIRFD, which an earlier walk left at the end */
    long long total = 0;
    struct dirent *e;
    errno = 0;
    while (!*why && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        struct stat st;
        if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
            if (errno != ENOENT)
                *why = "holds a directory whose entries the launcher cannot examine (no search permission)";
            errno = 0;
            continue;
        }
        long long bytes = (long long)st.st_blocks * 512;
        total += bytes < HOME_ENTRY_BYTES ? HOME_ENTRY_BYTES : bytes;
        if (S_ISDIR(st.st_mode) && st.st_dev == dev) {
            int sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub >= 0) {
                total += usage_at(sub, dev, depth + 1, why);
                close(sub);
            } else if (errno != ENOENT) {
                *why = "holds a directory the launcher cannot read";
            }
        }
        errno = 0;
    }
    if (!*why && errno != 0)
        *why = "holds a directory the launcher cannot read";
    closedir(d);
    return total;
}

long long home_usage(const char **why)
{
    *why = NULL;
    if (home_fd < 0)
        return 0;
    struct stat st;
    if (fstat(home_fd, &st) < 0) {
        *why = "cannot be examined";
        return -1;
    }
    long long used = (long long)st.st_blocks * 512 + usage_at(home_fd, st.st_dev, 0, why);
    return *why ? -1 : used;
}

/* A cheap signal that something was written: the filesystem's free blocks and inodes moved. */
bool home_fs_changed(void)
{
    static unsigned long long last_blocks = ~0ULL, last_files = ~0ULL;
    struct statfs sf;
    if (home_fd < 0 || fstatfs(home_fd, &sf) < 0)
        return true;
    bool changed = sf.f_bfree != last_blocks || sf.f_ffree != last_files;
    last_blocks = sf.f_bfree;
    last_files = sf.f_ffree;
    return changed;
}

/* What the home's filesystem gained since home_fs_mark: blocks it lost from its free count, plus a 4 KiB block per
 * inode (as the walk counts an entry). The filesystem is shared with the host, so this is the home's growth plus
 * whatever else was written there, less what was freed: an estimate that can only bring a walk forward. */
static unsigned long long mark_bfree, mark_ffree;
static bool marked;

void home_fs_mark(void)
{
    struct statfs sf;
    marked = home_fd >= 0 && fstatfs(home_fd, &sf) == 0;
    if (marked) {
        mark_bfree = sf.f_bfree;
        mark_ffree = sf.f_ffree;
    }
}

long long home_fs_growth(void)
{
    struct statfs sf;
    if (!marked || home_fd < 0 || fstatfs(home_fd, &sf) < 0)
        return 0;
    long long grown = 0;
    if (sf.f_bfree < mark_bfree)
        grown += (long long)(mark_bfree - sf.f_bfree) * (long long)sf.f_bsize;
    if (sf.f_ffree < mark_ffree)
        grown += (long long)(mark_ffree - sf.f_ffree) * 4096;
    return grown;
}

int home_descriptor(void)
{
    return home_fd;
}
