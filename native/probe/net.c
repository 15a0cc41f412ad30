/* Network: TCP and UDP to a host listener, pathname and abstract unix sockets, and the abstract listener the
 * tests start on the host (Java cannot bind abstract names). */
#include "probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* ADDR PORT -> sockaddr; false for an unparsable address. */
static bool inet_address(const char *addr, const char *port_text, struct sockaddr_storage *ss, socklen_t *len)
{
    long port;
    if (!parse_long(port_text, &port) || port < 0 || port > 65535)
        return false;
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, addr, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        *len = sizeof *v4;
        return true;
    }
    if (inet_pton(AF_INET6, addr, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        *len = sizeof *v6;
        return true;
    }
    return false;
}

/* The test's listener answers with one line: proof we reached that very listener, not something else. */
static void report_reply(const struct step *s, int fd)
{
    char buf[128] = "";
    struct pollfd p = {.fd = fd, .events = POLLIN};
    ssize_t n = poll(&p, 1, 3000) == 1 ? read(fd, buf, sizeof buf - 1) : -1;
    int err = errno;
    close(fd);
    if (n < 0 && err == ECONNRESET) {
        /* accepted, then reset: what a filtering relay does with a destination it refuses */
        denied_errno(s, err, "at=read");
        return;
    }
    if (n > 0) {
        buf[n] = '\0';
        buf[strcspn(buf, "\r\n")] = '\0';
        allowed(s, "reply=%s", buf);
    } else {
        allowed(s, "connected, no reply");
    }
}

static void inet_attempt(const struct step *s, int type)
{
    struct sockaddr_storage ss;
    socklen_t len;
    if (!inet_address(s->argv[1], s->argv[2], &ss, &len)) {
        error(s, "bad address %s port %s", s->argv[1], s->argv[2]);
        return;
    }
    int fd = socket(ss.ss_family, type | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        denied_errno(s, errno, "at=socket");
        return;
    }
    if (connect(fd, (struct sockaddr *)&ss, len) < 0) {
        denied_errno(s, errno, "at=connect");
        close(fd);
        return;
    }
    if (type == SOCK_DGRAM) {
        ssize_t n = send(fd, "probe", 5, 0);
        int err = errno;
        close(fd);
        if (n < 0)
            denied_errno(s, err, "at=send");
        else
            allowed(s, "sent=%zd", n);
        return;
    }
    report_reply(s, fd);
}

static void cmd_tcp_connect(const struct step *s) { inet_attempt(s, SOCK_STREAM); }
static void cmd_udp_send(const struct step *s) { inet_attempt(s, SOCK_DGRAM); }

/* A unix stream socket address; ABSTRACT puts a NUL first (Linux's abstract namespace). */
static bool unix_address(const char *name, bool abstract, struct sockaddr_un *sa, socklen_t *len)
{
    memset(sa, 0, sizeof *sa);
    sa->sun_family = AF_UNIX;
    size_t n = strlen(name);
    if (n + 2 > sizeof sa->sun_path)
        return false;
    memcpy(sa->sun_path + (abstract ? 1 : 0), name, n);
    *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (abstract ? 1 : 1));
    return true;
}

static void unix_attempt(const struct step *s, bool abstract)
{
    struct sockaddr_un sa;
    socklen_t len;
    if (!unix_address(s->argv[1], abstract, &sa, &len)) {
        error(s, "name too long");
        return;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        denied_errno(s, errno, "at=socket");
        return;
    }
    if (connect(fd, (struct sockaddr *)&sa, len) < 0) {
        denied_errno(s, errno, "at=connect");
        close(fd);
        return;
    }
    report_reply(s, fd);
}

static void cmd_unix_connect(const struct step *s) { unix_attempt(s, false); }
static void cmd_abstract_connect(const struct step *s) { unix_attempt(s, true); }

/* Host side: binds the abstract NAME, prints "READY", answers each connection with REPLY, until stdin closes. */
static void cmd_abstract_listen(const struct step *s)
{
    struct sockaddr_un sa;
    socklen_t len;
    if (!unix_address(s->argv[1], true, &sa, &len)) {
        error(s, "name too long");
        return;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, len) < 0 || listen(fd, 16) < 0) {
        error(s, "cannot listen on @%s: %s", s->argv[1], errno_name(errno));
        return;
    }
    say("READY");
    for (;;) {
        struct pollfd p[2] = {{.fd = fd, .events = POLLIN}, {.fd = STDIN_FILENO, .events = POLLIN}};
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (p[1].revents) {
            char c;
            if (read(STDIN_FILENO, &c, 1) <= 0)
                break;
        }
        if (p[0].revents & POLLIN) {
            int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
            if (c >= 0) {
                ssize_t ignored = write(c, s->argv[2], strlen(s->argv[2]));
                (void)ignored;
                ignored = write(c, "\n", 1);
                (void)ignored;
                close(c);
            }
        }
    }
    close(fd);
    allowed(s, "listener closed");
}

