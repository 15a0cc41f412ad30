/* mcp-contain-probe: see probe.h for the output protocol.
 *
 *   mcp-contain-probe [--private-ns] COMMAND ARG...               one step, labelled with the command's name
 *   mcp-contain-probe [--private-ns] @LABEL COMMAND ARG... @LABEL2 COMMAND2 ARG...   several steps, in order
 *   mcp-contain-probe with-tty CMD ARG...    run CMD with a new pseudo-terminal as its stdin and controlling tty
 *   mcp-contain-probe with-socket-stdin CMD ARG...   run CMD with an AF_UNIX socketpair end as its stdin
 *   mcp-contain-probe help
 *
 * --private-ns (for positive controls outside the containment): first move into a private mount namespace (and a
 * user namespace when not root), so that mount-family attempts that succeed change nothing on the host. */
#include "probe.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static bool any_error;

static const struct command *const tables[] = {
    fs_commands, proc_commands, syscall_commands, net_commands, tty_commands, limit_commands, life_commands,
    setid_commands, shared_commands,
};

static void emit(const char *text)
{
    size_t len = strlen(text), off = 0;
    while (off < len) {
        ssize_t n = write(STDOUT_FILENO, text + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            _exit(PROBE_EXIT_ERROR); /* nobody is listening: no result can be delivered */
        off += (size_t)n;
    }
}

/* "LABEL RESULT[ detail]\n", with newlines in the detail flattened so one step is always one line. */
static void line(const struct step *s, const char *result, const char *fmt, va_list ap)
{
    char detail[1024] = "";
    if (fmt)
        vsnprintf(detail, sizeof detail, fmt, ap);
    for (char *p = detail; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    char buf[1400];
    snprintf(buf, sizeof buf, "%s %s%s%s\n", s->label, result, detail[0] ? " " : "", detail);
    emit(buf);
}

void allowed(const struct step *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    line(s, "ALLOWED", fmt, ap);
    va_end(ap);
}

void denied_errno(const struct step *s, int err, const char *fmt, ...)
{
    char result[64];
    snprintf(result, sizeof result, "DENIED errno=%s", errno_name(err));
    va_list ap;
    va_start(ap, fmt);
    line(s, result, fmt, ap);
    va_end(ap);
}

static void line_noformat(const struct step *s, const char *result)
{
    char buf[600];
    snprintf(buf, sizeof buf, "%s %s\n", s->label, result);
    emit(buf);
}

void denied_signal(const struct step *s, int sig)
{
    char result[64];
    snprintf(result, sizeof result, "DENIED signal=%s", signal_name(sig));
    line_noformat(s, result);
}

void value(const struct step *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    line(s, "VALUE", fmt, ap);
    va_end(ap);
}

void error(const struct step *s, const char *fmt, ...)
{
    any_error = true;
    va_list ap;
    va_start(ap, fmt);
    line(s, "ERROR", fmt, ap);
    va_end(ap);
}

void outcome(const struct step *s, long ret, const char *what)
{
    if (ret >= 0)
        allowed(s, "%s", what ? what : "");
    else
        denied_errno(s, errno, "%s", what ? what : "");
}

void say(const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf - 1, fmt, ap);
    va_end(ap);
    strcat(buf, "\n");
    emit(buf);
}

const char *errno_name(int err)
{
    static char unknown[32];
    const char *name = strerrorname_np(err);
    if (name)
        return name;
    snprintf(unknown, sizeof unknown, "E%d", err);
    return unknown;
}

const char *signal_name(int sig)
{
    static char name[32];
    const char *abbrev = sigabbrev_np(sig);
    if (abbrev)
        snprintf(name, sizeof name, "SIG%s", abbrev);
    else
        snprintf(name, sizeof name, "SIG%d", sig);
    return name;
}

bool parse_long(const char *text, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 0);
    if (errno || end == text || *end)
        return false;
    *out = v;
    return true;
}

bool parse_ulong(const char *text, unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(text, &end, 0);
    if (errno || end == text || *end)
        return false;
    *out = v;
    return true;
}

