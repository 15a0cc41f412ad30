/* Terminals: TIOCSTI/TIOCLINUX injection and the controlling terminal. with-tty gives a command a real terminal
 * (a new pseudo-terminal as stdin and controlling tty, stdout/stderr untouched), so a test can show what a
 * server could do to the terminal of the user who started it, and that inside it can do nothing. */
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

/* ioctl(FD, REQUEST, &c) through the raw syscall: the request is passed as the full 64-bit register. */
static void inject(const struct step *s, unsigned long request)
{
    long fd;
    if (!parse_long(s->argv[1], &fd)) {
        error(s, "bad fd '%s'", s->argv[1]);
        return;
    }
    bool high = s->argc > 2 && strcmp(s->argv[2], "high") == 0;
    if (s->argc > 2 && !high) {
        error(s, "the second argument can only be 'high'");
        return;
    }
    if (high)
        request |= 0xffffffff00000000UL;
    char c[2] = {request == TIOCLINUX ? 0 : ' ', 0}; /* TIOCLINUX subcode 0 does nothing; TIOCSTI pushes a blank */
    outcome(s, syscall(SYS_ioctl, fd, request, c), NULL);
}

static void cmd_tiocsti(const struct step *s) { inject(s, TIOCSTI); }
static void cmd_tioclinux(const struct step *s) { inject(s, TIOCLINUX); }

static void cmd_open_tty(const struct step *s)
{
    int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        denied_errno(s, errno, "%s", "");
        return;
    }
    close(fd);
    allowed(s, "%s", "");
}

/* Whether FD is a terminal, and whether it is our controlling one (its session is ours). */
static void cmd_isatty(const struct step *s)
{
    long fd;
    if (!parse_long(s->argv[1], &fd)) {
        error(s, "bad fd '%s'", s->argv[1]);
        return;
    }
    if (!isatty((int)fd)) {
        value(s, "no");
        return;
    }
    pid_t sid = tcgetsid((int)fd);
    value(s, "yes controlling=%s", sid >= 0 && sid == getsid(0) ? "yes" : "no");
}

int with_tty(int argc, char **argv)
{
    if (argc < 1) {
        fprintf(stderr, "usage: mcp-contain-probe with-tty CMD ARG...\n");
        return PROBE_EXIT_USAGE;
    }
    int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0) {
        fprintf(stderr, "mcp-contain-probe: with-tty: no pseudo-terminal: %s\n", errno_name(errno));
        return PROBE_EXIT_ERROR;
    }
    const char *name = ptsname(master);
    pid_t pid = fork();
    if (pid < 0)
        return PROBE_EXIT_ERROR;
    if (pid == 0) {
        if (setsid() < 0)
            _exit(PROBE_EXIT_ERROR);
        int slave = open(name, O_RDWR);
        if (slave < 0 || ioctl(slave, TIOCSCTTY, 0) < 0) {
            fprintf(stderr, "mcp-contain-probe: with-tty: %s as controlling terminal: %s\n", name, errno_name(errno));
            _exit(PROBE_EXIT_ERROR);
        }
        dup2(slave, STDIN_FILENO);
        if (slave > STDIN_FILENO)
            close(slave);
        execvp(argv[0], argv);
        fprintf(stderr, "mcp-contain-probe: with-tty: cannot run %s: %s\n", argv[0], errno_name(errno));
        _exit(127);
    }
    /* Keep the master open (never read) so the terminal stays alive; forward the usual signals. */
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return PROBE_EXIT_ERROR;
    close(master);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

/* ptys MAX: opens /dev/ptmx until it fails or MAX are open, reports how many, closes them all. */
static void cmd_ptys(const struct step *s)
{
    unsigned long max;
    if (!parse_ulong(s->argv[1], &max) || max > 100000) {
        error(s, "usage: ptys MAX");
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
        int fd = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (fd < 0) {
            err = errno;
            break;
        }
        fds[n++] = fd;
    }
    for (unsigned long i = 0; i < n; i++)
        close(fds[i]);
    free(fds);
    if (err)
        denied_errno(s, err, "ptys=%lu", n);
    else
        allowed(s, "ptys=%lu", n);
}

/* pty-setd: a new pseudo-terminal pair of our own, and TIOCSETD N_TTY on its terminal end (a no-op line discipline
 * change: any other discipline would load kernel code, which the containment refuses whatever the value). */
static void cmd_pty_setd(const struct step *s)
{
    int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0) {
        denied_errno(s, errno, "at=ptmx");
        return;
    }
    if (grantpt(master) < 0 || unlockpt(master) < 0) {
        error(s, "pty set-up: %s", errno_name(errno));
        close(master);
        return;
    }
    int slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0) {
        error(s, "opening %s: %s", ptsname(master), errno_name(errno));
        close(master);
        return;
    }
    int ldisc = 0; /* N_TTY */
    long r = syscall(SYS_ioctl, slave, (unsigned long)TIOCSETD, &ldisc);
    int err = errno;
    close(slave);
    close(master);
    if (r < 0)
        denied_errno(s, err, "at=TIOCSETD");
    else
        allowed(s, "ldisc=N_TTY");
}

const struct command tty_commands[] = {
    {"ptys", 1, 1, "MAX  (ptys from /dev/ptmx until it fails; then closed)", cmd_ptys},
    {"tiocsti", 1, 2, "FD [high]  (ioctl TIOCSTI, optionally with the high 32 bits of the request set)", cmd_tiocsti},
    {"tioclinux", 1, 2, "FD [high]", cmd_tioclinux},
    {"open-tty", 0, 0, "(open /dev/tty: our controlling terminal)", cmd_open_tty},
    {"isatty", 1, 1, "FD", cmd_isatty},
    {"pty-setd", 0, 0, "(TIOCSETD N_TTY on a new pty of our own)", cmd_pty_setd},
    {NULL, 0, 0, NULL, NULL},
};
