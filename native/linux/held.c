/* Files of the home that no name reaches any more but the server's processes still hold.
 *
 * The size walk (home.c) sees names. A server can write a file in its home, unlink it and keep a descriptor (or a
 * mapping, with the descriptor closed): the blocks stay allocated until the last holder lets go, and no walk finds
 * them. So each check also looks at every process of the run and counts, once per (device, inode), every file on
 * the home's filesystem with no link left (st_nlink == 0) that the process reaches through
 *
 *   - a descriptor of any of its fd tables (/proc/PID/fd, and /proc/PID/task/TID/fd of a thread cloned without
 *     CLONE_FILES), stat'ed through the magic link;
 *   - its working directory, root and executable (/proc/PID/{cwd,root,exe}, per thread for cwd/root where the
 *     thread has its own fs_struct);
 *   - a file mapping, /proc/PID/maps lines ending in " (deleted)" on the home's device, stat'ed through
 *     /proc/PID/map_files/START-END.
 *
 * Bytes are st_blocks * 512, the walk's measure. "On the home's filesystem" is decided by device numbers, never by
 * path: the supervisor is outside the server's mount namespace and the server's paths mean nothing here. A stat
 * gives the home's st_dev; /proc/PID/maps gives the superblock's device, which differs from st_dev on btrfs, so
 * the home's superblock device is read once from our own mountinfo (the mount of the home's descriptor).
 *
 * The processes: the run's cgroup (cgroup.procs, which no server process can leave) when the plan made one, else
 * every descendant of init (PID 1 of the server's pid namespace, or a subreaper that inherits every orphan), found by
 * the parent links in /proc/PID/stat.
 *
 * Fails closed: a process whose descriptors or mappings the supervisor may not read (one that made itself
 * non-dumpable under a user's launcher), or a deleted mapping on the home's device that cannot be stat'ed
 * (map_files needs CAP_CHECKPOINT_RESTORE in the initial user namespace: every user's launcher) and that no
 * descriptor, cwd or executable of the run also reaches, makes the measure unknown (-1), which counts as over the
 * limit. What /proc cannot show at all (descriptors in flight in a unix socket) is in README, Known limits. */
#include "helper.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#ifndef KCMP_FILES
#define KCMP_FILES 2
#define KCMP_FS 3
#endif

/* The home's filesystem as st_dev (stat) and as the superblock's device (/proc/PID/maps). */
static bool home_known;
static dev_t home_dev, home_sb_dev;

/* Inodes seen this round: COUNTED ones were added to the total; others (still linked) only resolve mappings. */
struct seen {
    unsigned long long ino;
    bool used;
};
static struct seen *seen;
static size_t seen_cap, seen_n;

/* Deleted mappings that could not be stat'ed: measured only if something else of the run reaches the inode. */
struct unmeasured {
    unsigned long long ino;
    pid_t pid;
    char path[160];
};
static struct unmeasured *pending;
static size_t n_pending, pending_cap;

static char why_buf[512];

static bool seen_add(unsigned long long ino)
{
    if ((seen_n + 1) * 2 > seen_cap) {
        size_t cap = seen_cap ? seen_cap * 2 : 256;
        struct seen *bigger = xcalloc(cap, sizeof *bigger);
        for (size_t i = 0; i < seen_cap; i++) {
            if (!seen[i].used)
                continue;
            size_t j = (size_t)(seen[i].ino * 0x9E3779B97F4A7C15ULL) & (cap - 1);
            while (bigger[j].used)
                j = (j + 1) & (cap - 1);
            bigger[j] = seen[i];
        }
        free(seen);
        seen = bigger;
        seen_cap = cap;
    }
    size_t j = (size_t)(ino * 0x9E3779B97F4A7C15ULL) & (seen_cap - 1);
    while (seen[j].used) {
        if (seen[j].ino == ino)
            return false;
        j = (j + 1) & (seen_cap - 1);
    }
    seen[j].used = true;
    seen[j].ino = ino;
    seen_n++;
    return true;
}

