package dev.mcpcontain.pins;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.mcpcontain.state.PrivateFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Pins on disk, one file per server identity: {@code DIR/SERVER.json}. Keyed by the policy's server identity,
 * never by a command line (which may carry tokens and changes with every secret rotation).
 */
public final class PinStore {

    /**
     * Built on first use: every launch asks {@link #exists}, and data binding's start-up is paid only by launches
     * that really read or write a pin.
     */
    private static final class Json {
        static final ObjectMapper MAPPER = JsonMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .enable(SerializationFeature.INDENT_OUTPUT)
                .build();
    }

    private final Path directory;

    public PinStore(Path directory) {
        this.directory = directory;
    }

    public Path directory() {
        return directory;
    }

    public Path file(String server) {
        if (!server.matches("[a-z0-9][a-z0-9._-]{0,63}") || server.contains("..")) {
            throw new PinException("'" + server + "' is not a server identity (see 'mcp-contain pins list')");
        }
        return directory.resolve(server + ".json");
    }

    public boolean exists(String server) {
        return Files.isRegularFile(file(server));
    }

    /** @throws PinException when the file exists but cannot be trusted: the relay then refuses to start */
    public Optional<ToolPin> load(String server) {
        Path file = file(server);
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new PinException(file + ": cannot read pin: " + e.getMessage(), e);
        }
        try {
            ToolPin pin = Json.MAPPER.readValue(content, ToolPin.class);
            if (pin.server() == null || !pin.server().equals(server)) {
                throw new PinException(file + ": belongs to server '" + pin.server() + "', not '" + server
                        + "' (remove it with 'mcp-contain pins reset " + server + "')");
            }
            return Optional.of(pin);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new PinException(file + ": damaged pin file (" + dev.mcpcontain.state.JsonProblems.describe(e)
                    + "); review it or remove it with 'mcp-contain pins reset " + server + "'", e);
        } catch (IOException e) {
            throw new PinException(file + ": damaged pin file (" + firstLine(e.getMessage())
                    + "); review it or remove it with 'mcp-contain pins reset " + server + "'", e);
        }
    }

    public List<ToolPin> list() {
        List<ToolPin> pins = new ArrayList<>();
        if (!Files.isDirectory(directory)) {
            return pins;
        }
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.sorted().toList()) {
                String name = file.getFileName().toString();
                if (name.endsWith(".json") && !name.startsWith(".")) {
                    load(name.substring(0, name.length() - 5)).ifPresent(pins::add);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pins;
    }

    /** Trust on first use: stores the first complete listing unless a pin appeared meanwhile. */
    public synchronized ToolPin recordFirstUse(String server, ToolSet tools) {
        Optional<ToolPin> existing = load(server);
        if (existing.isPresent() && existing.get().pinnedTools().isPresent()) {
            return existing.get();
        }
        ToolPin pin = new ToolPin(server, ToolPin.Source.FIRST_USE, now(), tools.tools(), null);
        save(pin);
        return pin;
    }

    /** Keeps a differing listing for review; the pinned tools themselves are never touched here. */
    public synchronized void recordPending(String server, ToolSet tools, String summary, String against) {
        ToolPin current = load(server).orElse(null);
        ToolPin.Pending pending = new ToolPin.Pending(now(), summary, against, tools.tools());
        if (current != null && current.pending() != null && current.pending().tools().equals(pending.tools())) {
            return;
        }
        save(current == null
                ? new ToolPin(server, null, null, null, pending)
                : new ToolPin(server, current.source(), current.pinnedAt(), current.tools(), pending));
    }

    /** Makes the pending listing the pin. */
    public synchronized ToolPin approvePending(String server) {
        ToolPin current = load(server).orElseThrow(() -> new PinException("no pin for server '" + server
                + "' (see 'mcp-contain pins list')"));
        if (current.pending() == null) {
            throw new PinException("server '" + server + "' has no changed tool list waiting for approval");
        }
        ToolPin approved = new ToolPin(server, ToolPin.Source.APPROVED, now(), current.pending().tools(), null);
        save(approved);
        return approved;
    }

    /** Forgets the pin: the next run pins again (from the manifest, or on first use). */
    public synchronized boolean reset(String server) {
        try {
            return Files.deleteIfExists(file(server));
        } catch (IOException e) {
            throw new PinException("cannot remove " + file(server) + ": " + e.getMessage(), e);
        }
    }

    public void save(ToolPin pin) {
        try {
            PrivateFiles.writeAtomically(file(pin.server()), Json.MAPPER.writeValueAsBytes(pin));
        } catch (IOException e) {
            throw new PinException("cannot write " + file(pin.server()) + ": " + e.getMessage(), e);
        }
    }

    /** A pin as stored, for {@code pins show --json}. */
    public static String toJson(Object value) {
        try {
            return Json.MAPPER.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String now() {
        return Instant.now().toString();
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
