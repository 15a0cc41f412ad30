package dev.mcpcontain.platform.linux.plan;

import dev.mcpcontain.platform.linux.seccomp.Arch;
import dev.mcpcontain.platform.linux.seccomp.SeccompCompiler;
import dev.mcpcontain.platform.linux.seccomp.SeccompOptions;
import dev.mcpcontain.policy.ContainmentPolicy;
import dev.mcpcontain.profile.Profile;
import java.util.HexFormat;

/**
 * The seccomp filter, compiled here for this architecture and isolation mode. Every mode: no setuid/setgid files, no
 * file capabilities. Landlock isolation also closes with seccomp what no namespace hides there (host pathname
 * sockets, SysV IPC, netlink, other processes, metadata by path): SeccompOptions.Isolation says which mode gets what.
 * Its rules are described from the options only when asked ({@link LinuxLaunchPlan#describe()}).
 */
final class SeccompPlan {

    private SeccompPlan() {}

    static SeccompOptions write(ContainmentPolicy policy, PlanWriter plan) {
        SeccompOptions options = new SeccompOptions(Arch.current(), policy.network() == Profile.Network.NONE,
                switch (policy.isolation()) {
                    case FULL -> SeccompOptions.Isolation.FULL;
                    case LANDLOCK -> SeccompOptions.Isolation.LANDLOCK;
                    case REDUCED -> SeccompOptions.Isolation.REDUCED;
                }, policy.network() == Profile.Network.HOST);
        plan.op(PlanOp.SECCOMP, HexFormat.of().formatHex(SeccompCompiler.compile(options)));
        return options;
    }
}
