package dev.mcpcontain.platform.windows.plan;

import dev.mcpcontain.launch.LaunchPlan;
import dev.mcpcontain.platform.windows.account.AgentAccountStore;
import dev.mcpcontain.platform.windows.acl.AceSpec;
import dev.mcpcontain.platform.windows.acl.CapabilitySids;
import dev.mcpcontain.platform.windows.acl.Sid;
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

    /** Plans are built by name, never positionally: {@code WindowsLaunchPlan.builder(policy).mode(..)...build()}. */
    public static Builder builder(ContainmentPolicy policy) {
        return new Builder(policy);
    }

    /**
     * Names every part of a plan. The process and the job must be given; the rest defaults to the least: no
     * AppContainer, no restricted token, no folder entries, the parent's desktop, no agent account.
     */
    public static final class Builder {
        private final ContainmentPolicy policy;
        private String mode;
        private List<String> describe = List.of();
        private List<String> warnings = List.of();
        private String application;
        private String commandLine;
        private String environmentBlock;
        private String currentDirectory;
        private JobLimits job;
        private Optional<AppContainer> appContainer = Optional.empty();
        private boolean restrictedToken;
        private List<AceSpec> folderAccess = List.of();
        private boolean ownDesktop;
        private String existingDesktop = "";
        private ChildVerification verification;
        private Optional<AgentAccountStore.Account> agentAccount = Optional.empty();

        private Builder(ContainmentPolicy policy) {
            this.policy = policy;
        }

        public Builder mode(String mode) {
            this.mode = mode;
            return this;
        }

        /** The steps {@code --dry-run} prints, and the warnings every launch prints. */
        public Builder description(List<String> steps, List<String> warnings) {
            this.describe = steps;
            this.warnings = warnings;
            return this;
        }

        public Builder process(String application, String commandLine, String environmentBlock, String currentDirectory) {
            this.application = application;
            this.commandLine = commandLine;
            this.environmentBlock = environmentBlock;
            this.currentDirectory = currentDirectory;
            return this;
        }

        public Builder job(JobLimits job) {
            this.job = job;
            return this;
        }

        public Builder appContainer(AppContainer appContainer) {
            this.appContainer = Optional.of(appContainer);
            return this;
        }

        public Builder restrictedToken(boolean restrictedToken) {
            this.restrictedToken = restrictedToken;
            return this;
        }

        public Builder folderAccess(List<AceSpec> folderAccess) {
            this.folderAccess = folderAccess;
            return this;
        }

        /** A window station and desktop of the server's own, made by this launch. */
        public Builder ownDesktop() {
            this.ownDesktop = true;
            return this;
        }

        /** {@code winsta\desktop} made by an earlier stage (inner launcher, broker). */
        public Builder existingDesktop(String desktop) {
            this.existingDesktop = desktop;
            return this;
        }

        public Builder verification(ChildVerification verification) {
            this.verification = verification;
            return this;
        }

        public Builder agentAccount(Optional<AgentAccountStore.Account> agentAccount) {
            this.agentAccount = agentAccount;
            return this;
        }

        public WindowsLaunchPlan build() {
            java.util.Objects.requireNonNull(mode, "mode");
            java.util.Objects.requireNonNull(application, "process");
            java.util.Objects.requireNonNull(job, "job");
            java.util.Objects.requireNonNull(verification, "verification");
            return new WindowsLaunchPlan(policy, mode, describe, warnings, application, commandLine, environmentBlock,
                    currentDirectory, job, appContainer, restrictedToken, folderAccess, ownDesktop, existingDesktop,
                    verification, agentAccount);
        }
    }
}
