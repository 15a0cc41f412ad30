/* What a server without namespaces shares with the host (issue 9, landlock isolation): SysV IPC and POSIX message
 * queues, datagram socketpairs that could address a host socket, and the priority, affinity and resource-limit
 * calls that can aim at another process of the same uid. */
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <poll.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/resource.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

static bool key_arg(const struct step *s, const char *text, key_t *key)
{
    long v;
    if (strcmp(text, "private") == 0) {
        *key = IPC_PRIVATE;
        return true;
    }
    if (!parse_long(text, &v)) {
        error(s, "bad key '%s'", text);
        return false;
    }
    *key = (key_t)v;
    return true;
}

/* shmget|msgget|semget KEY|private create|open: a new object (removed again at once) or an existing one's id. */
static void cmd_sysv(const struct step *s)
{
    key_t key;
    if (!key_arg(s, s->argv[1], &key))
        return;
    bool create = strcmp(s->argv[2], "create") == 0;
    int flags = create ? IPC_CREAT | 0600 : 0;
    int id;
    if (strcmp(s->argv[0], "shmget") == 0) {
        id = shmget(key, 4096, flags);
        if (id >= 0 && create)
            shmctl(id, IPC_RMID, NULL);
    } else if (strcmp(s->argv[0], "msgget") == 0) {
        id = msgget(key, flags);
        if (id >= 0 && create)
            msgctl(id, IPC_RMID, NULL);
    } else {
        id = semget(key, 1, flags);
        if (id >= 0 && create)
            semctl(id, 0, IPC_RMID);
    }
    outcome(s, id, NULL);
}

/* Attach the existing segment KEY and read its first bytes: what another process put there. */
static void cmd_shm_attach(const struct step *s)
{
    key_t key;
    if (!key_arg(s, s->argv[1], &key))
        return;
    int id = shmget(key, 0, 0);
    if (id < 0) {
        denied_errno(s, errno, "at=shmget");
        return;
    }
    char *p = shmat(id, NULL, SHM_RDONLY);
    if (p == (void *)-1) {
        denied_errno(s, errno, "at=shmat");
        return;
    }
    char text[64];
    snprintf(text, sizeof text, "%.40s", p);
    shmdt(p);
    allowed(s, "text=%s", text);
}

/* Host side: create segment KEY holding TEXT (0666), or remove it. */
static void cmd_shm_host(const struct step *s)
{
    key_t key;
    if (!key_arg(s, s->argv[1], &key))
        return;
    if (strcmp(s->argv[2], "remove") == 0) {
        int id = shmget(key, 0, 0);
        outcome(s, id < 0 ? -1 : shmctl(id, IPC_RMID, NULL), NULL);
        return;
    }
    int id = shmget(key, 4096, IPC_CREAT | 0666);
    char *p = id < 0 ? (void *)-1 : shmat(id, NULL, 0);
    if (p == (void *)-1) {
        error(s, "cannot create segment: %s", errno_name(errno));
        return;
    }
    snprintf(p, 4096, "%s", s->argv[2]);
    shmdt(p);
    allowed(s, "id=%d", id);
}

static void cmd_mq_open(const struct step *s)
{
    mqd_t q = mq_open(s->argv[1], O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600, NULL);
    if (q == (mqd_t)-1) {
        denied_errno(s, errno, "%s", "");
        return;
    }
    mq_close(q);
    mq_unlink(s->argv[1]);
    allowed(s, "%s", "");
}

static int sock_type(const char *name)
{
    if (strcmp(name, "stream") == 0)
        return SOCK_STREAM;
    if (strcmp(name, "seqpacket") == 0)
        return SOCK_SEQPACKET;
    if (strcmp(name, "dgram") == 0)
        return SOCK_DGRAM;
    return -1;
}

/* pair-send TYPE sendto|sendmsg|connect PATH TOKEN: socketpair(AF_UNIX, TYPE), then try to address the host socket
 * PATH from one end. ALLOWED says where TOKEN went: "to=peer" when the kernel ignored the address and delivered to
 * the pair's other end (nothing left the pair), "to=PATH" otherwise. */
static void cmd_pair_send(const struct step *s)
{
    int type = sock_type(s->argv[1]);
    if (type < 0) {
        error(s, "type must be stream, seqpacket or dgram");
        return;
    }
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(s->argv[3]) >= sizeof sa.sun_path) {
        error(s, "path too long");
        return;
    }
    strcpy(sa.sun_path, s->argv[3]);
    socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(sa.sun_path) + 1);
    int sv[2];
    if (socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv) < 0) {
        denied_errno(s, errno, "at=socketpair");
        return;
    }
    const char *token = s->argv[4];
    long r;
    const char *how = s->argv[2];
    if (strcmp(how, "connect") == 0) {
        r = connect(sv[0], (struct sockaddr *)&sa, len);
        if (r == 0)
            r = send(sv[0], token, strlen(token), MSG_NOSIGNAL);
    } else if (strcmp(how, "sendmsg") == 0) {
        struct iovec iov = {.iov_base = (void *)token, .iov_len = strlen(token)};
        struct msghdr msg = {.msg_name = &sa, .msg_namelen = len, .msg_iov = &iov, .msg_iovlen = 1};
        r = sendmsg(sv[0], &msg, MSG_NOSIGNAL);
    } else {
        r = sendto(sv[0], token, strlen(token), MSG_NOSIGNAL, (struct sockaddr *)&sa, len);
    }
    int err = errno;
    if (r < 0) {
        close(sv[0]);
        close(sv[1]);
        denied_errno(s, err, "at=%s", how);
        return;
    }
    char buf[128];
    ssize_t got = recv(sv[1], buf, sizeof buf, MSG_DONTWAIT);
    close(sv[0]);
    close(sv[1]);
    if (got == (ssize_t)strlen(token) && memcmp(buf, token, (size_t)got) == 0)
        allowed(s, "to=peer");
    else
        allowed(s, "to=%s", s->argv[3]);
}

