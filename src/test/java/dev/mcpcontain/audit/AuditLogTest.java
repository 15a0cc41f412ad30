package dev.mcpcontain.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    private static AuditEvent event(String server, String tool, JsonNode arguments, String time) {
        return new AuditEvent(time, server, "host-to-server", "request", "1", "tools/call", tool, arguments,
                "forwarded", null, null, null, null, null, 10);
    }

    @Test
    void noRecordEverStraddlesAPageBoundarySoAKilledWriteEndsBetweenRecords() throws Exception {
        Path file = temp.resolve("audit.jsonl");
        Random random = new Random(7);
        try (AuditLog log = AuditLog.open(file)) {
            for (int i = 0; i < 2000; i++) {
                JsonNode args = JSON.createObjectNode().put("m", "z".repeat(random.nextInt(i % 97 == 0 ? 20_000 : 1500)));
                log.stage(event("s", "t" + i, args, Instant.now().toString()));
                if (random.nextInt(4) == 0) {
                    log.flushStaged();
                }
            }
        }
        byte[] bytes = Files.readAllBytes(file);
        int start = 0;
        int records = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                if (i > start) {
                    assertEquals(start / AuditLog.PAGE, i / AuditLog.PAGE, "record at " + start + " straddles a page");
                    JSON.readTree(new String(bytes, start, i - start, StandardCharsets.UTF_8));
                    records++;
                }
                start = i + 1;
            }
        }
        assertEquals(2000, records);
    }

    @Test
    void largeArgumentsAreRecordedBySizeAndDigest() throws Exception {
        Path file = temp.resolve("audit.jsonl");
        JsonNode arguments = JSON.createObjectNode().put("content", "q".repeat(100_000));
        try (AuditLog log = AuditLog.open(file)) {
            log.append(event("s", "write_file", arguments, "t"));
        }
        JsonNode record = JSON.readTree(Files.readAllLines(file).stream().filter(l -> !l.isEmpty()).findFirst().orElseThrow());
        JsonNode truncated = record.at("/arguments/$truncated");
        byte[] raw = JSON.writeValueAsBytes(arguments);
        assertEquals(raw.length, truncated.get("bytes").asInt());
        assertEquals(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(raw)),
                truncated.get("sha256").asText(), "the digest identifies exactly what was sent");
        assertEquals("write_file", record.get("tool").asText());
    }

    @Test
    void aLineTornByAnEarlierCrashIsSealedAndReportedAndHidesNothingAfterIt() throws Exception {
        Path file = temp.resolve("audit.jsonl");
        Files.writeString(file, "{\"time\":\"2026-01-01T00:00:00Z\",\"server\":\"a\",\"outcome\":\"forwarded\"}\n{\"time\":\"20");
        try (AuditLog log = AuditLog.open(file)) {
            log.append(event("b", "echo", null, "2026-01-02T00:00:00Z"));
        }
        AuditReader.Result result = AuditReader.read(file, AuditQuery.all());
        assertEquals(List.of("a", "b"), result.entries().stream().map(e -> e.event().server()).toList());
        assertEquals(1, result.damaged().size());
        assertEquals(2, result.damaged().get(0).lineNumber());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    @Test
    void queriesFilterByServerToolOutcomeAndTime() throws Exception {
        Path file = temp.resolve("audit.jsonl");
        try (AuditLog log = AuditLog.open(file)) {
            log.append(event("fs", "read_file", null, "2026-01-01T10:00:00Z"));
            log.append(event("fs", "write_file", null, "2026-01-01T11:00:00Z"));
            log.append(event("mem", "read_graph", null, "2026-01-01T12:00:00Z"));
        }
        AuditQuery fsAfterTen = new AuditQuery(Optional.of("fs"), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of(Instant.parse("2026-01-01T10:30:00Z")), Optional.empty());
        assertEquals(List.of("write_file"), tools(file, fsAfterTen));
        AuditQuery tool = new AuditQuery(Optional.empty(), Optional.of("read_graph"), Optional.empty(),
                Optional.of("forwarded"), Optional.empty(), Optional.of(Instant.parse("2026-01-01T12:00:00Z")));
        assertEquals(List.of("read_graph"), tools(file, tool));
    }

    private static List<String> tools(Path file, AuditQuery query) throws Exception {
        List<String> tools = new ArrayList<>();
        AuditReader.read(file, query).entries().forEach(e -> tools.add(e.event().tool()));
        return tools;
    }

    @Test
    void threadsSharingTheLogNeverInterleaveRecords() throws Exception {
        Path file = temp.resolve("audit.jsonl");
        try (AuditLog log = AuditLog.open(file)) {
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int id = t;
                threads.add(new Thread(() -> {
                    for (int i = 0; i < 500; i++) {
                        log.append(event("s" + id, "t", JSON.createObjectNode().put("i", i), "x"));
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (Thread thread : threads) {
                thread.join();
            }
        }
        AuditReader.Result result = AuditReader.read(file, AuditQuery.all());
        assertEquals(2000, result.entries().size());
        assertTrue(result.damaged().isEmpty());
    }
}
