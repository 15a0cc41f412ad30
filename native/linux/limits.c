/* Resource limits: rlimits for the server process, cgroups (made by the supervisor) for the whole tree. */
#include "helper.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void rlimits_apply(const struct plan *plan)
{
    for (size_t i = 0; i < plan->n_rlimits; i++) {
        const struct rlimit_op *r = &plan->rlimits[i];
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

/* The tree is dead by now, but the kernel may still be tearing it down: retry rmdir briefly. */
void cgroups_remove(const struct plan *plan)
{
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
