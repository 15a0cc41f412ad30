/* tty_relay: a server never gets the host's terminal. Hosts give pipes, and those pass through untouched; but a person
 * who runs `mcp-contain run` in a shell gives the server the terminal itself as stdin, stdout and stderr, and with it
 * the terminal's control sequences (OSC 52 sets the clipboard the user pastes into a shell, OSC titles, old emulator
 * bugs) and its ioctls (modes, window size; TIOCSTI is denied by seccomp). Each of fds 0-2 that is a terminal is
 * replaced, for init and the server, by a pipe the supervisor relays: input as read (the terminal still edits lines),
 * output with every control character but tab, newline and carriage return shown as text (ESC as ^[, U+0080-U+009F
 * as \u0080-\u009f, a byte outside well-formed UTF-8 as \xNN: a lone 0x9b is CSI to an 8-bit terminal), so no
 * sequence reaches the terminal. */
#include "helper.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TTY_READ_MAX 65536
/* What one read can become: 4 bytes for each byte (\\xNN), a held sequence of 3 flushed first, and a spare. */
#define TTY_OUT_MAX (4 * TTY_READ_MAX + 64)

void tty_relay_prepare(struct tty_relay *t)
{
    memset(t, 0, sizeof *t);
    for (int fd = 0; fd < 3; fd++) {
        t->server_end[fd] = t->relay_end[fd] = t->term_fd[fd] = -1;
        if (!isatty(fd))
            continue;
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
            die_errno("pipe for the terminal relay");
        t->server_end[fd] = fd == 0 ? p[0] : p[1];
        t->relay_end[fd] = fd == 0 ? p[1] : p[0];
        t->active = true;
    }
}

/* In init, before anything else: the server's stdio become the pipes. */
void tty_relay_child(const struct tty_relay *t)
{
    for (int fd = 0; fd < 3; fd++) {
        if (t->server_end[fd] < 0)
            continue;
        if (dup2(t->server_end[fd], fd) < 0) /* dup2 clears O_CLOEXEC on FD */
            _exit(EXIT_CONTAIN_FAILED);
        close(t->server_end[fd]);
        close(t->relay_end[fd]);
    }
}

/* In the supervisor, after init is started: only the relay's ends stay here. */
void tty_relay_parent(struct tty_relay *t)
{
    for (int fd = 0; fd < 3; fd++) {
        if (t->server_end[fd] >= 0)
            close(t->server_end[fd]);
        t->server_end[fd] = -1;
        if (t->relay_end[fd] >= 0 && fd == 0)
            fcntl(t->relay_end[fd], F_SETFL, O_NONBLOCK);
        if (t->relay_end[fd] >= 0 && fd > 0) {
            /* The supervisor must never wait on the terminal (a terminal that takes nothing, output stopped with
             * Ctrl-S, would stop it watching the home and the host): writes go to the terminal reopened with
             * O_NONBLOCK, a file description of its own, so the shell's stays as it was. While output is pending the
             * server's pipe is not read, so the server waits instead. */
            char path[32];
            snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
            t->term_fd[fd] = open(path, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
            t->pend[fd] = malloc(TTY_OUT_MAX);
            if (!t->pend[fd])
                die("out of memory for the terminal relay");
        }
    }
}

/* Writes what is pending to the terminal as far as it takes it now. A terminal that could not be reopened (a pty
 * the launcher's user may not open: a root shell's, through runuser) is written with O_NONBLOCK set on the shared
 * description for that one write only. An error (the terminal is gone) drops what is pending. */
static void flush_some(struct tty_relay *t, int fd)
{
    int out = t->term_fd[fd] >= 0 ? t->term_fd[fd] : fd;
    int restore = -1;
    if (t->term_fd[fd] < 0) {
        int fl = fcntl(fd, F_GETFL);
        if (fl >= 0 && !(fl & O_NONBLOCK) && fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0)
            restore = fl;
    }
    while (t->pend_off[fd] < t->pend_len[fd]) {
        ssize_t w = write(out, t->pend[fd] + t->pend_off[fd], t->pend_len[fd] - t->pend_off[fd]);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno == EAGAIN)
            break;
        if (w <= 0) {
            t->pend_off[fd] = t->pend_len[fd];
            break;
        }
        t->pend_off[fd] += (size_t)w;
    }
    if (restore >= 0)
        fcntl(fd, F_SETFL, restore);
    if (t->pend_off[fd] >= t->pend_len[fd])
        t->pend_len[fd] = t->pend_off[fd] = 0;
}

