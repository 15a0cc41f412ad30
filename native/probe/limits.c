/* Resource bombs, each with a ceiling: if a limit is missing the probe stops at the ceiling and says ALLOWED
 * instead of taking the host down with it. */
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sched.h>
#include <linux/falloc.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/resource.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* forkbomb MAX HOLD_MS: forks children that only wait, until fork fails or MAX are alive; prints the result, keeps
 * them alive HOLD_MS more (the test checks the host meanwhile), then kills and reaps them all. */
static void cmd_forkbomb(const struct step *s)
{
    long max, hold;
    if (!parse_long(s->argv[1], &max) || !parse_long(s->argv[2], &hold) || max < 1 || max > 100000) {
        error(s, "usage: forkbomb MAX HOLD_MS");
        return;
    }
    pid_t *kids = calloc((size_t)max, sizeof *kids);
    if (!kids) {
        error(s, "out of memory");
        return;
    }
    pid_t self = getpid();
    long n = 0;
    int err = 0;
    while (n < max) {
        pid_t pid = fork();
        if (pid < 0) {
            err = errno;
            break;
        }
        if (pid == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (getppid() != self)
                _exit(0);
            for (;;)
                pause();
        }
        kids[n++] = pid;
    }
    if (err)
        denied_errno(s, err, "forks=%ld", n);
    else
        allowed(s, "forks=%ld", n);
    sleep_ms(hold);
    for (long i = 0; i < n; i++)
        kill(kids[i], SIGKILL);
    for (long i = 0; i < n; i++)
        while (waitpid(kids[i], NULL, 0) < 0 && errno == EINTR)
            ;
    free(kids);
}

/* membomb MAX_MB: maps and touches 8 MiB at a time. A memory cgroup kills us (the launcher reports 137); an
 * address-space or data rlimit makes mmap fail (DENIED errno=ENOMEM). */
static void cmd_membomb(const struct step *s)
{
    long max_mb;
    if (!parse_long(s->argv[1], &max_mb) || max_mb < 8) {
        error(s, "usage: membomb MAX_MB (at least 8)");
        return;
    }
    const size_t chunk = 8u << 20;
    long mb = 0;
    while (mb < max_mb) {
        char *p = mmap(NULL, chunk, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            denied_errno(s, errno, "mb=%ld", mb);
            return;
        }
        memset(p, 0x5a, chunk);
        mb += 8;
    }
    allowed(s, "mb=%ld", mb);
}

/* fill PATH MAX_BYTES: writes 64 KiB blocks until the filesystem refuses or MAX_BYTES are written; removes the file. */
static void cmd_fill(const struct step *s)
{
    unsigned long max;
    if (!parse_ulong(s->argv[2], &max)) {
        error(s, "bad byte count '%s'", s->argv[2]);
        return;
    }
    signal(SIGXFSZ, SIG_IGN);
    bool mapped = strcmp(s->argv[0], "fill-mapped") == 0; /* a shared mapping needs a readable descriptor */
    bool inflight = strcmp(s->argv[0], "fill-inflight") == 0;
    int fd = open(s->argv[1], (mapped ? O_RDWR : O_WRONLY) | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        denied_errno(s, errno, "at=open");
        return;
    }
    static char block[65536];
    memset(block, 'x', sizeof block);
    unsigned long total = 0;
    int err = 0;
    while (total < max) {
        size_t want = max - total < sizeof block ? max - total : sizeof block;
        ssize_t n = write(fd, block, want);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            err = errno;
            break;
        }
        total += (unsigned long)n;
    }
    if (!err && fsync(fd) < 0)
        err = errno;
    if (strcmp(s->argv[0], "fill-unlinked") == 0 || strcmp(s->argv[0], "fill-unlinked-late") == 0) {
        if (strcmp(s->argv[0], "fill-unlinked-late") == 0)
            sleep_ms(600); /* long enough for a look to count the file by its name first */
        unlink(s->argv[1]); /* the name goes, the descriptor (and the blocks) stay until we exit */
    } else if (inflight) {
        /* The name goes, the descriptor is sent on a socketpair nobody reads, then closed: only the message in
         * flight holds the blocks (both ends stay open until we exit). */
        unlink(s->argv[1]);
        int sv[2];
        if (!err && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
            err = errno;
        if (!err) {
            char byte = 'f';
            struct iovec iov = {.iov_base = &byte, .iov_len = 1};
            union {
                char buf[CMSG_SPACE(sizeof(int))];
                struct cmsghdr align;
            } control;
            memset(&control, 0, sizeof control);
            struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                                 .msg_controllen = sizeof control.buf};
            struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
            c->cmsg_level = SOL_SOCKET;
            c->cmsg_type = SCM_RIGHTS;
            c->cmsg_len = CMSG_LEN(sizeof(int));
            memcpy(CMSG_DATA(c), &fd, sizeof fd);
            if (sendmsg(sv[0], &msg, 0) < 0)
                err = errno;
        }
        close(fd);
    } else if (mapped) {
        /* The name goes, then the descriptor: only a shared mapping keeps the blocks until we exit. */
        unlink(s->argv[1]);
        if (!err && total > 0 && mmap(NULL, total, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED)
            err = errno;
        close(fd);
    } else {
        close(fd);
        if (strcmp(s->argv[0], "fill-keep") != 0)
            unlink(s->argv[1]);
    }
    signal(SIGXFSZ, SIG_DFL);
    if (err)
        denied_errno(s, err, "bytes=%lu", total);
    else
        allowed(s, "bytes=%lu", total);
}

