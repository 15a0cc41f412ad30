package dev.mcpcontain.approval;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The profile's {@code tools.approval} entries (by tool name or glob, in file order) and its
 * {@code tools.defaultApproval}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApprovalRules(Map<String, ApprovalEntry> approval, DefaultApproval defaultApproval) {

    public ApprovalRules {
        approval = approval == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(approval));
        defaultApproval = defaultApproval == null ? DefaultApproval.ALLOW : defaultApproval;
    }

    /** Every call allowed: what a profile without approval settings means. */
    public static ApprovalRules allowAll() {
        return new ApprovalRules(Map.of(), DefaultApproval.ALLOW);
    }

    /** True when no call is ever asked about or refused by these rules (the relay then has nothing to do here). */
    public boolean allowsEverything() {
        if (defaultApproval != DefaultApproval.ALLOW) {
            return false;
        }
        // A loop, not a stream: asked on every launch, where each lambda call site costs start-up time.
        for (ApprovalEntry entry : approval.values()) {
            if (entry.decision() != Approval.ALLOW || !entry.arguments().isEmpty()) {
                return false;
            }
        }
        return true;
    }
}
