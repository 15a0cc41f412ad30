package dev.mcpcontain.platform.linux;

import java.util.List;

/**
 * What each Landlock ABI version added (from the kernel's Documentation/userspace-api/landlock.rst and the uapi
 * header history), and which part of mcp-contain needs it; {@code check} reports each against the running kernel.
 */
final class LandlockAbi {

    /** @param neededBy empty when mcp-contain does not depend on it */
    record Level(int abi, String adds, String neededBy) {}

    static final List<Level> LEVELS = List.of(
            new Level(1, "Linux 5.13: filesystem rules (read, write, execute, create, remove)", "any Landlock use"),
            new Level(2, "Linux 5.19: REFER, links and renames across folders", "isolation landlock"),
            new Level(3, "Linux 6.2: TRUNCATE", "isolation landlock"),
            new Level(4, "Linux 6.7: TCP bind/connect rules", "isolation landlock with network none"),
            new Level(5, "Linux 6.10: IOCTL_DEV, ioctls on device nodes", "isolation landlock (device ioctls in grants)"),
            new Level(6, "Linux 6.12: scopes for signals and abstract unix sockets", "isolation landlock; network host"),
            new Level(7, "Linux 6.15: audit logging flags", ""),
            new Level(8, "after Linux 6.18 (which has 7): LANDLOCK_RESTRICT_SELF_TSYNC, all threads at once", ""),
            new Level(9, "2026 kernels: RESOLVE_UNIX, pathname unix sockets confined by path", ""));

    private LandlockAbi() {}
}
