package dev.mcpcontain.platform.linux.plan;

import dev.mcpcontain.launch.ContainmentException;
import dev.mcpcontain.platform.linux.seccomp.SeccompOptions;
import dev.mcpcontain.policy.ContainmentPolicy;
import dev.mcpcontain.policy.LandlockWeaknesses;
import dev.mcpcontain.profile.Profile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a {@link ContainmentPolicy} into the helper's plan. Every Linux-specific decision is made in Java, one
 * concern per class: {@link NamespacesPlan} (who and in which namespaces), {@link MountsPlan} (the filesystem),
 * {@link LandlockPlan}, {@link EgressPlan}, {@link HomePlan}, {@link LimitsPlan}, {@link UsernsCountersPlan},
 * {@link SeccompPlan}, {@link ServerPlan}. This class only picks the pieces for the isolation mode and puts them in
 * the helper's order. The pieces ask the host only through the launcher's {@link HostProbe}, and each writes the
 * description of its steps with its operations ({@link PlanWriter#step}). The helper only carries the plan out.
 */
public final class LinuxPlanBuilder {

    /**
     * Who launches: decided by the backend from the real process.
     *
     * @param probe what the plan may learn about the host's files and processes (the live host, or a test's)
     */
    public record Launcher(boolean root, int uid, int gid, Path home, int verbosity, Path helper, LinuxHostFacts facts,
            Optional<AgentAccount> agent, String runId, Path etc, Map<String, Long> usernsLimits, HostProbe probe) {

        public Launcher(boolean root, int uid, int gid, Path home, int verbosity, Path helper, LinuxHostFacts facts,
                Optional<AgentAccount> agent, String runId, Path etc, Map<String, Long> usernsLimits) {
            this(root, uid, gid, home, verbosity, helper, facts, agent, runId, etc, usernsLimits, HostProbe.live());
        }

        public Launcher(boolean root, int uid, int gid, Path home, int verbosity, Path helper, LinuxHostFacts facts,
                Optional<AgentAccount> agent, String runId, Path etc) {
            this(root, uid, gid, home, verbosity, helper, facts, agent, runId, etc, UsernsLimits.forThisHost());
        }
    }

    private final Launcher launcher;

    public LinuxPlanBuilder(Launcher launcher) {
        this.launcher = launcher;
    }

    public LinuxLaunchPlan build(ContainmentPolicy policy) {
        if (policy.network() == Profile.Network.ALLOW_LIST && policy.isolation() != Profile.Isolation.FULL) {
            throw new ContainmentException(ContainmentException.Reason.UNENFORCEABLE, "an outbound allow-list"
                    + " (--allow-host, network.allow) needs isolation 'full': the server's own network namespace is"
                    + " what makes the filtering proxy its only way out; isolation '"
                    + policy.isolation().name().toLowerCase(Locale.ROOT) + "' has none");
        }
        Optional<EgressPlan> egress = policy.network() == Profile.Network.ALLOW_LIST
                ? Optional.of(EgressPlan.of(policy, launcher.runId())) : Optional.empty();
        PlanWriter plan = new PlanWriter();
        List<String> warnings = new ArrayList<>();
        String mode = switch (policy.isolation()) {
            case FULL -> {
                String namespaces = new NamespacesPlan(policy, launcher).write(plan);
                new MountsPlan(policy, launcher).write(plan);
                new LandlockPlan(policy, launcher, true).write(plan);
                if (egress.isPresent()) {
                    egress.get().write(plan);
                }
                yield namespaces;
            }
            case LANDLOCK -> {
                plan.op(PlanOp.MODE, "landlock");
                List<LandlockWeaknesses.Weakness> open = LandlockIsolation.refuseWhatItCannotKeep(policy);
                new LandlockPlan(policy, launcher, false).write(plan);
                LandlockIsolation.warn(policy, launcher, open, plan, warnings);
                NamespacesPlan.identityWithoutNamespaces(launcher, plan, warnings);
                yield "linux/landlock (no namespaces)";
            }
            case REDUCED -> {
                plan.step("no namespaces, no filesystem confinement: the user's own session");
                plan.op(PlanOp.MODE, "reduced");
                warnings.add("reduced protections (profile '" + policy.profileName() + "'): the server runs in your"
                        + " session with your files" + (policy.network() == Profile.Network.NONE ? "" : " and network")
                        + "; only the environment, limits and seccomp apply. For testing only.");
                NamespacesPlan.identityWithoutNamespaces(launcher, plan, warnings);
                yield "linux/reduced (the user's session)";
            }
        };

        HomePlan.write(policy, launcher, plan);
        LimitsPlan limits = new LimitsPlan(policy.limits(), policy.serverId(), launcher,
                NamespacesPlan.unsharesUser(policy, launcher));
        limits.write(plan);
        UsernsCountersPlan.write(policy, launcher, plan, warnings);
        SeccompOptions seccomp = SeccompPlan.write(policy, plan);
        if (policy.isolation() != Profile.Isolation.REDUCED) {
            CreateGuardPlan.write(policy, seccomp.arch(), policy.isolation() == Profile.Isolation.FULL, plan);
        }
        // No Optional lambdas here: this runs on every launch, where each lambda call site costs start-up time.
        Map<String, String> environment = egress.isPresent() ? egress.get().environment(policy.environment())
                : policy.environment();
        ServerPlan.write(policy, environment, launcher.verbosity(), plan);

        Optional<AgentAccount> owner = launcher.root() ? launcher.agent() : Optional.empty();
        return new LinuxLaunchPlan(policy, mode, launcher.helper(), plan.finish(), plan.description(), seccomp,
                List.copyOf(warnings), limits.cgroupParents(), owner,
                egress.isPresent() ? Optional.of(egress.get().hostSocket()) : Optional.empty());
    }
}
