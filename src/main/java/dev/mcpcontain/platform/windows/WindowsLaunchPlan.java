package dev.mcpcontain.platform.windows;

import dev.mcpcontain.launch.LaunchPlan;
import dev.mcpcontain.policy.ContainmentPolicy;
import java.util.List;
import java.util.Optional;

/**
 * Everything the launch sequence will do for one policy, computed by {@link WindowsBackend#plan} without touching
 * the system, so that {@code --dry-run} prints it and the tests assert on it.
 *
 * @param application      absolute path of the executable (lpApplicationName: no search, no ambiguity)
 * @param commandLine      argv joined by {@link CommandLineQuoting}
 * @param environmentBlock built by {@link EnvironmentBlock}
 * @param appContainer     the AppContainer, absent for reduced isolation
 * @param restrictedToken  run with a restricted copy of the launcher's token (Administrators deny-only, no
 *                         privileges, Low integrity)
 * @param folderAccess     ACL entries for the AppContainer SID
 * @param ownDesktop       give the server its own window station and desktop
 * @param existingDesktop  {@code winsta\desktop} made by the outer launcher (inner launcher only), else empty
 * @param verification     what the child must be before it is resumed
 * @param agentAccount     run under this account (two stages: see {@link AgentLaunchSequence})
 */
public record WindowsLaunchPlan(
        ContainmentPolicy policy,
        String mode,
        List<String> describe,
        List<String> warnings,
        String application,
        String commandLine,
        String environmentBlock,
        String currentDirectory,
        JobLimits job,
        Optional<AppContainer> appContainer,
        boolean restrictedToken,
        List<AceSpec> folderAccess,
        boolean ownDesktop,
        String existingDesktop,
        ChildVerification verification,
        Optional<AgentAccountStore.Account> agentAccount) implements LaunchPlan {

    /** @param capabilities capability names, e.g. internetClient; SIDs in {@link #capabilitySids()} */
    public record AppContainer(String name, Sid sid, List<String> capabilities) {
        public List<Sid> capabilitySids() {
            return CapabilitySids.capabilities(capabilities);
        }
    }

    public WindowsLaunchPlan {
        describe = List.copyOf(describe);
        warnings = List.copyOf(warnings);
        folderAccess = List.copyOf(folderAccess);
    }
}
