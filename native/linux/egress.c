/* The in-sandbox end of an outbound allow-list (mechanism only: every decision is the launcher's proxy's).
 *
 * Run by init inside the server's network namespace, before the server starts:
 *   - brings lo up and routes every IPv4 and IPv6 destination to it ("local 0.0.0.0/0 dev lo", "local ::/0"), so
 *     nothing can leave and every TCP connect lands on a local listener (or is refused);
 *   - binds 127.0.0.1:PROXY_PORT (relayed to the unix socket byte for byte: HTTP CONNECT, plain HTTP, SOCKS5),
 *     0.0.0.0:PORT for each captured port, and the DNS stub on 0.0.0.0:53/udp;
 *   - forks the bridge, which gives up every privilege (agent identity, no capabilities, not dumpable, seccomp)
 *     and then serves:
 *       DNS: asks the proxy "MCPCONTAIN-DNS name"; a covered name gets a fake address from 198.18.0.0/15 (one
 *            per name), anything else NXDOMAIN. Queries never leave the sandbox.
 *       captured connects: getsockname() gives the original destination; a fake address becomes the name the
 *            stub handed out, any other address stays itself; the proxy is asked to CONNECT there and decides.
 * Each TCP connection is relayed by a child process of its own. */
#include "helper.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define FAKE_BASE 0xC6120000u /* 198.18.0.0/15 (RFC 2544 benchmarking): never a real destination */
#define MAX_NAMES 4096
#define MAX_DENIED 1024
#define MAX_LISTENERS 130

static char names[MAX_NAMES][256];
static size_t n_names;
static char denied[MAX_DENIED][256];
static size_t n_denied;

static void lo_up(void)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        die_errno("egress: socket");
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "lo");
    if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
        die_errno("egress: reading lo's flags");
    ifr.ifr_flags |= IFF_UP;
    if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
        die_errno("egress: bringing lo up");
    close(s);
}

/* "ip route add local 0.0.0.0/0 dev lo table local" (or ::/0): every destination of FAMILY is this host.
 * Returns 0, or -1 with errno for IPv6 (a kernel without it is no failure: nothing can leave by v6 anyway). */
static int route_all_to_lo(int family)
{
    struct {
        struct nlmsghdr nh;
        struct rtmsg rt;
        char attrs[64];
    } req;
    memset(&req, 0, sizeof req);
    req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
    req.nh.nlmsg_type = RTM_NEWROUTE;
    req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
    req.nh.nlmsg_seq = 1;
    req.rt.rtm_family = (unsigned char)family;
    req.rt.rtm_dst_len = 0;
    req.rt.rtm_table = RT_TABLE_LOCAL;
    req.rt.rtm_protocol = RTPROT_BOOT;
    req.rt.rtm_scope = RT_SCOPE_HOST;
    req.rt.rtm_type = RTN_LOCAL;
    unsigned ifindex = if_nametoindex("lo");
    if (!ifindex)
        die_errno("egress: lo");
    struct rtattr *a = (struct rtattr *)((char *)&req + NLMSG_ALIGN(req.nh.nlmsg_len));
    a->rta_type = RTA_OIF;
    a->rta_len = RTA_LENGTH(sizeof ifindex);
    memcpy(RTA_DATA(a), &ifindex, sizeof ifindex);
    req.nh.nlmsg_len = NLMSG_ALIGN(req.nh.nlmsg_len) + RTA_ALIGN(a->rta_len);

    int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (s < 0)
        die_errno("egress: netlink socket");
    struct sockaddr_nl to = {.nl_family = AF_NETLINK};
    if (sendto(s, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&to, sizeof to) < 0)
        die_errno("egress: sending the route");
    char buf[4096];
    ssize_t n = recv(s, buf, sizeof buf, 0);
    if (n < 0)
        die_errno("egress: netlink reply");
    struct nlmsghdr *h = (struct nlmsghdr *)buf;
    if (!NLMSG_OK(h, (unsigned)n) || h->nlmsg_type != NLMSG_ERROR)
        die("egress: unexpected netlink reply");
    int err = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
    close(s);
    if (err) {
        errno = -err;
        if (family == AF_INET6)
            return -1;
        die_errno("egress: adding the local default route");
    }
    return 0;
}

