package dev.mcpcontain.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The real {@code mcp-contain} command line in a child JVM (the production classes under test), with its own
 * HOME and XDG directories so that integration tests never touch the user's pins, consents or audit log. The
 * helper locations Failsafe passes to this JVM are passed on.
 */
public final class McpContainCli {

    private final Path home;
    private final Map<String, String> env = new HashMap<>();

    public McpContainCli(Path root) throws java.io.IOException {
        this.home = Files.createDirectories(root.resolve("home"));
        env.put("HOME", home.toString());
        env.put("XDG_CONFIG_HOME", root.resolve("config").toString());
        env.put("XDG_DATA_HOME", root.resolve("data").toString());
        env.put("MCP_CONTAIN_NO_PROMPT", "1");
        // Root ignores the XDG folders (its agent homes live in /var/lib/mcp-contain): this keeps them here too.
        env.put(dev.mcpcontain.policy.HostEnvironment.STATE_DIR_VARIABLE, root.resolve("state").toString());
    }

    public Path home() {
        return home;
    }

    /** Variables for the launcher process (and so for an MCP client that spawns it). */
    public Map<String, String> env() {
        return env;
    }

    public List<String> command(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Duser.home=" + home);
        for (String property : List.of("mcp.contain.helper", "mcp.contain.probe", "mcp.contain.home")) {
            String value = System.getProperty(property);
            if (value != null) {
                command.add("-D" + property + "=" + value);
            }
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("dev.mcpcontain.cli.Main");
        command.addAll(List.of(args));
        return command;
    }

    /** Runs a subcommand to completion; returns its exit code, stderr inherited. */
    public int run(String... args) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command(args)).redirectErrorStream(false)
                .redirectError(ProcessBuilder.Redirect.INHERIT).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().putAll(env);
        Process p = builder.start();
        return p.waitFor();
    }
}