/* The same, waiting until the terminal has taken all of it (the server has ended: nothing else to watch). */
static void flush_all(struct tty_relay *t, int fd)
{
    while (t->pend_len[fd]) {
        struct pollfd p = {.fd = t->term_fd[fd] >= 0 ? t->term_fd[fd] : fd, .events = POLLOUT};
        if (poll(&p, 1, -1) < 0 && errno != EINTR)
            break;
        flush_some(t, fd);
    }
}

/* Length of the UTF-8 sequence LEAD starts (0: LEAD starts none), and whether C may be its second byte (no overlong
 * form, no surrogate, nothing above U+10FFFF). */
static size_t utf8_length(unsigned char lead)
{
    return lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
}

static bool utf8_second(unsigned char lead, unsigned char c)
{
    unsigned char lo = lead == 0xe0 ? 0xa0 : lead == 0xf0 ? 0x90 : 0x80;
    unsigned char hi = lead == 0xed ? 0x9f : lead == 0xf4 ? 0x8f : 0xbf;
    return c >= lo && c <= hi;
}

/* A byte that is no part of well-formed UTF-8, as text: a lone 0x9b is CSI to a terminal in an 8-bit mode. */
static size_t show_invalid(char *out, unsigned char b)
{
    static const char hex[] = "0123456789abcdef";
    out[0] = '\\';
    out[1] = 'x';
    out[2] = hex[b >> 4];
    out[3] = hex[b & 15];
    return 4;
}

/* Copies IN to the terminal FD with every control character shown as text: C0 and DEL as ^X, C1 (U+0080-U+009F,
 * encoded as UTF-8) as \u0080-\u009f, and every byte that is not part of well-formed UTF-8 (a lone 0x80-0x9f, an
 * overlong C1) as \xNN. An incomplete sequence that ends a read is held back until the next one, so a control split
 * across two writes is still caught. */
static void show(struct tty_relay *t, int fd, const unsigned char *in, size_t len)
{
    char *out = t->pend[fd] + t->pend_len[fd];
    size_t n = 0;
    unsigned char *held = t->held[fd];
    for (size_t i = 0; i < len; i++) {
        unsigned char c = in[i];
        if (t->held_len[fd]) {
            size_t want = utf8_length(held[0]);
            bool ok = t->held_len[fd] == 1 ? utf8_second(held[0], c) : (c >= 0x80 && c <= 0xbf);
            if (ok) {
                held[t->held_len[fd]++] = c;
                if (t->held_len[fd] == want) {
                    if (held[0] == 0xc2 && held[1] <= 0x9f) {
                        n += (size_t)snprintf(out + n, 7, "\\u%04x", held[1]);
                    } else {
                        memcpy(out + n, held, want);
                        n += want;
                    }
                    t->held_len[fd] = 0;
                }
                continue;
            }
            for (size_t h = 0; h < t->held_len[fd]; h++)
                n += show_invalid(out + n, held[h]);
            t->held_len[fd] = 0; /* and C starts afresh */
        }
        if (c >= 0x80) {
            if (utf8_length(c)) {
                held[0] = c;
                t->held_len[fd] = 1;
            } else {
                n += show_invalid(out + n, c);
            }
        } else if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
            out[n++] = '^';
            out[n++] = (char)(c == 0x7f ? '?' : c + 0x40);
        } else {
            out[n++] = (char)c;
        }
    }
    t->pend_len[fd] += n;
}

