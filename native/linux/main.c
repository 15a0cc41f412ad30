/* mcp-contain-helper: started by the mcp-contain launcher, never by hand.
 *
 *   --plan-fd N      read the plan from descriptor N (to EOF), then supervise the server
 *   --plan-stdin     read "length N\n" and exactly N plan bytes from stdin, leave the rest for the server
 *   ... --watch HOST LAUNCHER   after either: end the tree when HOST (LAUNCHER's parent) exits (parent.c)
 *   --check-plan     read a plan from stdin (to EOF) and check it exactly as a launch would, then exit: 0 and
 *                    silence if accepted, 125 and one line on stderr if not; nothing is started or touched
 *   --probe          report what this host can enforce (for 'mcp-contain check')
 *   --version */
#include "helper.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static struct plan the_plan;

static pid_t plan_copier;

extern char **environ;

/* The launcher's environment (tokens, keys, agent sockets) is of no use here: the server's environment comes from
 * the plan. Wipe it from memory, not just from the environ array, because init is this very process image living
 * inside the server's pid namespace, and /proc/1/environ reads the original memory: it must hold nothing even if
 * the server ever got past the ptrace checks that guard it. */
static void wipe_environment(void)
{
    for (char **e = environ; e && *e; e++)
        explicit_bzero(*e, strlen(*e));
    clearenv();
}

/* Reads the plan's length line one byte at a time: anything after the plan is the server's stdin. */
static int plan_from_stdin(void)
{
    char header[64];
    size_t n = 0;
    for (;;) {
        char c;
        ssize_t r = read(STDIN_FILENO, &c, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r != 1)
            die("no plan on stdin");
        if (c == '\n')
            break;
        if (n + 1 >= sizeof header)
            die("bad plan header on stdin");
        header[n++] = c;
    }
    header[n] = '\0';
    unsigned long len;
    if (sscanf(header, "length %lu", &len) != 1 || len > (16u << 20))
        die("bad plan header on stdin");
    int p[2];
    if (pipe(p) < 0)
        die_errno("pipe");
    char buf[65536];
    /* The plan may exceed a pipe's buffer: copy through a child so the reader never blocks the writer. */
    pid_t child = fork();
    if (child < 0)
        die_errno("fork");
    if (child == 0) {
        close(p[0]);
        unsigned long left = len;
        while (left) {
            ssize_t r = read(STDIN_FILENO, buf, left < sizeof buf ? left : sizeof buf);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                _exit(1);
            if (write(p[1], buf, (size_t)r) != r)
                _exit(1);
            left -= (unsigned long)r;
        }
        _exit(0);
    }
    close(p[1]);
    plan_copier = child;
    return p[0];
}

/* The copier must be reaped (no zombie in the server's tree) and must have copied the whole plan. */
static void reap_plan_copier(void)
{
    if (!plan_copier)
        return;
    int status;
    while (waitpid(plan_copier, &status, 0) < 0) {
        if (errno != EINTR)
            die_errno("waiting for the plan reader");
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die("the plan on stdin was cut short");
}

static pid_t pid_argument(const char *text)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || *end || end == text || v < 0 || v > 0x7fffffff)
        die("--watch needs two process ids, got '%s'", text);
    return (pid_t)v;
}

int main(int argc, char **argv)
{
    /* A host that stops reading stderr (run -v ... 2>&1 | head -1) must not kill us between creating the run's
     * cgroups and removing them: writes then fail with EPIPE, which the messages ignore. The server gets the
     * default back before exec. */
    signal(SIGPIPE, SIG_IGN);
    wipe_environment();
    pid_t host = 0, launcher = 0;
    if (argc >= 5 && !strcmp(argv[argc - 3], "--watch")) {
        host = pid_argument(argv[argc - 2]);
        launcher = pid_argument(argv[argc - 1]);
        argc -= 3;
    }
    if (argc == 2 && !strcmp(argv[1], "--version")) {
        fprintf(stderr, "mcp-contain-helper 1\n");
        return 0;
    }
    if (argc == 2 && !strcmp(argv[1], "--probe"))
        return probe();
    if (argc == 2 && !strcmp(argv[1], "--check-plan")) {
        /* The very reader a launch uses: what it accepts here, a launch accepts (PlanCheckTest feeds it every
         * kind of plan the launcher writes). */
        plan_read(STDIN_FILENO, &the_plan);
        return 0;
    }
    int fd = -1;
    if (argc == 3 && !strcmp(argv[1], "--plan-fd")) {
        char *end;
        long v = strtol(argv[2], &end, 10);
        if (*end || v < 3 || v > 1023)
            die("--plan-fd needs a descriptor number above 2");
        fd = (int)v;
    } else if (argc == 2 && !strcmp(argv[1], "--plan-stdin")) {
        fd = plan_from_stdin();
    } else {
        die("usage: mcp-contain-helper --plan-fd N | --plan-stdin | --check-plan | --probe (started by mcp-contain, not by hand)");
    }
    plan_read(fd, &the_plan);
    close(fd);
    reap_plan_copier();
    return supervise(&the_plan, host, launcher);
}
