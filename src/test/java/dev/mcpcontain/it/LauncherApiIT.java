package dev.mcpcontain.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcpcontain.launch.ContainedProcess;
import dev.mcpcontain.run.Launcher;
import dev.mcpcontain.run.MediatedRun;
import dev.mcpcontain.run.McpOptions;
import dev.mcpcontain.policy.HostEnvironment;
import dev.mcpcontain.policy.RunRequest;
import dev.mcpcontain.state.StateFiles;
import dev.mcpcontain.testing.McpClients;
import dev.mcpcontain.testing.McpErrors;
import dev.mcpcontain.testing.Processes;
import dev.mcpcontain.testing.TestServers;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import dev.mcpcontain.profile.GrantSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The process-backend API for proxies: {@code Launcher.forHost(...)} starts a contained real server, the
 * official Java SDK talks to it over the returned streams, and killing it ends the whole tree.
 */
class LauncherApiIT {

    @TempDir
    Path temp;

    @Test
    void aJavaHostTalksToAContainedServerAndKillsItsTree() throws Exception {
        Launcher launcher = privateLauncher();
        // Without MEMORY_FILE_PATH the server writes next to its own code, which containment keeps read-only:
        // its memory goes to a folder granted read-write instead.
        Path data = Files.createDirectories(temp.resolve("memory"));
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
        RunRequest request = new RunRequest(List.of(TestServers.node(), TestServers.memory().toString()),
                List.of(GrantSpec.parse(data + ":rw")), List.of(), Optional.empty(),
                List.of("MEMORY_FILE_PATH=" + data.resolve("memory.jsonl")), Optional.empty(), Optional.empty());
        ContainedProcess server = launcher.start("default", request);
        List<ProcessHandle> tree;
        ConcurrentLinkedQueue<String> stderr = new ConcurrentLinkedQueue<>();
        try (McpSyncClient client = McpClients.over(server, stderr)) {
            McpClients.initialize(client, stderr);
            assertTrue(client.listTools().tools().stream().anyMatch(t -> t.name().equals("create_entities")));
            client.callTool(McpClients.call("create_entities", Map.of("entities",
                    List.of(Map.of("name", "Ada", "entityType", "person", "observations", List.of("api"))))));
            assertTrue(MediatedRunIT.text(client.callTool(McpClients.call("read_graph", Map.of())))
                    .contains("Ada"));
            tree = ProcessHandle.of(server.pid()).map(p -> p.descendants().toList()).orElse(List.of());
            // An empty capture would make the "all gone" loop below pass without checking anything.
            assertFalse(tree.isEmpty(), "the contained server's process tree was captured before kill()");
            server.kill();
            assertTrue(server.waitFor(Duration.ofSeconds(10)) != -1, "kill ends the server");
        }
        assertFalse(server.isAlive());
        assertTrue(Files.readString(data.resolve("memory.jsonl")).contains("Ada"), "written through the read-write grant");
        Thread.sleep(500);
        for (ProcessHandle p : tree) {
            assertFalse(Processes.isRunning(p.pid()), "process " + p.pid() + " of the tree outlived kill(): "
                    + p.info().commandLine().orElse("?"));
        }
    }

    @Test
    void aJavaHostCanAlsoHaveTheContainedServerMediated() throws Exception {
        Launcher launcher = privateLauncher();
        String name = "it-api-" + ProcessHandle.current().pid();
        RunRequest request = new RunRequest(List.of(TestServers.node(), TestServers.everything().toString(), "stdio"),
                List.of(), List.of(), Optional.empty(), List.of(), Optional.of(name), Optional.empty());
        MediatedRun run = MediatedRun.prepare(launcher, "default", request, new McpOptions(Optional.empty(),
                Map.of(), Optional.of(true), Optional.of(temp.resolve("audit.jsonl")), false));
        ConcurrentLinkedQueue<String> stderr = new ConcurrentLinkedQueue<>();
        try (ContainedProcess server = run.start();
                McpSyncClient client = McpClients.over(server, stderr)) {
            McpClients.initialize(client, stderr);
            client.listTools();
            assertEquals("invalid-arguments", McpErrors.reason(McpErrors.expect(() -> client.callTool(
                    McpClients.call("echo", Map.of("message", "x", "sudo", true))))));
            assertEquals("Echo: x", MediatedRunIT.text(client.callTool(
                    McpClients.call("echo", Map.of("message", "x")))));
        }
        assertTrue(Files.isRegularFile(StateFiles.pins(launcher.host()).resolve(name + ".json")),
                "pinned in the private state folder, not the user's real config");
    }

    /**
     * The current user's launcher, its pins, agent homes and audit log in this test's folder: a test run leaves
     * nothing in ~/.config/mcp-contain or /var/lib/mcp-contain (removed with the folder).
     */
    private Launcher privateLauncher() {
        return Launcher.forHost(HostEnvironment.current().withStateDirectory(temp.resolve("state")), 0);
    }
}
