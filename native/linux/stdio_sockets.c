/* stdio_sockets: a unix socket the launcher was given as stdin, stdout or stderr is claimed before the server runs.
 *
 * Node-based hosts (libuv) give their servers socketpairs as stdio, so the server's descriptors 0-2 are sockets made
 * in the host's network namespace. Whatever namespace the server is in, bind() on such a socket takes a name in the
 * host's abstract unix namespace (measured: a server in full isolation bound "@name" through descriptor 0 and the
 * host's own bind of it got EADDRINUSE: a squatted X display or session helper), and SO_PASSCRED makes the kernel
 * autobind one on send. A socket can be bound once: we autobind each unbound one here (an address of the family
 * alone: the kernel picks a free five-hex-digit abstract name, which nobody can connect to, the socket never
 * listening), so that every later bind is EINVAL and no autobind happens again. The peer (the host) sees nothing
 * but that name from getpeername. Fails closed: a socket that cannot be claimed ends the launch. */
#include "helper.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

void stdio_sockets_claim(const struct plan *plan)
{
    for (int fd = 0; fd <= 2; fd++) {
        int domain;
        socklen_t len = sizeof domain;
        if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0 || domain != AF_UNIX)
            continue; /* not a socket (ENOTSOCK), closed (EBADF), or a family whose bind names nothing shared */
        struct sockaddr_un name;
        socklen_t name_len = sizeof name;
        if (getsockname(fd, (struct sockaddr *)&name, &name_len) < 0)
            die_errno("stdio: reading the name of the unix socket on descriptor %d", fd);
        if (name_len > offsetof(struct sockaddr_un, sun_path))
            continue; /* already bound (by the host, or as descriptor 0 a moment ago) */
        struct sockaddr_un family = {.sun_family = AF_UNIX};
        if (bind(fd, (struct sockaddr *)&family, offsetof(struct sockaddr_un, sun_path)) < 0)
            die_errno("stdio: claiming the unix socket on descriptor %d (else the server could bind it to a name"
                      " in the host's abstract socket namespace)", fd);
        note(plan, 2, "stdio: the unix socket on descriptor %d autobound, so the server cannot name it", fd);
    }
}

/* A pipe on stdio is reopened (through /proc/self/fd, the same pipe) so the server gets an open file description of
 * its own. Passed through as it was, the description was the host's: status flags are per description, and a server
 * that set O_NONBLOCK on descriptor 2 set it on the host's own stderr (measured: a host passing its stderr on, as
 * "inherit" does, saw O_NONBLOCK appear after the run, and its next blocking write to a full pipe fails with EAGAIN);
 * O_ASYNC with F_SETOWN would aim SIGIO from the host's descriptor. Only pipes and FIFOs: a socket cannot be reopened
 * (it is claimed by stdio_sockets_claim instead), and a regular file shares its offset with the host on purpose.
 * Done before the identity changes (the pipe belongs to whoever launched). Left as it is: a pipe whose other end is
 * already gone (nobody left on the host's side to affect), and a pipe another user made (a root shell's pipe into
 * "runuser -u USER -- mcp-contain run": the kernel lets only its owner reopen it, EACCES), said at -v. */
void stdio_pipes_own(const struct plan *plan)
{
    for (int fd = 0; fd <= 2; fd++) {
        struct stat st;
        if (fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode))
            continue;
        int flags = fcntl(fd, F_GETFL);
        if (flags < 0)
            continue;
        int access = flags & O_ACCMODE;
        if (access == O_RDWR)
            access = fd == 0 ? O_RDONLY : O_WRONLY;
        char path[64];
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        /* O_NONBLOCK for the open only: a FIFO's open waits for the other side, a pipe whose reader is gone is ENXIO */
        int own = open(path, access | O_NONBLOCK | O_CLOEXEC);
        if (own < 0) {
            if (errno == ENXIO)
                continue;
            if (errno == EACCES) {
                note(plan, 1, "stdio: the pipe on descriptor %d is another user's and cannot be reopened: the server"
                     " shares its file description (and its status flags) with the host", fd);
                continue;
            }
            die_errno("stdio: reopening the pipe on descriptor %d", fd);
        }
        if (fcntl(own, F_SETFL, flags & (O_APPEND | O_NONBLOCK)) < 0 || dup2(own, fd) < 0)
            die_errno("stdio: the server's own description of the pipe on descriptor %d", fd);
        close(own);
        note(plan, 2, "stdio: descriptor %d is the same pipe through a file description of the server's own", fd);
    }
}