/* fill-orphan PATH BYTES: fill-unlinked in a grandchild whose parent exits at once (an orphan re-parented to init,
 * as a double-forked daemon is); it keeps the descriptor until the tree ends. Reports the grandchild's bytes. */
static void cmd_fill_orphan(const struct step *s)
{
    unsigned long max;
    if (!parse_ulong(s->argv[2], &max)) {
        error(s, "bad byte count '%s'", s->argv[2]);
        return;
    }
    int p[2];
    if (pipe(p) < 0) {
        error(s, "pipe: %s", errno_name(errno));
        return;
    }
    pid_t child = fork();
    if (child < 0) {
        error(s, "fork: %s", errno_name(errno));
        return;
    }
    if (child == 0) {
        if (fork() != 0)
            _exit(0);
        close(p[0]);
        signal(SIGXFSZ, SIG_IGN);
        int fd = open(s->argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        unsigned long total = 0;
        static char block[65536];
        memset(block, 'o', sizeof block);
        while (fd >= 0 && total < max) {
            ssize_t n = write(fd, block, max - total < sizeof block ? max - total : sizeof block);
            if (n <= 0)
                break;
            total += (unsigned long)n;
        }
        if (fd >= 0) {
            fsync(fd);
            unlink(s->argv[1]);
        }
        ssize_t w = write(p[1], &total, sizeof total);
        (void)w;
        close(p[1]);
        for (;;)
            pause();
    }
    close(p[1]);
    waitpid(child, NULL, 0);
    unsigned long total = 0;
    if (read(p[0], &total, sizeof total) != (ssize_t)sizeof total) {
        close(p[0]);
        error(s, "the orphan did not report");
        return;
    }
    close(p[0]);
    allowed(s, "bytes=%lu", total);
}

/* undumpable: PR_SET_DUMPABLE 0, as ssh-agent does: from now on this process's /proc entries (fd, maps) belong to root,
 * and a supervisor of the same uid without CAP_SYS_PTRACE over it may not read them. */
static void cmd_undumpable(const struct step *s)
{
    outcome(s, prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), "prctl");
}

/* held-ordinary BYTES: the deleted-looking mappings every runtime makes, each BYTES and touched, kept until exit: a
 * memfd ("/memfd:... (deleted)"), an anonymous shared mapping ("/dev/zero (deleted)") and a SysV segment removed
 * while attached ("/SYSV... (deleted)"). None is on the home's filesystem. A refused SysV segment is reported, not an
 * error (its namespace may forbid it); the other two must work. */
