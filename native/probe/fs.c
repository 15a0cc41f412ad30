/* Filesystem attempts: reading and writing outside grants, read-only grants, links and renames out of a grant,
 * device nodes, mount flags. */
#include "probe.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

/* The first line of what was read, printable characters only, for the test to recognise the file. */
static void printable_head(const char *buf, ssize_t n, char *out, size_t outsize)
{
    size_t o = 0;
    for (ssize_t i = 0; i < n && o + 1 < outsize; i++) {
        if (buf[i] == '\n')
            break;
        out[o++] = buf[i] >= 0x20 && buf[i] < 0x7f ? buf[i] : '?';
    }
    out[o] = '\0';
}

/* Reads up to 256 bytes from FD (then closed) and reports them for S. */
static void report_read(const struct step *s, int fd)
{
    char buf[256];
    ssize_t n = read(fd, buf, sizeof buf);
    int err = errno;
    close(fd);
    if (n < 0) {
        denied_errno(s, err, "at=read");
        return;
    }
    char head[96];
    printable_head(buf, n, head, sizeof head);
    allowed(s, "bytes=%zd text=%s", n, head);
}
static void cmd_read(const struct step *s)
{
    int fd = open(s->argv[1], O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        denied_errno(s, errno, "at=open");
        return;
    }
    report_read(s, fd);
}

/* read-creat PATH: as read, but the open carries O_CREAT (a shell's "<>" or a careless "a+"), so that a create guard
 * carries it out: what it hands back must be what the server could open itself. */
static void cmd_read_creat(const struct step *s)
{
    int fd = open(s->argv[1], O_RDONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        denied_errno(s, errno, "at=open");
        return;
    }
    report_read(s, fd);
}

/* write-devfd FILE: opens FILE, then writes through /dev/fd/N with O_CREAT (what "echo x > /dev/stderr" and bash's
 * >(...) do); allowed only if the text landed in FILE, i.e. /dev/fd named this process's descriptor. */
static void cmd_write_devfd(const struct step *s)
{
    int fd = open(s->argv[1], O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        denied_errno(s, errno, "at=open");
        return;
    }
    char path[64];
    snprintf(path, sizeof path, "/dev/fd/%d", fd);
    int via = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (via < 0) {
        denied_errno(s, errno, "at=open-devfd");
        close(fd);
        return;
    }
    static const char text[] = "via-devfd";
    ssize_t n = write(via, text, sizeof text - 1);
    int err = errno;
    close(via);
    char back[32] = {0};
    ssize_t got = pread(fd, back, sizeof back - 1, 0);
    close(fd);
    if (n < 0)
        denied_errno(s, err, "at=write");
    else if (got != (ssize_t)(sizeof text - 1) || memcmp(back, text, sizeof text - 1))
        error(s, "the write through %s did not land in %s (read back %zd bytes)", path, s->argv[1], got);
    else
        allowed(s, "bytes=%zd", n);
}

static void write_with(const struct step *s, const char *path, int flags)
{
    int fd = open(path, flags | O_CLOEXEC, 0644);
    if (fd < 0) {
        denied_errno(s, errno, "at=open");
        return;
    }
    static const char text[] = "written by mcp-contain-probe\n";
    ssize_t n = write(fd, text, sizeof text - 1);
    int err = errno;
    close(fd);
    if (n < 0)
        denied_errno(s, err, "at=write");
    else
        allowed(s, "bytes=%zd", n);
}

static void cmd_write(const struct step *s) { write_with(s, s->argv[1], O_WRONLY | O_CREAT | O_TRUNC); }
static void cmd_append(const struct step *s) { write_with(s, s->argv[1], O_WRONLY | O_APPEND); }
static void cmd_create(const struct step *s) { write_with(s, s->argv[1], O_WRONLY | O_CREAT | O_EXCL); }

/* Appends the step's own TEXT (created 0644 if absent): a planted git config or hook that a later command runs. */
static void cmd_append_text(const struct step *s)
{
    int fd = open(s->argv[1], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        denied_errno(s, errno, "at=open");
        return;
    }
    size_t len = strlen(s->argv[2]);
    ssize_t n = write(fd, s->argv[2], len);
    int err = errno;
    close(fd);
    if (n < 0)
        denied_errno(s, err, "at=write");
    else
        allowed(s, "bytes=%zd", n);
}

