/* Files of the home that no name reaches any more but the server's processes still hold.
 *
 * The size walk (home.c) sees names. A server can write a file in its home, unlink it and keep a descriptor (or a
 * mapping, with the descriptor closed): the blocks stay allocated until the last holder lets go, and no walk finds
 * them. So each check also looks at every process of the run and counts, once per (device, inode), every file on
 * the home's filesystem with no link left (st_nlink == 0) that the process reaches through
 *
 *   - a descriptor of any of its fd tables (/proc/PID/fd, and /proc/PID/task/TID/fd of a thread cloned without
 *     CLONE_FILES), stat'ed through the magic link when the kernel names it "(deleted)";
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
 * every descendant of init (PID 1 of the server's pid namespace, or a subreaper that inherits every orphan), found
 * through /proc/PID/task/TID/children, or where the kernel has no such files through the parent links in
 * /proc/PID/stat. A process that forks and exits while the list is read can be missed for one round (its children
 * move to init and are found in the next).
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
static char home_prefix[4096 + 256]; /* "BASE/NAME/": where the home's files are, in every mode */

/* A set of numbers (open addressing): the inodes seen this round, the processes found. */
struct idset {
    unsigned long long *keys; /* 0 marks a free slot: inode 0 and pid 0 never occur */
    size_t cap, n;
};

static size_t slot_of(const struct idset *set, unsigned long long key)
{
    size_t j = (size_t)(key * 0x9E3779B97F4A7C15ULL) & (set->cap - 1);
    while (set->keys[j] && set->keys[j] != key)
        j = (j + 1) & (set->cap - 1);
    return j;
}

/* Adds KEY; false when it was there already. */
static bool set_add(struct idset *set, unsigned long long key)
{
    if ((set->n + 1) * 2 > set->cap) {
        struct idset bigger = {xcalloc(set->cap ? set->cap * 2 : 256, sizeof *bigger.keys), set->cap ? set->cap * 2 : 256, set->n};
        for (size_t i = 0; i < set->cap; i++)
            if (set->keys[i])
                bigger.keys[slot_of(&bigger, set->keys[i])] = set->keys[i];
        free(set->keys);
        *set = bigger;
    }
    size_t j = slot_of(set, key);
    if (set->keys[j])
        return false;
    set->keys[j] = key;
    set->n++;
    return true;
}

static bool set_has(const struct idset *set, unsigned long long key)
{
    return set->cap && set->keys[slot_of(set, key)] == key;
}

static void set_clear(struct idset *set)
{
    if (set->keys)
        memset(set->keys, 0, set->cap * sizeof *set->keys);
    set->n = 0;
}

/* Inodes of the home's filesystem seen this round under a "(deleted)" name, counted once (those still linked elsewhere
 * are the walk's); a mapping of one of them is measured already. */
static struct idset seen;

/* The first deleted mapping of the round that could not be measured (nothing else of the run reaches its inode). */
static struct {
    bool found;
    unsigned long long ino;
    pid_t pid;
    bool denied; /* map_files refused (no CAP_CHECKPOINT_RESTORE), else the mapping could not be found there */
    char path[160];
} unmeasured;

static char why_buf[512];

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

static const char deleted_suffix[] = " (deleted)";

/* The kernel names a file whose dentry no longer has a name "PATH (deleted)": every file with no link left, since
 * unlink and rename-over unhash the dentry an open file holds (handle-based opens, whose dentries are never
 * hashed, are denied by seccomp). A name too long for the buffer counts as deleted. */
static bool named_deleted(const char *text, size_t len, bool whole)
{
    size_t n = sizeof deleted_suffix - 1;
    return !whole || (len >= n && memcmp(text + len - n, deleted_suffix, n) == 0);
}

