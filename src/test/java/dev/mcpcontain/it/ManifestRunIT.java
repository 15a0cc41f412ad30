package dev.mcpcontain.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpcontain.testing.Fixtures;
import dev.mcpcontain.testing.McpClients;
import dev.mcpcontain.testing.McpContainCli;
import dev.mcpcontain.testing.TestServers;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mcp-contain run --manifest}: a real MCPB manifest for server-filesystem in a bundle copied from the
 * installed package (the installed tree is never written), static_responses captured from the live server, the folder granted with {@code grants add}.
 */
class ManifestRunIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    @org.junit.jupiter.api.AfterEach
    void childrenExit() throws InterruptedException {
        dev.mcpcontain.testing.ChildProcesses.awaitExit();
    }

    @Test
    void aManifestServerRunsContainedWithItsConsentedFolderAndPinnedTools() throws Exception {
        McpContainCli cli = new McpContainCli(temp);
        Path sandbox = Files.createDirectories(cli.home().resolve("notes")).toRealPath();
        Files.writeString(sandbox.resolve("a.txt"), "consented\n");
        Path bundle = bundle(temp.resolve("bundle"));
        Path manifest = bundle.resolve("manifest.json");
        Files.writeString(manifest, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(liveManifest(sandbox)));
        assertEquals(0, cli.run("manifest", "validate", manifest.toString()));
        assertEquals(0, cli.run("grants", "add", "secure-filesystem-server", sandbox + ":rw"));
        List<String> command = cli.command("run", "--manifest", manifest.toString(), "--user-config",
                "allowed_directories=" + sandbox, "--audit", temp.resolve("audit.jsonl").toString());
        ConcurrentLinkedQueue<String> stderr = new ConcurrentLinkedQueue<>();
        try (McpSyncClient client = McpClients.stdio(command, cli.env(), stderr)) {
            McpClients.initialize(client, stderr);
            assertEquals(14, client.listTools().tools().size(), "stderr: " + stderr);
            McpSchema.CallToolResult read = client.callTool(McpClients.call("read_text_file",
                    Map.of("path", sandbox.resolve("a.txt").toString())));
            assertEquals("consented\n", MediatedRunIT.text(read));
            client.callTool(McpClients.call("write_file",
                    Map.of("path", sandbox.resolve("b.txt").toString(), "content", "written inside")));
        }
        assertEquals("written inside", Files.readString(sandbox.resolve("b.txt")), "read-write consent applies");
    }

    /**
     * An unpacked MCPB bundle as Claude Desktop lays it out: the package's own files at the top (dist/, package.json)
     * and its dependencies in node_modules beside them, copied from the installed test servers.
     */
    private static Path bundle(Path bundle) throws java.io.IOException {
        Path installed = TestServers.packageDirectory("server-filesystem");
        copyTree(installed, bundle);
        copyTree(installed.getParent().getParent(), bundle.resolve("node_modules"));
        return bundle;
    }

    private static void copyTree(Path from, Path to) throws java.io.IOException {
        try (java.util.stream.Stream<Path> walk = Files.walk(from)) {
            for (Path source : (Iterable<Path>) walk::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isSymbolicLink(source)) {
                    Files.createSymbolicLink(target, Files.readSymbolicLink(source));
                } else if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    /** The fixture manifest with static_responses replaced by what the installed server really answers. */
    private static JsonNode liveManifest(Path sandbox) throws Exception {
        ObjectNode manifest = (ObjectNode) Fixtures.json(Fixtures.MANIFEST);
        Process bare = new ProcessBuilder(TestServers.node(), TestServers.filesystem().toString(), sandbox.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (OutputStream in = bare.getOutputStream();
                BufferedReader out = new BufferedReader(new InputStreamReader(bare.getInputStream(), StandardCharsets.UTF_8))) {
            in.write(("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
                    + "\"capabilities\":{},\"clientInfo\":{\"name\":\"capture\",\"version\":\"1\"}}}\n"
                    + "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
            ObjectNode responses = (ObjectNode) manifest.at("/_meta/com.microsoft.windows/static_responses");
            for (int i = 0; i < 2; i++) {
                JsonNode answer = JSON.readTree(out.readLine());
                responses.set(answer.get("id").asInt() == 1 ? "initialize" : "tools/list", answer.get("result"));
            }
        } finally {
            bare.destroy();
        }
        return manifest;
    }
}
