package dev.mcpcontain.launch;

import dev.mcpcontain.policy.ContainmentPolicy;
import java.io.IOException;
import java.util.Optional;

/**
 * A platform's way of containing a server. {@link #plan} decides whether the policy can be enforced on this
 * host and throws {@link ContainmentException} with {@code UNENFORCEABLE} if not; {@link #start} carries the plan
 * out with the server's stdio connected to pipes.
 *
 * @param <P> the backend's own plan type: what {@link #plan} returns is what {@link #prepare} and {@link #start}
 *            take, so neither the backend nor its callers cast
 */
public interface ContainmentBackend<P extends LaunchPlan> {

    String name();

    /** Probes the host: what can be enforced, and which mode {@code run} will use. */
    HostCheck check();

    P plan(ContainmentPolicy policy);

    /** Prepares host state the plan needs (agent home, cgroups); never called for a dry run. */
    void prepare(P plan) throws IOException;

    /**
     * Starts the contained server with its stdin, stdout and stderr on pipes owned by the caller.
     *
     * @param inheritStdio connect the server to this JVM's own stdio instead of pipes
     */
    ContainedProcess start(P plan, boolean inheritStdio) throws IOException;

    /** How this backend hands a prepared plan to a native supervisor that replaces the JVM, if it can. */
    default Optional<ExecHandoff<P>> execHandoff() {
        return Optional.empty();
    }
}
