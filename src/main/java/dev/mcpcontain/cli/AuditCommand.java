package dev.mcpcontain.cli;

import dev.mcpcontain.audit.AuditEvent;
import dev.mcpcontain.audit.AuditQuery;
import dev.mcpcontain.audit.AuditReader;
import dev.mcpcontain.policy.HostEnvironment;
import dev.mcpcontain.state.StateFiles;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code mcp-contain audit}: read the audit log back, filtered by server, tool, method, outcome and time. */
@Command(mixinStandardHelpOptions = true, name = "audit", description = "Show the audit log of mediated runs.", sortOptions = false)
public final class AuditCommand implements Callable<Integer> {

    @Mixin
    VerboseMixin verbose;

    @Option(names = "--server", paramLabel = "ID", description = "Only this server.")
    String server;

    @Option(names = "--tool", paramLabel = "NAME", description = "Only calls of (and answers to) this tool.")
    String tool;

    @Option(names = "--method", paramLabel = "METHOD", description = "Only this JSON-RPC method, e.g. tools/call.")
    String method;

    @Option(names = "--outcome", paramLabel = "OUTCOME", description = "forwarded, refused, dropped or internal.")
    String outcome;

    @Option(names = "--since", paramLabel = "TIME", converter = TimeConverter.class,
            description = "From this time: 2026-11-21T09:00:00Z, 2026-11-21 (local midnight), or 30m, 2h, 7d ago.")
    Instant since;

    @Option(names = "--until", paramLabel = "TIME", converter = TimeConverter.class, description = "Up to this time.")
    Instant until;

    @Option(names = "--file", paramLabel = "FILE", description = "Another audit log (default: the user's).")
    Path file;

    @Option(names = "--json", description = "Print the matching records exactly as written.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Path log = file != null ? file : StateFiles.audit(HostEnvironment.current());
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!Files.exists(log)) {
            err.println("mcp-contain: no audit log at " + log + " yet (mediated runs write it)");
            err.flush();
            return ExitCodes.OK;
        }
        AuditQuery query = new AuditQuery(Optional.ofNullable(server), Optional.ofNullable(tool),
                Optional.ofNullable(method), Optional.ofNullable(outcome), Optional.ofNullable(since),
                Optional.ofNullable(until));
        AuditReader.scan(log, query, entry -> out.println(json ? entry.line() : format(entry.event())),
                damaged -> err.println("mcp-contain: " + log + ":" + damaged.lineNumber() + ": " + damaged.reason()));
        out.flush();
        err.flush();
        return ExitCodes.OK;
    }

    static String format(AuditEvent e) {
        StringBuilder line = new StringBuilder();
        line.append(e.time()).append("  ").append(e.server()).append("  ").append(arrow(e.direction())).append(' ')
                .append(pad(e.kind(), 12)).append(' ').append(e.method() == null ? "-" : e.method());
        if (e.tool() != null) {
            line.append(" ").append(e.tool());
        }
        if (e.id() != null) {
            line.append(" #").append(e.id());
        }
        line.append("  ").append(e.outcome());
        if (e.reason() != null) {
            line.append(" (").append(e.reason()).append(')');
        }
        if (e.status() != null) {
            line.append(' ').append(e.status()).append(e.errorCode() == null ? "" : " " + e.errorCode());
        }
        if (e.latencyMs() != null) {
            line.append(' ').append(e.latencyMs()).append(" ms");
        }
        if (e.arguments() != null) {
            line.append("  ").append(PinsCommand.brief(e.arguments().toString(), 120));
        }
        if (e.detail() != null) {
            line.append("  ").append(PinsCommand.brief(e.detail(), 160));
        }
        return line.toString();
    }

    private static String arrow(String direction) {
        return switch (direction == null ? "" : direction) {
            case "host-to-server" -> "host->server";
            case "server-to-host" -> "server->host";
            case "relay-to-server" -> "relay->server";
            case "relay-to-host" -> "relay->host";
            default -> String.valueOf(direction);
        };
    }

    private static String pad(String text, int width) {
        String t = text == null ? "-" : text;
        return t.length() >= width ? t : t + " ".repeat(width - t.length());
    }

    static final class TimeConverter implements CommandLine.ITypeConverter<Instant> {
        @Override
        public Instant convert(String value) {
            String v = value.strip();
            if (v.matches("[0-9]+[smhd]")) {
                long n = Long.parseLong(v.substring(0, v.length() - 1));
                Duration ago = switch (v.charAt(v.length() - 1)) {
                    case 's' -> Duration.ofSeconds(n);
                    case 'm' -> Duration.ofMinutes(n);
                    case 'h' -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
                return Instant.now().minus(ago);
            }
            try {
                if (v.matches("\\d{4}-\\d{2}-\\d{2}")) {
                    return LocalDate.parse(v).atStartOfDay(ZoneId.systemDefault()).toInstant();
                }
                return Instant.parse(v);
            } catch (DateTimeParseException e) {
                throw new CommandLine.TypeConversionException("'" + value
                        + "' is not a time (2026-11-21T09:00:00Z, 2026-11-21, or 30m, 2h, 7d for that long ago)");
            }
        }
    }
}
