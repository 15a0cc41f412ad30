/* Network: TCP and UDP to a host listener, pathname and abstract unix sockets, and the abstract listener the
 * tests start on the host (Java cannot bind abstract names). */
#include "probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
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

/* ifconf FD|pair: SIOCGIFCONF through descriptor FD (a socket the launcher was given as stdio) or through a new
 * AF_UNIX socketpair. The kernel answers for the network namespace the socket was made in, whatever its family:
 * ALLOWED lists "name=address" of every IPv4 interface it sees there. */
static void cmd_ifconf(const struct step *s)
{
    int fd, pair[2] = {-1, -1};
    if (strcmp(s->argv[1], "pair") == 0) {
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
            denied_errno(s, errno, "at=socketpair");
            return;
        }
        fd = pair[0];
    } else {
        long n;
        if (!parse_long(s->argv[1], &n) || n < 0) {
            error(s, "bad fd '%s'", s->argv[1]);
            return;
        }
        int type;
        socklen_t len = sizeof type;
        if (getsockopt((int)n, SOL_SOCKET, SO_TYPE, &type, &len) < 0) {
            error(s, "fd %ld is not a socket: %s", n, errno_name(errno));
            return;
        }
        fd = (int)n;
    }
    struct ifreq reqs[32];
    struct ifconf ifc = {.ifc_len = sizeof reqs, .ifc_req = reqs};
    int r = ioctl(fd, SIOCGIFCONF, &ifc);
    int err = errno;
    if (pair[0] >= 0) {
        close(pair[0]);
        close(pair[1]);
    }
    if (r < 0) {
        denied_errno(s, err, "at=SIOCGIFCONF");
        return;
    }
    char out[600] = "";
    for (int i = 0; i < ifc.ifc_len / (int)sizeof(struct ifreq); i++) {
        char addr[INET_ADDRSTRLEN] = "?";
        inet_ntop(AF_INET, &((struct sockaddr_in *)&reqs[i].ifr_addr)->sin_addr, addr, sizeof addr);
        size_t used = strlen(out);
        snprintf(out + used, sizeof out - used, "%s%s=%s", used ? "," : "", reqs[i].ifr_name, addr);
    }
    allowed(s, "interfaces=%s", out[0] ? out : "(none)");
}

/* abstract-bind NAME [FD]: binds one end of a new stream socketpair (or descriptor FD, a socket the launcher was
 * given) to the abstract name NAME, which takes the name in the abstract namespace of the network namespace the
 * socket was made in: nobody else can bind it while we hold it. */
static void cmd_abstract_bind(const struct step *s)
{
    int pair[2] = {-1, -1};
    if (s->argc > 2) {
        long fd;
        if (!parse_long(s->argv[2], &fd) || fd < 0) {
            error(s, "bad fd '%s'", s->argv[2]);
            return;
        }
        int type;
        socklen_t tl = sizeof type;
        if (getsockopt((int)fd, SOL_SOCKET, SO_TYPE, &type, &tl) < 0) {
            error(s, "fd %ld is not a socket: %s", fd, errno_name(errno));
            return;
        }
        pair[0] = (int)fd;
    } else if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
        denied_errno(s, errno, "at=socketpair");
        return;
    }
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    size_t n = strlen(s->argv[1]);
    if (n + 1 > sizeof a.sun_path) {
        error(s, "name too long");
        return;
    }
    memcpy(a.sun_path + 1, s->argv[1], n);
    int r = bind(pair[0], (struct sockaddr *)&a, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n));
    int err = errno;
    if (pair[1] >= 0) {
        close(pair[0]);
        close(pair[1]);
    }
    if (r < 0)
        denied_errno(s, err, "at=bind");
    else
        allowed(s, "bound=@%s", s->argv[1]);
}

/* autobind: a seqpacket socketpair end with SO_PASSCRED sends one message; the kernel then binds it to a fresh
 * abstract name (autobind). ALLOWED with that name, DENIED at the step that was refused. */
static void cmd_autobind(const struct step *s)
{
    int pair[2], on = 1;
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0) {
        denied_errno(s, errno, "at=socketpair");
        return;
    }
    const char *at = NULL;
    int err = 0;
    if (setsockopt(pair[0], SOL_SOCKET, SO_PASSCRED, &on, sizeof on) < 0)
        at = "setsockopt", err = errno;
    else if (send(pair[0], "x", 1, 0) < 0)
        at = "send", err = errno;
    struct sockaddr_un a;
    socklen_t len = sizeof a;
    memset(&a, 0, sizeof a);
    if (!at && getsockname(pair[0], (struct sockaddr *)&a, &len) < 0)
        at = "getsockname", err = errno;
    close(pair[0]);
    close(pair[1]);
    if (at) {
        denied_errno(s, err, "at=%s", at);
        return;
    }
    if (len <= offsetof(struct sockaddr_un, sun_path) + 1) {
        value(s, "unbound");
        return;
    }
    int chars = (int)(len - offsetof(struct sockaddr_un, sun_path) - 1);
    allowed(s, "name=@%.*s", chars, a.sun_path + 1);
}

