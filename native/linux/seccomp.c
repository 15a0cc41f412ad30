/* seccomp: load the program the launcher compiled (policy lives in Java, where it is unit-tested). Last step
 * before execve, after NO_NEW_PRIVS. */
#include "helper.h"

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>

void seccomp_apply(const struct plan *plan)
{
    if (!plan->seccomp_len)
        return;
    struct sock_fprog prog = {
        .len = (unsigned short)(plan->seccomp_len / sizeof(struct sock_filter)),
        .filter = (struct sock_filter *)plan->seccomp,
    };
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)
        die_errno("installing the seccomp filter");
}
