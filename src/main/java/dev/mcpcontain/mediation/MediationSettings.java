package dev.mcpcontain.mediation;

import dev.mcpcontain.audit.AuditLog;
import dev.mcpcontain.audit.SecretRedactor;
import dev.mcpcontain.pins.PinStore;
import java.time.Duration;
import java.util.Optional;

/**
 * Everything the relay enforces for one server, decided before it starts.
 *
 * @param serverId       the policy's server identity: keys the pin and names the server in the audit log
 * @param tools          the profile's allow-list and deny-list
 * @param declared       tool definitions declared ahead (a manifest's static_responses), if any
 * @param pins           where pins are kept
 * @param audit          where records go; null for no audit log (only tests and the benchmark's bare relay)
 * @param redactor       secret values that must never reach the audit log
 * @param verifyTimeout  how long a tool call waits for the server to list its tools
 * @param maxLineBytes   longest message passed on; longer ones are dropped
 * @param approvals      which tool calls are allowed, asked about or refused, and how to ask
 */
public record MediationSettings(
        String serverId,
        ToolRules tools,
        Optional<PinnedTools> declared,
        PinStore pins,
        AuditLog audit,
        SecretRedactor redactor,
        Duration verifyTimeout,
        int maxLineBytes,
        Approvals approvals) {

    public static final Duration DEFAULT_VERIFY_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_LINE_BYTES = 64 << 20;

    public static MediationSettings of(String serverId, ToolRules tools, Optional<PinnedTools> declared, PinStore pins,
            AuditLog audit, SecretRedactor redactor) {
        return new MediationSettings(serverId, tools, declared, pins, audit, redactor, DEFAULT_VERIFY_TIMEOUT,
                DEFAULT_MAX_LINE_BYTES, Approvals.none());
    }

    public MediationSettings withApprovals(Approvals rules) {
        return new MediationSettings(serverId, tools, declared, pins, audit, redactor, verifyTimeout, maxLineBytes,
                rules);
    }
}