/* Host side: a datagram socket bound at PATH (0666); prints READY, then "RECEIVED text" per datagram, until stdin
 * closes or it is killed. */
static void cmd_dgram_listen(const struct step *s)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(s->argv[1]) >= sizeof sa.sun_path) {
        error(s, "path too long");
        return;
    }
    strcpy(sa.sun_path, s->argv[1]);
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    unlink(sa.sun_path);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || chmod(sa.sun_path, 0666) < 0) {
        error(s, "cannot bind %s: %s", sa.sun_path, errno_name(errno));
        return;
    }
    say("READY");
    for (;;) {
        struct pollfd p[2] = {{.fd = fd, .events = POLLIN}, {.fd = STDIN_FILENO, .events = POLLIN}};
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (p[1].revents) {
            char c;
            if (read(STDIN_FILENO, &c, 1) <= 0)
                break;
        }
        if (p[0].revents & POLLIN) {
            char buf[128];
            ssize_t n = recv(fd, buf, sizeof buf - 1, 0);
            if (n > 0) {
                buf[n] = '\0';
                say("RECEIVED %s", buf);
            }
        }
    }
    close(fd);
    unlink(sa.sun_path);
}

static bool pid_of(const struct step *s, const char *text, pid_t *pid)
{
    long v;
    if (!parse_long(text, &v) || v < 0) {
        error(s, "bad pid '%s' (0 = self)", text);
        return false;
    }
    *pid = (pid_t)v;
    return true;
}

/* prlimit PID: RLIMIT_CORE of PID (0 = self) lowered to 0; harmless to a sleeping victim. */
static void cmd_prlimit(const struct step *s)
{
    pid_t pid;
    if (!pid_of(s, s->argv[1], &pid))
        return;
    struct rlimit zero = {0, 0};
    outcome(s, syscall(SYS_prlimit64, (long)pid, (long)RLIMIT_CORE, &zero, NULL), NULL);
}

/* setpriority PID NICE (PRIO_PROCESS; 0 = self). */
static void cmd_setpriority(const struct step *s)
{
    pid_t pid;
    long nice;
    if (!pid_of(s, s->argv[1], &pid))
        return;
    if (!parse_long(s->argv[2], &nice)) {
        error(s, "bad nice value");
        return;
    }
    outcome(s, setpriority(PRIO_PROCESS, (id_t)pid, (int)nice), NULL);
}

/* sched-setaffinity PID: PID's own current CPU set written back (reading it is allowed everywhere). */
static void cmd_sched_setaffinity(const struct step *s)
{
    pid_t pid;
    if (!pid_of(s, s->argv[1], &pid))
        return;
    cpu_set_t set;
    if (sched_getaffinity(pid, sizeof set, &set) < 0) {
        error(s, "sched_getaffinity(%d): %s", (int)pid, errno_name(errno));
        return;
    }
    outcome(s, sched_setaffinity(pid, sizeof set, &set), NULL);
}

/* ioprio-set PID: best-effort class, level 4 (the default a process already has). */
static void cmd_ioprio_set(const struct step *s)
{
    pid_t pid;
    if (!pid_of(s, s->argv[1], &pid))
        return;
    outcome(s, syscall(SYS_ioprio_set, 1L /* IOPRIO_WHO_PROCESS */, (long)pid, (2L << 13) | 4L), NULL);
}

const struct command shared_commands[] = {
    {"shmget", 2, 2, "KEY|private create|open", cmd_sysv},
    {"msgget", 2, 2, "KEY|private create|open", cmd_sysv},
    {"semget", 2, 2, "KEY|private create|open", cmd_sysv},
    {"shm-attach", 1, 1, "KEY  (read an existing segment)", cmd_shm_attach},
    {"shm-host", 2, 2, "KEY TEXT|remove  (host side: create a 0666 segment holding TEXT, or remove it)", cmd_shm_host},
    {"mq-open", 1, 1, "/NAME  (create, then remove again)", cmd_mq_open},
    {"pair-send", 4, 4, "stream|seqpacket|dgram sendto|sendmsg|connect PATH TOKEN", cmd_pair_send},
    {"dgram-listen", 1, 1, "PATH  (host side: prints RECEIVED lines until stdin closes)", cmd_dgram_listen},
    {"prlimit", 1, 1, "PID  (RLIMIT_CORE to 0; 0 = self)", cmd_prlimit},
    {"setpriority", 2, 2, "PID NICE  (PRIO_PROCESS; 0 = self)", cmd_setpriority},
    {"sched-setaffinity", 1, 1, "PID  (its own CPU set written back; 0 = self)", cmd_sched_setaffinity},
    {"ioprio-set", 1, 1, "PID  (best effort, level 4; 0 = self)", cmd_ioprio_set},
    {NULL, 0, 0, NULL, NULL},
};
