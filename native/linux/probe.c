/* --probe: what this kernel lets us enforce, tried for real (a user namespace is only "available" once its id
 * maps are written and something is mounted in it: Ubuntu's AppArmor restriction fails only at that point).
 * Prints key=value lines on stdout for the launcher's 'check' command; never used on the run path. */
#include "helper.h"
#include "sys.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs FN in a child and returns its exit code: 0 means it worked, else the errno of the failing step. */
static int in_child(int (*fn)(void), int clone_flags)
{
    pid_t pid = (pid_t)syscall(SYS_clone, (unsigned long)clone_flags | SIGCHLD, 0, 0, 0, 0);
    if (pid < 0)
        return errno ? errno : 1;
    if (pid == 0)
        _exit(fn());
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 255;
}

static uid_t outer_uid;
static gid_t outer_gid;

static int try_userns(void)
{
    const char *failed;
    if (getuid() != 0 || outer_uid != 0) {
        if (write_own_id_maps(outer_uid, outer_gid, &failed) < 0)
            return errno ? errno : 1;
    }
    int fs = sys_fsopen("tmpfs", FSOPEN_CLOEXEC);
    if (fs < 0)
        return errno;
    if (sys_fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
        return errno;
    if (sys_fsmount(fs, FSMOUNT_CLOEXEC, 0) < 0)
        return errno;
    int proc = sys_fsopen("proc", FSOPEN_CLOEXEC);
    if (proc < 0 || sys_fsconfig(proc, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
        return 200; /* masked /proc (containers): namespaces but no procfs */
    return 0;
}

static int try_seccomp(void)
{
    struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    struct sock_fprog prog = {.len = 1, .filter = &allow};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return errno;
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)
        return errno;
    return 0;
}

static void report(const char *key, int result)
{
    if (result == 0)
        printf("%s=ok\n", key);
    else if (result == 200)
        printf("%s=no-proc\n", key);
    else if (result < 200)
        printf("%s=%s\n", key, strerror(result));
    else
        printf("%s=failed\n", key);
}

int probe(void)
{
    outer_uid = getuid();
    outer_gid = getgid();
    printf("helper=1\n");
    printf("uid=%u\n", outer_uid);
    printf("landlock-abi=%d\n", landlock_abi());
    int flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS;
    report("userns", in_child(try_userns, flags | CLONE_NEWUSER));
    if (outer_uid == 0)
        report("rootns", in_child(try_userns, flags));
    report("seccomp", in_child(try_seccomp, 0));
    fflush(stdout);
    return 0;
}
