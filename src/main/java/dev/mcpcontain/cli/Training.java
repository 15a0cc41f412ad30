package dev.mcpcontain.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs every launch path once in one JVM, so that the class-data archive (or a newer JVM's AOT cache) that
 * {@code scripts/install} makes from this run covers them all: plain (the plan handed over the descriptor the
 * script names), a manifest ({@code --dry-run}), mediated (a tiny scripted server answering initialize,
 * tools/list and one call through the relay, pin recorded and then removed), and the picocli commands.
 * Only for the installer: {@code MCP_CONTAIN_PLAN_FD} must name a descriptor (e.g. on /dev/null) and stdin must
 * hold {@link #HOST_MESSAGES}.
 *
 * <pre>{@code MCP_CONTAIN_PLAN_FD=3 java ... dev.mcpcontain.cli.Training DIR 3>/dev/null <messages >/dev/null}</pre>
 */
public final class Training {

    static final String SERVER_NAME = "mcp-contain-training";

    /** What the training host sends the mediated server. */
    public static final String HOST_MESSAGES = String.join("\n",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
                    + "\"capabilities\":{},\"clientInfo\":{\"name\":\"training\",\"version\":\"1\"}}}",
            "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"t\",\"arguments\":{\"x\":\"1\"}}}",
            "");

    /** The scripted server: answers by id, ignoring everything else (the relay's own listing included). */
    private static final String SERVER_SCRIPT = "while read -r line; do case $line in "
            + "*'\"id\":1,'*) echo '{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"protocolVersion\":\"2025-06-18\","
            + "\"capabilities\":{\"tools\":{}},\"serverInfo\":{\"name\":\"t\",\"version\":\"1\"}}}';; "
            + "*'\"id\":\"mcp-contain:'*) id=${line#*\\\"id\\\":}; id=${id%%,*}; echo '{\"jsonrpc\":\"2.0\",\"id\":'$id',"
            + "\"result\":{\"tools\":[{\"name\":\"t\",\"inputSchema\":{\"type\":\"object\",\"properties\":{\"x\":"
            + "{\"type\":\"string\"}}}}]}}';; "
            + "*'\"id\":2,'*) echo '{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"tools\":[{\"name\":\"t\",\"inputSchema\":"
            + "{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"string\"}}}}]}}';; "
            + "*'\"id\":3,'*) echo '{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"ok\"}]}}';"
            + " exit 0;; esac; done";

    private Training() {}

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        PrintWriter out = new PrintWriter(Writer.nullWriter());
        PrintWriter err = new PrintWriter(System.err, true);
        Path manifest = dir.resolve("manifest.json");
        Files.writeString(manifest, "{\"manifest_version\":\"0.3\",\"name\":\"training\",\"version\":\"1.0.0\","
                + "\"description\":\"class-data training\",\"author\":{\"name\":\"mcp-contain\"},\"server\":{\"type\":"
                + "\"binary\",\"entry_point\":\"/bin/true\",\"mcp_config\":{\"command\":\"/bin/true\",\"args\":[]}},"
                + "\"tools\":[{\"name\":\"t\"}]}\n");
        int failures = 0;
        // Plain, as most launches are: the strict profile's approvals alone would make the run mediated.
        failures += status(Main.execute(new String[] {"run", "--profile", "strict", "--no-mediate", "--", "/bin/true"},
                out, err));
        failures += status(Main.execute(new String[] {"run", "--grant", dir + ":ro", "--no-mediate", "--", "/bin/true"},
                out, err));
        failures += status(Main.execute(new String[] {"run", "--profile", "strict", "--", "/bin/true"}, out, err));
        failures += status(Main.execute(new String[] {"run", "--manifest", manifest.toString(), "--dry-run"}, out, err));
        failures += status(Main.execute(new String[] {"manifest", "validate", manifest.toString()}, out, err));
        failures += status(Main.execute(new String[] {"run", "--mediate", "--profile", "strict", "--name", SERVER_NAME,
                "--audit", dir.resolve("audit.jsonl").toString(), "--", "/bin/sh", "-c", SERVER_SCRIPT}, out, err));
        failures += status(Main.execute(new String[] {"pins", "reset", SERVER_NAME}, out, err));
        if (failures > 0) {
            err.println("mcp-contain training: " + failures + " path(s) failed; the archive covers the others");
        }
    }

    private static int status(int code) {
        return code == 0 ? 0 : 1;
    }
}