static void cmd_held_ordinary(const struct step *s)
{
    unsigned long bytes;
    if (!parse_ulong(s->argv[1], &bytes) || bytes == 0) {
        error(s, "bad byte count '%s'", s->argv[1]);
        return;
    }
    int fd = memfd_create("held-ordinary", MFD_CLOEXEC);
    if (fd < 0 || ftruncate(fd, (off_t)bytes) < 0) {
        denied_errno(s, errno, "at=memfd");
        return;
    }
    char *m = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) {
        denied_errno(s, errno, "at=memfd-mmap");
        return;
    }
    close(fd);
    memset(m, 'm', bytes);
    char *a = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (a == MAP_FAILED) {
        denied_errno(s, errno, "at=shared-anonymous");
        return;
    }
    memset(a, 'a', bytes);
    const char *sysv = "ok";
    int id = shmget(IPC_PRIVATE, bytes, IPC_CREAT | 0600);
    char *v = id >= 0 ? shmat(id, NULL, 0) : (char *)-1;
    if (v != (char *)-1) {
        memset(v, 'v', bytes);
        shmctl(id, IPC_RMID, NULL); /* gone by name, freed when we detach (at exit) */
    } else {
        sysv = errno_name(errno);
        if (id >= 0)
            shmctl(id, IPC_RMID, NULL);
    }
    allowed(s, "memfd=ok shared-anonymous=ok sysv=%s", sysv);
}

/* fsize-signal PATH BYTES: the same write in a child with SIGXFSZ at its default action: killed by it. */
static long run_fsize_default(const struct step *s, void *arg)
{
    (void)arg;
    unsigned long max;
    if (!parse_ulong(s->argv[2], &max))
        return -1;
    signal(SIGXFSZ, SIG_DFL);
    int fd = open(s->argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    unlink(s->argv[1]); /* the file goes when we do, killed or not */
    static char block[65536];
    unsigned long total = 0;
    while (total < max) {
        size_t want = max - total < sizeof block ? max - total : sizeof block;
        ssize_t n = write(fd, block, want);
        if (n < 0)
            return -1;
        total += (unsigned long)n;
    }
    return (long)total;
}

static void cmd_fsize_signal(const struct step *s)
{
    unsigned long max;
    if (!parse_ulong(s->argv[2], &max)) {
        error(s, "bad byte count '%s'", s->argv[2]);
        return;
    }
    in_child(s, run_fsize_default, NULL);
}

/* manyfiles DIR MAX: empty files DIR/f0, f1, ... until creation fails or MAX exist; all removed afterwards. */
static void cmd_manyfiles(const struct step *s)
{
    unsigned long max;
    if (!parse_ulong(s->argv[2], &max) || max > 10000000) {
        error(s, "usage: manyfiles DIR MAX");
        return;
    }
    int dir = open(s->argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) {
        denied_errno(s, errno, "at=open");
        return;
    }
    char name[32];
    unsigned long n = 0;
    int err = 0;
    while (n < max) {
        snprintf(name, sizeof name, "f%lu", n);
        int fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0) {
            err = errno;
            break;
        }
        close(fd);
        n++;
    }
    bool keep = !strcmp(s->argv[0], "manyfiles-keep");
    for (unsigned long i = 0; !keep && i < n; i++) {
        snprintf(name, sizeof name, "f%lu", i);
        unlinkat(dir, name, 0);
    }
    close(dir);
    if (err)
        denied_errno(s, err, "files=%lu", n);
    else
        allowed(s, "files=%lu", n);
}

/* inotify-bomb MAX [HOLD_MS]: inotify instances until inotify_init1 fails or MAX are open; prints the result, keeps
 * them HOLD_MS more (the test counts the host's meanwhile), then closes them all. */
static void cmd_inotify_bomb(const struct step *s)
{
    unsigned long max;
    long hold = 0;
    if (!parse_ulong(s->argv[1], &max) || max > 100000 || (s->argc > 2 && (!parse_long(s->argv[2], &hold) || hold < 0))) {
        error(s, "usage: inotify-bomb MAX [HOLD_MS]");
        return;
    }
    int *fds = calloc(max ? max : 1, sizeof *fds);
    if (!fds) {
        error(s, "out of memory");
        return;
    }
    unsigned long n = 0;
    int err = 0;
    while (n < max) {
        int fd = inotify_init1(IN_CLOEXEC);
        if (fd < 0) {
            err = errno;
            break;
        }
        fds[n++] = fd;
    }
    if (err)
        denied_errno(s, err, "instances=%lu", n);
    else
        allowed(s, "instances=%lu", n);
    fflush(stdout);
    sleep_ms(hold);
    for (unsigned long i = 0; i < n; i++)
        close(fds[i]);
    free(fds);
}

