package dev.mcpcontain.network;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The variables that point proxy-aware clients inside the sandbox at the in-sandbox end of the filtering proxy
 * (127.0.0.1:PORT in the server's own network namespace, relayed to the launcher's unix socket). One port speaks
 * HTTP CONNECT, plain HTTP and SOCKS5, so every variable names the same place. Clients that ignore all of these
 * are caught by transparent capture instead.
 */
public final class ProxyEnvironment {

    private ProxyEnvironment() {}

    public static Map<String, String> forPort(int port) {
        String http = "http://127.0.0.1:" + port;
        String socks = "socks5h://127.0.0.1:" + port;
        // The sandbox's own loopback holds nothing but the proxy: a client must not try to proxy to the proxy.
        String noProxy = "127.0.0.1,::1";
        Map<String, String> env = new LinkedHashMap<>();
        for (String name : new String[] {"HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"}) {
            env.put(name, http);
        }
        env.put("ALL_PROXY", socks);
        env.put("all_proxy", socks);
        env.put("NO_PROXY", noProxy);
        env.put("no_proxy", noProxy);
        env.put("NODE_USE_ENV_PROXY", "1"); // node 22.21+/24: fetch and http(s) honour the variables above
        env.put("npm_config_proxy", http);
        env.put("npm_config_https_proxy", http);
        env.put("YARN_HTTP_PROXY", http);
        env.put("YARN_HTTPS_PROXY", http);
        env.put("PIP_PROXY", http);
        env.put("GIT_CONFIG_COUNT", "1");
        env.put("GIT_CONFIG_KEY_0", "http.proxy");
        env.put("GIT_CONFIG_VALUE_0", http);
        env.put("GRPC_PROXY", http);
        // JVMs read neither variable; JAVA_TOOL_OPTIONS reaches every JVM started in the sandbox.
        env.put("JAVA_TOOL_OPTIONS", "-Dhttp.proxyHost=127.0.0.1 -Dhttp.proxyPort=" + port
                + " -Dhttps.proxyHost=127.0.0.1 -Dhttps.proxyPort=" + port + " -Dhttp.nonProxyHosts=");
        return env;
    }
}
