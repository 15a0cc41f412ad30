package dev.mcpcontain.platform.linux;

import dev.mcpcontain.launch.ContainedProcess;
import dev.mcpcontain.launch.ContainmentBackend;
import dev.mcpcontain.launch.ContainmentException;
import dev.mcpcontain.launch.ExecHandoff;
import dev.mcpcontain.launch.HostCheck;
import dev.mcpcontain.platform.linux.plan.AgentAccount;
import dev.mcpcontain.platform.linux.plan.LinuxHostFacts;
import dev.mcpcontain.platform.linux.plan.LinuxLaunchPlan;
import dev.mcpcontain.platform.linux.plan.LinuxPlanBuilder;
import dev.mcpcontain.policy.ContainmentPolicy;
import dev.mcpcontain.policy.HostEnvironment;
import dev.mcpcontain.state.PrivateFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Linux: the policy compiled into a plan for the native helper, which contains and supervises the server. */
public final class LinuxBackend implements ContainmentBackend<LinuxLaunchPlan> {

    private final HostEnvironment host;
    private final int verbosity;

    /** @param verbosity how much the helper says on stderr (the launcher's -v count) */
    public LinuxBackend(HostEnvironment host, int verbosity) {
        this.host = host;
        this.verbosity = verbosity;
    }

    @Override
    public String name() {
        return "linux";
    }

    @Override
    public LinuxLaunchPlan plan(ContainmentPolicy policy) {
        boolean root = host.isRoot();
        // A root launcher never leaves the server uid 0, whatever the isolation: without any capability, uid 0 still
        // owns /etc/shadow, /etc/cron.d and root's sockets (docker.sock, systemd's private bus), which Landlock
        // alone does not keep it from.
        Optional<AgentAccount> agent = root ? Optional.of(AgentAccount.lookup(policy.agentUser())) : Optional.empty();
        LinuxPlanBuilder.Launcher launcher = new LinuxPlanBuilder.Launcher(root, host.uid(), host.gid(), host.home(), verbosity,
                HelperLocator.locate(root), LinuxHostFacts.read(), agent, newRunId(),
                Path.of("/etc"));
        return new LinuxPlanBuilder(launcher).build(policy);
    }

    /**
     * Names this launch's cgroups: unique among concurrent launches, not a secret; names the process that lives as
     * long as the run, so that a later launch can sweep what a kill -9 left ({@link CgroupSweep}).
     */
    private static String newRunId() {
        long owner = LauncherLineage.runOwner(System.getenv(), ProcessHandle.current().pid());
        return CgroupSweep.newRunId(owner, CgroupSweep.startTime(owner));
    }

    @Override
    public void prepare(LinuxLaunchPlan linux) throws IOException {
        // Only the directory holding every home, which no server can write. The home itself (owner, mode, its tmp)
        // is set up by the helper through descriptors that never follow a link: a server writes into its home, and
        // a path-based chown here would follow a link it planted (issue 9).
        PrivateFiles.createDirectories(linux.policy().agentHome().getParent());
        for (LinuxLaunchPlan.CgroupParent parent : linux.cgroupParents()) {
            if (!parent.enableInParents().isEmpty()) {
                enableControllers(parent);
            }
            Files.createDirectories(parent.directory());
        }
        List<Path> parents = new ArrayList<>();
        for (LinuxLaunchPlan.CgroupParent parent : linux.cgroupParents()) {
            parents.add(parent.directory());
        }
        List<Path> removed = new ArrayList<>(CgroupSweep.sweep(List.copyOf(parents)));
        if (linux.egressSocket().isPresent()) {
            removed.addAll(CgroupSweep.sweepSockets(linux.egressSocket().get().getParent()));
        }
        Optional<String> swept = CgroupSweep.describe(removed);
        if (swept.isPresent()) {
            org.slf4j.LoggerFactory.getLogger(LinuxBackend.class).info(swept.get());
        }
    }

    /** cgroup v2 only hands a controller to a child when every ancestor lists it in cgroup.subtree_control. */
    private static void enableControllers(LinuxLaunchPlan.CgroupParent parent) throws IOException {
        Path root = parent.directory().getParent();
        StringBuilder enable = new StringBuilder();
        String available = Files.readString(root.resolve("cgroup.controllers"));
        for (String controller : parent.enableInParents()) {
            if (available.contains(controller)) {
                enable.append(enable.length() == 0 ? "" : " ").append('+').append(controller);
            }
        }
        Files.writeString(root.resolve("cgroup.subtree_control"), enable.toString());
        Files.createDirectories(parent.directory());
        Files.writeString(parent.directory().resolve("cgroup.subtree_control"), enable.toString());
    }

    @Override
    public Optional<ExecHandoff<LinuxLaunchPlan>> execHandoff() {
        return Optional.of(LinuxBackend::writeHandoff);
    }

    /** Hand-off for the launcher script: the helper's path, then the plan. */
    private static void writeHandoff(LinuxLaunchPlan linux, OutputStream channel) throws IOException {
        channel.write((linux.helper() + "\n" + linux.planText()).getBytes(StandardCharsets.UTF_8));
        channel.flush();
    }

    @Override
    public ContainedProcess start(LinuxLaunchPlan linux, boolean inheritStdio) throws IOException {
        List<String> command = new ArrayList<>(List.of(linux.helper().toString(), "--plan-stdin"));
        // inheritStdio: the CLI without the launcher script; else the Java API (this JVM is the host).
        command.addAll(LauncherLineage.current(host.variables(), inheritStdio).helperArguments());
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().clear();
        if (inheritStdio) {
            builder.redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT);
        }
        Process process = SpawnThread.start(builder);
        byte[] planBytes = linux.planText().getBytes(StandardCharsets.UTF_8);
        OutputStream stdin = process.getOutputStream();
        stdin.write(("length " + planBytes.length + "\n").getBytes(StandardCharsets.US_ASCII));
        stdin.write(planBytes);
        stdin.flush();
        if (inheritStdio) {
            pump(System.in, stdin);
        }
        return new LinuxContainedProcess(process);
    }

    /** Copies this JVM's stdin to the server, closing it at EOF so the server sees the host hang up. */
    private static void pump(InputStream from, OutputStream to) {
        Thread pump = new Thread(() -> {
            try (to) {
                from.transferTo(to);
            } catch (IOException e) {
                // the server went away; nothing left to deliver
            }
        }, "mcp-contain-stdin");
        pump.setDaemon(true);
        pump.start();
    }

    @Override
    public HostCheck check() {
        return new LinuxHostCheck(host).run();
    }

}
