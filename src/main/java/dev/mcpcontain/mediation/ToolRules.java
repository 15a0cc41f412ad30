package dev.mcpcontain.mediation;

import java.util.Collection;
import java.util.Optional;
import java.util.Set;

/**
 * The profile's per-tool allow-list and deny-list. Names are matched exactly: a tool name is an identifier the
 * user chose to trust or not, and patterns would make "which tools can run" harder to answer.
 *
 * @param allow only these tools may be called; empty means all
 * @param deny  never called, even when {@code allow} names them
 */
public record ToolRules(Set<String> allow, Set<String> deny) {

    public ToolRules {
        allow = Set.copyOf(allow);
        deny = Set.copyOf(deny);
    }

    public static ToolRules of(Collection<String> allow, Collection<String> deny) {
        return new ToolRules(Set.copyOf(allow), Set.copyOf(deny));
    }

    public static ToolRules none() {
        return new ToolRules(Set.of(), Set.of());
    }

    public boolean allows(String tool) {
        return refusal(tool).isEmpty();
    }

    public boolean filtersAnything() {
        return !allow.isEmpty() || !deny.isEmpty();
    }

    /** Why the tool may not be called, or empty when it may. */
    Optional<RelayError> refusal(String tool) {
        if (deny.contains(tool)) {
            return Optional.of(RelayError.TOOL_DENIED);
        }
        if (!allow.isEmpty() && !allow.contains(tool)) {
            return Optional.of(RelayError.TOOL_NOT_ALLOWED);
        }
        return Optional.empty();
    }
}
