/* Per-user kernel counters (inotify instances and watches, fanotify, namespaces) are counted per uid *and per user
 * namespace*, and each level's limit lives in /proc/sys/user of that namespace. A server in a user namespace of its
 * own therefore gets limits below the host's, set here while it still holds CAP_SYS_RESOURCE there: whatever it
 * does, it cannot use more of its uid's host-wide budget than those limits.
 *
 * A user launcher's server is in its own user namespace already. A root launcher's server (which needs no user
 * namespace for its mounts) enters one just before it drops to the agent account: init, still root on the host,
 * writes the one-id maps, since only a process privileged in the parent namespace may map another uid.
 *
 * The writes go through a descriptor of /proc/sys opened before the new root (whose /proc/sys is read-only): the
 * "user" directory below it is looked up by the writer, so it names the writer's own namespace. */
#include "helper.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int sysctl_fd = -1;

/* The limits are written only from a user namespace of the server's own: from the host's they would be the host's. */
static bool in_own_userns;

void userns_open_sysctl_dir(const struct plan *plan)
{
    if (plan->n_userns_limits == 0)
        return;
    sysctl_fd = open("/proc/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (sysctl_fd < 0)
        die_errno("opening /proc/sys for the server's user-namespace limits");
}

/* In the server (root launcher), before dropping identity: a user namespace of its own, mapped by init. */
void userns_enter_own(const struct plan *plan, int ready_fd, int mapped_fd)
{
    if (!plan->own_userns) {
        in_own_userns = plan->map_ids; /* a user launcher's server is in the namespace init was cloned into */
        return;
    }
    char c = 'u';
    /* Created with the agent's effective uid, not root's: the kernel charges every per-user counter (inotify
     * instances and watches, message-queue bytes, pending signals, namespaces) at each level up to the host, and at
     * the host's level to the namespace's owner. Owned by root, four root-launched servers at 32 inotify instances
     * each used up root's 128 on the host (every root daemon's inotify_init then failed with EMFILE). The real and
     * saved uids stay 0 until identity_drop, so a refusal below can still return to root. */
    if (plan->drop_identity && setresuid(-1, plan->uid, -1) < 0)
        die_errno("taking the agent's effective uid %u for the server's user namespace", plan->uid);
    bool entered = unshare(CLONE_NEWUSER) == 0;
    if (!entered && plan->drop_identity) {
        int saved = errno;
        if (setresuid(-1, 0, -1) < 0)
            die_errno("returning to root after the server's user namespace was refused");
        errno = saved;
    }
    if (!entered) {
        if (plan->own_userns_required)
            die_errno("entering a user namespace of the server's own (for its per-user limits)");
        fprintf(stderr, "mcp-contain: this host refuses the server a user namespace of its own (%s): inotify and"
                " fanotify count against the agent account's host-wide limits\n", strerror(errno));
        c = 'n';
    }
    if (write(ready_fd, &c, 1) != 1 || read(mapped_fd, &c, 1) != 1 || c != 'm')
        die("the server's user namespace was not mapped");
    in_own_userns = entered;
}

/* In init, when the server said it has a namespace of its own: maps the agent's uid and gid (and nothing else, root
 * least of all) into it. */
void userns_write_maps_for(const struct plan *plan, pid_t server)
{
    char path[64], map[64];
    snprintf(path, sizeof path, "/proc/%d/uid_map", server);
    snprintf(map, sizeof map, "%u %u 1\n", plan->uid, plan->uid);
    if (write_file(path, map) < 0)
        die_errno("writing %s", path);
    snprintf(path, sizeof path, "/proc/%d/gid_map", server);
    snprintf(map, sizeof map, "%u %u 1\n", plan->gid, plan->gid);
    if (write_file(path, map) < 0)
        die_errno("writing %s", path);
}

void userns_apply_limits(const struct plan *plan)
{
    if (plan->n_userns_limits && !in_own_userns) {
        if (plan->own_userns && !plan->own_userns_required)
            return; /* said above */
        die("internal: per-user limits outside a user namespace of the server's own");
    }
    for (size_t i = 0; i < plan->n_userns_limits; i++) {
        const struct userns_limit *l = &plan->userns_limits[i];
        char rel[256], value[32];
        snprintf(rel, sizeof rel, "user/%s", l->name);
        snprintf(value, sizeof value, "%llu", l->value);
        if (write_file_at(sysctl_fd, rel, value) < 0) {
            if (errno == ENOENT) {
                note(plan, 1, "no /proc/sys/user/%s on this kernel", l->name);
                continue; /* a counter this kernel does not have cannot be exhausted either */
            }
            die_errno("limiting /proc/sys/user/%s to %llu in the server's user namespace", l->name, l->value);
        }
        note(plan, 2, "user namespace: %s = %llu", l->name, l->value);
    }
    if (sysctl_fd >= 0)
        close(sysctl_fd);
}
