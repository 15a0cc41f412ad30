package dev.mcpcontain.mediation;

import com.fasterxml.jackson.databind.JsonNode;
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

    /** One record; {@code startNanos} (or 0) gives the latency of a response. */
    void record(AuditEvent.Direction direction, MessageScan message, String method, String tool, JsonNode arguments,
            AuditEvent.Outcome outcome, String reason, String detail, long startNanos, int bytes) {
        if (log == null) {
            return;
        }
        String kind = message == null ? "invalid" : message.kind.name().toLowerCase(Locale.ROOT);
        String status = null;
        Integer errorCode = null;
        Double latency = null;
        if (message != null && message.kind == MessageScan.Kind.RESPONSE) {
            status = message.hasError ? "error" : "ok";
            errorCode = message.errorCode;
            if (startNanos != 0) {
                latency = Math.round((System.nanoTime() - startNanos) / 1_000.0) / 1_000.0;
            }
        }
        log.stage(new AuditEvent(
                Instant.now().toString(),
                server,
                direction.label(),
                kind,
                message == null ? null : message.idJson,
                method,
                tool,
                redactor.redact(arguments),
                outcome.label(),
                reason,
                redactor.redact(detail),
                status,
                errorCode,
                latency,
                bytes));
    }
}