static bool seen_has(unsigned long long ino)
{
    if (!seen_cap)
        return false;
    size_t j = (size_t)(ino * 0x9E3779B97F4A7C15ULL) & (seen_cap - 1);
    while (seen[j].used) {
        if (seen[j].ino == ino)
            return true;
        j = (j + 1) & (seen_cap - 1);
    }
    return false;
}

static void seen_clear(void)
{
    if (seen)
        memset(seen, 0, seen_cap * sizeof *seen);
    seen_n = 0;
}

/* The home's superblock device: the mount of our descriptor (fdinfo mnt_id) looked up in our mountinfo. */
static bool learn_home(void)
{
    int fd = home_descriptor();
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0)
        return false;
    home_dev = st.st_dev;
    home_sb_dev = st.st_dev;
    char path[64], line[4096];
    snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fd);
    FILE *f = fopen(path, "re");
    int mnt_id = -1;
    if (f) {
        while (fgets(line, sizeof line, f))
            if (sscanf(line, "mnt_id: %d", &mnt_id) == 1)
                break;
        fclose(f);
    }
    f = mnt_id >= 0 ? fopen("/proc/self/mountinfo", "re") : NULL;
    if (f) {
        int id, parent;
        unsigned major, minor;
        while (fgets(line, sizeof line, f))
            if (sscanf(line, "%d %d %u:%u", &id, &parent, &major, &minor) == 4 && id == mnt_id) {
                home_sb_dev = makedev(major, minor);
                break;
            }
        fclose(f);
    }
    home_known = true;
    return true;
}

static bool on_home_fs(dev_t dev)
{
    return dev == home_dev || dev == home_sb_dev;
}

/* Counts PATH (a /proc magic link) when it is a file of the home's filesystem with no link left. Returns false
 * with errno when the supervisor may not look (EACCES/EPERM); a holder that went away (ENOENT, ESRCH) is fine. */
static bool count_link_at(int dirfd, const char *path, long long *total)
{
    struct stat st;
    if (fstatat(dirfd, path, &st, 0) < 0)
        return !(errno == EACCES || errno == EPERM);
    if (!on_home_fs(st.st_dev))
        return true;
    if (seen_add((unsigned long long)st.st_ino) && st.st_nlink == 0)
        *total += (long long)st.st_blocks * 512;
    return true;
}

static bool count_link(const char *path, long long *total)
{
    return count_link_at(AT_FDCWD, path, total);
}

/* Every descriptor of one fd table. */
static bool count_fds(const char *dir, long long *total)
{
    DIR *d = opendir(dir);
    if (!d)
        return !(errno == EACCES || errno == EPERM);
    struct dirent *e;
    bool ok = true;
    while (ok && (e = readdir(d))) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        ok = count_link_at(dirfd(d), e->d_name, total);
    }
    closedir(d);
    return ok;
}

static void note_unmeasured(pid_t pid, unsigned long long ino, const char *name)
{
    for (size_t i = 0; i < n_pending; i++)
        if (pending[i].ino == ino)
            return;
    if (n_pending == pending_cap) {
        pending_cap = pending_cap ? pending_cap * 2 : 16;
        pending = realloc(pending, pending_cap * sizeof *pending);
        if (!pending)
            die("out of memory");
    }
    struct unmeasured *u = &pending[n_pending++];
    u->ino = ino;
    u->pid = pid;
    size_t j = 0;
    for (; name[j] && j + 1 < sizeof u->path; j++)
        u->path[j] = isprint((unsigned char)name[j]) ? name[j] : '?';
    u->path[j] = 0;
}

static bool process_alive(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/maps", pid);
    return access(path, F_OK) == 0;
}