/* mkdir-hex DIR HEX: mkdir DIR/NAME, NAME given as hex bytes (non-ASCII names survive any locale on the way). */
static void cmd_mkdir_hex(const struct step *s)
{
    const char *hex = s->argv[2];
    size_t hl = strlen(hex);
    char name[256];
    if (hl == 0 || hl % 2 || hl / 2 >= sizeof name) {
        error(s, "bad hex name '%s'", hex);
        return;
    }
    for (size_t i = 0; i < hl / 2; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1) {
            error(s, "bad hex name '%s'", hex);
            return;
        }
        name[i] = (char)v;
    }
    name[hl / 2] = '\0';
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", s->argv[1], name);
    outcome(s, mkdir(path, 0755), NULL);
}

/* fifo-writers DIR N: N children each open a FIFO of DIR for writing with O_CREAT (a shell's "echo x > fifo") and
 * wait there for a reader; meanwhile this process creates DIR/after-fifos, then reads every FIFO. Allowed when the
 * creation went through while the writers waited (SIGALRM ends the probe after 10 s otherwise). */
static void cmd_fifo_writers(const struct step *s)
{
    long n;
    if (!parse_long(s->argv[2], &n) || n < 1 || n > 32) {
        error(s, "bad count '%s'", s->argv[2]);
        return;
    }
    char path[4096];
    pid_t kids[32];
    for (long i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/fifo%ld", s->argv[1], i);
        if (mkfifo(path, 0600) < 0) {
            denied_errno(s, errno, "at=mkfifo");
            return;
        }
    }
    for (long i = 0; i < n; i++) {
        kids[i] = fork();
        if (kids[i] == 0) {
            snprintf(path, sizeof path, "%s/fifo%ld", s->argv[1], i);
            int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
            _exit(fd < 0 ? 1 : 0);
        }
    }
    usleep(150 * 1000); /* let them reach their open; the result does not depend on it */
    snprintf(path, sizeof path, "%s/after-fifos", s->argv[1]);
    alarm(10);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int err = errno;
    alarm(0);
    for (long i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/fifo%ld", s->argv[1], i);
        int r = open(path, O_RDONLY | O_CLOEXEC);
        if (r >= 0)
            close(r);
    }
    int ok = 0;
    for (long i = 0; i < n; i++) {
        int status;
        if (kids[i] > 0 && waitpid(kids[i], &status, 0) == kids[i] && WIFEXITED(status) && WEXITSTATUS(status) == 0)
            ok++;
    }
    if (fd < 0) {
        denied_errno(s, err, "at=open");
        return;
    }
    close(fd);
    if (ok != n)
        error(s, "only %d of %ld writers opened their FIFO", ok, n);
    else
        allowed(s, "writers=%d", ok);
}

/* set-default-acl DIR: a default POSIX ACL u::rwx,g::rwx,o::rwx on DIR (what setfacl -d -m does): new entries in
 * DIR then take their mode from it and the creator's umask is not applied. */
static void cmd_set_default_acl(const struct step *s)
{
    unsigned char acl[4 + 3 * 8];
    static const unsigned short tags[3] = {0x01, 0x04, 0x20}; /* ACL_USER_OBJ, ACL_GROUP_OBJ, ACL_OTHER */
    memset(acl, 0, sizeof acl);
    acl[0] = 2; /* POSIX_ACL_XATTR_VERSION, little endian */
    for (int i = 0; i < 3; i++) {
        unsigned char *e = acl + 4 + 8 * i;
        e[0] = (unsigned char)tags[i];
        e[2] = 7;                             /* rwx */
        e[4] = e[5] = e[6] = e[7] = 0xff;     /* ACL_UNDEFINED_ID */
    }
    outcome(s, setxattr(s->argv[1], "system.posix_acl_default", acl, sizeof acl, 0), NULL);
}