int tty_relay_pollfds(struct tty_relay *t, struct pollfd *fds)
{
    int n = 0;
    for (int fd = 0; fd < 3; fd++) {
        if (fd == 0) {
            /* The terminal is read only while the pipe has room for what was read. */
            bool pending = t->in_len > 0;
            fds[n++] = (struct pollfd){.fd = t->relay_end[0] >= 0 && !pending && !t->in_eof ? STDIN_FILENO : -1,
                                       .events = POLLIN};
            fds[n++] = (struct pollfd){.fd = t->relay_end[0] >= 0 && (pending || t->in_eof) ? t->relay_end[0] : -1,
                                       .events = POLLOUT};
        } else if (t->pend_len[fd]) {
            fds[n++] = (struct pollfd){.fd = t->term_fd[fd] >= 0 ? t->term_fd[fd] : fd, .events = POLLOUT};
        } else {
            fds[n++] = (struct pollfd){.fd = t->relay_end[fd], .events = POLLIN};
        }
    }
    return n;
}

/* After poll: moves what is ready. Returns true when the terminal's input ended (the host's stdin closed). */
bool tty_relay_step(struct tty_relay *t, const struct pollfd *fds)
{
    bool input_ended = false;
    if (fds[0].fd >= 0 && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
        ssize_t r = read(STDIN_FILENO, t->in, sizeof t->in);
        if (r > 0)
            t->in_len = (size_t)r;
        else if (r == 0 || (errno != EINTR && errno != EAGAIN))
            t->in_eof = true;
    }
    if (fds[1].fd >= 0 && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
        if (t->in_len) {
            ssize_t w = write(t->relay_end[0], t->in + t->in_off, t->in_len - t->in_off);
            if (w > 0)
                t->in_off += (size_t)w;
            else if (w < 0 && errno != EAGAIN && errno != EINTR)
                t->in_eof = true; /* the server closed its stdin: nothing more to pass */
            if (t->in_off >= t->in_len)
                t->in_len = t->in_off = 0;
        }
        if (t->in_eof && !t->in_len) {
            close(t->relay_end[0]);
            t->relay_end[0] = -1;
            input_ended = true;
        }
    }
    for (int fd = 1; fd < 3; fd++) {
        if (fds[fd + 1].fd < 0 || !(fds[fd + 1].revents & (POLLIN | POLLOUT | POLLHUP | POLLERR | POLLNVAL)))
            continue;
        if (fds[fd + 1].events == POLLOUT)
            flush_some(t, fd);
        else
            tty_relay_drain(t, fd, false);
    }
    return input_ended;
}

/* Shows what the server wrote on FD (1 or 2); ALL: until the pipe is empty (the server has ended), waiting for the
 * terminal. Otherwise one read, shown as far as the terminal takes it now (called only with nothing pending). */
void tty_relay_drain(struct tty_relay *t, int fd, bool all)
{
    if (all)
        flush_all(t, fd);
    if (t->relay_end[fd] >= 0) {
        if (all)
            fcntl(t->relay_end[fd], F_SETFL, O_NONBLOCK);
        unsigned char buf[TTY_READ_MAX];
        for (;;) {
            ssize_t r = read(t->relay_end[fd], buf, sizeof buf);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0) {
                if (r == 0 || errno != EAGAIN) {
                    close(t->relay_end[fd]);
                    t->relay_end[fd] = -1;
                }
                break;
            }
            show(t, fd, buf, (size_t)r);
            if (!all) {
                flush_some(t, fd);
                break;
            }
            flush_all(t, fd);
        }
    }
    if (t->relay_end[fd] < 0 && t->held_len[fd] && t->pend[fd]) {
        for (size_t h = 0; h < t->held_len[fd]; h++)
            t->pend_len[fd] += show_invalid(t->pend[fd] + t->pend_len[fd], t->held[fd][h]);
        t->held_len[fd] = 0;
        if (all)
            flush_all(t, fd);
        else
            flush_some(t, fd);
    }
    if (all && t->term_fd[fd] >= 0) {
        close(t->term_fd[fd]);
        t->term_fd[fd] = -1;
    }
}