/* The attributes the kernel has, without asking a network or FUSE filesystem again (AT_STATX_DONT_SYNC). */
static int stat_cached(int dirfd, const char *path, struct stat *st)
{
    struct statx sx;
    if (statx(dirfd, path, AT_STATX_DONT_SYNC, STATX_TYPE | STATX_NLINK | STATX_INO | STATX_BLOCKS, &sx) < 0)
        return -1;
    memset(st, 0, sizeof *st);
    st->st_dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
    st->st_ino = (ino_t)sx.stx_ino;
    st->st_nlink = sx.stx_nlink;
    st->st_blocks = (blkcnt_t)sx.stx_blocks;
    st->st_mode = sx.stx_mode;
    return 0;
}

/* Counts PATH (a /proc magic link: descriptor, cwd, root, exe) when it is a file of the home's filesystem with no
 * link left. Only a link named "(deleted)" is stat'ed: a linked file is the walk's, and a stat of every descriptor
 * could wait on a hung network filesystem. Returns false when the supervisor may not look (EACCES/EPERM); a holder
 * that went away (ENOENT, ESRCH) is fine. */
static bool count_link_at(int dirfd, const char *path, long long *total)
{
    char text[4096 + 64];
    ssize_t len = readlinkat(dirfd, path, text, sizeof text);
    if (len < 0)
        return !(errno == EACCES || errno == EPERM);
    if (!named_deleted(text, (size_t)len, (size_t)len < sizeof text))
        return true;
    struct stat st;
    if (stat_cached(dirfd, path, &st) < 0)
        return !(errno == EACCES || errno == EPERM);
    if (!on_home_fs(st.st_dev))
        return true;
    if (set_add(&seen, (unsigned long long)st.st_ino) && st.st_nlink == 0)
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

static void note_unmeasured(pid_t pid, unsigned long long ino, const char *name, bool denied)
{
    if (unmeasured.found)
        return;
    unmeasured.found = true;
    unmeasured.denied = denied;
    unmeasured.ino = ino;
    unmeasured.pid = pid;
    size_t j = 0;
    for (; name[j] && j + 1 < sizeof unmeasured.path; j++)
        unmeasured.path[j] = isprint((unsigned char)name[j]) ? name[j] : '?';
    unmeasured.path[j] = 0;
}

/* One line of /proc/PID/maps: the range, the device, the inode, where the name starts (0: none). */
struct map_line {
    unsigned long start, end;
    dev_t dev;
    unsigned long long ino;
    int name_at;
};

static bool parse_map_line(const char *line, struct map_line *m)
{
    unsigned long offset;
    unsigned major, minor;
    char perms[8];
    m->name_at = 0;
    if (sscanf(line, "%lx-%lx %7s %lx %x:%x %llu %n", &m->start, &m->end, perms, &offset, &major, &minor, &m->ino,
               &m->name_at) < 7 || m->ino == 0)
        return false;
    m->dev = makedev(major, minor);
    return true;
}

/* Stats the mapping START-END of PID through map_files: 0 with *ST, else the errno. */
static int stat_mapping(pid_t pid, const struct map_line *m, struct stat *st)
{
    char mf[128];
    snprintf(mf, sizeof mf, "/proc/%d/map_files/%lx-%lx", pid, m->start, m->end);
    return stat_cached(AT_FDCWD, mf, st) == 0 ? 0 : errno;
}

/* map_files had no entry for a mapping maps listed: the process may have exited or unmapped it since (fine), or moved
 * it (a server remapping to slip between the two reads), or map_files cannot show it (the leader thread has exited).
 * Reads MAPS again for the same inode: 0 gone, 1 found and stat'ed into *ST, -1 still mapped but not measurable. */
static int mapping_again(pid_t pid, const char *maps, const struct map_line *was, struct stat *st)
{
    FILE *f = fopen(maps, "re");
    if (!f)
        return errno == ENOENT || errno == ESRCH ? 0 : -1;
    char line[512];
    int found = 0;
    while (found == 0 && fgets(line, sizeof line, f)) {
        struct map_line m;
        if (parse_map_line(line, &m) && m.ino == was->ino && m.dev == was->dev)
            found = stat_mapping(pid, &m, st) == 0 ? 1 : -1;
        if (!strchr(line, '\n')) { /* the rest of a long line */
            int c;
            while ((c = fgetc(f)) != EOF && c != '\n')
                ;
        }
    }
    fclose(f);
    return found;
}

/* Deleted file mappings on the home's device, from one task's maps; *LINES counts what it listed. */
static bool count_maps_of(pid_t pid, const char *maps, long long *total, size_t *lines)
{
    FILE *f = fopen(maps, "re");
    if (!f)
        return !(errno == EACCES || errno == EPERM);
    char line[4096 + 256];
    while (fgets(line, sizeof line, f)) {
        ++*lines;
        size_t len = strlen(line);
        bool whole = len > 0 && line[len - 1] == '\n';
        if (whole)
            line[--len] = 0;
        else { /* longer than the buffer: skip the rest of that line, keep its start */
            int c;
            while ((c = fgetc(f)) != EOF && c != '\n')
                ;
        }
        struct map_line m;
        if (!parse_map_line(line, &m) || !on_home_fs(m.dev))
            continue;
        /* A name still linked is the walk's; one too long for the buffer is treated as deleted (fail closed). */
        if (!named_deleted(line, len, whole))
            continue;
        /* The kernel writes the mapping's path from the mounts (in the server's namespace, where the home is bound at
         * its own path): a file that was not in the home when it was deleted (a library replaced by an upgrade, on
         * the same filesystem as the home) is not the home's. The server chooses names inside the home, never the
         * part of the path above it. A long line was cut: its start is still whole. */
        if (m.name_at <= 0 || strncmp(line + m.name_at, home_prefix, strlen(home_prefix)) != 0)
            continue;
        if (set_has(&seen, m.ino)) /* a descriptor, cwd or executable of the run reaches it: measured there */
            continue;
        struct stat st;
        int err = stat_mapping(pid, &m, &st);
        int state = err == 0 ? 1 : err == EACCES || err == EPERM ? -1 : mapping_again(pid, maps, &m, &st);
        if (state > 0 && on_home_fs(st.st_dev) && set_add(&seen, (unsigned long long)st.st_ino) && st.st_nlink == 0)
            *total += (long long)st.st_blocks * 512;
        else if (state < 0)
            note_unmeasured(pid, m.ino, m.name_at > 0 ? line + m.name_at : "?", err == EACCES || err == EPERM);
    }
    bool ok = !(ferror(f) && (errno == EACCES || errno == EPERM));
    fclose(f);
    return ok;
}

/* A task that holds nothing any more: gone, a zombie (its descriptors were closed before it became one), or exiting
 * (PF_EXITING: its mm is gone, its descriptors are being closed). The kernel makes the /proc entries of a task
 * without an mm root's, so a user's supervisor is refused there: that refusal hides nothing. */
static bool task_gone(pid_t pid, pid_t tid)
{
    char path[96], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/task/%d/stat", pid, tid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT || errno == ESRCH;
    ssize_t len = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (len <= 0)
        return len == 0 || errno == ESRCH;
    buf[len] = 0;
    char *close_paren = strrchr(buf, ')');
    char state;
    int ppid, pgrp, session, tty, tpgid;
    unsigned flags;
    if (!close_paren || sscanf(close_paren + 1, " %c %d %d %d %d %d %u", &state, &ppid, &pgrp, &session, &tty, &tpgid,
                               &flags) != 7)
        return false;
    return state == 'Z' || state == 'X' || state == 'x' || (flags & 0x00000004U /* PF_EXITING */);
}

/* The process's mappings, read through its first task that has any (one mm for all its threads; the leader's
 * entries are empty, and root's, once the leader thread has exited while others run on). */
static bool count_maps(pid_t pid, long long *total)
{
    char path[96];
    snprintf(path, sizeof path, "/proc/%d/task", pid);
    DIR *d = opendir(path);
    if (!d)
        return !(errno == EACCES || errno == EPERM);
    bool ok = true;
    size_t lines = 0;
    struct dirent *e;
    while (ok && lines == 0 && (e = readdir(d))) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        pid_t tid = atoi(e->d_name);
        snprintf(path, sizeof path, "/proc/%d/task/%d/maps", pid, tid);
        ok = count_maps_of(pid, path, total, &lines) || task_gone(pid, tid);
    }
    closedir(d);
    return ok;
}

