/* User namespace id maps: our own single id for the unprivileged path, and throw-away user namespaces whose only
 * purpose is to carry the mapping of an idmapped mount. */
#include "helper.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

/* An unprivileged process may map exactly its own outer uid and gid, and only after giving up setgroups(2). The
 * server keeps its number inside, so the user's files show their true owner. */
int write_own_id_maps(uid_t outer_uid, gid_t outer_gid, const char **failed)
{
    char map[64];
    *failed = "setgroups";
    if (write_file("/proc/self/setgroups", "deny") < 0 && errno != ENOENT)
        return -1;
    *failed = "uid_map";
    snprintf(map, sizeof map, "%u %u 1\n", outer_uid, outer_uid);
    if (write_file("/proc/self/uid_map", map) < 0)
        return -1;
    *failed = "gid_map";
    snprintf(map, sizeof map, "%u %u 1\n", outer_gid, outer_gid);
    if (write_file("/proc/self/gid_map", map) < 0)
        return -1;
    return 0;
}

/* Returns an fd for a user namespace mapping on-disk FROM to TO: files owned by FROM appear owned by TO through a
 * mount idmapped with it, and files TO creates are stored as FROM. Needs CAP_SETUID/CAP_SETGID (root launcher). */
int idmap_userns_fd(uid_t from_uid, uid_t to_uid, gid_t from_gid, gid_t to_gid)
{
    int ready[2], done[2];
    if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(done, O_CLOEXEC) < 0)
        die_errno("idmap: pipe");
    pid_t child = fork();
    if (child < 0)
        die_errno("idmap: fork");
    if (child == 0) {
        char c = 0;
        close(ready[0]);
        close(done[1]); /* else our own copy keeps the pipe open and the read below never ends */
        if (unshare(CLONE_NEWUSER) < 0)
            _exit(1);
        if (write(ready[1], &c, 1) != 1)
            _exit(1);
        ssize_t ignored = read(done[0], &c, 1); /* hold the namespace until the parent has opened it */
        (void)ignored;
        _exit(0);
    }
    close(ready[1]);
    close(done[0]);
    char c;
    if (read(ready[0], &c, 1) != 1)
        die("idmap: could not create a user namespace for an idmapped mount");
    char path[64], map[64];
    snprintf(path, sizeof path, "/proc/%d/uid_map", child);
    snprintf(map, sizeof map, "%u %u 1\n", from_uid, to_uid);
    if (write_file(path, map) < 0)
        die_errno("idmap: writing %s", path);
    snprintf(path, sizeof path, "/proc/%d/gid_map", child);
    snprintf(map, sizeof map, "%u %u 1\n", from_gid, to_gid);
    if (write_file(path, map) < 0)
        die_errno("idmap: writing %s", path);
    snprintf(path, sizeof path, "/proc/%d/ns/user", child);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        die_errno("idmap: opening %s", path);
    close(done[1]);
    close(ready[0]);
    int status;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR)
        ;
    return fd;
}
