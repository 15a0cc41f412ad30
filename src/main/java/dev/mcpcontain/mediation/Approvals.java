package dev.mcpcontain.mediation;

import dev.mcpcontain.approval.ApprovalPolicy;
import dev.mcpcontain.approval.ApprovalStore;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the relay's approval stage needs: the profile's rules, the remembered decisions, a terminal to ask on (when
 * the launcher has one) and how long an ask may wait.
 *
 * @param policy   the profile's approval rules
 * @param store    remembered decisions; null: none (tests, the bare benchmark relay)
 * @param terminal opens the prompt on the launcher's terminal, empty when there is none
 * @param timeout  an ask unanswered for this long is a refusal
 */
public record Approvals(ApprovalPolicy policy, ApprovalStore store, Supplier<Optional<ToolPrompt>> terminal,
        Duration timeout) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);

    /** Every call allowed, nothing asked. */
    public static Approvals none() {
        return new Approvals(ApprovalPolicy.allowAll(), null, Optional::empty, DEFAULT_TIMEOUT);
    }
}