/* with-socket-stdin CMD ARG...: runs CMD with one end of a new AF_UNIX stream socketpair as its stdin (the other end
 * kept open, never written), as node-based hosts start their servers: libuv's stdio pipes are socketpairs. */
int with_socket_stdin(int argc, char **argv)
{
    if (argc < 1) {
        fprintf(stderr, "usage: mcp-contain-probe with-socket-stdin CMD ARG...\n");
        return PROBE_EXIT_USAGE;
    }
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
        fprintf(stderr, "mcp-contain-probe: with-socket-stdin: socketpair: %s\n", errno_name(errno));
        return PROBE_EXIT_ERROR;
    }
    pid_t pid = fork();
    if (pid < 0)
        return PROBE_EXIT_ERROR;
    if (pid == 0) {
        if (dup2(pair[1], STDIN_FILENO) < 0)
            _exit(PROBE_EXIT_ERROR);
        execvp(argv[0], argv);
        fprintf(stderr, "mcp-contain-probe: with-socket-stdin: cannot run %s: %s\n", argv[0], errno_name(errno));
        _exit(127);
    }
    close(pair[1]);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return PROBE_EXIT_ERROR;
    close(pair[0]);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

/* with-stderr-pipe CMD ARG...: makes our own descriptor 2 a pipe (drained to the original stderr by a child), runs
 * CMD with it inherited, as a host passes its own stderr on ("inherit"), and afterwards reports on stdout whether our
 * descriptor 2, the host's file description, came back with O_NONBLOCK: "HOST-STDERR nonblock=yes|no". */
int with_stderr_pipe(int argc, char **argv)
{
    if (argc < 1) {
        fprintf(stderr, "usage: mcp-contain-probe with-stderr-pipe CMD ARG...\n");
        return PROBE_EXIT_USAGE;
    }
    int p[2];
    if (pipe(p) < 0)
        return PROBE_EXIT_ERROR;
    int original = dup(STDERR_FILENO);
    pid_t drain = fork();
    if (drain == 0) {
        close(p[1]);
        char buf[4096];
        ssize_t n;
        while ((n = read(p[0], buf, sizeof buf)) > 0)
            if (write(original, buf, (size_t)n) < 0)
                break;
        _exit(0);
    }
    close(p[0]);
    dup2(p[1], STDERR_FILENO);
    close(p[1]);
    close(original);
    pid_t pid = fork();
    if (pid == 0) {
        execvp(argv[0], argv);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return PROBE_EXIT_ERROR;
    int flags = fcntl(STDERR_FILENO, F_GETFL);
    say("HOST-STDERR nonblock=%s", flags >= 0 && (flags & O_NONBLOCK) ? "yes" : "no");
    close(STDERR_FILENO);
    waitpid(drain, NULL, 0);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

/* set-nonblock FD: O_NONBLOCK on descriptor FD's file description (F_SETFL). */
static void cmd_set_nonblock(const struct step *s)
{
    long fd;
    if (!parse_long(s->argv[1], &fd) || fd < 0) {
        error(s, "bad fd '%s'", s->argv[1]);
        return;
    }
    int flags = fcntl((int)fd, F_GETFL);
    if (flags < 0) {
        error(s, "fd %ld: %s", fd, errno_name(errno));
        return;
    }
    outcome(s, fcntl((int)fd, F_SETFL, flags | O_NONBLOCK), NULL);
}

const struct command net_commands[] = {
    {"tcp-connect", 2, 2, "ADDR PORT  (reports the listener's reply line)", cmd_tcp_connect},
    {"udp-send", 2, 2, "ADDR PORT", cmd_udp_send},
    {"unix-connect", 1, 1, "PATH", cmd_unix_connect},
    {"abstract-connect", 1, 1, "NAME  (without the leading NUL)", cmd_abstract_connect},
    {"abstract-listen", 2, 2, "NAME REPLY  (host side: serves until stdin closes)", cmd_abstract_listen},
    {"serve", 3, 3, "ADDR PORT REPLY  (test side: TCP answering HTTP with REPLY, UDP; reports SEEN lines)", cmd_serve},
    {"interfaces", 0, 0, "(network interfaces visible)", cmd_interfaces},
    {"ifconf", 1, 1, "FD|pair  (SIOCGIFCONF through descriptor FD, or a new AF_UNIX socketpair)", cmd_ifconf},
    {"abstract-bind", 1, 2, "NAME [FD]  (bind a new stream socketpair end, or descriptor FD, to the abstract NAME)", cmd_abstract_bind},
    {"set-nonblock", 1, 1, "FD  (O_NONBLOCK on its file description)", cmd_set_nonblock},
    {"autobind", 0, 0, "(seqpacket socketpair, SO_PASSCRED, send: the kernel's autobind name)", cmd_autobind},
    {NULL, 0, 0, NULL, NULL},
};