/* One process: its fd tables, cwd and root per distinct fs_struct, executable (mappings come later, once every
 * descriptor is known). Threads share their leader's tables unless cloned without CLONE_FILES / CLONE_FS; kcmp
 * says which, compared with the leader and with the last table walked (a leader that exited has none). A task the
 * supervisor is refused is fine only when it holds nothing any more (task_gone). */
static bool count_process(pid_t pid, long long *total)
{
    char path[96];
    snprintf(path, sizeof path, "/proc/%d/task", pid);
    DIR *d = opendir(path);
    if (!d)
        return !(errno == EACCES || errno == EPERM);
    bool ok = true, exe_seen = false;
    pid_t files_ref = 0, fs_ref = 0;
    struct dirent *e;
    while (ok && (e = readdir(d))) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        pid_t tid = atoi(e->d_name);
        bool own_files = tid == pid || (syscall(SYS_kcmp, pid, tid, KCMP_FILES, 0, 0) != 0
                                        && (!files_ref || syscall(SYS_kcmp, files_ref, tid, KCMP_FILES, 0, 0) != 0));
        bool own_fs = tid == pid || (syscall(SYS_kcmp, pid, tid, KCMP_FS, 0, 0) != 0
                                     && (!fs_ref || syscall(SYS_kcmp, fs_ref, tid, KCMP_FS, 0, 0) != 0));
        bool task_ok = true;
        if (own_files) {
            snprintf(path, sizeof path, "/proc/%d/task/%d/fd", pid, tid);
            task_ok = count_fds(path, total);
            files_ref = tid != pid ? tid : files_ref;
        }
        if (task_ok && own_fs) {
            snprintf(path, sizeof path, "/proc/%d/task/%d/cwd", pid, tid);
            task_ok = count_link(path, total);
            snprintf(path, sizeof path, "/proc/%d/task/%d/root", pid, tid);
            task_ok = task_ok && count_link(path, total);
            fs_ref = tid != pid ? tid : fs_ref;
        }
        if (task_ok && !exe_seen) { /* one mm per process; the leader's is gone if it exited first */
            char target[16];
            snprintf(path, sizeof path, "/proc/%d/task/%d/exe", pid, tid);
            exe_seen = readlink(path, target, sizeof target) >= 0;
            task_ok = count_link(path, total);
        }
        ok = task_ok || task_gone(pid, tid);
    }
    closedir(d);
    return ok;
}

