package dev.mcpcontain.testing;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/** Real MCP clients (the official Java SDK) for the tests: bare, or through a relay JVM. */
public final class McpClients {

    private McpClients() {}

    /** A client that spawns {@code command} itself, the way an MCP host does. Stderr lines land in {@code stderr}. */
    public static McpSyncClient stdio(List<String> command, Map<String, String> env,
            ConcurrentLinkedQueue<String> stderr) {
        ServerParameters params = ServerParameters.builder(command.get(0))
                .args(command.subList(1, command.size()))
                .env(env)
                .build();
        StdioClientTransport transport = new StdioClientTransport(params, McpJsonDefaults.getMapper());
        transport.setStdErrorHandler(stderr::add);
        return McpClient.sync(transport)
                .requestTimeout(Duration.ofSeconds(30))
                .initializationTimeout(Duration.ofSeconds(30))
                .build();
    }

    /** Like {@link #stdio} for a client that declares the roots capability and offers one root. */
    public static McpSyncClient stdioWithRoots(List<String> command, ConcurrentLinkedQueue<String> stderr, String root) {
        ServerParameters params = ServerParameters.builder(command.get(0)).args(command.subList(1, command.size())).build();
        StdioClientTransport transport = new StdioClientTransport(params, McpJsonDefaults.getMapper());
        transport.setStdErrorHandler(stderr::add);
        return McpClient.sync(transport)
                .requestTimeout(Duration.ofSeconds(30))
                .capabilities(McpSchema.ClientCapabilities.builder().roots(true).build())
                .roots(new McpSchema.Root(root, "test root"))
                .build();
    }

    /** A client over a process started through mcp-contain's Java API. */
    public static McpSyncClient over(dev.mcpcontain.launch.ContainedProcess process, ConcurrentLinkedQueue<String> stderr) {
        return McpClient.sync(new ContainedProcessTransport(process, McpJsonDefaults.getMapper(), stderr))
                .requestTimeout(Duration.ofSeconds(30))
                .initializationTimeout(Duration.ofSeconds(30))
                .build();
    }

    /** Initializes, failing with the server's (launcher's) stderr when that does not work: it says why. */
    public static void initialize(McpSyncClient client, ConcurrentLinkedQueue<String> stderr) {
        try {
            client.initialize();
        } catch (RuntimeException e) {
            throw new AssertionError("initialize failed; server stderr:\n" + String.join("\n", stderr), e);
        }
    }

    /** A tools/call request with these arguments. */
    public static McpSchema.CallToolRequest call(String tool, java.util.Map<String, Object> arguments) {
        return McpSchema.CallToolRequest.builder(tool).arguments(arguments).build();
    }

    /** This JVM's java and classpath: the relay JVMs run the production classes under test. */
    public static List<String> java(String mainClass, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(args);
        return command;
    }

    /** {@code UncontainedRelayMain OPTIONS -- server...}: the production relay in front of an uncontained server. */
    public static List<String> relay(List<String> options, List<String> server) {
        List<String> args = new ArrayList<>(options);
        args.add("--");
        args.addAll(server);
        return java(UncontainedRelayMain.class.getName(), args);
    }
}
