package dev.mcpcontain.policy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Hand-built hosts for policy tests: a home under a temp directory and an environment full of secrets. */
final class TestHosts {

    private TestHosts() {}

    static HostEnvironment user(Path home, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("HOME", home.toString());
        env.put("LANG", "C.UTF-8");
        env.put("LC_TIME", "de_DE.UTF-8");
        env.put("TERM", "xterm");
        env.put("USER", "alice");
        env.put("GITHUB_TOKEN", "ghp_secret");
        env.put("AWS_SECRET_ACCESS_KEY", "aws-secret");
        env.put("SSH_AUTH_SOCK", "/run/user/1000/ssh-agent");
        env.put("DBUS_SESSION_BUS_ADDRESS", "unix:path=/run/user/1000/bus");
        env.put("XDG_RUNTIME_DIR", "/run/user/1000");
        env.putAll(extra);
        return new HostEnvironment(Map.copyOf(env), home, home, 1000, 1000, "alice", false);
    }
}