/* One process's share of epoll-bomb: eventfds to watch and epoll instances watching all of them, until MAX watches
 * or an error. Returns the count; *ERR the errno that stopped it (0: reached MAX or out of descriptors). */
static unsigned long epoll_fill(unsigned long max, int *err)
{
    struct rlimit rl;
    *err = 0;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur < 64) {
        *err = EMFILE;
        return 0;
    }
    unsigned long n = rl.rlim_cur > 100000 ? 100000 : rl.rlim_cur - 16;
    unsigned long watched = n / 2, total = 0;
    int *fds = calloc(watched, sizeof *fds);
    if (!fds) {
        *err = ENOMEM;
        return 0;
    }
    for (unsigned long i = 0; i < watched; i++) {
        fds[i] = eventfd(0, EFD_CLOEXEC);
        if (fds[i] < 0) {
            watched = i;
            break;
        }
    }
    while (total < max) {
        int ep = epoll_create1(EPOLL_CLOEXEC);
        if (ep < 0) {
            *err = errno == EMFILE ? 0 : errno; /* out of descriptors: this process is full */
            break;
        }
        for (unsigned long i = 0; i < watched && total < max; i++) {
            struct epoll_event ev = {.events = EPOLLIN};
            if (epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev) < 0) {
                *err = errno;
                return total;
            }
            total++;
        }
    }
    return total;
}

/* epoll-bomb PROCS MAX: PROCS processes add epoll watches (MAX in all) and keep them until the tree ends. epoll
 * watches count against fs.epoll.max_user_watches per host uid, shared with every other process of that uid. */
static void cmd_epoll_bomb(const struct step *s)
{
    unsigned long procs, max;
    if (!parse_ulong(s->argv[1], &procs) || !parse_ulong(s->argv[2], &max) || procs < 1 || procs > 64) {
        error(s, "usage: epoll-bomb PROCS MAX");
        return;
    }
    int report[2];
    if (pipe(report) < 0) {
        error(s, "pipe: %s", strerror(errno));
        return;
    }
    for (unsigned long p = 0; p < procs; p++) {
        pid_t pid = fork();
        if (pid == 0) {
            close(report[0]);
            unsigned long done[2];
            int err;
            done[0] = epoll_fill(max / procs, &err);
            done[1] = (unsigned long)err;
            if (write(report[1], done, sizeof done) < 0)
                _exit(1);
            close(report[1]);
            for (;;)
                pause(); /* the watches live as long as we do */
        }
    }
    close(report[1]);
    unsigned long total = 0, done[2];
    int err = 0;
    while (read(report[0], done, sizeof done) == (ssize_t)sizeof done) {
        total += done[0];
        if (done[1] && !err)
            err = (int)done[1];
    }
    close(report[0]);
    if (err)
        denied_errno(s, err, "watches=%lu", total);
    else
        allowed(s, "watches=%lu", total);
}

/* epoll-one: one epoll watch, as any process of this uid would add one. */
static void cmd_epoll_one(const struct step *s)
{
    int ep = epoll_create1(EPOLL_CLOEXEC), fd = eventfd(0, EFD_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN};
    if (ep < 0 || fd < 0) {
        error(s, "epoll_create1/eventfd: %s", strerror(errno));
        return;
    }
    outcome(s, epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev), NULL);
    close(fd);
    close(ep);
}

/* sysv-bomb sem|msg MAX [private]: SysV semaphore sets of SEMMSL semaphores (kernel.sem's first field), or message
 * queues filled with messages of msgmax bytes, until creation fails or MAX exist. Kernel memory that RLIMIT_DATA does
 * not count. "private": first into an IPC namespace of our own (and a user namespace when not root), with the
 * kernel's defaults, for the control outside the containment; either way everything goes with the namespace. */
