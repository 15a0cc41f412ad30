package dev.mcpcontain.cli;

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
 * Starts the filtering proxy a plan needs: in a private directory, logging every refusal on stderr (and every
 * allowed connection at -v).
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
        return EgressProxy.start(socket, plan.policy().allowList(), resolver(), event -> {
            if (event.allowed()) {
                log.info(event.line());
            } else {
                log.warn(event.line());
            }
        });
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
