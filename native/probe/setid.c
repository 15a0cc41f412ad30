/* Setuid planting (issue 7): every way to give a file S_ISUID/S_ISGID or a file capability, and metadata changes
 * by path or by descriptor (issue 9, landlock isolation). Each command makes one real attempt on a real file and,
 * when it worked, reports the resulting mode so the test can see what the kernel did. */
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452 /* Linux 6.6, same number on x86_64 and arm64 */
#endif
#ifndef SYS_setxattrat
#define SYS_setxattrat 463 /* Linux 6.13 */
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef O_TMPFILE
#define O_TMPFILE (020000000 | O_DIRECTORY)
#endif

static bool mode_arg(const struct step *s, const char *text, mode_t *mode)
{
    unsigned long v;
    if (!parse_ulong(text, &v) || v > 07777) {
        error(s, "bad mode '%s' (octal, e.g. 04755)", text);
        return false;
    }
    *mode = (mode_t)v;
    return true;
}

/* ALLOWED with the file's mode after the call, or DENIED with errno. */
static void report_mode(const struct step *s, long ret, const char *path, int fd)
{
    if (ret < 0) {
        denied_errno(s, errno, "%s", "");
        return;
    }
    struct stat st;
    int r = fd >= 0 ? fstat(fd, &st) : lstat(path, &st);
    if (r < 0)
        allowed(s, "mode=?");
    else
        allowed(s, "mode=%04o", st.st_mode & 07777);
}

static void cmd_fchmod(const struct step *s)
{
    mode_t mode;
    if (!mode_arg(s, s->argv[2], &mode))
        return;
    int fd = open(s->argv[1], O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        denied_errno(s, errno, "at=open");
        return;
    }
    report_mode(s, fchmod(fd, mode), NULL, fd);
    close(fd);
}

static void cmd_fchmodat2(const struct step *s)
{
    mode_t mode;
    if (mode_arg(s, s->argv[2], &mode))
        report_mode(s, syscall(SYS_fchmodat2, AT_FDCWD, s->argv[1], (long)mode, 0L), s->argv[1], -1);
}

static void cmd_chmod_mode(const struct step *s)
{
    mode_t mode;
    if (mode_arg(s, s->argv[2], &mode))
        report_mode(s, chmod(s->argv[1], mode), s->argv[1], -1);
}

