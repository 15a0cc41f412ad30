package dev.mcpcontain.mediation;

import dev.mcpcontain.audit.AuditEvent;
import dev.mcpcontain.audit.AuditLog;
import dev.mcpcontain.audit.SecretRedactor;
import java.time.Instant;
import java.util.Locale;

/**
 * Turns what the relay did with one message into an audit record, secrets replaced. Records are staged; the
 * relay's writers flush them before any forwarded byte leaves (see {@link LineWriter}).
 */
final class AuditTrail {

    private final AuditLog log;
    private final String server;
    private final SecretRedactor redactor;

    AuditTrail(AuditLog log, String server, SecretRedactor redactor) {
        this.log = log;
        this.server = server;
        this.redactor = redactor;
    }

    /** Writes the staged records; called before forwarded bytes leave the relay and before it blocks. */
    void flush() {
        if (log != null) {
            log.flushStaged();
        }
    }

    /**
     * One record of what happened to a message.
     *
     * @param outcome what the relay did with it
     * @param reason  the short machine-readable reason of a drop or refusal, else null
     * @param detail  a line for the reader (redacted), or null
     */
    void record(Crossing message, AuditEvent.Outcome outcome, String reason, String detail) {
        if (log == null) {
            return;
        }
        MessageScan scan = message.message();
        String kind = scan == null ? "invalid" : scan.kind.name().toLowerCase(Locale.ROOT);
        String status = null;
        Integer errorCode = null;
        Double latency = null;
        if (scan != null && scan.kind == MessageScan.Kind.RESPONSE) {
            status = scan.hasError ? "error" : "ok";
            errorCode = scan.errorCode;
            if (message.startNanos() != 0) {
                latency = Math.round((System.nanoTime() - message.startNanos()) / 1_000.0) / 1_000.0;
            }
        }
        log.stage(new AuditEvent(
                Instant.now().toString(),
                server,
                message.direction().label(),
                kind,
                message.idJson(),
                message.method(),
                message.tool(),
                redactor.redact(message.arguments()),
                outcome.label(),
                reason,
                redactor.redact(detail),
                status,
                errorCode,
                latency,
                message.bytes()));
    }
}
