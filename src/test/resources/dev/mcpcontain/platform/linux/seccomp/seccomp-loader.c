/*
 * Throwaway loader for SeccompLiveTest. It installs a filter compiled by SeccompCompiler the way the helper does
 * (NO_NEW_PRIVS, then PR_SET_SECCOMP with the bytes verbatim), runs one probe and prints the kernel's answer.
 *
 *   seccomp-loader FILTER syscall NR [ARG...]   raw syscall(2); prints "ret=R errno=E"
 *   seccomp-loader FILTER int80 NR              i386 entry from 64-bit code (x86_64 only); same output
 *   seccomp-loader FILTER thread                pthread_create + join; prints "ok"
 *   seccomp-loader FILTER fork                  fork + waitpid; prints "ok"
 *   seccomp-loader FILTER exec PATH [ARG...]    execv, to run real programs under the filter
 *
 * FILTER "-" installs nothing: the positive control. Exit 2 means the loader itself failed (message on stderr).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_INSNS 4096

static void die(const char *what)
{
    fprintf(stderr, "seccomp-loader: %s: %s\n", what, strerror(errno));
    exit(2);
}

static void install(const char *path)
{
    /* One slot more than allowed, so that an over-long file is detected rather than truncated. */
    static struct sock_filter insns[MAX_INSNS + 1];
    struct sock_fprog prog;
    size_t bytes;
    FILE *file;

    if (strcmp(path, "-") == 0)
        return;
    file = fopen(path, "rb");
    if (file == NULL)
        die(path);
    bytes = fread(insns, 1, sizeof insns, file);
    if (ferror(file))
        die("read filter");
    fclose(file);
    /* The helper's only checks. */
    if (bytes == 0 || bytes % sizeof insns[0] != 0 || bytes > MAX_INSNS * sizeof insns[0]) {
        fprintf(stderr, "seccomp-loader: bad filter length %zu\n", bytes);
        exit(2);
    }
    prog.len = (unsigned short)(bytes / sizeof insns[0]);
    prog.filter = insns;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        die("PR_SET_NO_NEW_PRIVS");
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) != 0)
        die("PR_SET_SECCOMP");
}

static unsigned long number(const char *text)
{
    char *end;
    unsigned long long value;

    errno = 0;
    value = strtoull(text, &end, 0);
    if (errno != 0 || *text == '\0' || *end != '\0') {
        fprintf(stderr, "seccomp-loader: not a number: %s\n", text);
        exit(2);
    }
    return (unsigned long)value;
}

static int probe_syscall(int argc, char **argv)
{
    unsigned long args[6] = {0};
    long nr, ret;
    int i;

    if (argc < 1 || argc > 7) {
        fprintf(stderr, "seccomp-loader: syscall NR [up to 6 args]\n");
        return 2;
    }
    nr = (long)number(argv[0]);
    for (i = 1; i < argc; i++)
        args[i - 1] = number(argv[i]);
    errno = 0;
    ret = syscall(nr, args[0], args[1], args[2], args[3], args[4], args[5]);
    printf("ret=%ld errno=%d\n", ret, ret == -1 ? errno : 0);
    return 0;
}

static int probe_int80(int argc, char **argv)
{
#if defined(__x86_64__)
    long ret;

    if (argc != 1) {
        fprintf(stderr, "seccomp-loader: int80 NR\n");
        return 2;
    }
    ret = (long)number(argv[0]);
    /* Older kernels clobber r8-r11 on the int $0x80 return path. */
    __asm__ volatile("int $0x80" : "+a"(ret) : : "memory", "r8", "r9", "r10", "r11");
    if (ret < 0 && ret > -4096)
        printf("ret=-1 errno=%ld\n", -ret);
    else
        printf("ret=%ld errno=0\n", ret);
    return 0;
#else
    (void)argc;
    (void)argv;
    fprintf(stderr, "seccomp-loader: int80 exists only on x86_64\n");
    return 2;
#endif
}

static void *thread_main(void *arg)
{
    return arg;
}

static int probe_thread(void)
{
    pthread_t thread;
    int err = pthread_create(&thread, NULL, thread_main, NULL);

    if (err != 0) {
        printf("pthread_create errno=%d\n", err);
        return 0;
    }
    pthread_join(thread, NULL);
    printf("ok\n");
    return 0;
}

static int probe_fork(void)
{
    int status;
    pid_t pid = fork();

    if (pid < 0) {
        printf("fork errno=%d\n", errno);
        return 0;
    }
    if (pid == 0)
        _exit(7);
    if (waitpid(pid, &status, 0) != pid)
        die("waitpid");
    printf(WIFEXITED(status) && WEXITSTATUS(status) == 7 ? "ok\n" : "child status %d\n", status);
    return 0;
}

int main(int argc, char **argv)
{
    /* A KILL_PROCESS verdict raises SIGSYS, which dumps core by default: not wanted from a test. */
    struct rlimit no_core = {0, 0};

    if (argc < 3) {
        fprintf(stderr, "usage: seccomp-loader FILTER|- syscall|int80|thread|fork|exec ...\n");
        return 2;
    }
    if (setrlimit(RLIMIT_CORE, &no_core) != 0)
        die("setrlimit");
    install(argv[1]);
    if (strcmp(argv[2], "syscall") == 0)
        return probe_syscall(argc - 3, argv + 3);
    if (strcmp(argv[2], "int80") == 0)
        return probe_int80(argc - 3, argv + 3);
    if (strcmp(argv[2], "thread") == 0)
        return probe_thread();
    if (strcmp(argv[2], "fork") == 0)
        return probe_fork();
    if (strcmp(argv[2], "exec") == 0 && argc >= 4) {
        execv(argv[3], argv + 3);
        die("execv");
    }
    fprintf(stderr, "seccomp-loader: unknown probe %s\n", argv[2]);
    return 2;
}