static void cmd_sysv_bomb(const struct step *s)
{
    long max;
    bool sem = !strcmp(s->argv[1], "sem");
    if ((!sem && strcmp(s->argv[1], "msg")) || !parse_long(s->argv[2], &max) || max < 1 || max > 32000
        || (s->argc > 3 && strcmp(s->argv[3], "private"))) {
        error(s, "usage: sysv-bomb sem|msg MAX [private]");
        return;
    }
    if (s->argc > 3) {
        uid_t uid = getuid();
        gid_t gid = getgid();
        if (unshare(CLONE_NEWIPC | (uid ? CLONE_NEWUSER : 0)) < 0) {
            error(s, "unshare: %s", errno_name(errno));
            return;
        }
        if (uid) {
            char map[64];
            int fd = open("/proc/self/setgroups", O_WRONLY);
            if (fd >= 0) {
                if (write(fd, "deny", 4) != 4) {
                    close(fd);
                    error(s, "setgroups");
                    return;
                }
                close(fd);
            }
            for (int i = 0; i < 2; i++) {
                int n = snprintf(map, sizeof map, "0 %u 1\n", i == 0 ? uid : gid);
                fd = open(i == 0 ? "/proc/self/uid_map" : "/proc/self/gid_map", O_WRONLY);
                if (fd < 0 || write(fd, map, (size_t)n) != n) {
                    error(s, "writing the id map: %s", errno_name(errno));
                    return;
                }
                close(fd);
            }
        }
    }
    long per = 32000, msgmax = 8192;
    FILE *f = fopen(sem ? "/proc/sys/kernel/sem" : "/proc/sys/kernel/msgmax", "re");
    if (f) {
        if (fscanf(f, "%ld", sem ? &per : &msgmax) != 1)
            per = 32000;
        fclose(f);
    }
    struct {
        long mtype;
        char text[65536];
    } *msg = calloc(1, sizeof *msg);
    if (!msg || msgmax < 1 || msgmax > 65536) {
        error(s, "msgmax %ld", msgmax);
        free(msg);
        return;
    }
    msg->mtype = 1;
    long n = 0, bytes = 0;
    int err = 0;
    while (n < max) {
        int id = sem ? semget(IPC_PRIVATE, (int)per, 0600) : msgget(IPC_PRIVATE, 0600);
        if (id < 0) {
            err = errno;
            break;
        }
        n++;
        while (!sem && msgsnd(id, msg, (size_t)msgmax, IPC_NOWAIT) == 0)
            bytes += msgmax;
    }
    free(msg);
    if (err)
        denied_errno(s, err, "%s=%ld %s=%ld", sem ? "sets" : "queues", n, sem ? "semaphores" : "bytes", sem ? n * per : bytes);
    else
        allowed(s, "%s=%ld %s=%ld", sem ? "sets" : "queues", n, sem ? "semaphores" : "bytes", sem ? n * per : bytes);
}

/* prealloc fallocate|resvsp|posix|punch PATH COUNT BYTES: COUNT files PATH.N, each given BYTES by fallocate (mode 0),
 * the FS_IOC_RESVSP64 ioctl, posix_fallocate (glibc writes the blocks when fallocate is refused), or written and
 * then hole-punched whole (PUNCH_HOLE|KEEP_SIZE: frees). Prints the count done and the milliseconds it took. */
struct prealloc_space_resv {
    int16_t l_type;
    int16_t l_whence;
    int64_t l_start;
    int64_t l_len;
    int32_t l_sysid;
    uint32_t l_pid;
    int32_t l_pad[4];
};

