package dev.mcpcontain.it;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A minimal newline-delimited JSON-RPC client over a process's stdio, keeping every line the server wrote
 * byte for byte so tests can compare a contained server with a bare one exactly.
 */
final class StdioSession implements AutoCloseable {

    private static final Pattern ID = Pattern.compile("\"id\":(\\d+)[,}]");

    private final Process process;
    private final OutputStream stdin;
    private final Map<Integer, String> responses = new ConcurrentHashMap<>();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private final Thread reader;

    StdioSession(List<String> command, Map<String, String> env, Path cwd) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(cwd.toFile());
        builder.environment().putAll(env);
        process = builder.start();
        stdin = process.getOutputStream();
        reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = lines.readLine()) != null; ) {
                    Matcher m = ID.matcher(line);
                    if (m.find()) {
                        responses.put(Integer.parseInt(m.group(1)), line);
                    }
                }
            } catch (IOException e) {
                // process gone
            }
        });
        reader.start();
        Thread errors = new Thread(() -> {
            try {
                process.getErrorStream().transferTo(stderr);
            } catch (IOException e) {
                // process gone
            }
        });
        errors.setDaemon(true);
        errors.start();
    }

    void send(String json) throws IOException {
        stdin.write((json + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    String await(int id, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String line = responses.get(id);
            if (line != null) {
                return line;
            }
            if (!process.isAlive() && !reader.isAlive()) {
                break;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no response " + id + " within " + timeout + "; exit="
                + (process.isAlive() ? "running" : process.exitValue()) + " stderr:\n" + stderr());
    }

    String stderr() {
        synchronized (stderr) {
            return stderr.toString(StandardCharsets.UTF_8);
        }
    }

    /** Closes stdin (the MCP shutdown signal) and returns the exit code. */
    int finish() throws InterruptedException, IOException {
        stdin.close();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("did not exit after stdin closed");
        }
        reader.join(5000);
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }

    static String initialize(int id) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                + "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"mcp-contain-it\",\"version\":\"1\"}}}";
    }

    static String initialized() {
        return "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}";
    }

    static String toolsList(int id) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/list\"}";
    }

    static String call(int id, String tool, String argumentsJson) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
                + "\",\"arguments\":" + argumentsJson + "}}";
    }
}