/* Deleted file mappings on the home's device. */
static bool count_maps(pid_t pid, long long *total)
{
    char path[96];
    snprintf(path, sizeof path, "/proc/%d/maps", pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return !(errno == EACCES || errno == EPERM);
    char line[4096 + 256];
    bool ok = true;
    while (fgets(line, sizeof line, f)) {
        size_t len = strlen(line);
        bool whole = len > 0 && line[len - 1] == '\n';
        if (whole)
            line[--len] = 0;
        else { /* longer than the buffer: skip the rest of that line, keep its start */
            int c;
            while ((c = fgetc(f)) != EOF && c != '\n')
                ;
        }
        unsigned long start, end, offset;
        unsigned major, minor;
        unsigned long long ino;
        char perms[8];
        int name_at = 0;
        if (sscanf(line, "%lx-%lx %7s %lx %x:%x %llu %n", &start, &end, perms, &offset, &major, &minor, &ino,
                   &name_at) < 7 || ino == 0)
            continue;
        if (!on_home_fs(makedev(major, minor)))
            continue;
        static const char deleted[] = " (deleted)";
        /* A name still linked is the walk's; one too long for the buffer is treated as deleted (fail closed). */
        if (whole && (len < sizeof deleted - 1 || strcmp(line + len - (sizeof deleted - 1), deleted) != 0))
            continue;
        if (seen_has(ino))
            continue;
        char mf[128];
        snprintf(mf, sizeof mf, "/proc/%d/map_files/%lx-%lx", pid, start, end);
        struct stat st;
        if (stat(mf, &st) == 0) {
            if (on_home_fs(st.st_dev) && seen_add((unsigned long long)st.st_ino) && st.st_nlink == 0)
                *total += (long long)st.st_blocks * 512;
        } else if ((errno != ENOENT && errno != ESRCH) || process_alive(pid)) {
            /* Not readable (a user's launcher), or the mapping moved between maps and map_files while its process
             * lives on (a server remapping to slip between the two reads): unmeasured unless reached elsewhere. */
            note_unmeasured(pid, ino, name_at > 0 ? line + name_at : "?");
        }
    }
    if (ferror(f) && (errno == EACCES || errno == EPERM))
        ok = false;
    fclose(f);
    return ok;
}

/* One process: its fd tables, cwd/root per distinct fs_struct, executable; mappings later (after every
 * descriptor is known, so that a mapping another process holds a descriptor to is measured). */
static bool count_process(pid_t pid, long long *total)
{
    char path[96];
    snprintf(path, sizeof path, "/proc/%d/task", pid);
    DIR *d = opendir(path);
    if (!d)
        return !(errno == EACCES || errno == EPERM);
    bool ok = true;
    struct dirent *e;
    while (ok && (e = readdir(d))) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        pid_t tid = atoi(e->d_name);
        /* Threads share their leader's tables unless cloned without CLONE_FILES / CLONE_FS: kcmp says which. */
        bool own_files = tid == pid || syscall(SYS_kcmp, pid, tid, KCMP_FILES, 0, 0) != 0;
        bool own_fs = tid == pid || syscall(SYS_kcmp, pid, tid, KCMP_FS, 0, 0) != 0;
        if (own_files) {
            snprintf(path, sizeof path, "/proc/%d/task/%d/fd", pid, tid);
            ok = count_fds(path, total);
        }
        if (ok && own_fs) {
            snprintf(path, sizeof path, "/proc/%d/task/%d/cwd", pid, tid);
            ok = count_link(path, total);
            snprintf(path, sizeof path, "/proc/%d/task/%d/root", pid, tid);
            ok = ok && count_link(path, total);
        }
    }
    closedir(d);
    if (ok) {
        snprintf(path, sizeof path, "/proc/%d/exe", pid);
        ok = count_link(path, total);
    }
    return ok;
}

/* The run's processes: the first membership cgroup's cgroup.procs, else init's descendants; (size_t)-1 when /proc
 * cannot be listed. */
