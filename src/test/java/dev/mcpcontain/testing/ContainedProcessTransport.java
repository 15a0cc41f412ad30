package dev.mcpcontain.testing;

import dev.mcpcontain.launch.ContainedProcess;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * The official Java SDK's client transport over a {@link ContainedProcess} from mcp-contain's Java API: what a
 * Java host writes to plug the SDK onto {@code Launcher.start(...)} or {@code MediatedRun.start()} instead of
 * letting the SDK spawn the server itself. Newline-delimited JSON-RPC on the process's stdin and stdout.
 */
public final class ContainedProcessTransport implements McpClientTransport {

    private final ContainedProcess process;
    private final McpJsonMapper json;
    private final ConcurrentLinkedQueue<String> stderr;
    private volatile boolean closing;

    public ContainedProcessTransport(ContainedProcess process, McpJsonMapper json, ConcurrentLinkedQueue<String> stderr) {
        this.process = process;
        this.json = json;
        this.stderr = stderr;
    }

    @Override
    public Mono<Void> connect(Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> handler) {
        return Mono.fromRunnable(() -> {
            daemon("transport stdout", () -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.stdout(), StandardCharsets.UTF_8))) {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        McpSchema.JSONRPCMessage message = McpSchema.deserializeJsonRpcMessage(json, line);
                        handler.apply(Mono.just(message)).subscribe();
                    }
                } catch (IOException e) {
                    if (!closing) {
                        stderr.add("transport: " + e);
                    }
                }
            });
            daemon("transport stderr", () -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.stderr(), StandardCharsets.UTF_8))) {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        stderr.add(line);
                    }
                } catch (IOException e) {
                    // The process is gone.
                }
            });
        });
    }

    @Override
    public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
        return Mono.fromRunnable(() -> {
            try {
                byte[] line = (json.writeValueAsString(message) + "\n").getBytes(StandardCharsets.UTF_8);
                OutputStream stdin = process.stdin();
                synchronized (stdin) {
                    stdin.write(line);
                    stdin.flush();
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @Override
    public Mono<Void> closeGracefully() {
        return Mono.fromRunnable(() -> {
            closing = true;
            try {
                process.stop(Duration.ofSeconds(2));
            } catch (InterruptedException e) {
                process.kill();
                Thread.currentThread().interrupt();
            }
        });
    }

    @Override
    public <T> T unmarshalFrom(Object data, TypeRef<T> type) {
        return json.convertValue(data, type);
    }

    private static void daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
    }
}
