/* Three processes, so that nothing the server does can outlive the launcher:
 *
 *   supervisor   the process the host started; forwards signals, watches stdin for hang-up and the host itself
 *                (parent.c), returns the exit code; removes the run's cgroups on every way out, die() included,
 *                killing what is still in them first; without a pid namespace also a subreaper, which kills
 *                whatever init left behind (init OOM-killed)
 *     init       namespaces mode: PID 1 of the server's pid namespace (when it exits, the kernel kills every
 *                process in the namespace, double-forked daemons included); other modes: a child subreaper that
 *                kills every descendant before it exits. Dies with the supervisor (PDEATHSIG).
 *       server   setsid, rlimits, identity, NO_NEW_PRIVS, fds > 2 closed, Landlock, seccomp last, execve.
 *       guard    with protected writable grants only: forked by the server before its own Landlock layer and
 *                reparented to init; carries out the calls that name new entries (create_guard.c).
 *
 * The server's stdio are the supervisor's own fds 0-2, passed through untouched: no byte is copied. */
#include "helper.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* How often the supervisor looks at the home's size while the server runs (see home.c and README: a server can
 * overshoot homeSize by what it writes in this time, then it is stopped). */
#define HOME_CHECK_MS 250

/* Sent to init when the supervisor dies, in modes without a pid namespace to do the killing. */
#define PARENT_DIED (SIGRTMIN + 2)

/* Root launcher with own-userns: the server says "unshared" on the first pipe, init answers "mapped" on the second. */
static int userns_ready[2] = {-1, -1}, userns_mapped[2] = {-1, -1};

/* Every catchable signal whose default would end the supervisor without cleaning up is caught and forwarded: the
 * server ends by it, and the supervisor then removes the run's cgroups (SIGPIPE is ignored, see main.c). */
static const int forwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGALRM, SIGVTALRM,
                                SIGPROF, SIGIO, SIGPWR, SIGXCPU, SIGXFSZ, SIGSTKFLT};

static sigset_t handled_signals(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, PARENT_DIED);
    for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
        sigaddset(&set, forwarded[i]);
    return set;
}

