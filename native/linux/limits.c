/* Resource limits: rlimits for the server process, cgroups (made by the supervisor) for the whole tree. */
#include "helper.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* RLIMIT_MSGQUEUE, RLIMIT_SIGPENDING and RLIMIT_MEMLOCK are per-user counters the kernel keeps at every level of
 * user namespaces (ucounts). A user namespace records its creator's values of them as the ceiling of the level
 * above, where the namespace's owner is charged: created with the server's own low values, that ceiling would be
 * shared by every process of the owner on the host (all the servers of one agent account, one server's 200 KiB of
 * message queues leaving none to the others). So a root launcher's server lowers these only once it is inside its
 * own user namespace (lowering needs no capability); a raise still happens before, with the host's privilege. */
static bool deferred_to_own_userns(const struct plan *plan, const struct rlimit_op *r)
{
    if (!plan->own_userns)
        return false;
    if (r->resource != RLIMIT_MSGQUEUE && r->resource != RLIMIT_SIGPENDING && r->resource != RLIMIT_MEMLOCK)
        return false;
    struct rlimit now;
    if (getrlimit(r->resource, &now) < 0)
        return false;
    return r->hard <= now.rlim_max && r->soft <= r->hard;
}

void rlimits_apply(const struct plan *plan, bool in_own_userns)
{
    for (size_t i = 0; i < plan->n_rlimits; i++) {
        const struct rlimit_op *r = &plan->rlimits[i];
        if (deferred_to_own_userns(plan, r) != in_own_userns)
            continue;
        struct rlimit lim = {.rlim_cur = r->soft, .rlim_max = r->hard};
        if (setrlimit(r->resource, &lim) < 0)
            die_errno("setrlimit %d to %llu/%llu", r->resource, r->soft, r->hard);
    }
}

static bool is_membership(const struct cgroup_op *c)
{
    return c->file == NULL;
}

void cgroups_create(const struct plan *plan)
{
    for (size_t i = 0; i < plan->n_cgroups; i++) {
        const struct cgroup_op *c = &plan->cgroups[i];
        if (is_membership(c)) {
            if (mkdir(c->dir, 0755) < 0 && errno != EEXIST)
                die_errno("creating cgroup %s", c->dir);
            continue;
        }
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", c->dir, c->file);
        if (write_file(path, c->value) < 0)
            die_errno("cgroup limit %s=%s", path, c->value);
        note(plan, 1, "cgroup %s = %s", path, c->value);
    }
}

void cgroups_enter(const struct plan *plan, pid_t pid)
{
    char value[32];
    snprintf(value, sizeof value, "%d", pid);
    for (size_t i = 0; i < plan->n_cgroups; i++) {
        const struct cgroup_op *c = &plan->cgroups[i];
        if (!is_membership(c))
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/cgroup.procs", c->dir);
        if (write_file(path, value) < 0)
            die_errno("moving the server into cgroup %s", c->dir);
    }
}

/* Every process still in the run's cgroups is killed before they are removed: the tree is normally dead by now, but
 * not when init ended without taking it along (init OOM-killed by the run's own memory cgroup in a mode without a pid
 * namespace: the server held its memory in memfds that no RSS shows, so init was the biggest task; its double-forked
 * daemon was re-parented to the host's init and ran on in a cgroup nobody removed). cgroup.kill where the kernel has
 * it (v2); otherwise SIGKILL to each member until none is left (a member forking meanwhile is read again). */
static void cgroups_kill_members(const struct plan *plan)
{
    for (size_t i = 0; i < plan->n_cgroups; i++) {
        const struct cgroup_op *c = &plan->cgroups[i];
        if (!is_membership(c))
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/cgroup.kill", c->dir);
        if (write_file(path, "1") == 0)
            continue;
        snprintf(path, sizeof path, "%s/cgroup.procs", c->dir);
        for (int round = 0; round < 1000; round++) {
            FILE *f = fopen(path, "re");
            if (!f)
                break;
            int pid, found = 0;
            while (fscanf(f, "%d", &pid) == 1) {
                if (pid > 0)
                    kill(pid, SIGKILL);
                found++;
            }
            fclose(f);
            if (!found)
                break;
            struct timespec ts = {0, 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
}

/* The tree is dead by now (what is left in the cgroups is killed first), but the kernel may still be tearing it
 * down: retry rmdir briefly. */
void cgroups_remove(const struct plan *plan)
{
    cgroups_kill_members(plan);
    for (size_t i = plan->n_cgroups; i-- > 0;) {
        const struct cgroup_op *c = &plan->cgroups[i];
        if (!is_membership(c))
            continue;
        for (int attempt = 0; attempt < 50; attempt++) {
            if (rmdir(c->dir) == 0 || errno == ENOENT)
                break;
            if (errno != EBUSY)
                break;
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
}
