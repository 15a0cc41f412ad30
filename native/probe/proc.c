/* Processes: our own credentials and descriptors, the environment, and attempts on processes outside (their /proc
 * files, signals, ptrace, their memory). */
#include "probe.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <unistd.h>

extern char **environ;

static void cmd_status(const struct step *s)
{
    FILE *f = fopen("/proc/self/status", "re");
    if (!f) {
        error(s, "cannot read /proc/self/status: %s", errno_name(errno));
        return;
    }
    char buf[512];
    size_t len = strlen(s->argv[1]);
    while (fgets(buf, sizeof buf, f)) {
        if (strncmp(buf, s->argv[1], len) == 0 && buf[len] == ':') {
            char *v = buf + len + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            v[strcspn(v, "\n")] = '\0';
            fclose(f);
            value(s, "%s", v);
            return;
        }
    }
    fclose(f);
    error(s, "no field %s in /proc/self/status", s->argv[1]);
}

/* Open descriptors, without the one used to list them. */
static void cmd_fds(const struct step *s)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d) {
        error(s, "cannot list /proc/self/fd: %s", errno_name(errno));
        return;
    }
    int own = dirfd(d);
    int fds[1024];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < sizeof fds / sizeof fds[0]) {
        long fd;
        if (e->d_name[0] != '.' && parse_long(e->d_name, &fd) && fd != own)
            fds[n++] = (int)fd;
    }
    closedir(d);
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && fds[j - 1] > fds[j]; j--) {
            int t = fds[j];
            fds[j] = fds[j - 1];
            fds[j - 1] = t;
        }
    char out[900] = "";
    for (size_t i = 0; i < n; i++) {
        char one[16];
        snprintf(one, sizeof one, "%s%d", i ? "," : "", fds[i]);
        if (strlen(out) + strlen(one) < sizeof out)
            strcat(out, one);
    }
    value(s, "%s", n ? out : "(none)");
}

static void cmd_env(const struct step *s)
{
    const char *v = getenv(s->argv[1]);
    if (v)
        value(s, "set=%s", v);
    else
        value(s, "unset");
}

static bool contains(const char *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    if (k == 0 || n < k)
        return false;
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(hay + i, needle, k) == 0)
            return true;
    return false;
}

/* Reads /proc/PID/FILE; -1 with errno when it cannot be opened or read. */
static ssize_t slurp(const char *pid, const char *file, char *buf, size_t size)
{
    char path[128];
    snprintf(path, sizeof path, "/proc/%s/%s", pid, file);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t got = 0;
    ssize_t n;
    while (got < size && (n = read(fd, buf + got, size - got)) > 0)
        got += (size_t)n;
    int err = errno;
    close(fd);
    if (n < 0 && got == 0) {
        errno = err;
        return -1;
    }
    return (ssize_t)got;
}

/* Where STRING can be seen from here: our own environment, and every other /proc/PID/{environ,cmdline} we can read.
 * VALUE lists the places ("none" when nowhere), and how many environ files could not be read and why. */
static void cmd_find_string(const struct step *s)
{
    const char *needle = s->argv[1];
    char found[700] = "";
    for (char **e = environ; *e; e++)
        if (strstr(*e, needle))
            strcat(found, "self-environ ");
    DIR *d = opendir("/proc");
    if (!d) {
        error(s, "cannot list /proc: %s", errno_name(errno));
        return;
    }
    static char buf[1 << 20];
    int unreadable = 0, processes = 0;
    char first_errno[32] = "";
    char self[24];
    snprintf(self, sizeof self, "%d", getpid());
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        processes++;
        if (strcmp(e->d_name, self) == 0)
            continue; /* our own command line holds the string we were asked to look for */
        static const char *const files[] = {"environ", "cmdline"};
        for (int i = 0; i < 2; i++) {
            ssize_t n = slurp(e->d_name, files[i], buf, sizeof buf);
            if (n < 0) {
                if (i == 0) {
                    unreadable++;
                    if (!first_errno[0])
                        snprintf(first_errno, sizeof first_errno, "%s", errno_name(errno));
                }
                continue;
            }
            if (contains(buf, (size_t)n, needle) && strlen(found) + strlen(e->d_name) + 10 < sizeof found) {
                char where[300];
                snprintf(where, sizeof where, "%s/%s ", e->d_name, files[i]);
                strcat(found, where);
            }
        }
    }
    closedir(d);
    size_t len = strlen(found);
    if (len)
        found[len - 1] = '\0';
    value(s, "%s processes=%d unreadable-environ=%d%s%s", len ? found : "none", processes, unreadable,
          first_errno[0] ? " first-errno=" : "", first_errno);
}

