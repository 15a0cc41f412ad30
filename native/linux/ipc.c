/* SysV IPC limits of the server's own IPC namespace. Semaphore arrays and message queues are kernel memory that no
 * RLIMIT_DATA counts, and a new IPC namespace starts with the kernel's defaults, which allow 1,024,000,000 semaphores
 * (64 bytes each: 64 GB) and 32,000 queues of 16 KiB. A user launcher's server (no memory cgroup) held 800 MB of
 * semaphore arrays and 500 MB of queued messages under a 512 MiB memory limit, and nothing bounded it further. So the
 * namespace's own sysctls (kernel.sem, msgmni, shmall, ...) are set from the memory limit before the server starts.
 *
 * The kernel lets a process write them when its effective uid is uid 0 of the user namespace that owns the IPC
 * namespace. A root launcher's init is that (the namespace belongs to the host's), and writes them before it forks
 * the server. A user launcher's namespaces belong to the user namespace init was cloned into, which maps only the
 * user's own uid: nobody is its uid 0. So its server, still holding every capability there, nests two user
 * namespaces: the first maps its uid to 0, where it makes the IPC namespace (owned by that one, whose uid 0 is the
 * server's own uid on the host) and writes its limits; the second maps the uid back to the user's own number, so the
 * server sees the same ids as before. The kernel's check for these sysctls is the writer's uid against that uid 0,
 * so the server would pass it: it cannot change the limits later because /proc/sys is mounted read-only in its root
 * (EROFS, ResourceCountersIT.sysvIpcBomb) and read-only to Landlock, and seccomp refuses setns and unshare.
 *
 * The writes go through the descriptor of /proc/sys that init opened before the new root: "kernel/NAME" below it is
 * looked up by the writer, so it names the writer's own IPC namespace. */
#include "helper.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int ipc_sysctl_fd = -1;

void ipc_open_sysctl_dir(const struct plan *plan)
{
    if (plan->n_ipc_limits == 0)
        return;
    ipc_sysctl_fd = open("/proc/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (ipc_sysctl_fd < 0)
        die_errno("opening /proc/sys for the server's IPC limits");
}

static void write_limits(const struct plan *plan)
{
    for (size_t i = 0; i < plan->n_ipc_limits; i++) {
        char rel[64];
        snprintf(rel, sizeof rel, "kernel/%s", plan->ipc_limits[i].name);
        if (write_file_at(ipc_sysctl_fd, rel, plan->ipc_limits[i].value) < 0)
            die_errno("limiting /proc/sys/kernel/%s to '%s' in the server's IPC namespace", plan->ipc_limits[i].name,
                      plan->ipc_limits[i].value);
        note(plan, 2, "IPC namespace: %s = %s", plan->ipc_limits[i].name, plan->ipc_limits[i].value);
    }
}

static void map_self(uid_t inside_uid, uid_t outside_uid, gid_t inside_gid, gid_t outside_gid)
{
    char map[64];
    if (write_file("/proc/self/setgroups", "deny") < 0 && errno != ENOENT)
        die_errno("writing /proc/self/setgroups (nested user namespace)");
    snprintf(map, sizeof map, "%u %u 1\n", inside_uid, outside_uid);
    if (write_file("/proc/self/uid_map", map) < 0)
        die_errno("writing /proc/self/uid_map (nested user namespace)");
    snprintf(map, sizeof map, "%u %u 1\n", inside_gid, outside_gid);
    if (write_file("/proc/self/gid_map", map) < 0)
        die_errno("writing /proc/self/gid_map (nested user namespace)");
}

/* Root launcher, in init (the IPC namespace's owner is the host's user namespace, init is its root). */
void ipc_limits_as_owner(const struct plan *plan)
{
    if (plan->n_ipc_limits == 0 || plan->map_ids)
        return;
    write_limits(plan);
}

/* User launcher, in the server before anything else uses its user namespace: see above. */
void ipc_limits_nested(const struct plan *plan)
{
    if (plan->n_ipc_limits == 0 || !plan->map_ids)
        return;
    uid_t uid = geteuid();
    gid_t gid = getegid();
    if (unshare(CLONE_NEWUSER) < 0)
        die_errno("creating a nested user namespace for the server's SysV IPC limits (it needs two user namespaces"
                  " more than the launch itself: raise the sysctl user.max_user_namespaces if it is low)");
    map_self(0, uid, 0, gid);
    if (unshare(CLONE_NEWIPC) < 0)
        die_errno("the server's IPC namespace");
    write_limits(plan);
    if (unshare(CLONE_NEWUSER) < 0)
        die_errno("creating a nested user namespace for the server's ids (raise the sysctl"
                  " user.max_user_namespaces if it is low)");
    map_self(uid, 0, gid, 0);
    if (geteuid() != uid || getegid() != gid)
        die("the server's ids changed in its nested user namespace (%u:%u, expected %u:%u)", geteuid(), getegid(), uid,
            gid);
}
