package dev.mcpcontain.platform.linux;

import dev.mcpcontain.launch.ContainmentException;
import dev.mcpcontain.launch.HostCheck;
import dev.mcpcontain.platform.linux.plan.LinuxHostFacts;
import dev.mcpcontain.policy.HostEnvironment;
import dev.mcpcontain.policy.LandlockWeaknesses;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** {@code mcp-contain check} on Linux: the helper's live probe plus what the launcher reads from /proc and /sys. */
final class LinuxHostCheck {

    private final HostEnvironment host;

    LinuxHostCheck(HostEnvironment host) {
        this.host = host;
    }

    HostCheck run() {
        List<HostCheck.Feature> features = new ArrayList<>();
        LinuxHostFacts facts = LinuxHostFacts.read();
        Path helper;
        try {
            helper = HelperLocator.locate(host.isRoot());
        } catch (ContainmentException e) {
            features.add(new HostCheck.Feature("helper", false, e.getMessage(), "scripts/install"));
            return new HostCheck("linux", "cannot run: " + e.getMessage(), false, features);
        }
        features.add(new HostCheck.Feature("helper", true, helper.toString(), ""));
        Map<String, String> probe = probe(helper);

        int abi = Integer.parseInt(probe.getOrDefault("landlock-abi", "0"));
        features.add(new HostCheck.Feature("landlock", abi > 0, abi > 0 ? "ABI " + abi : "not available",
                "Linux 5.13+ with CONFIG_SECURITY_LANDLOCK=y and landlock in the lsm= boot parameter"));
        features.add(new HostCheck.Feature("landlock-tcp", abi >= 4, abi >= 4 ? "ABI 4+" : "needs ABI 4 (Linux 6.7)",
                "newer kernel (only needed by --isolation landlock with network none)"));
        features.add(new HostCheck.Feature("landlock-scopes", abi >= 6, abi >= 6 ? "ABI 6+" : "needs ABI 6 (Linux 6.12)",
                "newer kernel (needed with network host or --isolation landlock)"));
        features.add(new HostCheck.Feature("landlock-unix-sockets", abi >= 9,
                abi >= 9 ? "ABI 9+: pathname sockets could be confined by path (not used yet)" : "needs ABI 9",
                "newer kernel (meanwhile --isolation landlock refuses socket(AF_UNIX) altogether; socketpair still works)"));
        for (LandlockAbi.Level level : LandlockAbi.LEVELS) {
            features.add(new HostCheck.Feature("landlock-abi-" + level.abi(), abi >= level.abi(),
                    level.adds() + (abi >= level.abi() ? "" : " (not on this kernel)"),
                    level.neededBy().isEmpty() ? "" : "newer kernel (" + level.neededBy() + ")"));
        }
        boolean seccomp = "ok".equals(probe.get("seccomp"));
        features.add(new HostCheck.Feature("seccomp", seccomp, probe.getOrDefault("seccomp", "unknown"),
                "a kernel with CONFIG_SECCOMP_FILTER; in a container, a runtime profile that allows seccomp()"));

        String userns = probe.getOrDefault("userns", "unknown");
        boolean usernsOk = "ok".equals(userns);
        String usernsFix = facts.apparmorRestrictsUserns()
                ? "sudo scripts/install (loads the AppArmor profile for the helper)"
                : facts.usernsBlockedBySysctl().map(w -> "sysctl: " + w).orElse("allow unshare(CLONE_NEWUSER) (container: seccomp/AppArmor profile)");
        features.add(new HostCheck.Feature("user-namespaces", usernsOk, "probe: " + userns, usernsFix));
        features.add(new HostCheck.Feature("apparmor-userns-restriction", !facts.apparmorRestrictsUserns(),
                facts.apparmorRestrictsUserns() ? "kernel.apparmor_restrict_unprivileged_userns=1" : "not restricting",
                "sudo scripts/install"));
        if (host.isRoot()) {
            boolean rootns = "ok".equals(probe.get("rootns"));
            features.add(new HostCheck.Feature("namespaces-as-root", rootns, "probe: " + probe.getOrDefault("rootns", "unknown"),
                    "a host or container that allows mount/pid/net namespaces for root"));
        }
        boolean cgroups = host.isRoot() && facts.cgroups().any();
        features.add(new HostCheck.Feature("cgroups", cgroups, host.isRoot() ? facts.cgroups().describe()
                : "not used for unprivileged launches: limits are rlimits (memory: RLIMIT_DATA per process;"
                        + " processes: RLIMIT_NPROC in the server's user namespace)",
                host.isRoot() ? "mount the memory and pids controllers" : "run as root to get whole-tree cgroup limits"));

        for (LandlockWeaknesses.Weakness w : LandlockWeaknesses.all()) {
            boolean closed = w.status() == LandlockWeaknesses.Status.CLOSED;
            features.add(new HostCheck.Feature("isolation-landlock: " + w.name(), closed,
                    closed ? w.mechanism() : w.meaning() + " (refused unless the profile accepts it)",
                    closed ? "" : "use full isolation, or \"accept\": [\"" + w.name() + "\"] in the profile"));
        }
        boolean namespaces = host.isRoot() ? "ok".equals(probe.get("rootns")) : usernsOk;
        boolean ready = namespaces && abi > 0 && seccomp;
        features.add(new HostCheck.Feature("network-allow-list", ready, ready
                ? "available: the server's own network namespace, the filtering proxy its only way out (--allow-host)"
                : "unavailable: it needs full isolation (a network namespace of the server's own)",
                host.isRoot() ? "a host that allows namespaces for root" : usernsFix));
        String mode;
        if (ready) {
            mode = host.isRoot() ? "namespaces (root launcher: servers run as the agent account)" : "namespaces (user namespace)";
        } else if (abi >= 6 && seccomp) {
            mode = "refuses by default (no namespaces); --isolation landlock would run with Landlock + seccomp only,"
                    + " once the profile accepts its open weaknesses (listed below)";
        } else {
            mode = "cannot run contained on this host";
        }
        return new HostCheck("linux", mode, ready, features);
    }

    private static Map<String, String> probe(Path helper) {
        Map<String, String> values = new HashMap<>();
        try {
            Process p = new ProcessBuilder(helper.toString(), "--probe").redirectError(ProcessBuilder.Redirect.DISCARD).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            for (String line : out.split("\n")) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    values.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
        } catch (IOException e) {
            values.put("userns", "helper failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return values;
    }

}