/* Test side (run in a network namespace the test made): TCP and UDP on ADDR PORT. Each TCP client gets a tiny
 * HTTP response carrying REPLY (so curl, node and the probe's tcp-connect all see it), and every connection or
 * datagram is reported as "SEEN tcp|udp": the test's proof of what did or did not arrive. Ends when stdin closes. */
static void cmd_serve(const struct step *s)
{
    struct sockaddr_storage ss;
    socklen_t len;
    if (!inet_address(s->argv[1], s->argv[2], &ss, &len)) {
        error(s, "bad address %s port %s", s->argv[1], s->argv[2]);
        return;
    }
    int one = 1;
    int tcp = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int udp = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (tcp < 0 || udp < 0 || setsockopt(tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0
        || bind(tcp, (struct sockaddr *)&ss, len) < 0 || listen(tcp, 64) < 0 || bind(udp, (struct sockaddr *)&ss, len) < 0) {
        error(s, "cannot serve on %s %s: %s", s->argv[1], s->argv[2], errno_name(errno));
        return;
    }
    char response[512];
    size_t body = strlen(s->argv[3]) + 1;
    int n = snprintf(response, sizeof response, "HTTP/1.0 200 %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s\n",
                     s->argv[3], body, s->argv[3]);
    say("READY");
    for (;;) {
        struct pollfd p[3] = {{.fd = tcp, .events = POLLIN}, {.fd = udp, .events = POLLIN}, {.fd = STDIN_FILENO, .events = POLLIN}};
        if (poll(p, 3, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (p[2].revents) {
            char c;
            if (read(STDIN_FILENO, &c, 1) <= 0)
                break;
        }
        if (p[1].revents & POLLIN) {
            char buf[2048];
            ssize_t r = recv(udp, buf, sizeof buf, 0);
            say("SEEN udp %zd", r);
        }
        if (p[0].revents & POLLIN) {
            int c = accept4(tcp, NULL, NULL, SOCK_CLOEXEC);
            if (c >= 0) {
                say("SEEN tcp");
                struct pollfd w = {.fd = c, .events = POLLIN};
                if (poll(&w, 1, 200) == 1) {
                    char buf[4096];
                    ssize_t ignored = read(c, buf, sizeof buf);
                    (void)ignored;
                }
                ssize_t ignored = write(c, response, (size_t)n);
                (void)ignored;
                shutdown(c, SHUT_WR);
                close(c);
            }
        }
    }
    allowed(s, "server closed");
}

static void cmd_interfaces(const struct step *s)
{
    struct if_nameindex *list = if_nameindex();
    if (!list) {
        denied_errno(s, errno, "at=if_nameindex");
        return;
    }
    char out[600] = "";
    for (struct if_nameindex *i = list; i->if_index; i++) {
        if (strlen(out) + strlen(i->if_name) + 2 < sizeof out) {
            if (out[0])
                strcat(out, ",");
            strcat(out, i->if_name);
        }
    }
    if_freenameindex(list);
    value(s, "%s", out[0] ? out : "(none)");
}

const struct command net_commands[] = {
    {"tcp-connect", 2, 2, "ADDR PORT  (reports the listener's reply line)", cmd_tcp_connect},
    {"udp-send", 2, 2, "ADDR PORT", cmd_udp_send},
    {"unix-connect", 1, 1, "PATH", cmd_unix_connect},
    {"abstract-connect", 1, 1, "NAME  (without the leading NUL)", cmd_abstract_connect},
    {"abstract-listen", 2, 2, "NAME REPLY  (host side: serves until stdin closes)", cmd_abstract_listen},
    {"serve", 3, 3, "ADDR PORT REPLY  (test side: TCP answering HTTP with REPLY, UDP; reports SEEN lines)", cmd_serve},
    {"interfaces", 0, 0, "(network interfaces visible)", cmd_interfaces},
    {NULL, 0, 0, NULL, NULL},
};
