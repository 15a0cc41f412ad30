package dev.mcpcontain.launch;

import dev.mcpcontain.policy.ContainmentPolicy;
import java.util.List;

/**
 * What a backend will do for one policy, computed without side effects so that {@code run --dry-run} can print
 * it and tests can assert on it.
 */
public interface LaunchPlan {

    ContainmentPolicy policy();

    /** The backend and mode, e.g. {@code linux/namespaces (user namespace)}. */
    String mode();

    /** One line per step, for {@code --dry-run} and {@code -v}. */
    List<String> describe();

    /** Warnings the user must see on every launch (reduced protections, explicit fallback). */
    List<String> warnings();

    /**
     * Where the launcher must serve the filtering proxy before starting the server (outbound allow-list), or
     * empty. While it is present the launcher stays resident for the server's lifetime.
     */
    default java.util.Optional<java.nio.file.Path> egressSocket() {
        return java.util.Optional.empty();
    }
}
