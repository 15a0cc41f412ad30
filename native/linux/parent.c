/* The server tree dies with the launcher's parent (the host: an editor, an agent, a shell).
 *
 * The host usually ends a server by closing its stdin, which supervise.c watches; but a host that gave the launcher
 * /dev/null or a file as stdin, or a terminal, never hangs up. So the supervisor also watches the host process
 * itself. Who the host is comes from the launcher script, which records it before anything else runs:
 *
 *   --watch HOST LAUNCHER   HOST = the script's $PPID, LAUNCHER = the script's $$
 *
 * Plain runs exec the helper in the script's place (LAUNCHER is then this very process); mediated runs keep the
 * script waiting on the JVM relay, whose child we are. Either way LAUNCHER's parent must be HOST.
 *
 * Why pidfds and not PR_SET_PDEATHSIG: the death signal fires when the parent *thread* that forked us exits (a
 * multi-threaded host that spawns from a worker thread would kill the server early), it can only watch our direct
 * parent (not the host above a JVM relay), and a SIGKILL from it would leave no chance to remove the cgroups. A pidfd
 * refers to the whole process, of any generation, and becomes readable when it exits; the supervisor polls it next
 * to its signals.
 *
 * The race: the host may already be gone when we start. We open the pidfd first, then check that LAUNCHER's parent
 * is still HOST. If it is, the pidfd was opened on the live host (a dead host's children are reparented at once, so
 * the pid cannot have been reused while LAUNCHER still names it); if not, the host is gone and nothing starts.
 * Kernels without pidfd_open (before 5.3) get the same check every 250 ms instead. */
#include "helper.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

/* The parent pid of PID from /proc (field 4, after the command name, which may hold spaces and parentheses). */
static pid_t parent_of(pid_t pid)
{
    if (pid == getpid())
        return getppid();
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    char *end = strrchr(buf, ')');
    char state;
    int ppid;
    if (!end || sscanf(end + 1, " %c %d", &state, &ppid) != 2)
        return -1;
    return (pid_t)ppid;
}

static int pidfd_of(pid_t pid)
{
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

void parent_watch_arm(struct parent_watch *w, pid_t host, pid_t launcher)
{
    w->host = host;
    w->launcher = launcher > 0 ? launcher : getpid();
    w->host_fd = w->launcher_fd = -1;
    w->armed = host > 1;
    if (!w->armed)
        return; /* no host given (or it is init): stdin hang-up and signals are all there is */
    w->host_fd = pidfd_of(host);
    if (w->host_fd < 0 && errno != ENOSYS && errno != ESRCH)
        die_errno("watching the launcher's parent (pid %d)", host);
    if (w->launcher != getpid()) {
        w->launcher_fd = pidfd_of(w->launcher);
        if (w->launcher_fd < 0 && errno != ENOSYS && errno != ESRCH)
            die_errno("watching the launcher (pid %d)", w->launcher);
    }
    if (!parent_watch_alive(w))
        die("the launcher's parent (pid %d) is already gone: not starting the server", host);
}

bool parent_watch_alive(const struct parent_watch *w)
{
    return !w->armed || parent_of(w->launcher) == w->host;
}

bool parent_watch_polled(const struct parent_watch *w)
{
    return w->armed && (w->host_fd < 0 || (w->launcher != getpid() && w->launcher_fd < 0));
}
