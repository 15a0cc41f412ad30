/* The server's identity: the agent account when the launcher is root, and no capabilities in any case. */
#include "helper.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static bool holds_any_capability(void)
{
    struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[2] = {{0}};
    if (syscall(SYS_capget, &header, data) < 0)
        die_errno("reading capabilities");
    return data[0].effective || data[1].effective || data[0].permitted || data[1].permitted;
}

/* A process without capabilities cannot shrink its bounding set (EPERM), and does not need to: with
 * no_new_privs nothing it executes can gain a capability. With capabilities (root, or the user namespace's
 * owner), every one goes. */
static void drop_bounding_and_ambient(void)
{
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
        die_errno("clearing ambient capabilities");
    if (!holds_any_capability())
        return;
    for (int cap = 0; cap <= 63; cap++) {
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
            die_errno("dropping capability %d from the bounding set", cap);
    }
}

static void clear_capabilities(void)
{
    struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[2] = {{0}};
    if (syscall(SYS_capset, &header, data) < 0)
        die_errno("clearing capabilities");
}

void identity_drop(const struct plan *plan)
{
    /* The bounding set can only shrink while we still hold CAP_SETPCAP: before setuid. */
    drop_bounding_and_ambient();
    if (plan->drop_identity) {
        if (setgroups(0, NULL) < 0)
            die_errno("clearing supplementary groups");
        if (setresgid(plan->gid, plan->gid, plan->gid) < 0)
            die_errno("switching to gid %u", plan->gid);
        if (setresuid(plan->uid, plan->uid, plan->uid) < 0)
            die_errno("switching to uid %u", plan->uid);
        if (setresuid(0, 0, 0) == 0)
            die("could still regain root after dropping to uid %u", plan->uid);
    }
    clear_capabilities();
}
