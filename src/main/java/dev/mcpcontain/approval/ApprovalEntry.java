package dev.mcpcontain.approval;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * One {@code tools.approval} entry: the decision for the tools it names and, optionally, what their arguments must
 * be. A call whose arguments break a rule is refused, whatever the decision.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ApprovalEntry(Approval decision, Map<String, ArgumentRule> arguments) {

    public ApprovalEntry {
        arguments = arguments == null ? Map.of() : java.util.Collections.unmodifiableMap(
                new java.util.LinkedHashMap<>(arguments));
    }

    public static ApprovalEntry of(Approval decision) {
        return new ApprovalEntry(decision, Map.of());
    }
}