static struct idset run_set; /* the run's processes found this round */
static pid_t *run_list;
static size_t run_n, run_cap;

static void run_add(pid_t pid)
{
    if (pid <= 0 || !set_add(&run_set, (unsigned long long)pid))
        return;
    if (run_n == run_cap) {
        run_cap = run_cap ? run_cap * 2 : 64;
        run_list = realloc(run_list, run_cap * sizeof *run_list);
        if (!run_list)
            die("out of memory");
    }
    run_list[run_n++] = pid;
}

/* The run's processes from the first membership cgroup (which no process of the server can leave); false when the
 * plan has none or it cannot be read. */
static bool cgroup_pids(const struct plan *plan)
{
    for (size_t i = 0; i < plan->n_cgroups; i++) {
        if (plan->cgroups[i].file != NULL)
            continue;
        char path[4096 + 16];
        snprintf(path, sizeof path, "%s/cgroup.procs", plan->cgroups[i].dir);
        FILE *f = fopen(path, "re");
        if (!f)
            return false;
        int pid;
        while (fscanf(f, "%d", &pid) == 1)
            run_add(pid);
        fclose(f);
        return run_n > 0;
    }
    return false;
}

/* Init's descendants through /proc/PID/task/TID/children (a child is listed under the thread that forked it;
 * orphans are re-parented to init, PID 1 of the namespace or a subreaper). False when the kernel has no children
 * files (CONFIG_PROC_CHILDREN). */
