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
#include <stddef.h>
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