/* Child protocol: the child writes "ret errno" to a pipe and exits; a child that dies first is a signal result. */
void in_child(const struct step *s, long (*fn)(const struct step *s, void *arg), void *arg)
{
    int p[2];
    if (pipe(p) < 0) {
        error(s, "pipe: %s", errno_name(errno));
        return;
    }
    pid_t pid = fork();
    if (pid < 0) {
        error(s, "fork: %s", errno_name(errno));
        close(p[0]);
        close(p[1]);
        return;
    }
    if (pid == 0) {
        close(p[0]);
        errno = 0;
        long ret = fn(s, arg);
        int err = errno;
        char buf[64];
        int n = snprintf(buf, sizeof buf, "%ld %d", ret, err);
        if (write(p[1], buf, (size_t)n) != n)
            _exit(3);
        _exit(0);
    }
    close(p[1]);
    char buf[64] = "";
    ssize_t got = 0, n;
    while ((n = read(p[0], buf + got, sizeof buf - 1 - (size_t)got)) > 0 || (n < 0 && errno == EINTR))
        if (n > 0)
            got += n;
    close(p[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (WIFSIGNALED(status)) {
        denied_signal(s, WTERMSIG(status));
        return;
    }
    long ret;
    int err;
    if (got <= 0 || sscanf(buf, "%ld %d", &ret, &err) != 2) {
        error(s, "the attempt's child exited with status %d without reporting", WEXITSTATUS(status));
        return;
    }
    if (ret >= 0)
        allowed(s, "ret=%ld", ret);
    else
        denied_errno(s, err, "%s", "");
}

static const struct command *find(const char *name)
{
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
        for (const struct command *c = tables[t]; c->name; c++)
            if (strcmp(c->name, name) == 0)
                return c;
    return NULL;
}

static void help(void)
{
    fprintf(stderr, "usage: mcp-contain-probe [--private-ns] COMMAND ARG... | @LABEL COMMAND ARG... [@LABEL ...]\n"
                    "       mcp-contain-probe with-tty CMD ARG...\n"
                    "       mcp-contain-probe with-socket-stdin CMD ARG...\n"
                    "       mcp-contain-probe with-stderr-pipe CMD ARG...\ncommands:\n");
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
        for (const struct command *c = tables[t]; c->name; c++)
            fprintf(stderr, "  %s %s\n", c->name, c->usage);
}

static void run_step(const struct step *s)
{
    const struct command *c = find(s->argv[0]);
    if (!c) {
        error(s, "unknown probe command '%s'", s->argv[0]);
        return;
    }
    int args = s->argc - 1;
    if (args < c->min_args || (c->max_args >= 0 && args > c->max_args)) {
        error(s, "usage: %s %s", c->name, c->usage);
        return;
    }
    c->run(s);
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_DFL);
    if (argc < 2 || !strcmp(argv[1], "help") || !strcmp(argv[1], "--help")) {
        help();
        return argc < 2 ? PROBE_EXIT_USAGE : PROBE_EXIT_OK;
    }
    if (!strcmp(argv[1], "with-tty"))
        return with_tty(argc - 2, argv + 2);
    if (!strcmp(argv[1], "with-socket-stdin"))
        return with_socket_stdin(argc - 2, argv + 2);
    if (!strcmp(argv[1], "with-stderr-pipe"))
        return with_stderr_pipe(argc - 2, argv + 2);
    int first = 1;
    if (!strcmp(argv[1], "--private-ns")) {
        int r = private_namespaces();
        if (r != 0)
            return r;
        first = 2;
    }
    if (first >= argc) {
        help();
        return PROBE_EXIT_USAGE;
    }
    if (argv[first][0] != '@') {
        struct step s = {.label = argv[first], .argc = argc - first, .argv = argv + first};
        run_step(&s);
        return any_error ? PROBE_EXIT_ERROR : PROBE_EXIT_OK;
    }
    int i = first;
    while (i < argc) {
        if (argv[i][0] != '@' || argv[i][1] == '\0' || i + 1 >= argc) {
            fprintf(stderr, "mcp-contain-probe: expected '@LABEL COMMAND ...' at argument %d ('%s')\n", i, argv[i]);
            return PROBE_EXIT_USAGE;
        }
        int end = i + 1;
        while (end < argc && argv[end][0] != '@')
            end++;
        struct step s = {.label = argv[i] + 1, .argc = end - i - 1, .argv = argv + i + 1};
        run_step(&s);
        i = end;
    }
    return any_error ? PROBE_EXIT_ERROR : PROBE_EXIT_OK;
}
