package dev.mcpcontain.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpcontain.testing.McpContainCli;
import dev.mcpcontain.testing.Processes;
import dev.mcpcontain.testing.TestServers;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL of a real {@code mcp-contain run --mediate} launcher mid-stream: the audit log keeps every record of
 * what crossed, no record is torn, and the contained server does not outlive its launcher.
 */
class AuditKillIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode next(BufferedReader out, Path temp) throws Exception {
        String line = out.readLine();
        if (line == null) {
            throw new AssertionError("the launcher ended early; stderr:\n" + Files.readString(temp.resolve("stderr.txt")));
        }
        return JSON.readTree(line);
    }

    @TempDir
    Path temp;

    @Test
    void killingTheMediatingLauncherLosesNoRecordAndLeavesNoServer() throws Exception {
        McpContainCli cli = new McpContainCli(temp);
        Path audit = temp.resolve("audit.jsonl");
        ProcessBuilder builder = new ProcessBuilder(cli.command("run", "--mediate", "--audit", audit.toString(), "--",
                TestServers.node(), TestServers.everything().toString(), "stdio"))
                .redirectError(temp.resolve("stderr.txt").toFile());
        builder.environment().putAll(cli.env());
        Process launcher = builder.start();
        OutputStream in = launcher.getOutputStream();
        BufferedReader out = new BufferedReader(new InputStreamReader(launcher.getInputStream(), StandardCharsets.UTF_8));
        in.write(("{\"jsonrpc\":\"2.0\",\"id\":\"init\",\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
                + "\"capabilities\":{},\"clientInfo\":{\"name\":\"kill-it\",\"version\":\"1\"}}}\n"
                + "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
        Set<String> answered = new HashSet<>();
        List<ProcessHandle> tree = new ArrayList<>();
        for (int i = 0; answered.size() < 200; i++) {
            in.write(("{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                    + "\"arguments\":{\"message\":\"" + "k".repeat((i * 389) % 3000) + "\"}}}\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
            if (i % 4 == 3) {
                for (int k = 0; k < 4; k++) {
                    JsonNode message = next(out, temp);
                    while (!message.has("result") || !message.get("id").isNumber()) {
                        message = next(out, temp);
                    }
                    answered.add(message.get("id").toString());
                }
            }
            if (i == 40) {
                launcher.descendants().forEach(tree::add);
            }
        }
        // An empty capture would make the "all gone" loop below pass without checking anything.
        assertFalse(tree.isEmpty(), "the launcher's process tree was captured while it served");
        launcher.destroyForcibly();
        assertTrue(launcher.waitFor(10, TimeUnit.SECONDS));
        Thread.sleep(2000);
        for (ProcessHandle p : tree) {
            assertFalse(Processes.isRunning(p.pid()), "contained process " + p.pid() + " outlived its killed launcher");
        }
        byte[] bytes = Files.readAllBytes(audit);
        assertEquals('\n', bytes[bytes.length - 1]);
        Set<String> logged = new HashSet<>();
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
            if (!line.isEmpty()) {
                JsonNode record = JSON.readTree(line);
                if ("response".equals(record.path("kind").asText()) && "echo".equals(record.path("tool").asText())) {
                    logged.add(record.get("id").toString());
                }
            }
        }
        Set<String> missing = new HashSet<>(answered);
        missing.removeAll(logged);
        assertTrue(missing.isEmpty(), "every answer the client got is in the log; missing: " + missing
                + " of " + answered.size());
    }
}