/* A new file with MODE through open(O_CREAT|O_EXCL): the creation-mode route, which needs no chmod at all. */
static void cmd_create_mode(const struct step *s)
{
    mode_t mode;
    if (!mode_arg(s, s->argv[2], &mode))
        return;
    umask(0);
    int fd = open(s->argv[1], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    report_mode(s, fd, NULL, fd);
    if (fd >= 0)
        close(fd);
}

/* An unnamed file with MODE in DIR (O_TMPFILE), linked in as DIR/NAME when it was allowed. */
static void cmd_tmpfile_mode(const struct step *s)
{
    mode_t mode;
    if (!mode_arg(s, s->argv[3], &mode))
        return;
    umask(0);
    int fd = open(s->argv[1], O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
    if (fd < 0) {
        denied_errno(s, errno, "at=open");
        return;
    }
    char target[4096];
    snprintf(target, sizeof target, "%s/%s", s->argv[1], s->argv[2]);
    if (linkat(fd, "", AT_FDCWD, target, AT_EMPTY_PATH) < 0) {
        char proc[64];
        snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
        if (linkat(AT_FDCWD, proc, AT_FDCWD, target, AT_SYMLINK_FOLLOW) < 0) {
            /* Not being able to name it does not undo the mode: report it from the descriptor. */
        }
    }
    report_mode(s, 0, NULL, fd);
    close(fd);
}

static void cmd_creat_mode(const struct step *s)
{
#ifdef SYS_creat
    mode_t mode;
    if (!mode_arg(s, s->argv[2], &mode))
        return;
    umask(0);
    long fd = syscall(SYS_creat, s->argv[1], (long)mode);
    report_mode(s, fd, NULL, (int)fd);
    if (fd >= 0)
        close((int)fd);
#else
    error(s, "creat is not a syscall on this architecture");
#endif
}

static void cmd_mkdir_mode(const struct step *s)
{
    mode_t mode;
    if (!mode_arg(s, s->argv[2], &mode))
        return;
    umask(0);
    report_mode(s, mkdir(s->argv[1], mode), s->argv[1], -1);
}

/* A regular file through mknod(S_IFREG | MODE): no device, no privilege needed. */
static void cmd_mknod_mode(const struct step *s)
{
    mode_t mode;
    if (!mode_arg(s, s->argv[2], &mode))
        return;
    umask(0);
    report_mode(s, mknod(s->argv[1], S_IFREG | mode, 0), s->argv[1], -1);
}

struct open_how_v0 {
    uint64_t flags, mode, resolve;
};

/* openat2(O_CREAT, MODE): the mode is inside struct open_how, where seccomp cannot look. */
static void cmd_openat2(const struct step *s)
{
    mode_t mode;
    if (!mode_arg(s, s->argv[2], &mode))
        return;
    umask(0);
    struct open_how_v0 how = {.flags = O_WRONLY | O_CREAT | O_CLOEXEC, .mode = mode, .resolve = 0};
    long fd = syscall(SYS_openat2, AT_FDCWD, s->argv[1], &how, sizeof how);
    report_mode(s, fd, NULL, (int)fd);
    if (fd >= 0)
        close((int)fd);
}

/* VALUE: "cap" is a VFS_CAP_REVISION_2 security.capability granting CAP_SETUID (permitted and effective); any
 * other word is written as text. */
static size_t xattr_value(const char *kind, unsigned char *buf, size_t size)
{
    if (strcmp(kind, "cap") == 0 && size >= 20) {
        uint32_t v[5] = {0x02000000u | 0x1u /* REVISION_2 | EFFECTIVE */, 1u << 7 /* CAP_SETUID */, 0, 0, 0};
        memcpy(buf, v, sizeof v);
        return sizeof v;
    }
    size_t n = strlen(kind);
    if (n > size)
        n = size;
    memcpy(buf, kind, n);
    return n;
}

/* setxattr|lsetxattr|fsetxattr|setxattrat PATH NAME VALUE */
static void cmd_setxattr(const struct step *s)
{
    unsigned char value[64];
    size_t n = xattr_value(s->argv[3], value, sizeof value);
    const char *how = s->argv[0];
    long r;
    if (strcmp(how, "setxattr") == 0) {
        r = setxattr(s->argv[1], s->argv[2], value, n, 0);
    } else if (strcmp(how, "lsetxattr") == 0) {
        r = lsetxattr(s->argv[1], s->argv[2], value, n, 0);
    } else if (strcmp(how, "fsetxattr") == 0) {
        int fd = open(s->argv[1], O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            denied_errno(s, errno, "at=open");
            return;
        }
        r = fsetxattr(fd, s->argv[2], value, n, 0);
        int err = errno;
        close(fd);
        errno = err;
    } else {
        struct { uint64_t value; uint32_t size, flags; } args = {(uint64_t)(uintptr_t)value, (uint32_t)n, 0};
        r = syscall(SYS_setxattrat, AT_FDCWD, s->argv[1], 0L, s->argv[2], &args, (long)sizeof args);
    }
    outcome(s, r, NULL);
}

static void cmd_removexattr(const struct step *s) { outcome(s, removexattr(s->argv[1], s->argv[2]), NULL); }

/* getxattr PATH NAME: the attribute's value, by path (ALLOWED value=...). */
static void cmd_getxattr(const struct step *s)
{
    char value[256];
    ssize_t n = getxattr(s->argv[1], s->argv[2], value, sizeof value - 1);
    if (n < 0) {
        denied_errno(s, errno, "%s", "");
        return;
    }
    value[n] = '\0';
    for (ssize_t i = 0; i < n; i++)
        if (value[i] < 0x20 || value[i] > 0x7e)
            value[i] = '?';
    allowed(s, "value=%s", value);
}

/* utimensat(AT_FDCWD, PATH, NULL, 0): "now", by path. */
static void cmd_utimensat(const struct step *s) { outcome(s, utimensat(AT_FDCWD, s->argv[1], NULL, 0), NULL); }

/* futimens on a descriptor opened for reading: the descriptor form landlock isolation keeps. */
static void cmd_futimens(const struct step *s)
{
    int fd = open(s->argv[1], O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        denied_errno(s, errno, "at=open");
        return;
    }
    outcome(s, futimens(fd, NULL), NULL);
    close(fd);
}

/* mmap-write PATH: opens an existing file read-write, changes its first byte through a shared writable mapping and
 * reports the mode afterwards. write(), truncate, fallocate and clone strip S_ISUID/S_ISGID from a file they change;
 * a store through a shared mapping does not, so a setuid file the server may write stays setuid with new code. */
static void cmd_mmap_write(const struct step *s)
{
    int fd = open(s->argv[1], O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        denied_errno(s, errno, "at=open");
        return;
    }
    char *p = mmap(NULL, 1, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        denied_errno(s, errno, "at=mmap");
        close(fd);
        return;
    }
    p[0] = (char)(p[0] ^ 0x20);
    msync(p, 1, MS_SYNC);
    munmap(p, 1);
    report_mode(s, 0, NULL, fd);
    close(fd);
}

const struct command setid_commands[] = {
    {"mmap-write", 1, 1, "PATH  (a store through a shared writable mapping; reports the mode after)", cmd_mmap_write},
    {"chmod-mode", 2, 2, "PATH MODE  (chmod, reports the mode after)", cmd_chmod_mode},
    {"fchmod", 2, 2, "PATH MODE  (open O_RDONLY, fchmod)", cmd_fchmod},
    {"fchmodat2", 2, 2, "PATH MODE  (raw fchmodat2, Linux 6.6)", cmd_fchmodat2},
    {"create-mode", 2, 2, "PATH MODE  (open O_CREAT|O_EXCL with MODE, umask 0)", cmd_create_mode},
    {"tmpfile-mode", 3, 3, "DIR NAME MODE  (O_TMPFILE with MODE, linked as DIR/NAME)", cmd_tmpfile_mode},
    {"creat-mode", 2, 2, "PATH MODE  (raw creat, x86_64)", cmd_creat_mode},
    {"mkdir-mode", 2, 2, "PATH MODE", cmd_mkdir_mode},
    {"mknod-mode", 2, 2, "PATH MODE  (a regular file: S_IFREG|MODE)", cmd_mknod_mode},
    {"openat2", 2, 2, "PATH MODE  (O_CREAT through struct open_how)", cmd_openat2},
    {"setxattr", 3, 3, "PATH NAME cap|TEXT", cmd_setxattr},
    {"lsetxattr", 3, 3, "PATH NAME cap|TEXT", cmd_setxattr},
    {"fsetxattr", 3, 3, "PATH NAME cap|TEXT  (on a descriptor opened for reading)", cmd_setxattr},
    {"setxattrat", 3, 3, "PATH NAME cap|TEXT  (raw setxattrat, Linux 6.13)", cmd_setxattr},
    {"removexattr", 2, 2, "PATH NAME", cmd_removexattr},
    {"getxattr", 2, 2, "PATH NAME  (read by path)", cmd_getxattr},
    {"utimensat", 1, 1, "PATH  (by path, times = now)", cmd_utimensat},
    {"futimens", 1, 1, "PATH  (on a descriptor opened for reading)", cmd_futimens},
    {NULL, 0, 0, NULL, NULL},
};
