package dev.mcpcontain.launch;

import dev.mcpcontain.policy.ContainmentPolicy;
import java.io.IOException;

/**
 * A platform's way of containing a server. {@link #plan} decides whether the policy can be enforced on this
 * host and throws {@link ContainmentException} with {@code UNENFORCEABLE} if not; {@link #start} carries the plan
 * out with the server's stdio connected to pipes.
 */
public interface ContainmentBackend {

    String name();

    /** Probes the host: what can be enforced, and which mode {@code run} will use. */
    HostCheck check();

    LaunchPlan plan(ContainmentPolicy policy);

    /** Prepares host state the plan needs (agent home, cgroups); never called for a dry run. */
    void prepare(LaunchPlan plan) throws IOException;

    /**
     * Starts the contained server with its stdin, stdout and stderr on pipes owned by the caller.
     *
     * @param inheritStdio connect the server to this JVM's own stdio instead of pipes
     */
    ContainedProcess start(LaunchPlan plan, boolean inheritStdio) throws IOException;
}