/* [::]:PORT, IPv6 only (IPv4 has its own listener); -1 where the kernel has no IPv6. */
static int listen_on6(int port)
{
    int s = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return -1;
    int one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port), .sin6_addr = IN6ADDR_ANY_INIT};
    if (bind(s, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(s, 128) < 0)
        die_errno("egress: binding [::]:%d", port);
    return s;
}

static int listen_on(int type, uint32_t addr, int port)
{
    int s = socket(AF_INET, type | SOCK_CLOEXEC, 0);
    if (s < 0)
        die_errno("egress: socket");
    int one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(addr)};
    if (bind(s, (struct sockaddr *)&sa, sizeof sa) < 0)
        die_errno("egress: binding port %d", port);
    if (type == SOCK_STREAM && listen(s, 128) < 0)
        die_errno("egress: listening on port %d", port);
    if (type == SOCK_DGRAM && setsockopt(s, IPPROTO_IP, IP_PKTINFO, &one, sizeof one) < 0)
        die_errno("egress: IP_PKTINFO");
    return s;
}

static int proxy_connect(const char *path)
{
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return -1;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof sa.sun_path) {
        close(s);
        return -1;
    }
    strcpy(sa.sun_path, path);
    if (connect(s, (struct sockaddr *)&sa, sizeof sa) < 0) {
        close(s);
        return -1;
    }
    return s;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Sends REQUEST, reads the response head; true for a 200. Bytes past the head are left unread: the proxy sends
 * nothing after its 200 before the destination speaks. */