static int exit_code(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return EXIT_CONTAIN_FAILED;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void reset_signals(void)
{
    sigset_t none;
    sigemptyset(&none);
    signal(SIGPIPE, SIG_DFL);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

static void close_range_from(unsigned first)
{
    if (syscall(SYS_close_range, first, ~0U, 0) == 0)
        return;
    for (int fd = (int)first; fd < 65536; fd++)
        close(fd);
}

static void __attribute__((noreturn)) server_exec(const struct plan *plan, pid_t init_pid)
{
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != init_pid)
        _exit(EXIT_CONTAIN_FAILED);
    reset_signals();
    if (setsid() < 0)
        die_errno("setsid");
    stdio_pipes_own(plan); /* before any identity or namespace change: the pipes are the launcher's */
    ipc_limits_nested(plan); /* user launcher: before the other namespace steps, so that every later step sees the nested namespaces (ipc.c) */
    rlimits_apply(plan, false); /* before the user namespace: raising a hard limit needs CAP_SYS_RESOURCE on the host */
    userns_enter_own(plan, userns_ready[1], userns_mapped[0]);
    rlimits_apply(plan, true); /* the per-user counters' limits, lowered inside it (see limits.c) */
    userns_apply_limits(plan);
    identity_drop(plan);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        die_errno("setting no_new_privs");
    if (plan->cwd && chdir(plan->cwd) < 0)
        die_errno("changing to %s", plan->cwd);
    close_range_from(3);
    stdio_sockets_claim(plan); /* a host's socketpair on stdio: bound once, so the server cannot name it */
    landlock_apply_islands(plan); /* first: the create guard carries out links and renames, and must be held too */
    if (plan->guard_filter_len) {
        landlock_apply_guard_layer(plan);
        create_guard_fork(plan);
    }
    landlock_apply(plan);
    seccomp_apply(plan);
    create_guard_attach(plan); /* after the main filter: its refusals come first */
    execve(plan->exec_path, plan->argv, plan->envp);
    int err = errno;
    char msg[512];
    int n = snprintf(msg, sizeof msg, "mcp-contain: cannot run %s: %s\n", plan->exec_path, strerror(err));
    ssize_t ignored = write(STDERR_FILENO, msg, (size_t)n);
    (void)ignored;
    _exit(err == ENOENT ? EXIT_NOT_FOUND : EXIT_NOT_EXECUTABLE);
}

/* Without a pid namespace: every process below us was reparented to us (we are a subreaper: init, and the
 * supervisor for what init leaves behind). */
static void kill_descendants(void)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/children", getpid());
    for (int round = 0; round < 10000; round++) {
        while (waitpid(-1, NULL, WNOHANG) > 0)
            ;
        FILE *f = fopen(path, "re");
        if (!f)
            return;
        int pid, found = 0;
        while (fscanf(f, "%d", &pid) == 1) {
            kill(pid, SIGKILL);
            found++;
        }
        fclose(f);
        if (!found)
            return;
        struct timespec ts = {0, 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

static void __attribute__((noreturn)) run_init(struct plan *plan, int go_fd, uid_t outer_uid, gid_t outer_gid)
{
    bool pidns = plan->clone_flags & CLONE_NEWPID;
    if (prctl(PR_SET_PDEATHSIG, pidns ? SIGKILL : PARENT_DIED) < 0)
        die_errno("PR_SET_PDEATHSIG");
    if (plan->map_ids) {
        const char *failed;
        if (write_own_id_maps(outer_uid, outer_gid, &failed) < 0) {
            int err = errno;
            die("cannot set up the user namespace (writing %s: %s).%s%s", failed, strerror(err),
                plan->userns_hint ? " " : "", plan->userns_hint ? plan->userns_hint : "");
        }
    }
    if (plan->hostname && sethostname(plan->hostname, strlen(plan->hostname)) < 0)
        die_errno("sethostname");
    userns_open_sysctl_dir(plan);
    ipc_open_sysctl_dir(plan);
    ipc_limits_as_owner(plan); /* root launcher: init owns the server's IPC namespace (ipc.c) */
    if (plan->mode == MODE_NAMESPACES) {
        mounts_capture_sources(plan);
        mounts_build_root(plan);
    } else if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
        die_errno("PR_SET_CHILD_SUBREAPER");
    }

    /* Only now must we be inside the cgroups: the server is forked next. Waiting here rather than first lets the
     * supervisor's cgroup attach (an RCU grace period on cgroup v1, ~20 ms) overlap the namespace set-up. */
    char go;
    if (read(go_fd, &go, 1) != 1)
        _exit(EXIT_CONTAIN_FAILED); /* the supervisor is gone, or could not place us in the cgroup */
    close(go_fd);
    if (plan->net_proxy)
        egress_start(plan);

    sigset_t set = handled_signals();
    int sigfd = signalfd(-1, &set, SFD_CLOEXEC);
    if (sigfd < 0)
        die_errno("signalfd");
    pid_t self = getpid();
    if (plan->own_userns && (pipe2(userns_ready, O_CLOEXEC) < 0 || pipe2(userns_mapped, O_CLOEXEC) < 0))
        die_errno("pipe");
    pid_t server = fork();
    if (server < 0)
        die_errno("fork");
    if (server == 0)
        server_exec(plan, self);
    if (plan->own_userns) {
        char c;
        close(userns_ready[1]);
        close(userns_mapped[0]);
        if (read(userns_ready[0], &c, 1) == 1) {
            if (c == 'u')
                userns_write_maps_for(plan, server);
            c = 'm';
            if (write(userns_mapped[1], &c, 1) != 1)
                die_errno("releasing the server");
        }
        close(userns_ready[0]);
        close(userns_mapped[1]);
    }

    int code = EXIT_CONTAIN_FAILED;
    for (;;) {
        struct signalfd_siginfo si;
        ssize_t n = read(sigfd, &si, sizeof si);
        if (n != sizeof si) {
            if (n < 0 && errno == EINTR)
                continue;
            die_errno("reading signals");
        }
        int sig = (int)si.ssi_signo;
        if (sig == SIGCHLD) {
            int status;
            pid_t pid;
            bool server_done = false;
            while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
                if (pid == server) {
                    code = exit_code(status);
                    server_done = true;
                }
            }
            if (server_done)
                break;
        } else if (sig == PARENT_DIED) {
            kill_descendants();
            _exit(128 + SIGKILL);
        } else {
            kill(server, sig);
        }
    }
    if (!pidns)
        kill_descendants();
    _exit(code); /* as PID 1, our exit makes the kernel kill whatever is left in the namespace */
}

/* The home over its limit: said once on stderr, then the tree is stopped like any other end. Before the start
 * (INIT 0) the walk alone; while the server runs, the files of the home's filesystem that the run's processes hold
 * with no name left (held.c), looked at every time, plus the walk, repeated when WALK (the filesystem moved) or
 * when the held bytes changed. */
/* The last walk's result (-1: none yet), and the held bytes of the last look. */
static long long walked = -1, last_held = 0;

/* Whether the home may be over its limit by now, from the last measure and what its filesystem gained since. */
static bool home_maybe_over(const struct plan *plan)
{
    return walked < 0 || (unsigned long long)(walked + (last_held > 0 ? last_held : 0) + home_fs_growth()) > plan->home.limit;
}

static bool home_over_limit(const struct plan *plan, pid_t init, bool walk, const char *when)
{
    static bool confirming;
    static const char *walk_why;
    const char *held_why = NULL;
    long long held = 0;
    int mapped = 0;
    if (init > 0)
        held = held_unlinked_usage(plan, init, &held_why, &mapped);
    /* Held bytes that moved without a block moving are a file unlinked (or linked again) since the walk, which the
     * walk then counted by its name: walk again, or it would be counted twice. */
    if (walk || init <= 0 || walked < 0 || held != last_held) {
        home_fs_mark(); /* before the walk: what is written during it counts as growth */
        walked = home_usage(&walk_why);
    }
    last_held = held;
    bool held_cause = walked >= 0 && held < 0;
    const char *why = held_cause ? held_why : walk_why;
    long long used = walked < 0 || held < 0 ? -1 : walked + held;
    if (used >= 0 && (unsigned long long)used <= plan->home.limit)
        return false;
    /* Over, or not measurable: look once more before stopping, walk included, so that a file caught between the two
     * measures (linked again after the held look, an exit between reads) is not taken for data. */
    /* The walk alone over it needs no second look: what the confirmation guards against is a held file counted
     * twice, once held and once by a name it got back. (A second walk of a big home is seconds that a server
     * writing meanwhile turns into gigabytes.) */
    bool over_by_names = walked >= 0 && (unsigned long long)walked > plan->home.limit;
    if (init > 0 && !confirming && !over_by_names) {
        confirming = true;
        bool over = home_over_limit(plan, init, true, when);
        confirming = false;
        return over;
    }
    /* Stopped before it is said: stderr may be a terminal that takes nothing now (output stopped with Ctrl-S). */
    if (init > 0)
        kill(init, (plan->clone_flags & CLONE_NEWPID) ? SIGKILL : PARENT_DIED);
    if (used < 0 && held_cause)
        fprintf(stderr, "mcp-contain: the server's home %s/%s %s %s; it counts as over its homeSize (server stopped; %s)\n",
                plan->home.base, plan->home.name, why ? why : "cannot be measured", when,
                mapped == 2 ? "keep a descriptor open on a deleted file the server maps, or launch as root"
                : mapped ? "keep a descriptor open on a deleted file the server maps"
                         : "launch as root, whose supervisor may examine any process of the server");
    else if (used < 0)
        fprintf(stderr, "mcp-contain: the server's home %s/%s %s %s; it counts as over its homeSize (%s)\n",
                plan->home.base, plan->home.name, why ? why : "cannot be measured", when,
                *when == 'b' ? "restore the owner's permissions there (chmod -R u+rwx) or remove it"
                             : "server stopped; restore the owner's permissions there (chmod -R u+rwx) or remove it");
    else {
        char detail[128] = "";
        if (held > 0)
            snprintf(detail, sizeof detail, " (%lld of them in deleted files its processes still hold open or mapped)",
                     held);
        fprintf(stderr, "mcp-contain: the server's home %s/%s holds %lld bytes%s %s, over its homeSize of %llu bytes;"
                " %s\n", plan->home.base, plan->home.name, used, detail, when, plan->home.limit,
                *when == 'b' ? "free space there or raise limits.homeSize in the profile"
                             : "server stopped (free space there or raise limits.homeSize in the profile)");
    }
    return true;
}

/* How to end the whole tree from the supervisor: with a pid namespace, killing init kills every process in it; without
 * one, init must first kill the descendants it reaped as subreaper (PARENT_DIED does that). */
static void kill_tree(const struct plan *plan, pid_t init)
{
    kill(init, (plan->clone_flags & CLONE_NEWPID) ? SIGKILL : PARENT_DIED);
}

static struct plan *active_plan;
static pid_t active_init;

/* at_die: a refusal after the cgroups exist ends the tree, waits for init, and removes them. */
static void cleanup_on_die(void)
{
    if (active_init > 0) {
        kill_tree(active_plan, active_init);
        for (int i = 0; i < 200; i++) { /* init exits at once; bounded anyway (2 s) */
            pid_t r = waitpid(active_init, NULL, WNOHANG);
            if (r == active_init || (r < 0 && errno != EINTR))
                break;
            if (i == 100)
                kill(active_init, SIGKILL);
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
        if (!(active_plan->mode == MODE_NAMESPACES && (active_plan->clone_flags & CLONE_NEWPID)))
            kill_descendants();
    }
    cgroups_remove(active_plan);
}

int supervise(struct plan *plan, pid_t host, pid_t launcher)
{
    struct parent_watch watch;
    parent_watch_arm(&watch, host, launcher);
    home_prepare(plan);
    if (plan->home.limit && home_over_limit(plan, 0, true, "before the start"))
        _exit(EXIT_CONTAIN_FAILED);
    active_plan = plan;
    at_die(cleanup_on_die);
    cgroups_create(plan);
    if (plan->mode == MODE_NAMESPACES)
        mounts_prepare_idmaps(plan);
    uid_t outer_uid = getuid();
    gid_t outer_gid = getgid();

    sigset_t set = handled_signals();
    if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
        die_errno("sigprocmask");
    signal(SIGPIPE, SIG_IGN);
    int sigfd = signalfd(-1, &set, SFD_CLOEXEC);
    if (sigfd < 0)
        die_errno("signalfd");
    int go[2];
    if (pipe2(go, O_CLOEXEC) < 0)
        die_errno("pipe");

    struct tty_relay tty;
    tty_relay_prepare(&tty);
    if (tty.relay_end[0] >= 0)
        signal(SIGTTIN, SIG_IGN); /* in the background, reading the terminal is EIO (its end), not a stop */

    int flags = plan->mode == MODE_NAMESPACES ? plan->clone_flags : 0;
    /* Without a pid namespace, init is the tree's only hold on what the server forks: if init ends any other way than
     * by its own exit (the run's memory cgroup OOM-killed it, being the biggest task when the server keeps its memory
     * where no RSS shows it), the server's processes would be re-parented to the host's init and run on. As a
     * subreaper, the supervisor gets them instead, and kills them once init is gone (orphans_kill). */
    bool own_orphans = !(flags & CLONE_NEWPID);
    if (own_orphans && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
        die_errno("PR_SET_CHILD_SUBREAPER");
    pid_t init = (pid_t)syscall(SYS_clone, (unsigned long)flags | SIGCHLD, 0, 0, 0, 0);
    if (init < 0) {
        int err = errno;
        if (flags & CLONE_NEWUSER)
            die("cannot create the server's namespaces: %s.%s%s", strerror(err),
                plan->userns_hint ? " " : "", plan->userns_hint ? plan->userns_hint : "");
        die("cannot create the server's namespaces: %s", strerror(err));
    }
    if (init == 0) {
        tty_relay_child(&tty);
        close(go[1]);
        close(sigfd);
        if (watch.host_fd >= 0)
            close(watch.host_fd);
        if (watch.launcher_fd >= 0)
            close(watch.launcher_fd);
        run_init(plan, go[0], outer_uid, outer_gid);
    }
    active_init = init;
    tty_relay_parent(&tty);
    close(go[0]);
    cgroups_enter(plan, init);
    if (write(go[1], "g", 1) != 1)
        die_errno("starting init");
    close(go[1]);
    note(plan, 1, "server started (init pid %d)", init);

    /* Watch stdin only for hang-up (events 0): its data belongs to the server and is never read here (a terminal
     * is read by the relay, which sees its end). */
    bool watch_stdin = tty.relay_end[0] < 0;
    long long deadline = -1;
    int stage = 0;
    int code = EXIT_CONTAIN_FAILED;
    bool home_stopped = false, home_walked = false, home_moved = false;
    long long next_home_check = plan->home.limit ? now_ms() + HOME_CHECK_MS : -1, next_home_walk = -1;
    home_fs_changed();
    bool host_gone = false;
    for (;;) {
        struct pollfd fds[8] = {{.fd = sigfd, .events = POLLIN}, {.fd = watch_stdin ? STDIN_FILENO : -1, .events = 0},
                                {.fd = host_gone ? -1 : watch.host_fd, .events = POLLIN},
                                {.fd = host_gone ? -1 : watch.launcher_fd, .events = POLLIN}};
        int nfds = 4 + (tty.active ? tty_relay_pollfds(&tty, fds + 4) : 0);
        long long wake = deadline;
        if (next_home_check >= 0 && (wake < 0 || next_home_check < wake))
            wake = next_home_check;
        int timeout = wake < 0 ? -1 : (int)(wake - now_ms() > 0 ? wake - now_ms() : 0);
        if (!host_gone && parent_watch_polled(&watch) && (timeout < 0 || timeout > 250))
            timeout = 250;
        int r = poll(fds, (nfds_t)nfds, timeout);
        if (r < 0 && errno != EINTR)
            die_errno("poll");
        if (r > 0 && tty.active && tty_relay_step(&tty, fds + 4) && stage == 0) {
            stage = 1;
            deadline = now_ms() + plan->stdin_hup_grace_ms;
            note(plan, 1, "the terminal's input ended; server has %d ms to exit", plan->stdin_hup_grace_ms);
        }
        if (!host_gone && ((r > 0 && ((fds[2].revents | fds[3].revents) & (POLLIN | POLLHUP | POLLERR)))
                           || (parent_watch_polled(&watch) && !parent_watch_alive(&watch)))) {
            /* Nobody is left to talk to the server: end the tree now, no grace. */
            host_gone = true;
            watch_stdin = false;
            note(plan, 1, "the launcher's parent (pid %d) has exited: ending the server", watch.host);
            kill_tree(plan, init);
            deadline = now_ms() + 2000;
            stage = 2;
        }
        if (r > 0 && (fds[1].revents & POLLNVAL))
            watch_stdin = false;
        if (r > 0 && (fds[1].revents & (POLLHUP | POLLERR))) {
            watch_stdin = false;
            stage = 1;
            deadline = now_ms() + plan->stdin_hup_grace_ms;
            note(plan, 1, "stdin closed by the host; server has %d ms to exit", plan->stdin_hup_grace_ms);
        }
        if (r > 0 && (fds[0].revents & POLLIN)) {
            struct signalfd_siginfo si;
            if (read(sigfd, &si, sizeof si) == sizeof si) {
                int sig = (int)si.ssi_signo;
                if (sig == SIGCHLD) {
                    int status;
                    if (waitpid(init, &status, WNOHANG) == init) {
                        code = exit_code(status);
                        break;
                    }
                } else if (sig != PARENT_DIED) {
                    kill(init, sig);
                }
            }
        }
        /* The home's size: walked only when its filesystem's free blocks or inodes moved since the last look (the
         * first look always walks); the deleted files the run holds are looked at every time, since unlinking and
         * mapping an already counted file moves no block. A big home makes a walk expensive: at most a tenth of the
         * time goes to walking, unless what the filesystem gained since the last walk could take the home over its
         * limit. Without that exception a server with 450,000 folders in its home (under the 2 GB default) and two
         * busy processes wrote 8 GB past the limit in 9.5 s and was never stopped: its writes went in between
         * walks that the busy processes had made slow. */
        if (next_home_check >= 0 && now_ms() >= next_home_check) {
            long long started = now_ms();
            home_moved |= home_fs_changed();
            bool walk = !home_walked || (home_moved && (started >= next_home_walk || home_maybe_over(plan)));
            home_walked = true;
            if (walk)
                home_moved = false;
            if (!home_stopped && home_over_limit(plan, init, walk, "while running")) {
                home_stopped = true;
                kill_tree(plan, init);
            }
            long long spent = now_ms() - started;
            if (walk)
                next_home_walk = now_ms() + (spent * 10 > HOME_CHECK_MS ? spent * 10 : HOME_CHECK_MS);
            next_home_check = home_stopped ? -1 : now_ms() + HOME_CHECK_MS;
        }
        if (deadline >= 0 && now_ms() >= deadline) {
            if (stage == 1) {
                kill(init, SIGTERM);
                stage = 2;
                deadline = now_ms() + 2000;
            } else {
                kill_tree(plan, init);
                if (stage == 3)
                    kill(init, SIGKILL); /* init itself did not end from PARENT_DIED */
                stage = 3;
                deadline = now_ms() + 2000;
            }
        }
    }
    active_init = 0;
    if (own_orphans)
        kill_descendants(); /* whatever init left behind was re-parented to us */
    cgroups_remove(plan); /* the tree is gone; the drain below may wait for a terminal that takes nothing yet */
    tty_relay_drain(&tty, 1, true);
    tty_relay_drain(&tty, 2, true);
    return code;
}