/* create-umask PATH: umask 022, open O_CREAT|O_EXCL with mode 0666; reports the mode the file got. */
static void cmd_create_umask(const struct step *s)
{
    mode_t old = umask(022);
    int fd = open(s->argv[1], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    int err = errno;
    umask(old);
    if (fd < 0) {
        denied_errno(s, err, "at=open");
        return;
    }
    struct stat st;
    int r = fstat(fd, &st);
    close(fd);
    if (r < 0) {
        denied_errno(s, errno, "at=fstat");
        return;
    }
    value(s, "mode=%04o", (unsigned)(st.st_mode & 07777));
}

static void cmd_mkdir(const struct step *s) { outcome(s, mkdir(s->argv[1], 0755), NULL); }
static void cmd_rmdir(const struct step *s) { outcome(s, rmdir(s->argv[1]), NULL); }
static void cmd_unlink(const struct step *s) { outcome(s, unlink(s->argv[1]), NULL); }
static void cmd_rename(const struct step *s) { outcome(s, rename(s->argv[1], s->argv[2]), NULL); }

#ifndef O_TMPFILE
#define O_TMPFILE (020000000 | O_DIRECTORY)
#endif

/* An unnamed file (O_TMPFILE, no O_CREAT: no creating call names it) given the name DIR/NAME afterwards, by
 * linkat(fd, "", AT_EMPTY_PATH) ("empty") or through /proc/self/fd/N with AT_SYMLINK_FOLLOW ("proc"). */
static void cmd_tmpfile_link(const struct step *s)
{
    int fd = open(s->argv[1], O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
    if (fd < 0) {
        denied_errno(s, errno, "at=open");
        return;
    }
    char target[4096];
    snprintf(target, sizeof target, "%s/%s", s->argv[1], s->argv[2]);
    long r;
    if (!strcmp(s->argv[3], "proc")) {
        char proc[64];
        snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
        r = linkat(AT_FDCWD, proc, AT_FDCWD, target, AT_SYMLINK_FOLLOW);
    } else {
        r = linkat(fd, "", AT_FDCWD, target, AT_EMPTY_PATH);
    }
    int err = errno;
    close(fd);
    errno = err;
    outcome(s, r, NULL);
}
static void cmd_link(const struct step *s) { outcome(s, link(s->argv[1], s->argv[2]), NULL); }
static void cmd_symlink(const struct step *s) { outcome(s, symlink(s->argv[1], s->argv[2]), NULL); }

static void cmd_chmod(const struct step *s)
{
    unsigned long mode;
    if (!parse_ulong(s->argv[2], &mode)) {
        error(s, "bad mode '%s'", s->argv[2]);
        return;
    }
    outcome(s, chmod(s->argv[1], (mode_t)mode), NULL);
}

static void cmd_chown(const struct step *s)
{
    long uid, gid;
    if (!parse_long(s->argv[2], &uid) || !parse_long(s->argv[3], &gid)) {
        error(s, "bad uid/gid");
        return;
    }
    outcome(s, chown(s->argv[1], (uid_t)uid, (gid_t)gid), NULL);
}

static void cmd_truncate(const struct step *s) { outcome(s, truncate(s->argv[1], 0), NULL); }

static void cmd_stat(const struct step *s)
{
    struct stat st;
    if (lstat(s->argv[1], &st) < 0) {
        denied_errno(s, errno, "%s", "");
        return;
    }
    allowed(s, "mode=%04o uid=%u gid=%u type=%s", st.st_mode & 07777, st.st_uid, st.st_gid,
            S_ISDIR(st.st_mode) ? "dir" : S_ISREG(st.st_mode) ? "file" : S_ISLNK(st.st_mode) ? "link"
            : S_ISCHR(st.st_mode) ? "chr" : S_ISBLK(st.st_mode) ? "blk" : S_ISSOCK(st.st_mode) ? "sock" : "other");
}

static int compare(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void cmd_ls(const struct step *s)
{
    DIR *d = opendir(s->argv[1]);
    if (!d) {
        denied_errno(s, errno, "%s", "");
        return;
    }
    char *names[512];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < sizeof names / sizeof names[0])
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof names[0], compare);
    char out[900] = "";
    for (size_t i = 0; i < n; i++) {
        if (strlen(out) + strlen(names[i]) + 2 < sizeof out) {
            if (i)
                strcat(out, ",");
            strcat(out, names[i]);
        }
        free(names[i]);
    }
    value(s, "%s", n ? out : "(empty)");
}

static void cmd_mknod(const struct step *s)
{
    unsigned long major, minor;
    if (!parse_ulong(s->argv[2], &major) || !parse_ulong(s->argv[3], &minor)) {
        error(s, "bad device numbers");
        return;
    }
    int r = mknod(s->argv[1], S_IFCHR | 0600, makedev(major, minor));
    int err = errno;
    if (r == 0)
        unlink(s->argv[1]);
    errno = err;
    outcome(s, r, NULL);
}

/* execve in a child; the exec error comes back through a close-on-exec pipe. */
static void cmd_exec(const struct step *s)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) {
        error(s, "pipe: %s", errno_name(errno));
        return;
    }
    pid_t pid = fork();
    if (pid < 0) {
        error(s, "fork: %s", errno_name(errno));
        return;
    }
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) {
            dup2(devnull, STDOUT_FILENO);
            dup2(devnull, STDERR_FILENO);
        }
        execv(s->argv[1], s->argv + 1);
        int err = errno;
        if (write(p[1], &err, sizeof err) != sizeof err)
            _exit(126);
        _exit(127);
    }
    close(p[1]);
    int err = 0;
    ssize_t n = read(p[0], &err, sizeof err);
    close(p[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (n == sizeof err)
        denied_errno(s, err, "at=execve");
    else if (WIFSIGNALED(status))
        allowed(s, "signal=%s", signal_name(WTERMSIG(status)));
    else
        allowed(s, "exit=%d", WEXITSTATUS(status));
}

static void cmd_statvfs(const struct step *s)
{
    struct statvfs v;
    if (statvfs(s->argv[1], &v) < 0) {
        denied_errno(s, errno, "%s", "");
        return;
    }
    value(s, "%s,%s,%s,%s", v.f_flag & ST_RDONLY ? "ro" : "rw", v.f_flag & ST_NOSUID ? "nosuid" : "suid",
          v.f_flag & ST_NODEV ? "nodev" : "dev", v.f_flag & ST_NOEXEC ? "noexec" : "exec");
}

/* Mount points (from /proc/self/mountinfo) whose per-mount options lack OPTION: "none" when every one has it. */
static void cmd_mounts_without(const struct step *s)
{
    FILE *f = fopen("/proc/self/mountinfo", "re");
    if (!f) {
        error(s, "cannot read /proc/self/mountinfo: %s", errno_name(errno));
        return;
    }
    char linebuf[4096], out[900] = "";
    int total = 0, missing = 0;
    while (fgets(linebuf, sizeof linebuf, f)) {
        /* id parent major:minor root mountpoint options ... */
        char root[1024], point[1024], options[512];
        if (sscanf(linebuf, "%*d %*d %*s %1023s %1023s %511s", root, point, options) != 3)
            continue;
        total++;
        char padded[520];
        snprintf(padded, sizeof padded, ",%s,", options);
        char want[64];
        snprintf(want, sizeof want, ",%s,", s->argv[1]);
        if (!strstr(padded, want)) {
            missing++;
            if (strlen(out) + strlen(point) + 2 < sizeof out) {
                if (out[0])
                    strcat(out, ",");
                strcat(out, point);
            }
        }
    }
    fclose(f);
    if (total == 0)
        error(s, "no mounts listed");
    else
        value(s, "%s", missing ? out : "none");
}

/* Watches DIR for created names: inotify needs only read permission on DIR, and Landlock does not cover it. */
static void cmd_inotify_watch(const struct step *s)
{
    int fd = inotify_init1(IN_CLOEXEC);
    if (fd < 0) {
        denied_errno(s, errno, "at=inotify_init1");
        return;
    }
    int wd = inotify_add_watch(fd, s->argv[1], IN_CREATE | IN_MOVED_TO);
    int err = errno;
    close(fd);
    if (wd < 0)
        denied_errno(s, err, "at=inotify_add_watch");
    else
        allowed(s, "%s", "");
}

/* Opens PATH read-write without becoming its controlling terminal, reads and writes nothing: a terminal or a
 * device node reached is the finding. */
static void cmd_open_rw(const struct step *s)
{
    int fd = open(s->argv[1], O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        denied_errno(s, errno, "at=open");
        return;
    }
    close(fd);
    allowed(s, "%s", "");
}


/* race-create DIR NAME ROUNDS: one thread flips a path buffer between DIR/x<NAME> (allowed) and DIR/NAME while
 * this one calls mkdir on it ROUNDS times: a guard that checks the path and then lets the kernel read it again
 * loses this race. ALLOWED when DIR/NAME exists at the end (the escape); DENIED errno=EPERM when it does not and
 * both kinds of attempt were seen (the race ran); ERROR otherwise. */
static char race_path[4096];
static char race_allowed[4096], race_target[4096];
static volatile int race_stop;

static void *race_flipper(void *unused)
{
    while (!race_stop) {
        memcpy(race_path, race_target, strlen(race_target) + 1);
        memcpy(race_path, race_allowed, strlen(race_allowed) + 1);
    }
    return unused;
}

static void cmd_race_create(const struct step *s)
{
    unsigned long rounds;
    if (!parse_ulong(s->argv[3], &rounds) || rounds == 0) {
        error(s, "usage: race-create DIR NAME ROUNDS");
        return;
    }
    snprintf(race_allowed, sizeof race_allowed, "%s/x%s", s->argv[1], s->argv[2]);
    snprintf(race_target, sizeof race_target, "%s/%s", s->argv[1], s->argv[2]);
    memcpy(race_path, race_allowed, strlen(race_allowed) + 1);
    race_stop = 0;
    pthread_t t;
    if (pthread_create(&t, NULL, race_flipper, NULL) != 0) {
        error(s, "pthread_create failed");
        return;
    }
    unsigned long made = 0, refused = 0, other = 0;
    for (unsigned long i = 0; i < rounds; i++) {
        if (mkdir(race_path, 0755) == 0) {
            made++;
            rmdir(race_allowed);
        } else if (errno == EPERM) {
            refused++;
        } else {
            other++;
        }
    }
    race_stop = 1;
    pthread_join(t, NULL);
    struct stat st;
    bool exists = lstat(race_target, &st) == 0;
    if (exists)
        allowed(s, "%s created (made=%lu refused=%lu other=%lu)", s->argv[2], made, refused, other);
    else if (made && refused)
        denied_errno(s, EPERM, "made=%lu refused=%lu other=%lu", made, refused, other);
    else
        error(s, "the race did not run both ways: made=%lu refused=%lu other=%lu", made, refused, other);
}

const struct command fs_commands[] = {
    {"inotify-watch", 1, 1, "DIR  (inotify_add_watch IN_CREATE)", cmd_inotify_watch},
    {"open-rw", 1, 1, "PATH  (O_RDWR|O_NOCTTY, nothing read or written)", cmd_open_rw},
    {"read", 1, 1, "PATH", cmd_read},
    {"read-creat", 1, 1, "PATH  (open O_RDONLY|O_CREAT, then read)", cmd_read_creat},
    {"write", 1, 1, "PATH  (create or truncate, then write)", cmd_write},
    {"write-devfd", 1, 1, "FILE  (open FILE, write through /dev/fd/N opened with O_CREAT)", cmd_write_devfd},
    {"append", 1, 1, "PATH  (existing file only)", cmd_append},
    {"create", 1, 1, "PATH  (O_EXCL)", cmd_create},
    {"append-text", 2, 2, "PATH TEXT  (create if absent, append TEXT)", cmd_append_text},
    {"mkdir", 1, 1, "PATH", cmd_mkdir},
    {"fifo-writers", 2, 2, "DIR N  (N writers wait in an O_CREAT open of a FIFO; meanwhile a file is made)",
     cmd_fifo_writers},
    {"set-default-acl", 1, 1, "DIR  (default ACL u::rwx,g::rwx,o::rwx)", cmd_set_default_acl},
    {"create-umask", 1, 1, "PATH  (umask 022, O_CREAT|O_EXCL 0666; reports the mode)", cmd_create_umask},
    {"mkdir-hex", 2, 2, "DIR HEX  (mkdir DIR/NAME, NAME as hex bytes)", cmd_mkdir_hex},
    {"race-create", 3, 3, "DIR NAME ROUNDS  (mkdir while another thread rewrites the path)", cmd_race_create},
    {"rmdir", 1, 1, "PATH", cmd_rmdir},
    {"unlink", 1, 1, "PATH", cmd_unlink},
    {"rename", 2, 2, "FROM TO", cmd_rename},
    {"tmpfile-link", 3, 3, "DIR NAME empty|proc  (O_TMPFILE, then linkat to DIR/NAME)", cmd_tmpfile_link},
    {"link", 2, 2, "EXISTING NEW  (hard link)", cmd_link},
    {"symlink", 2, 2, "TARGET LINK", cmd_symlink},
    {"chmod", 2, 2, "PATH MODE", cmd_chmod},
    {"chown", 3, 3, "PATH UID GID", cmd_chown},
    {"truncate", 1, 1, "PATH", cmd_truncate},
    {"stat", 1, 1, "PATH  (lstat)", cmd_stat},
    {"ls", 1, 1, "DIR", cmd_ls},
    {"mknod", 3, 3, "PATH MAJOR MINOR  (character device)", cmd_mknod},
    {"exec", 1, -1, "PATH [ARG...]", cmd_exec},
    {"statvfs", 1, 1, "PATH", cmd_statvfs},
    {"mounts-without", 1, 1, "OPTION  (e.g. nosuid)", cmd_mounts_without},
    {NULL, 0, 0, NULL, NULL},
};