static size_t run_pids(const struct plan *plan, pid_t init, pid_t **out)
{
    static pid_t *pids, *ppids;
    static size_t cap;
    size_t n = 0;
    for (size_t i = 0; i < plan->n_cgroups; i++) {
        if (plan->cgroups[i].file != NULL)
            continue;
        char path[4096 + 16];
        snprintf(path, sizeof path, "%s/cgroup.procs", plan->cgroups[i].dir);
        FILE *f = fopen(path, "re");
        if (!f)
            break;
        int pid;
        while (fscanf(f, "%d", &pid) == 1) {
            if (n == cap) {
                cap = cap ? cap * 2 : 256;
                pids = realloc(pids, cap * sizeof *pids);
                ppids = realloc(ppids, cap * sizeof *ppids);
                if (!pids || !ppids)
                    die("out of memory");
            }
            pids[n++] = pid;
        }
        fclose(f);
        if (n > 0) {
            *out = pids;
            return n;
        }
        break;
    }

    /* Every process's parent, then init's descendants by repeated passes (parents are not in pid order). */
    DIR *d = opendir("/proc");
    if (!d)
        return (size_t)-1;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        char path[64], buf[512];
        snprintf(path, sizeof path, "/proc/%d/stat", atoi(e->d_name));
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        ssize_t len = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (len <= 0)
            continue;
        buf[len] = 0;
        char *close_paren = strrchr(buf, ')'); /* the command name may hold spaces and parentheses */
        char state;
        int ppid;
        if (!close_paren || sscanf(close_paren + 1, " %c %d", &state, &ppid) != 2)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            pids = realloc(pids, cap * sizeof *pids);
            ppids = realloc(ppids, cap * sizeof *ppids);
            if (!pids || !ppids)
                die("out of memory");
        }
        pids[n] = atoi(e->d_name);
        ppids[n] = ppid;
        n++;
    }
    closedir(d);
    /* Partition: the run's processes move to the front. */
    size_t in = 0;
    for (size_t i = 0; i < n; i++)
        if (pids[i] == init) {
            pid_t p = pids[i], pp = ppids[i];
            pids[i] = pids[in], ppids[i] = ppids[in];
            pids[in] = p, ppids[in] = pp;
            in++;
            break;
        }
    if (in == 0)
        return 0;
    for (bool grew = true; grew;) {
        grew = false;
        for (size_t i = in; i < n; i++) {
            bool child = false;
            for (size_t j = 0; j < in && !child; j++)
                child = ppids[i] == pids[j];
            if (child) {
                pid_t p = pids[i], pp = ppids[i];
                pids[i] = pids[in], ppids[i] = ppids[in];
                pids[in] = p, ppids[in] = pp;
                in++;
                grew = true;
            }
        }
    }
    *out = pids;
    return in;
}

long long held_unlinked_usage(const struct plan *plan, pid_t init, const char **why, bool *unmapped_cause)
{
    *why = NULL;
    *unmapped_cause = false;
    if (!home_known && !learn_home()) {
        *why = "cannot be examined";
        return -1;
    }
    seen_clear();
    n_pending = 0;
    pid_t *pids = NULL;
    size_t n = run_pids(plan, init, &pids);
    if (n == (size_t)-1) {
        *why = "cannot be measured: the launcher cannot list the server's processes (/proc is not readable)";
        return -1;
    }
    long long total = 0;
    for (size_t i = 0; i < n; i++) {
        if (!count_process(pids[i], &total)) {
            snprintf(why_buf, sizeof why_buf, "cannot be measured: the launcher may not read the descriptors of the"
                     " server's process %d (it made itself non-dumpable, or runs a program it may not read)", pids[i]);
            *why = why_buf;
            return -1;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (!count_maps(pids[i], &total)) {
            snprintf(why_buf, sizeof why_buf, "cannot be measured: the launcher may not read the mappings of the"
                     " server's process %d (it made itself non-dumpable, or runs a program it may not read)", pids[i]);
            *why = why_buf;
            return -1;
        }
    }
    for (size_t i = 0; i < n_pending; i++) {
        if (seen_has(pending[i].ino))
            continue;
        snprintf(why_buf, sizeof why_buf, "has a deleted file still mapped by the server (pid %d: %s, inode %llu) whose"
                 " size the launcher cannot measure (/proc/%d/map_files needs CAP_CHECKPOINT_RESTORE, which a user's"
                 " launcher lacks)", pending[i].pid,
                 pending[i].path, pending[i].ino, pending[i].pid);
        *why = why_buf;
        *unmapped_cause = true;
        return -1;
    }
    return total;
}