static bool proxy_ask(int s, const char *request)
{
    if (write_all(s, request, strlen(request)) < 0)
        return false;
    char head[1024];
    size_t n = 0;
    while (n + 1 < sizeof head) {
        ssize_t r = read(s, head + n, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        n++;
        if (n >= 4 && !memcmp(head + n - 4, "\r\n\r\n", 4))
            break;
    }
    head[n] = '\0';
    return !strncmp(head, "HTTP/1.1 200", 12) || !strncmp(head, "HTTP/1.0 200", 12);
}

/* Copies both ways until each direction has ended; a direction's EOF becomes a shutdown of the other side. */
static void splice_both(int a, int b)
{
    static char buf[2][65536];
    bool open_in[2] = {true, true};
    int fds[2] = {a, b};
    while (open_in[0] || open_in[1]) {
        struct pollfd p[2] = {{.fd = open_in[0] ? a : -1, .events = POLLIN}, {.fd = open_in[1] ? b : -1, .events = POLLIN}};
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        for (int i = 0; i < 2; i++) {
            if (!open_in[i] || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            ssize_t r = read(fds[i], buf[i], sizeof buf[i]);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0) {
                open_in[i] = false;
                shutdown(fds[1 - i], SHUT_WR);
                if (r < 0)
                    return;
                continue;
            }
            if (write_all(fds[1 - i], buf[i], (size_t)r) < 0)
                return;
        }
    }
}

/* A refused captured connection is reset, not closed: the client sees ECONNRESET, never a clean empty reply. */
static void reset(int fd)
{
    struct linger l = {.l_onoff = 1, .l_linger = 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    close(fd);
}

static void __attribute__((noreturn)) relay(const struct plan *plan, int client, bool captured)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    int up = proxy_connect(plan->net_proxy);
    if (up < 0) {
        reset(client);
        _exit(1);
    }
    if (captured) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof ss;
        if (getsockname(client, (struct sockaddr *)&ss, &len) < 0 || (ss.ss_family != AF_INET && ss.ss_family != AF_INET6)) {
            reset(client);
            _exit(1);
        }
        char target[300], request[700];
        struct sockaddr_in dst = {0};
        if (ss.ss_family == AF_INET)
            memcpy(&dst, &ss, sizeof dst);
        uint32_t ip = ntohl(dst.sin_addr.s_addr);
        int port = ntohs(dst.sin_port);
        if (ss.ss_family == AF_INET6) {
            struct sockaddr_in6 *d6 = (struct sockaddr_in6 *)&ss;
            char text[INET6_ADDRSTRLEN];
            inet_ntop(AF_INET6, &d6->sin6_addr, text, sizeof text);
            snprintf(target, sizeof target, "[%s]:%d", text, ntohs(d6->sin6_port));
        } else if ((ip & 0xFFFE0000u) == FAKE_BASE) {
            uint32_t index = ip - FAKE_BASE - 1;
            if (ip == FAKE_BASE || index >= n_names) {
                reset(client);
                _exit(1);
            }
            snprintf(target, sizeof target, "%s:%d", names[index], port);
        } else {
            char text[INET_ADDRSTRLEN];
            inet_ntop(AF_INET, &dst.sin_addr, text, sizeof text);
            snprintf(target, sizeof target, "%s:%d", text, port);
        }
        snprintf(request, sizeof request, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n", target, target);
        if (!proxy_ask(up, request)) {
            reset(client);
            _exit(0);
        }
    }
    splice_both(client, up);
    _exit(0);
}

static bool name_char_ok(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* QNAME at P (uncompressed) into OUT as lower-case dotted text; returns the offset after it, or 0. */
static size_t read_qname(const unsigned char *msg, size_t len, size_t p, char *out, size_t outsize)
{
    size_t o = 0;
    for (;;) {
        if (p >= len)
            return 0;
        unsigned l = msg[p++];
        if (l == 0)
            break;
        if (l > 63 || p + l > len || o + l + 2 > outsize)
            return 0;
        if (o)
            out[o++] = '.';
        for (unsigned i = 0; i < l; i++) {
            unsigned char c = msg[p + i];
            if (c >= 'A' && c <= 'Z')
                c = (unsigned char)(c - 'A' + 'a');
            out[o++] = (char)c;
        }
        p += l;
    }
    out[o] = '\0';
    return p;
}

/* Whether NAME may be handed out: cached, else asked of the proxy once. Returns its index + 1, or 0. */
static size_t name_allowed(const struct plan *plan, const char *name)
{
    for (size_t i = 0; i < n_names; i++)
        if (!strcmp(names[i], name))
            return i + 1;
    for (size_t i = 0; i < n_denied; i++)
        if (!strcmp(denied[i], name))
            return 0;
    for (const char *c = name; *c; c++)
        if (*c != '.' && !name_char_ok((unsigned char)*c))
            return 0;
    int s = proxy_connect(plan->net_proxy);
    if (s < 0)
        return 0;
    struct timeval tv = {.tv_sec = 5};
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char request[400];
    snprintf(request, sizeof request, "MCPCONTAIN-DNS %s HTTP/1.1\r\n\r\n", name);
    bool ok = proxy_ask(s, request);
    close(s);
    if (!ok) {
        if (n_denied < MAX_DENIED)
            strcpy(denied[n_denied++], name);
        return 0;
    }
    if (n_names >= MAX_NAMES)
        return 0;
    strcpy(names[n_names++], name);
    return n_names;
}

static void serve_dns(const struct plan *plan, int s)
{
    unsigned char msg[1500], reply[1600];
    char control[256];
    struct sockaddr_in from;
    struct iovec iov = {.iov_base = msg, .iov_len = sizeof msg};
    struct msghdr mh = {.msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = control, .msg_controllen = sizeof control};
    ssize_t n = recvmsg(s, &mh, 0);
    if (n < 12)
        return;
    struct in_pktinfo *info = NULL;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO)
            info = (struct in_pktinfo *)CMSG_DATA(c);
    size_t len = (size_t)n;
    if ((msg[2] & 0x80) || ((msg[2] >> 3) & 0xf) != 0 || msg[4] != 0 || msg[5] != 1)
        return; /* only standard queries with one question are answered */
    char name[256];
    size_t q = read_qname(msg, len, 12, name, sizeof name);
    if (!q || q + 4 > len)
        return;
    unsigned qtype = (unsigned)(msg[q] << 8 | msg[q + 1]);
    unsigned qclass = (unsigned)(msg[q + 2] << 8 | msg[q + 3]);
    size_t qend = q + 4;
    size_t index = name[0] && qclass == 1 ? name_allowed(plan, name) : 0;
    memcpy(reply, msg, qend);
    reply[2] = (unsigned char)(0x80 | (msg[2] & 0x01)); /* response, opcode 0, copy RD */
    reply[3] = (unsigned char)(0x80 | (index ? 0 : 3)); /* RA; NOERROR or NXDOMAIN */
    memset(reply + 6, 0, 6);                             /* no answers, authority or additional yet */
    size_t out = qend;
    if (index && qtype == 1) {
        uint32_t ip = htonl(FAKE_BASE + (uint32_t)index);
        const unsigned char answer[12] = {0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4};
        memcpy(reply + out, answer, sizeof answer);
        memcpy(reply + out + 12, &ip, 4);
        out += 16;
        reply[7] = 1;
    }
    char cbuf[CMSG_SPACE(sizeof(struct in_pktinfo))];
    struct iovec oiov = {.iov_base = reply, .iov_len = out};
    struct msghdr om = {.msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &oiov, .msg_iovlen = 1};
    if (info) {
        /* Answer from the address the query was sent to: any nameserver address reaches this stub. */
        memset(cbuf, 0, sizeof cbuf);
        om.msg_control = cbuf;
        om.msg_controllen = sizeof cbuf;
        struct cmsghdr *c = CMSG_FIRSTHDR(&om);
        c->cmsg_level = IPPROTO_IP;
        c->cmsg_type = IP_PKTINFO;
        c->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
        struct in_pktinfo pi = {.ipi_spec_dst = info->ipi_addr};
        memcpy(CMSG_DATA(c), &pi, sizeof pi);
    }
    sendmsg(s, &om, 0);
}

static void __attribute__((noreturn)) bridge(const struct plan *plan, int *fds, bool *captured, size_t nfds, int dns)
{
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
        _exit(1);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    struct sigaction sa = {.sa_handler = SIG_IGN, .sa_flags = SA_NOCLDWAIT};
    sigaction(SIGCHLD, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* From here on nothing privileged: the agent identity (root launcher), no capabilities, no new privileges, the
     * server's own seccomp filter. Dumpable, so that a user's supervisor may count what it holds (homeSize stops a
     * run with a process it may not examine); the server, same uid, still cannot read or write its memory: ptrace,
     * process_vm_* and pidfd_getfd are denied by that filter, and Landlock refuses /proc/PID/mem and the like of a
     * process outside the server's domain (this one has none). */
    identity_drop(plan);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        _exit(1);
    seccomp_apply(plan);
    note(plan, 1, "egress bridge ready: %zu listeners, DNS stub on port %d", nfds, plan->net_dns_port);
    struct pollfd p[MAX_LISTENERS + 1];
    for (;;) {
        for (size_t i = 0; i < nfds; i++)
            p[i] = (struct pollfd){.fd = fds[i], .events = POLLIN};
        p[nfds] = (struct pollfd){.fd = dns, .events = POLLIN};
        if (poll(p, nfds + 1, -1) < 0) {
            if (errno == EINTR)
                continue;
            _exit(1);
        }
        if (p[nfds].revents & POLLIN)
            serve_dns(plan, dns);
        for (size_t i = 0; i < nfds; i++) {
            if (!(p[i].revents & POLLIN))
                continue;
            int c = accept4(fds[i], NULL, NULL, SOCK_CLOEXEC);
            if (c < 0)
                continue;
            pid_t child = fork();
            if (child == 0) {
                for (size_t j = 0; j < nfds; j++)
                    close(fds[j]);
                close(dns);
                relay(plan, c, captured[i]);
            }
            close(c);
        }
    }
}

void egress_start(const struct plan *plan)
{
    if (!plan->net_proxy_port || !plan->net_dns_port)
        die("egress: the plan names a proxy without its port or DNS port");
    lo_up();
    route_all_to_lo(AF_INET);
    bool v6 = route_all_to_lo(AF_INET6) == 0;
    int fds[MAX_LISTENERS];
    bool captured[MAX_LISTENERS];
    size_t nfds = 0;
    fds[nfds] = listen_on(SOCK_STREAM, INADDR_LOOPBACK, plan->net_proxy_port);
    captured[nfds++] = false;
    for (size_t i = 0; i < plan->n_net_capture && nfds < MAX_LISTENERS; i++) {
        fds[nfds] = listen_on(SOCK_STREAM, INADDR_ANY, plan->net_capture[i]);
        captured[nfds++] = true;
        int s6 = v6 && nfds < MAX_LISTENERS ? listen_on6(plan->net_capture[i]) : -1;
        if (s6 >= 0) {
            fds[nfds] = s6;
            captured[nfds++] = true;
        }
    }
    int dns = listen_on(SOCK_DGRAM, INADDR_ANY, plan->net_dns_port);
    pid_t child = fork();
    if (child < 0)
        die_errno("egress: fork");
    if (child == 0)
        bridge(plan, fds, captured, nfds, dns);
    for (size_t i = 0; i < nfds; i++)
        close(fds[i]);
    close(dns);
    note(plan, 1, "egress bridge started (pid %d)", child);
}