static void cmd_pids(const struct step *s)
{
    DIR *d = opendir("/proc");
    if (!d) {
        error(s, "cannot list /proc: %s", errno_name(errno));
        return;
    }
    long pids[4096];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < sizeof pids / sizeof pids[0]) {
        long pid;
        if (isdigit((unsigned char)e->d_name[0]) && parse_long(e->d_name, &pid))
            pids[n++] = pid;
    }
    closedir(d);
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && pids[j - 1] > pids[j]; j--) {
            long t = pids[j];
            pids[j] = pids[j - 1];
            pids[j - 1] = t;
        }
    char out[900] = "";
    for (size_t i = 0; i < n; i++) {
        char one[24];
        snprintf(one, sizeof one, "%s%ld", i ? "," : "", pids[i]);
        if (strlen(out) + strlen(one) < sizeof out)
            strcat(out, one);
    }
    value(s, "%s", out);
}

static void cmd_proc_read(const struct step *s)
{
    char buf[4096];
    ssize_t n = slurp(s->argv[1], s->argv[2], buf, sizeof buf);
    if (n < 0)
        denied_errno(s, errno, "%s", "");
    else
        allowed(s, "bytes=%zd", n);
}

/* Opening another process's memory for writing: the classic way to rewrite a helper from inside. */
static void cmd_proc_mem_write(const struct step *s)
{
    char path[128];
    snprintf(path, sizeof path, "/proc/%s/mem", s->argv[1]);
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        denied_errno(s, errno, "at=open");
        return;
    }
    close(fd);
    allowed(s, "opened for writing");
}

static bool pid_arg(const struct step *s, const char *text, pid_t *pid)
{
    long v;
    if (!parse_long(text, &v)) {
        error(s, "bad pid '%s'", text);
        return false;
    }
    *pid = (pid_t)v;
    return true;
}

static void cmd_kill(const struct step *s)
{
    pid_t pid;
    long sig;
    if (!pid_arg(s, s->argv[1], &pid))
        return;
    if (!parse_long(s->argv[2], &sig)) {
        error(s, "bad signal '%s'", s->argv[2]);
        return;
    }
    outcome(s, kill(pid, (int)sig), NULL);
}

/* PTRACE_SEIZE does not stop the target; our exit detaches it. */
static void cmd_ptrace_seize(const struct step *s)
{
    pid_t pid;
    if (!pid_arg(s, s->argv[1], &pid))
        return;
    outcome(s, ptrace(PTRACE_SEIZE, pid, NULL, NULL), NULL);
}

static void cmd_process_vm_read(const struct step *s)
{
    pid_t pid;
    if (!pid_arg(s, s->argv[1], &pid))
        return;
    /* &environ: a fixed address in this static, non-PIE binary, so mapped in another copy of the probe too */
    char local[8], *remote = (char *)&environ;
    struct iovec l = {local, sizeof local}, r = {remote, sizeof local};
    outcome(s, process_vm_readv(pid, &l, 1, &r, 1, 0), NULL);
}

static void cmd_ids(const struct step *s)
{
    value(s, "pid=%d ppid=%d sid=%d pgid=%d uid=%d euid=%d gid=%d", getpid(), getppid(), getsid(0), getpgid(0),
          getuid(), geteuid(), getgid());
}

static void cmd_hostname(const struct step *s)
{
    char name[256] = "";
    if (gethostname(name, sizeof name) < 0)
        error(s, "gethostname: %s", errno_name(errno));
    else
        value(s, "%s", name);
}

const struct command proc_commands[] = {
    {"status", 1, 1, "FIELD  (a line of /proc/self/status, e.g. CapEff)", cmd_status},
    {"fds", 0, 0, "(open descriptors)", cmd_fds},
    {"env", 1, 1, "NAME", cmd_env},
    {"find-string", 1, 1, "TEXT  (in our environment and every readable /proc/PID/environ and cmdline)", cmd_find_string},
    {"pids", 0, 0, "(visible in /proc)", cmd_pids},
    {"proc-read", 2, 2, "PID FILE  (/proc/PID/FILE)", cmd_proc_read},
    {"proc-mem-write", 1, 1, "PID", cmd_proc_mem_write},
    {"kill", 2, 2, "PID SIGNO", cmd_kill},
    {"ptrace-seize", 1, 1, "PID", cmd_ptrace_seize},
    {"process-vm-read", 1, 1, "PID", cmd_process_vm_read},
    {"ids", 0, 0, "(pid, session, ids)", cmd_ids},
    {"hostname", 0, 0, "", cmd_hostname},
    {NULL, 0, 0, NULL, NULL},
};
