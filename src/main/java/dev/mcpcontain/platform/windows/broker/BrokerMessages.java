package dev.mcpcontain.platform.windows.broker;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.mcpcontain.platform.windows.HandleIo;
import dev.mcpcontain.platform.windows.Win32;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;

/**
 * The broker's protocol on its control pipe: one JSON object per line, UTF-8, at most {@link #MAX_LINE} bytes.
 *
 * <pre>
 * launcher -> broker   {"type":"run","user":SID,"run":{...}}     who the caller says it is, and what to start
 * broker -> launcher   {"type":"pipes","stdin":..,"stdout":..,"stderr":..}   per-run pipes, for the caller only
 * launcher -> broker   {"type":"opened"}                          the launcher holds all three
 * broker -> launcher   {"type":"started","pid":N}  or  {"type":"refused","message":..}
 * broker -> launcher   {"type":"exited","code":N}                 the server's exit code
 * </pre>
 *
 * The launcher closing the control pipe (or dying) ends the run: the broker closes the server's job.
 */
public final class BrokerMessages {

    public static final int MAX_LINE = 1 << 20;

    /** Control pipe: one per machine, reachable by the interactive users only. */
    public static final String CONTROL_PIPE = "\\\\.\\pipe\\mcp-contain-broker";
    public static final String SERVICE_NAME = "mcp-contain-broker";

    /** The server's command as the user-side launcher decided it; the broker decides who runs it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Run(
            @JsonProperty("serverId") String serverId,
            @JsonProperty("application") String application,
            @JsonProperty("commandLine") String commandLine,
            @JsonProperty("environmentBlock") String environmentBlock,
            @JsonProperty("currentDirectory") String currentDirectory,
            @JsonProperty("limitFlags") int limitFlags,
            @JsonProperty("activeProcessLimit") int activeProcessLimit,
            @JsonProperty("jobMemoryLimit") long jobMemoryLimit,
            @JsonProperty("perProcessUserTimeLimit") long perProcessUserTimeLimit,
            @JsonProperty("cpuRate") int cpuRate,
            @JsonProperty("appContainerName") String appContainerName,
            @JsonProperty("capabilities") List<String> capabilities) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Message(
            @JsonProperty("type") String type,
            @JsonProperty("user") String user,
            @JsonProperty("run") Run run,
            @JsonProperty("stdin") String stdin,
            @JsonProperty("stdout") String stdout,
            @JsonProperty("stderr") String stderr,
            @JsonProperty("pid") Integer pid,
            @JsonProperty("code") Integer code,
            @JsonProperty("message") String message) {

        public static Message run(String user, Run run) {
            return new Message("run", user, run, null, null, null, null, null, null);
        }

        public static Message pipes(String stdin, String stdout, String stderr) {
            return new Message("pipes", null, null, stdin, stdout, stderr, null, null, null);
        }

        public static Message opened() {
            return new Message("opened", null, null, null, null, null, null, null, null);
        }

        public static Message started(int pid) {
            return new Message("started", null, null, null, null, null, pid, null, null);
        }

        public static Message refused(String message) {
            return new Message("refused", null, null, null, null, null, null, null, message);
        }

        public static Message exited(int code) {
            return new Message("exited", null, null, null, null, null, null, code, null);
        }

        public boolean is(String expected) {
            return expected.equals(type);
        }
    }

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private BrokerMessages() {}

    /** Reads one line from a pipe; empty at end of stream. */
    public static java.util.Optional<Message> read(HandleIo io, Win32.Handle pipe) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        byte[] one = new byte[1];
        while (true) {
            int n = io.read(pipe, one, 0, 1);
            if (n < 0) {
                if (line.size() == 0) {
                    return java.util.Optional.empty();
                }
                throw new IOException("the broker's pipe closed in the middle of a message");
            }
            if (n == 0) {
                continue;
            }
            if (one[0] == '\n') {
                break;
            }
            if (line.size() >= MAX_LINE) {
                throw new IOException("a message on the broker's pipe is longer than " + MAX_LINE + " bytes");
            }
            line.write(one[0]);
        }
        try {
            return java.util.Optional.of(JSON.readValue(line.toByteArray(), Message.class));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException("not a broker message: " + e.getOriginalMessage(), e);
        }
    }

    public static void write(HandleIo io, Win32.Handle pipe, Message message) throws IOException {
        byte[] json = JSON.writeValueAsBytes(message);
        byte[] line = java.util.Arrays.copyOf(json, json.length + 1);
        line[json.length] = '\n';
        io.write(pipe, line, 0, line.length);
    }
}
