package dev.mcpcontain.platform.linux.plan;

import dev.mcpcontain.launch.ContainmentException;
import dev.mcpcontain.policy.ResourceLimits;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The profile's limits: rlimits always; memory, processes and cpus through the run's own cgroups where a root
 * launcher has them (v2, else v1 per controller), per-process rlimits where not. 'cpus' without a cgroup is refused.
 */
final class LimitsPlan {

    /** Under each hierarchy: the directory a root launcher creates once; the per-run ones go below it. */
    private static final String LEAF = "mcp-contain";

    private final ResourceLimits limits;
    private final LinuxPlanBuilder.Launcher launcher;
    /** The per-run cgroup name: unique among concurrent launches, and sweepable after a kill -9 (CgroupSweep). */
    private final String run;
    /** RLIMIT_NPROC is counted inside the server's own user namespace, not per host uid. */
    private final boolean ownUserNamespace;
    private final List<LinuxLaunchPlan.CgroupParent> cgroupParents = new ArrayList<>();

    LimitsPlan(ResourceLimits limits, String serverId, LinuxPlanBuilder.Launcher launcher, boolean ownUserNamespace) {
        this.limits = limits;
        this.launcher = launcher;
        this.run = serverId + "." + launcher.runId();
        this.ownUserNamespace = ownUserNamespace;
    }

    /** The directories a root launcher must create before the helper runs (see {@link LinuxLaunchPlan}). */
    List<LinuxLaunchPlan.CgroupParent> cgroupParents() {
        return List.copyOf(cgroupParents);
    }

    void write(PlanWriter plan) {
        plan.step("rlimits: open files " + limits.openFiles() + ", file size " + limits.fileSizeBytes() + ", core 0"
                + (limits.cpuSeconds().isPresent() ? ", cpu " + limits.cpuSeconds().getAsInt() + " s" : ""));
        plan.op(PlanOp.RLIMIT, "nofile", limits.openFiles(), limits.openFiles());
        plan.op(PlanOp.RLIMIT, "fsize", limits.fileSizeBytes(), limits.fileSizeBytes());
        plan.op(PlanOp.RLIMIT, "core", 0, 0);
        // No lambdas here: this runs on every launch, where each lambda call site costs start-up time.
        if (limits.cpuSeconds().isPresent()) {
            int seconds = limits.cpuSeconds().getAsInt();
            plan.op(PlanOp.RLIMIT, "cpu", seconds, seconds + 5);
        }

        LinuxHostFacts.Cgroups cgroups = launcher.facts().cgroups();
        boolean useCgroups = launcher.root() && cgroups.any();
        if (useCgroups && cgroups.unified().isPresent()) {
            unified(plan, cgroups.unified().get());
        } else if (useCgroups) {
            perController(plan, cgroups);
        } else {
            if (limits.cpus().isPresent()) {
                throw cpuUnenforceable();
            }
            plan.step("memory: RLIMIT_DATA " + limits.memoryBytes() + " per process (no writable cgroup for this user)");
            plan.op(PlanOp.RLIMIT, "data", limits.memoryBytes(), limits.memoryBytes());
            processRlimit(plan);
        }
    }

    private void unified(PlanWriter plan, Path hierarchy) {
        Path dir = runDirectory(hierarchy, List.of("memory", "pids", "cpu"));
        plan.step("cgroup v2 " + dir + ": memory " + limits.memoryBytes() + ", pids " + limits.processes()
                + (limits.cpus().isPresent() ? ", cpus " + limits.cpus().getAsDouble() : ""));
        plan.op(PlanOp.CGROUP, dir.toString());
        plan.op(PlanOp.CGROUP_SET, dir.toString(), "memory.max", limits.memoryBytes());
        plan.op(PlanOp.CGROUP_SET, dir.toString(), "memory.swap.max", 0);
        plan.op(PlanOp.CGROUP_SET, dir.toString(), "pids.max", limits.processes());
        if (limits.cpus().isPresent()) {
            plan.op(PlanOp.CGROUP_SET, dir.toString(), "cpu.max",
                    Math.round(limits.cpus().getAsDouble() * 100_000) + " 100000");
        }
    }