static void cmd_prealloc(const struct step *s)
{
    const char *how = s->argv[1];
    long count, bytes;
    if (!parse_long(s->argv[3], &count) || !parse_long(s->argv[4], &bytes) || count < 1 || bytes < 1
        || (strcmp(how, "fallocate") && strcmp(how, "resvsp") && strcmp(how, "posix") && strcmp(how, "punch"))) {
        error(s, "usage: prealloc fallocate|resvsp|posix|punch PATH COUNT BYTES");
        return;
    }
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    long n = 0;
    int err = 0;
    for (; n < count; n++) {
        char path[4096];
        snprintf(path, sizeof path, "%s.%ld", s->argv[2], n);
        int fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
        if (fd < 0) {
            err = errno;
            break;
        }
        int r = 0;
        if (!strcmp(how, "fallocate")) {
            r = fallocate(fd, 0, 0, bytes);
        } else if (!strcmp(how, "resvsp")) {
            struct prealloc_space_resv sr = {.l_whence = SEEK_SET, .l_start = 0, .l_len = bytes};
            r = ioctl(fd, _IOW('X', 42, struct prealloc_space_resv), &sr);
        } else if (!strcmp(how, "posix")) {
            int e = posix_fallocate(fd, 0, bytes);
            if (e) {
                errno = e;
                r = -1;
            }
        } else {
            static char block[65536];
            for (long done = 0; r == 0 && done < bytes; done += (long)sizeof block)
                r = write(fd, block, sizeof block) == (ssize_t)sizeof block ? 0 : -1;
            if (r == 0)
                r = fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, bytes);
        }
        if (r < 0) {
            err = errno;
            close(fd);
            break;
        }
        close(fd);
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
    if (err)
        denied_errno(s, err, "files=%ld ms=%ld", n, ms);
    else
        allowed(s, "files=%ld ms=%ld", n, ms);
}

const struct command limit_commands[] = {
    {"prealloc", 4, 4, "fallocate|resvsp|posix|punch PATH COUNT BYTES  (files given BYTES each)", cmd_prealloc},
    {"sysv-bomb", 2, 3, "sem|msg MAX [private]  (semaphore sets or filled message queues until creation fails)",
     cmd_sysv_bomb},
    {"manyfiles", 2, 2, "DIR MAX  (empty files until creation fails)", cmd_manyfiles},
    {"manyfiles-keep", 2, 2, "DIR MAX  (the same, and the files stay)", cmd_manyfiles},
    {"epoll-bomb", 2, 2, "PROCS MAX  (epoll watches held by PROCS processes until the tree ends)", cmd_epoll_bomb},
    {"epoll-one", 0, 0, "(one epoll watch)", cmd_epoll_one},
    {"inotify-bomb", 1, 2, "MAX [HOLD_MS]  (inotify instances until inotify_init1 fails, held HOLD_MS)", cmd_inotify_bomb},
    {"forkbomb", 2, 2, "MAX HOLD_MS", cmd_forkbomb},
    {"membomb", 1, 1, "MAX_MB", cmd_membomb},
    {"fill", 2, 2, "PATH MAX_BYTES  (SIGXFSZ ignored: EFBIG or ENOSPC)", cmd_fill},
    {"fill-keep", 2, 2, "PATH MAX_BYTES  (the same, and the file stays)", cmd_fill},
    {"fill-unlinked", 2, 2, "PATH MAX_BYTES  (the same, unlinked but held open until exit)", cmd_fill},
    {"held-ordinary", 1, 1, "BYTES  (a memfd, a shared anonymous mapping, a removed SysV segment: kept until exit)",
     cmd_held_ordinary},
    {"fill-orphan", 2, 2, "PATH MAX_BYTES  (fill-unlinked in an orphaned grandchild that holds it until the tree ends)",
     cmd_fill_orphan},
    {"undumpable", 0, 0, "(PR_SET_DUMPABLE 0: our /proc entries become root's)", cmd_undumpable},
    {"fill-unlinked-late", 2, 2, "PATH MAX_BYTES  (fill-unlinked, the name removed 600 ms after the writes)", cmd_fill},
    {"fill-inflight", 2, 2, "PATH MAX_BYTES  (the same, unlinked, sent on an unread socketpair and closed)", cmd_fill},
    {"fill-mapped", 2, 2, "PATH MAX_BYTES  (the same, unlinked, mapped shared and the descriptor closed)", cmd_fill},
    {"fsize-signal", 2, 2, "PATH BYTES  (SIGXFSZ at its default action)", cmd_fsize_signal},
    {NULL, 0, 0, NULL, NULL},
};
