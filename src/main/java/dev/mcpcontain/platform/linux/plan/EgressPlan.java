package dev.mcpcontain.platform.linux.plan;

import dev.mcpcontain.network.AllowList;
import dev.mcpcontain.network.ProxyEnvironment;
import dev.mcpcontain.policy.ContainmentPolicy;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How an outbound allow-list is carried out on Linux. The server has its own network namespace with only lo. The
 * launcher serves the filtering proxy on a unix socket that the helper binds into the sandbox; inside, the helper
 * runs a small bridge (before the server starts, without capabilities afterwards) that:
 * <ul>
 *   <li>listens on 127.0.0.1:{@code proxyPort} and relays each connection to the unix socket as it is, for clients
 *       that honour the proxy variables;</li>
 *   <li>routes every IPv4 destination to lo ({@code local 0.0.0.0/0}) and listens on every allowed port, so a
 *       client that ignores the variables lands on the bridge, which asks the proxy to CONNECT to the name the DNS
 *       stub handed out for that (fake, 198.18.0.0/15) address, or to the address itself;</li>
 *   <li>answers DNS on port 53 itself: a fake address for names the proxy says are covered, NXDOMAIN for the rest;
 *       no query ever leaves the sandbox, and no other UDP can (there is no interface but lo).</li>
 * </ul>
 */
record EgressPlan(Path hostSocket, int proxyPort, List<Integer> capturePorts, AllowList allowList) {

    /** Where the socket appears inside the sandbox. */
    static final String SANDBOX_SOCKET = "/run/mcp-contain/proxy.sock";

    static final int PREFERRED_PROXY_PORT = 3128;

    /** The socket lives in the launcher's data directory (private to the user), named after the run. */
    static EgressPlan of(ContainmentPolicy policy, String runId) {
        Path data = policy.agentHome().getParent().getParent();
        Path socket = data.resolve("run").resolve("egress-" + runId + ".sock");
        List<Integer> ports = policy.allowList().ports();
        int proxyPort = PREFERRED_PROXY_PORT;
        while (ports.contains(proxyPort)) {
            proxyPort++;
        }
        return new EgressPlan(socket, proxyPort, ports, policy.allowList());
    }

    void write(PlanWriter plan) {
        plan.step("network: allow-list " + allowList + "; own network namespace (lo only), the only way out is"
                + " the launcher's filtering proxy on " + hostSocket + " (bound at " + SANDBOX_SOCKET + ")");
        plan.op(PlanOp.BIND_RO, hostSocket.toString(), SANDBOX_SOCKET);
        plan.op(PlanOp.NET_PROXY, SANDBOX_SOCKET);
        plan.step("network: proxy-aware clients use 127.0.0.1:" + proxyPort + " (HTTP CONNECT, plain HTTP, SOCKS5h;"
                + " HTTP(S)_PROXY, ALL_PROXY, NODE_USE_ENV_PROXY, npm/yarn/pip/git, JAVA_TOOL_OPTIONS set)");
        plan.op(PlanOp.NET_PROXY_PORT, proxyPort);
        plan.step("network: other clients are captured: every IPv4 destination routed to lo, ports "
                + capturePorts + " relayed to the proxy by the DNS stub's name (fake addresses 198.18.0.0/15) or by"
                + " address; DNS answered inside (names off the list: NXDOMAIN, never sent out); no UDP leaves");
        for (int port : capturePorts) {
            plan.op(PlanOp.NET_CAPTURE, port);
        }
        plan.op(PlanOp.NET_DNS, 53);
        plan.step("network: names resolved by the launcher; loopback, RFC 1918, link-local (169.254.169.254),"
                + " CGNAT and IPv6 ULA/link-local results refused unless that address or 'localhost' is listed");
    }

    /** The policy's environment plus the proxy variables (an existing JAVA_TOOL_OPTIONS is kept after ours). */
    Map<String, String> environment(Map<String, String> base) {
        Map<String, String> env = new TreeMap<>(base);
        Map<String, String> proxy = ProxyEnvironment.forPort(proxyPort);
        for (Map.Entry<String, String> e : proxy.entrySet()) {
            String existing = base.get(e.getKey());
            env.put(e.getKey(), e.getKey().equals("JAVA_TOOL_OPTIONS") && existing != null
                    ? e.getValue() + " " + existing : e.getValue());
        }
        return env;
    }
}