    private void perController(PlanWriter plan, LinuxHostFacts.Cgroups cgroups) {
        if (cgroups.memoryV1().isPresent()) {
            Path dir = runDirectory(cgroups.memoryV1().get(), List.of());
            plan.step("cgroup v1 " + dir + ": memory " + limits.memoryBytes());
            plan.op(PlanOp.CGROUP, dir.toString());
            plan.op(PlanOp.CGROUP_SET, dir.toString(), "memory.limit_in_bytes", limits.memoryBytes());
            if (launcher.probe().kind(cgroups.memoryV1().get().resolve("memory.memsw.limit_in_bytes"))
                    != HostProbe.Kind.ABSENT) {
                plan.op(PlanOp.CGROUP_SET, dir.toString(), "memory.memsw.limit_in_bytes", limits.memoryBytes());
            }
        } else {
            plan.step("memory: RLIMIT_DATA " + limits.memoryBytes() + " per process (no memory cgroup)");
            plan.op(PlanOp.RLIMIT, "data", limits.memoryBytes(), limits.memoryBytes());
        }
        if (cgroups.pidsV1().isPresent()) {
            Path dir = runDirectory(cgroups.pidsV1().get(), List.of());
            plan.step("cgroup v1 " + dir + ": pids " + limits.processes());
            plan.op(PlanOp.CGROUP, dir.toString());
            plan.op(PlanOp.CGROUP_SET, dir.toString(), "pids.max", limits.processes());
        } else {
            processRlimit(plan);
        }
        if (limits.cpus().isPresent()) {
            Path dir = runDirectory(cgroups.cpuV1().orElseThrow(LimitsPlan::cpuUnenforceable), List.of());
            plan.op(PlanOp.CGROUP, dir.toString());
            plan.op(PlanOp.CGROUP_SET, dir.toString(), "cpu.cfs_period_us", 100_000);
            plan.op(PlanOp.CGROUP_SET, dir.toString(), "cpu.cfs_quota_us", Math.round(limits.cpus().getAsDouble() * 100_000));
        }
    }

    /** HIERARCHY/mcp-contain/RUN, its parent recorded for the launcher to create (v2: with CONTROLLERS enabled). */
    private Path runDirectory(Path hierarchy, List<String> controllers) {
        Path parent = hierarchy.resolve(LEAF);
        cgroupParents.add(new LinuxLaunchPlan.CgroupParent(parent, controllers));
        return parent.resolve(run);
    }

    /**
     * RLIMIT_NPROC counts a uid's tasks. Inside the server's own user namespace (Linux 5.14+) the count is per
     * namespace, so the limit is the server's own; elsewhere the uid's existing tasks are added so the server
     * gets exactly its allowance on top of them.
     */
    private void processRlimit(PlanWriter plan) {
        long existing = 0;
        if (!ownUserNamespace) {
            int uid = launcher.root() ? launcher.agent().map(AgentAccount::uid).orElse(launcher.uid()) : launcher.uid();
            existing = launcher.probe().tasksOf(uid);
        }
        long nproc = limits.processes() + existing;
        plan.step("processes: RLIMIT_NPROC " + nproc + (ownUserNamespace
                ? " (counted inside the server's user namespace)"
                : " (" + existing + " tasks already running as this uid, plus the server's " + limits.processes() + ")"));
        plan.op(PlanOp.RLIMIT, "nproc", nproc, nproc);
    }

    private static ContainmentException cpuUnenforceable() {
        return new ContainmentException(ContainmentException.Reason.UNENFORCEABLE,
                "the profile limits 'cpus', which needs a writable cgroup (run mcp-contain as root, or on a host with"
                        + " a cpu controller); remove 'cpus' or use 'cpuSeconds'");
    }
}
