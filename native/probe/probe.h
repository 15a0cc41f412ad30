/* mcp-contain-probe: the escape suite's agent inside the containment. Every step really attempts one action and
 * prints exactly one line, "LABEL RESULT [detail]", where RESULT is one of
 *
 *   ALLOWED [detail]            the action worked
 *   DENIED errno=ENAME [detail] the kernel refused it with that errno (the name, never the number)
 *   DENIED signal=SIGNAME       the attempt was killed by that signal (e.g. SIGSYS from seccomp)
 *   VALUE text                  a fact read from inside (a status field, a list of fds)
 *   ERROR what                  the probe could not make the attempt at all: never a denial
 *
 * so a missing binary, a wrong argument or a crash can never pass for "contained". Exit codes: 0 when every step
 * gave ALLOWED/DENIED/VALUE, 2 when any step gave ERROR, 64 for a usage error; run-mode commands (exit, sleep,
 * daemon, ...) have their own. Output goes straight to fd 1 with write(2), one line per call, so forked children
 * never duplicate buffered text. */
#ifndef MCP_CONTAIN_PROBE_H
#define MCP_CONTAIN_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define PROBE_EXIT_OK 0
#define PROBE_EXIT_ERROR 2
#define PROBE_EXIT_USAGE 64

/* One step: LABEL is printed first on its line; ARGV[0] is the subcommand. */
struct step {
    const char *label;
    int argc;
    char **argv;
};

struct command {
    const char *name;
    int min_args, max_args; /* arguments after the name */
    const char *usage;
    void (*run)(const struct step *s);
};

/* main.c: result lines. Each prints one line for S and records whether it was an ERROR. */
void allowed(const struct step *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void denied_errno(const struct step *s, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void denied_signal(const struct step *s, int sig);
void value(const struct step *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void error(const struct step *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* ALLOWED when RET >= 0, else DENIED with the current errno. */
void outcome(const struct step *s, long ret, const char *what);
/* A line that is not a step result (READY markers of run-mode commands). */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

const char *errno_name(int err);
const char *signal_name(int sig);
bool parse_long(const char *text, long *out);
bool parse_ulong(const char *text, unsigned long *out);

/* Runs FN(ARG) in a forked child and reports for S: the child's return value and errno become ALLOWED/DENIED,
 * death by a signal becomes DENIED signal=... Used for every attempt that could disturb the probe itself. */
void in_child(const struct step *s, long (*fn)(const struct step *s, void *arg), void *arg);

/* Per-concern command tables (NULL-name terminated). */
extern const struct command fs_commands[];
extern const struct command proc_commands[];
extern const struct command syscall_commands[];
extern const struct command net_commands[];
extern const struct command tty_commands[];
extern const struct command limit_commands[];
extern const struct command life_commands[];
extern const struct command setid_commands[];
extern const struct command shared_commands[];

/* Run modes: they take over the process instead of printing one result. */
int with_tty(int argc, char **argv);
int with_socket_stdin(int argc, char **argv);
int with_stderr_pipe(int argc, char **argv);
int private_namespaces(void);

#endif
