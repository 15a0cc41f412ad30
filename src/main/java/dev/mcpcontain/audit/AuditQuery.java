package dev.mcpcontain.audit;

import java.time.Instant;
import java.util.Optional;

/** Which records {@code mcp-contain audit} shows; every criterion is optional and all given ones must match. */
public record AuditQuery(
        Optional<String> server,
        Optional<String> tool,
        Optional<String> method,
        Optional<String> outcome,
        Optional<Instant> since,
        Optional<Instant> until) {

    public static AuditQuery all() {
        return new AuditQuery(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty());
    }

    public boolean matches(AuditEvent event) {
        if (server.isPresent() && !server.get().equals(event.server())) {
            return false;
        }
        if (tool.isPresent() && !tool.get().equals(event.tool())) {
            return false;
        }
        if (method.isPresent() && !method.get().equals(event.method())) {
            return false;
        }
        if (outcome.isPresent() && !outcome.get().equals(event.outcome())) {
            return false;
        }
        if (since.isPresent() || until.isPresent()) {
            Instant time;
            try {
                time = Instant.parse(event.time());
            } catch (RuntimeException e) {
                return false;
            }
            if (since.isPresent() && time.isBefore(since.get())) {
                return false;
            }
            if (until.isPresent() && time.isAfter(until.get())) {
                return false;
            }
        }
        return true;
    }
}
