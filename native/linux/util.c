#include "helper.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Every message goes to stderr with one prefix: stdout is the MCP server's, never ours. */
static void vmessage(const char *fmt, va_list ap, int err)
{
    char buf[2048];
    int n = snprintf(buf, sizeof buf, "mcp-contain: ");
    n += vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
    if (n >= (int)sizeof buf - 64)
        n = (int)sizeof buf - 64;
    if (err)
        n += snprintf(buf + n, sizeof buf - (size_t)n, ": %s", strerror(err));
    buf[n++] = '\n';
    ssize_t ignored = write(STDERR_FILENO, buf, (size_t)n);
    (void)ignored;
}

/* Whoever registered it undoes what it made (the supervisor: the server tree, the per-run cgroups) on every
 * refusal. Only in the registering process: a child's die() must not tear down what the supervisor still owns. */
static void (*die_cleanup)(void);
static pid_t die_cleanup_owner;

void at_die(void (*cleanup)(void))
{
    die_cleanup = cleanup;
    die_cleanup_owner = getpid();
}

static void __attribute__((noreturn)) die_exit(void)
{
    if (die_cleanup && getpid() == die_cleanup_owner) {
        void (*cleanup)(void) = die_cleanup;
        die_cleanup = NULL; /* a die() inside the cleanup must not loop */
        cleanup();
    }
    _exit(EXIT_CONTAIN_FAILED);
}

void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage(fmt, ap, 0);
    va_end(ap);
    die_exit();
}

void die_errno(const char *fmt, ...)
{
    int err = errno;
    va_list ap;
    va_start(ap, fmt);
    vmessage(fmt, ap, err);
    va_end(ap);
    die_exit();
}

void note(const struct plan *plan, int level, const char *fmt, ...)
{
    if (plan->verbose < level)
        return;
    va_list ap;
    va_start(ap, fmt);
    vmessage(fmt, ap, 0);
    va_end(ap);
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n, size);
    if (!p)
        die("out of memory");
    return p;
}

char *xstrdup(const char *s)
{
    char *p = strdup(s);
    if (!p)
        die("out of memory");
    return p;
}

int write_file_at(int dirfd, const char *path, const char *content)
{
    int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return -1;
    size_t len = strlen(content);
    ssize_t n = write(fd, content, len);
    int saved = errno;
    close(fd);
    if (n != (ssize_t)len) {
        errno = n < 0 ? saved : EIO;
        return -1;
    }
    return 0;
}

int write_file(const char *path, const char *content)
{
    return write_file_at(AT_FDCWD, path, content);
}
