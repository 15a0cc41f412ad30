package dev.mcpcontain.platform.linux.plan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What the launcher can learn about the host by reading files, without starting anything: cheap enough for every
 * launch. The real proof (creating a namespace, loading a filter) is the helper's {@code --probe}.
 *
 * @param unprivilegedUsernsSysctl  Debian's kernel.unprivileged_userns_clone, when present
 * @param maxUserNamespaces         user.max_user_namespaces
 * @param apparmorRestrictsUserns   Ubuntu's kernel.apparmor_restrict_unprivileged_userns = 1
 * @param cgroups                   the cgroup layout root may use
 */
public record LinuxHostFacts(
        Optional<Integer> unprivilegedUsernsSysctl,
        Optional<Integer> maxUserNamespaces,
        boolean apparmorRestrictsUserns,
        Cgroups cgroups) {

    /** Where the memory, pids and cpu controllers are, if anywhere. */
    public record Cgroups(Optional<Path> unified, Optional<Path> memoryV1, Optional<Path> pidsV1, Optional<Path> cpuV1) {

        public boolean any() {
            return unified.isPresent() || memoryV1.isPresent() || pidsV1.isPresent();
        }

        public String describe() {
            if (unified.isPresent()) {
                return "cgroup v2 at " + unified.get();
            }
            if (memoryV1.isPresent() || pidsV1.isPresent()) {
                return "cgroup v1 (" + (memoryV1.isPresent() ? "memory " : "") + (pidsV1.isPresent() ? "pids " : "")
                        + (cpuV1.isPresent() ? "cpu" : "") + ")";
            }
            return "none";
        }
    }

    public static LinuxHostFacts read() {
        return new LinuxHostFacts(
                readInt("/proc/sys/kernel/unprivileged_userns_clone"),
                readInt("/proc/sys/user/max_user_namespaces"),
                readInt("/proc/sys/kernel/apparmor_restrict_unprivileged_userns").orElse(0) == 1,
                detectCgroups(Path.of("/sys/fs/cgroup")));
    }

    /** Why user namespaces cannot work at all, if the sysctls already say so. */
    public Optional<String> usernsBlockedBySysctl() {
        if (unprivilegedUsernsSysctl.orElse(1) == 0) {
            return Optional.of("kernel.unprivileged_userns_clone is 0");
        }
        if (maxUserNamespaces.orElse(1) == 0) {
            return Optional.of("user.max_user_namespaces is 0");
        }
        return Optional.empty();
    }

    static Cgroups detectCgroups(Path root) {
        if (Files.isRegularFile(root.resolve("cgroup.controllers"))) {
            try {
                List<String> controllers = List.of(Files.readString(root.resolve("cgroup.controllers")).trim().split("\\s+"));
                if (controllers.contains("memory") && controllers.contains("pids")) {
                    return new Cgroups(Optional.of(root), Optional.empty(), Optional.empty(), Optional.empty());
                }
            } catch (IOException e) {
                // Unreadable: treat as absent, rlimits take over (and 'check' says so).
            }
            return new Cgroups(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
        }
        return new Cgroups(Optional.empty(), v1(root, "memory", "memory.limit_in_bytes"), v1(root, "pids", "cgroup.procs"),
                v1(root, "cpu", "cpu.cfs_quota_us"));
    }

    private static Optional<Path> v1(Path root, String controller, String probeFile) {
        Path dir = root.resolve(controller);
        return Files.isRegularFile(dir.resolve(probeFile)) ? Optional.of(dir) : Optional.empty();
    }

    private static Optional<Integer> readInt(String file) {
        try {
            return Optional.of(Integer.parseInt(Files.readString(Path.of(file)).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }
}