static bool children_pids(pid_t init)
{
    char path[96];
    snprintf(path, sizeof path, "/proc/%d/task/%d/children", init, init);
    if (access(path, F_OK) < 0)
        return false;
    run_add(init);
    for (size_t i = 0; i < run_n; i++) {
        pid_t pid = run_list[i];
        snprintf(path, sizeof path, "/proc/%d/task", pid);
        DIR *d = opendir(path);
        if (!d)
            continue; /* gone: its children are init's now, or will be seen next round */
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] < '1' || e->d_name[0] > '9')
                continue;
            snprintf(path, sizeof path, "/proc/%d/task/%d/children", pid, atoi(e->d_name));
            FILE *f = fopen(path, "re");
            if (!f)
                continue;
            int child;
            while (fscanf(f, "%d", &child) == 1)
                run_add(child);
            fclose(f);
        }
        closedir(d);
    }
    return true;
}

/* Without children files: every process's parent from /proc/PID/stat, then init's descendants by repeated passes
 * (parents are not in pid order). False when /proc cannot be listed. */
static bool scanned_pids(pid_t init)
{
    static pid_t *pids, *ppids;
    static size_t cap;
    size_t n = 0;
    DIR *d = opendir("/proc");
    if (!d)
        return false;
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
    run_add(init);
    for (size_t before = 0; before != run_n;) {
        before = run_n;
        for (size_t i = 0; i < n; i++)
            if (set_has(&run_set, (unsigned long long)ppids[i]))
                run_add(pids[i]);
    }
    return true;
}

long long held_unlinked_usage(const struct plan *plan, pid_t init, const char **why, int *mapped)
{
    *why = NULL;
    *mapped = 0;
    if (!home_prefix[0])
        snprintf(home_prefix, sizeof home_prefix, "%s/%s/", plan->home.base, plan->home.name);
    if (!home_known && !learn_home()) {
        *why = "cannot be examined";
        return -1;
    }
    set_clear(&seen);
    set_clear(&run_set);
    run_n = 0;
    unmeasured.found = false;
    if (!cgroup_pids(plan) && !children_pids(init) && !scanned_pids(init)) {
        *why = "cannot be measured: the launcher cannot list the server's processes (/proc is not readable)";
        return -1;
    }
    long long total = 0;
    for (size_t i = 0; i < run_n; i++) {
        if (!count_process(run_list[i], &total)) {
            snprintf(why_buf, sizeof why_buf, "cannot be measured: the launcher may not read the descriptors of the"
                     " server's process %d (it made itself non-dumpable, or runs a program it may not read)", run_list[i]);
            *why = why_buf;
            return -1;
        }
    }
    for (size_t i = 0; i < run_n && !unmeasured.found; i++) {
        if (!count_maps(run_list[i], &total)) {
            snprintf(why_buf, sizeof why_buf, "cannot be measured: the launcher may not read the mappings of the"
                     " server's process %d (it made itself non-dumpable, or runs a program it may not read)", run_list[i]);
            *why = why_buf;
            return -1;
        }
    }
    if (unmeasured.found) {
        snprintf(why_buf, sizeof why_buf, "has a deleted file still mapped by the server (pid %d: %s, inode %llu) whose"
                 " size the launcher cannot measure (%s)", unmeasured.pid, unmeasured.path, unmeasured.ino,
                 unmeasured.denied ? "reading /proc/PID/map_files needs CAP_CHECKPOINT_RESTORE, which a user's launcher lacks"
                                   : "/proc/PID/map_files does not show it: the process's main thread has exited, or the"
                                     " mapping moved while it was read");
        *why = why_buf;
        *mapped = unmeasured.denied ? 2 : 1;
        return -1;
    }
    return total;
}
