/* Lifecycle: servers that exit with a code, die by a signal, wait for a signal, ignore SIGTERM, or leave a
 * double-forked daemon behind that writes a heartbeat file until something kills it. */
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void cmd_exit(const struct step *s)
{
    long code;
    if (!parse_long(s->argv[1], &code) || code < 0 || code > 255) {
        error(s, "bad exit code '%s'", s->argv[1]);
        return;
    }
    _exit((int)code);
}

static void cmd_kill_self(const struct step *s)
{
    long sig;
    if (!parse_long(s->argv[1], &sig) || sig < 1 || sig > 64) {
        error(s, "bad signal '%s'", s->argv[1]);
        return;
    }
    signal((int)sig, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, (int)sig);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    kill(getpid(), (int)sig);
    for (;;)
        pause();
}

static void wait_seconds(const struct step *s, bool ignore_term)
{
    long seconds;
    if (!parse_long(s->argv[1], &seconds) || seconds < 0) {
        error(s, "bad seconds '%s'", s->argv[1]);
        return;
    }
    if (ignore_term)
        signal(SIGTERM, SIG_IGN);
    say("READY");
    struct timespec ts = {seconds, 0};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
    allowed(s, "slept %ld s", seconds);
}

static void cmd_sleep(const struct step *s) { wait_seconds(s, false); }
static void cmd_sleep_ignore_term(const struct step *s) { wait_seconds(s, true); }

/* heartbeat FILE MARKER [SECONDS]: appends a line to FILE every 100 ms, for at most SECONDS (default 300) so that a
 * daemon that escaped a broken containment does not live forever. MARKER only serves to find us in
 * /proc/PID/cmdline. */
static void cmd_heartbeat(const struct step *s)
{
    long limit = 300;
    if (s->argc > 3 && !parse_long(s->argv[3], &limit)) {
        error(s, "bad seconds '%s'", s->argv[3]);
        return;
    }
    signal(SIGHUP, SIG_IGN);
    for (long beat = 0; beat < limit * 10; beat++) {
        int fd = open(s->argv[1], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (fd >= 0) {
            char line[64];
            int n = snprintf(line, sizeof line, "beat %ld\n", beat);
            ssize_t ignored = write(fd, line, (size_t)n);
            (void)ignored;
            close(fd);
        }
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    _exit(0);
}

/* daemon FILE MARKER: the classic escape attempt. fork, setsid, fork again, detach from stdio, and become a
 * heartbeat; the server itself prints READY and waits forever, as a live server would. */
static void cmd_daemon(const struct step *s)
{
    pid_t child = fork();
    if (child < 0) {
        error(s, "fork: %s", errno_name(errno));
        return;
    }
    if (child == 0) {
        setsid();
        pid_t grandchild = fork();
        if (grandchild != 0)
            _exit(grandchild < 0 ? 1 : 0);
        int devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0) {
            dup2(devnull, STDIN_FILENO);
            dup2(devnull, STDOUT_FILENO);
            dup2(devnull, STDERR_FILENO);
            if (devnull > STDERR_FILENO)
                close(devnull);
        }
        char *argv[] = {"mcp-contain-probe", "heartbeat", s->argv[1], s->argv[2], NULL};
        execv("/proc/self/exe", argv);
        _exit(127);
    }
    int status;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        error(s, "the first fork of the daemon failed");
        return;
    }
    say("READY");
    for (;;)
        pause();
}

const struct command life_commands[] = {
    {"exit", 1, 1, "CODE  (exit at once)", cmd_exit},
    {"kill-self", 1, 1, "SIGNO  (die by that signal)", cmd_kill_self},
    {"sleep", 1, 1, "SECONDS  (print READY, then wait)", cmd_sleep},
    {"sleep-ignore-term", 1, 1, "SECONDS  (SIGTERM ignored)", cmd_sleep_ignore_term},
    {"heartbeat", 2, 3, "FILE MARKER [SECONDS]", cmd_heartbeat},
    {"daemon", 2, 2, "FILE MARKER  (double-forked heartbeat; the server waits forever)", cmd_daemon},
    {NULL, 0, 0, NULL, NULL},
};
