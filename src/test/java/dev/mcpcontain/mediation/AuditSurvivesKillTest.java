package dev.mcpcontain.mediation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpcontain.testing.McpClients;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILLs a real launcher JVM (the production relay in front of server-everything) while requests stream through
 * it, then checks the audit log: every line is a whole JSON record, and every request whose answer the client
 * received is there with that answer. Run several times because where the kill lands varies.
 */
class AuditSurvivesKillTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    @Test
    void killingTheLauncherMidStreamLosesAndTearsNothing() throws Exception {
        for (int round = 0; round < 3; round++) {
            killOnce(temp.resolve("round-" + round), 150 + 100 * round);
        }
    }

    private void killOnce(Path dir, int killAfter) throws Exception {
        Files.createDirectories(dir);
        Path audit = dir.resolve("audit.jsonl");
        List<String> command = McpClients.relay(List.of("--server", "everything", "--pins", dir.resolve("pins").toString(),
                "--audit", audit.toString()), List.of(TestServers.node(), TestServers.everything().toString(), "stdio"));
        Process launcher = new ProcessBuilder(command).redirectError(dir.resolve("stderr.txt").toFile()).start();
        List<ProcessHandle> server = new ArrayList<>();
        Set<String> answered = new HashSet<>();
        try {
            OutputStream toLauncher = launcher.getOutputStream();
            BufferedReader fromLauncher = new BufferedReader(new InputStreamReader(launcher.getInputStream(),
                    StandardCharsets.UTF_8));
            send(toLauncher, "{\"jsonrpc\":\"2.0\",\"id\":\"init\",\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                    + "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"kill-test\",\"version\":\"1\"}}}");
            awaitResponse(fromLauncher, "init");
            send(toLauncher, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
            launcher.descendants().forEach(server::add);
            CountDownLatch enough = new CountDownLatch(killAfter);
            AtomicBoolean stop = new AtomicBoolean();
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 0; !stop.get(); i++) {
                        // Sizes vary so that records land on and across page boundaries of the log.
                        String message = "m" + i + "-" + "x".repeat((i * 397) % 5000);
                        send(toLauncher, "{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"tools/call\",\"params\":"
                                + "{\"name\":\"echo\",\"arguments\":{\"message\":\"" + message + "\"}}}");
                    }
                } catch (Exception e) {
                    // The launcher was killed: its stdin is gone.
                }
            });
            writer.setDaemon(true);
            writer.start();
            Thread reader = new Thread(() -> {
                try {
                    for (String line = fromLauncher.readLine(); line != null; line = fromLauncher.readLine()) {
                        JsonNode message = JSON.readTree(line);
                        if (message.has("id") && message.has("result")) {
                            synchronized (answered) {
                                answered.add(message.get("id").toString());
                            }
                            enough.countDown();
                        }
                    }
                } catch (Exception e) {
                    // Killed mid-line at worst: a line the client never got.
                }
            });
            reader.setDaemon(true);
            reader.start();
            assertTrue(enough.await(60, TimeUnit.SECONDS), "responses flow through the relay");
            launcher.destroyForcibly();  // SIGKILL: no shutdown hook, no finally, no flush
            assertTrue(launcher.waitFor(10, TimeUnit.SECONDS));
            assertEquals(137, launcher.exitValue(), "killed by SIGKILL");
            stop.set(true);
            reader.join(5000);
        } finally {
            launcher.destroyForcibly();
            server.forEach(ProcessHandle::destroyForcibly);
        }

        byte[] bytes = Files.readAllBytes(audit);
        assertEquals('\n', bytes[bytes.length - 1], "the log ends with a whole line");
        Set<String> requestsLogged = new HashSet<>();
        Set<String> responsesLogged = new HashSet<>();
        int records = 0;
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
            if (line.isEmpty()) {
                continue;  // padding before a page boundary
            }
            JsonNode record = JSON.readTree(line);  // throws on a torn line
            records++;
            if ("echo".equals(record.path("tool").asText()) && "forwarded".equals(record.path("outcome").asText())) {
                (record.path("kind").asText().equals("request") ? requestsLogged : responsesLogged)
                        .add(record.get("id").toString());
            }
        }
        synchronized (answered) {
            assertTrue(answered.size() >= killAfter);
            for (String id : answered) {
                assertTrue(requestsLogged.contains(id), "request " + id + " reached the server, so it is logged");
                assertTrue(responsesLogged.contains(id), "answer " + id + " reached the client, so it is logged");
            }
        }
        assertTrue(records > 2 * answered.size(), "records: " + records);
    }

    private static void send(OutputStream out, String line) throws Exception {
        synchronized (out) {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }

    private static void awaitResponse(BufferedReader in, String id) throws Exception {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (line.contains("\"id\":\"" + id + "\"")) {
                return;
            }
        }
        throw new AssertionError("no response " + id);
    }
}
