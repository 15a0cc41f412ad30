package dev.mcpcontain.run;

import dev.mcpcontain.audit.AuditEvent;
import dev.mcpcontain.audit.AuditLog;
import dev.mcpcontain.launch.LaunchPlan;
import dev.mcpcontain.network.Addresses;
import dev.mcpcontain.network.EgressProxy;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the filtering proxy a plan needs: in a private directory, logging every refusal on stderr and in the
 * audit log (and every allowed connection on stderr at -v).
 */
final class EgressService {

    /**
     * A file of "NAME ADDRESS" lines that resolve those names instead of DNS (tests use it to map test names to
     * hosts in network namespaces they create). Private-range checks still apply to its answers.
     */
    static final String HOSTS_FILE_VARIABLE = "MCP_CONTAIN_HOSTS_FILE";

    private EgressService() {}

    static EgressProxy start(LaunchPlan plan) throws IOException {
        Path socket = plan.egressSocket().orElseThrow();
        Path dir = socket.getParent();
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Logger log = LoggerFactory.getLogger("mcp-contain.network");
        String server = plan.policy().serverId();
        Path auditFile = plan.policy().agentHome().getParent().getParent().resolve("audit.jsonl");
        AuditSink audit = new AuditSink(auditFile, log);
        return EgressProxy.start(socket, plan.policy().allowList(), resolver(), event -> {
            if (event.allowed()) {
                log.info(event.line());
            } else {
                log.warn(event.line());
                audit.refused(server, event);
            }
        });
    }

    /** Refusals in the audit log, opened on the first one (most launches have none). */
    private static final class AuditSink {
        private final Path file;
        private final Logger log;
        private AuditLog audit;
        private boolean failed;

        AuditSink(Path file, Logger log) {
            this.file = file;
            this.log = log;
        }

        synchronized void refused(String server, EgressProxy.Event event) {
            if (failed) {
                return;
            }
            try {
                if (audit == null) {
                    audit = AuditLog.open(file);
                }
                audit.append(new AuditEvent(java.time.Instant.now().toString(), server,
                        AuditEvent.Direction.SERVER_TO_HOST.label(), "network", null, event.via().equals("dns") ? "dns"
                        : "connect", null, null, AuditEvent.Outcome.REFUSED.label(), "network-denied",
                        event.target() + ": " + event.detail(), null, null, null, null));
            } catch (IOException | RuntimeException e) {
                failed = true;
                log.warn("network: cannot write refusals to the audit log " + file + ": " + e.getMessage());
            }
        }
    }

    private static EgressProxy.Resolver resolver() throws IOException {
        String file = System.getenv(HOSTS_FILE_VARIABLE);
        if (file == null || file.isEmpty()) {
            return EgressProxy.Resolver.SYSTEM;
        }
        Map<String, List<InetAddress>> names = new HashMap<>();
        for (String line : Files.readAllLines(Path.of(file), StandardCharsets.UTF_8)) {
            String[] words = line.strip().split("\\s+");
            if (words.length == 2 && !line.startsWith("#")) {
                InetAddress a = Addresses.parseLiteral(words[1]).orElseThrow(() -> new IOException(
                        HOSTS_FILE_VARIABLE + ": '" + words[1] + "' is not an address"));
                names.put(words[0].toLowerCase(java.util.Locale.ROOT), List.of(a));
            }
        }
        return name -> {
            List<InetAddress> a = names.get(name);
            return a != null ? a : EgressProxy.Resolver.SYSTEM.resolve(name);
        };
    }
}
