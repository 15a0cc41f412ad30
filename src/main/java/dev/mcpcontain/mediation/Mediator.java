package dev.mcpcontain.mediation;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpcontain.audit.AuditEvent.Direction;
import dev.mcpcontain.audit.AuditEvent.Outcome;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, for every line crossing between host and server, whether it passes: the policy half of the relay.
 * {@link Relay} owns the threads and streams and calls {@link #fromHost} and {@link #fromServer} with each line.
 *
 * <p>What passes is forwarded byte for byte, in the order it arrived. What is refused is answered by the relay
 * with a JSON-RPC error and never reaches the other side. Every line is audited before it is forwarded, so
 * whatever the other side saw is already in the log.
 *
 * <p>Only {@code tools/call} requests, {@code tools/list} and {@code initialize} responses are parsed whole; every
 * other message is read with a streaming scan for its kind, method and id.
 */
public final class Mediator {

    private static final Logger LOG = LoggerFactory.getLogger(Mediator.class);
    private static final String RELAY_ID_PREFIX = "mcp-contain:";
    private static final int WARNINGS_PER_KIND = 5;

    private final MediationSettings settings;
    private final LineWriter toServer;
    private final LineWriter toHost;
    private final JsonFactory factory = MessageScan.strictFactory();
    private final ObjectMapper trees = JsonMapper.builder(MessageScan.strictFactory()).build();
    private final ToolGate gate;
    private final AuditTrail audit;
    private final Map<String, Pending> hostRequests = new ConcurrentHashMap<>();
    private final Map<String, Pending> serverRequests = new ConcurrentHashMap<>();
    private final Map<String, Pending> relayRequests = new ConcurrentHashMap<>();
    private final AtomicLong relaySequence = new AtomicLong();
    private final AtomicBoolean blockAnnounced = new AtomicBoolean();
    private final Map<String, AtomicInteger> warnings = new ConcurrentHashMap<>();
    /** The relay's own requests to the server go out from here, so that no relay thread waits on the server. */
    private final ExecutorService relayOut = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "mcp-contain relay requests");
        t.setDaemon(true);
        return t;
    });

    /** A request on its way, remembered until its response arrives. */
    private record Pending(String method, String tool, long startNanos, String idJson, boolean firstPage) {}

    Mediator(MediationSettings settings, OutputStream server, OutputStream host) {
        this.settings = settings;
        this.audit = new AuditTrail(settings.audit(), settings.serverId(), settings.redactor());
        this.toServer = new LineWriter(server, audit::flush);
        this.toHost = new LineWriter(host, audit::flush);
        this.gate = new ToolGate(settings.serverId(), settings.pins(), settings.declared());
    }

    /** Closes the server's stdin (the host closed its side); staged records are written first. */
    void closeServerSide() throws IOException {
        toServer.close();
    }

    /** Writes what is still buffered for the host, audit records first. */
    void finishHostSide() throws IOException {
        toHost.flush();
    }

    void closeHostSide() throws IOException {
        toHost.close();
    }

    String pinOrigin() {
        return gate.pinOrigin();
    }

    /**
     * What both directions do first: an oversize line is dropped (and audited), a blank one ignored; anything else is
     * scanned. Returns null when there is nothing to relay.
     */
    private MessageScan scan(LineReader.Line line, Direction direction, String warning, String sender) throws IOException {
        if (line.oversize) {
            warn(warning, sender + " sent a message of " + line.length + " bytes (limit " + settings.maxLineBytes()
                    + "); dropped");
            audit.record(direction, null, null, null, null, Outcome.DROPPED, "oversize", null, 0, line.length);
            return null;
        }
        if (blank(line.bytes, line.offset, line.length)) {
            return null;
        }
        return MessageScan.of(factory, line.bytes, line.offset, line.length);
    }

    // ---------------------------------------------------------------- host → server

    void fromHost(LineReader.Line line) throws IOException, InterruptedException {
        MessageScan m = scan(line, Direction.HOST_TO_SERVER, "oversize-host", "the host");
        if (m == null) {
            return;
        }
        byte[] b = line.bytes;
        int off = line.offset;
        int len = line.length;
        switch (m.kind) {
            case REQUEST -> hostRequest(m, b, off, len);
            case NOTIFICATION -> hostNotification(m, b, off, len);
            case RESPONSE -> hostResponse(m, b, off, len);
            default -> {
                RelayError error = m.batch ? RelayError.BATCH
                        : m.invalidReason.startsWith("not valid JSON") ? RelayError.PARSE_ERROR : RelayError.INVALID_REQUEST;
                String message = m.batch ? "JSON-RPC batches are not passed on by mcp-contain; send one message per line"
                        : "mcp-contain: " + m.invalidReason;
                refuse(toHost, Direction.HOST_TO_SERVER, m.idJson, error, message, null, m, null, null, null, len);
            }
        }
    }

    private void hostRequest(MessageScan m, byte[] b, int off, int len) throws IOException, InterruptedException {
        if (gate.blocked() && !m.method.equals("ping")) {
            JsonNode params = m.method.equals("tools/call") ? tree(b, off, len).get("params") : null;
            JsonNode name = params == null ? null : params.get("name");
            refuseBlocked(m, name != null && name.isTextual() ? name.textValue() : null,
                    params == null ? null : params.get("arguments"), len);
            return;
        }
        if (hostRequests.containsKey(m.idKey)) {
            refuse(toHost, Direction.HOST_TO_SERVER, m.idJson, RelayError.DUPLICATE_ID,
                    "request id " + m.idJson + " is already in use by a request still waiting for its answer",
                    null, m, m.method, null, null, len);
            return;
        }
        switch (m.method) {
            case "tools/call" -> toolCall(m, tree(b, off, len), b, off, len);
            case "tools/list" -> {
                JsonNode params = tree(b, off, len).get("params");
                boolean firstPage = params == null || !params.hasNonNull("cursor");
                forwardRequest(m, null, null, firstPage, b, off, len);
            }
            default -> forwardRequest(m, null, null, true, b, off, len);
        }
    }

    private void toolCall(MessageScan m, JsonNode request, byte[] b, int off, int len)
            throws IOException, InterruptedException {
        JsonNode params = request.get("params");
        JsonNode name = params == null ? null : params.get("name");
        JsonNode arguments = params == null ? null : params.get("arguments");
        if (name == null || !name.isTextual()) {
            refuse(toHost, Direction.HOST_TO_SERVER, m.idJson, RelayError.INVALID_ARGUMENTS,
                    "tools/call needs params.name (a string)", null, m, m.method, null, arguments, len);
            return;
        }
        String tool = name.textValue();
        Optional<RelayError> refusal = settings.tools().refusal(tool);
        if (refusal.isPresent()) {
            String message = refusal.get() == RelayError.TOOL_DENIED
                    ? "tool '" + tool + "' is denied by the mcp-contain profile"
                    : "tool '" + tool + "' is not in the mcp-contain profile's tools.allow list";
            refuse(toHost, Direction.HOST_TO_SERVER, m.idJson, refusal.get(), message, null, m, m.method, tool,
                    arguments, len);
            return;
        }
        toServer.flush();  // what went before this call must reach the server before the relay waits on it
        ToolGate.Access access = gate.awaitUsable(settings.verifyTimeout(), () -> startListing(null, true));
        switch (access.state()) {
            case BLOCKED -> {
                refuseBlocked(m, tool, arguments, len);
                return;
            }
            case UNVERIFIED -> {
                refuse(toHost, Direction.HOST_TO_SERVER, m.idJson, RelayError.TOOLS_UNVERIFIED,
                        "mcp-contain could not check the server's tools before this call: " + access.failure(),
                        null, m, m.method, tool, arguments, len);
                return;
            }
            case NO_TOOLS -> {
                refuse(toHost, Direction.HOST_TO_SERVER, m.idJson, RelayError.UNKNOWN_TOOL,
                        "the server declared no tools capability", null, m, m.method, tool, arguments, len);
                return;
            }
            default -> {
                // VERIFIED: go on with the pinned definition.
            }
        }
        Optional<JsonNode> definition = gate.definition(tool);
        if (definition.isEmpty()) {
            refuse(toHost, Direction.HOST_TO_SERVER, m.idJson, RelayError.UNKNOWN_TOOL,
                    "unknown tool '" + tool + "': not among the " + gate.pinnedCount() + " pinned tools",
                    null, m, m.method, tool, arguments, len);
            return;
        }
        JsonNode actual = arguments == null || arguments.isNull() ? JsonNodeFactory.instance.objectNode() : arguments;
        JsonNode schema = definition.get().get("inputSchema");
        List<String> problems = ArgumentValidator.validate(
                schema == null ? JsonNodeFactory.instance.objectNode().put("type", "object") : schema, actual);
        if (!problems.isEmpty()) {
            ArrayNode details = JsonNodeFactory.instance.arrayNode();
            problems.forEach(p -> details.add(settings.redactor().redact(p)));
            refuse(toHost, Direction.HOST_TO_SERVER, m.idJson, RelayError.INVALID_ARGUMENTS,
                    "invalid arguments for tool '" + tool + "': " + String.join("; ", problems), details, m,
                    m.method, tool, arguments, len);
            return;
        }
        forwardRequest(m, tool, arguments, true, b, off, len);
    }

    private void forwardRequest(MessageScan m, String tool, JsonNode arguments, boolean firstPage, byte[] b, int off,
            int len) throws IOException {
        hostRequests.put(m.idKey, new Pending(m.method, tool, System.nanoTime(), m.idJson, firstPage));
        audit.record(Direction.HOST_TO_SERVER, m, m.method, tool, arguments, Outcome.FORWARDED, null, null, 0, len);
        toServer.writeLine(b, off, len);
    }

    private void hostNotification(MessageScan m, byte[] b, int off, int len) throws IOException {
        audit.record(Direction.HOST_TO_SERVER, m, m.method, null, null, Outcome.FORWARDED, null, null, 0, len);
        toServer.writeLine(b, off, len);
        if (m.method.equals("notifications/initialized") && gate.onSessionReady()) {
            startListing(null, true);
        }
    }

    private void hostResponse(MessageScan m, byte[] b, int off, int len) throws IOException {
        Pending request = m.idKey == null ? null : serverRequests.remove(m.idKey);
        if (request == null) {
            warn("unmatched-host", "the host answered a request the server never made (id " + m.idJson + "); dropped");
            audit.record(Direction.HOST_TO_SERVER, m, null, null, null, Outcome.DROPPED, "unmatched-response", null,
                    0, len);
            return;
        }
        audit.record(Direction.HOST_TO_SERVER, m, request.method(), null, null, Outcome.FORWARDED, null, null,
                request.startNanos(), len);
        toServer.writeLine(b, off, len);
    }

    // ---------------------------------------------------------------- server → host

    void fromServer(LineReader.Line line) throws IOException {
        MessageScan m = scan(line, Direction.SERVER_TO_HOST, "oversize-server", "the server");
        if (m == null) {
            return;
        }
        byte[] b = line.bytes;
        int off = line.offset;
        int len = line.length;
        switch (m.kind) {
            case RESPONSE -> serverResponse(m, b, off, len);
            case REQUEST -> serverRequest(m, b, off, len);
            case NOTIFICATION -> serverNotification(m, b, off, len);
            default -> {
                warn("invalid-server", "the server wrote a line to stdout that is not a JSON-RPC message ("
                        + m.invalidReason + "); dropped");
                audit.record(Direction.SERVER_TO_HOST, null, null, null, null, Outcome.DROPPED, "not-json-rpc",
                        m.invalidReason, 0, len);
            }
        }
    }

    private void serverResponse(MessageScan m, byte[] b, int off, int len) throws IOException {
        Pending own = m.idKey == null ? null : relayRequests.remove(m.idKey);
        if (own != null) {
            relayListingAnswered(own, m, b, off, len);
            return;
        }
        Pending request = m.idKey == null ? null : hostRequests.remove(m.idKey);
        if (request == null) {
            warn("unmatched-server", "the server answered a request nobody made (id " + m.idJson + "); dropped");
            audit.record(Direction.SERVER_TO_HOST, m, null, null, null, Outcome.DROPPED, "unmatched-response", null,
                    0, len);
            return;
        }
        switch (request.method()) {
            case "tools/list" -> hostListingAnswered(request, m, b, off, len);
            case "initialize" -> {
                inspectInitialize(m, b, off, len);
                forwardResponse(request, m, b, off, len, null);
            }
            default -> forwardResponse(request, m, b, off, len, null);
        }
    }

    private void forwardResponse(Pending request, MessageScan m, byte[] b, int off, int len, String detail)
            throws IOException {
        audit.record(Direction.SERVER_TO_HOST, m, request.method(), request.tool(), null, Outcome.FORWARDED, null,
                detail, request.startNanos(), len);
        toHost.writeLine(b, off, len);
    }

    private void hostListingAnswered(Pending request, MessageScan m, byte[] b, int off, int len) throws IOException {
        if (m.hasError) {
            forwardResponse(request, m, b, off, len, null);
            return;
        }
        JsonNode result = tree(b, off, len).get("result");
        JsonNode tools = result == null ? null : result.get("tools");
        boolean last = result == null || !result.hasNonNull("nextCursor");
        ToolGate.Verdict verdict = gate.onPage(ToolGate.Listing.HOST, request.firstPage(), tools, last);
        if (verdict.block()) {
            announceBlock();
            audit.record(Direction.SERVER_TO_HOST, m, request.method(), null, null, Outcome.REFUSED,
                    RelayError.TOOLS_CHANGED.reason, gate.blockReason().orElse(null), request.startNanos(), len);
            byte[] error = RelayError.TOOLS_CHANGED.response(request.idJson(), blockedMessage(), null);
            toHost.writeLine(error);
            toHost.flush();
            if (verdict.fetchAll()) {
                startListing(null, false);
            }
            return;
        }
        if (settings.tools().filtersAnything() && tools != null && hidesAny(tools)) {
            ObjectNode filtered = (ObjectNode) tree(b, off, len);
            ArrayNode visible = ((ObjectNode) filtered.get("result")).putArray("tools");
            int hidden = 0;
            for (JsonNode tool : tools) {
                if (settings.tools().allows(tool.path("name").asText())) {
                    visible.add(tool);
                } else {
                    hidden++;
                }
            }
            byte[] rewritten = trees.writeValueAsBytes(filtered);
            audit.record(Direction.SERVER_TO_HOST, m, request.method(), null, null, Outcome.FORWARDED, null,
                    "hid " + hidden + " tool(s) the profile does not allow", request.startNanos(), len);
            toHost.writeLine(rewritten);
            return;
        }
        forwardResponse(request, m, b, off, len, null);
    }

    private boolean hidesAny(JsonNode tools) {
        for (JsonNode tool : tools) {
            if (!settings.tools().allows(tool.path("name").asText())) {
                return true;
            }
        }
        return false;
    }

    private void relayListingAnswered(Pending request, MessageScan m, byte[] b, int off, int len) {
        if (m.hasError) {
            gate.onListingFailed("the server answered tools/list with error " + m.errorCode);
            audit.record(Direction.SERVER_TO_HOST, m, request.method(), null, null, Outcome.INTERNAL, null,
                    "tool check failed", request.startNanos(), len);
            return;
        }
        JsonNode result = tree(b, off, len).get("result");
        JsonNode tools = result == null ? null : result.get("tools");
        JsonNode cursor = result == null ? null : result.get("nextCursor");
        boolean last = cursor == null || cursor.isNull();
        ToolGate.Verdict verdict = gate.onPage(ToolGate.Listing.RELAY, request.firstPage(), tools, last);
        audit.record(Direction.SERVER_TO_HOST, m, request.method(), null, null, Outcome.INTERNAL,
                verdict.block() ? RelayError.TOOLS_CHANGED.reason : null,
                verdict.block() ? gate.blockReason().orElse(null) : "tools match " + gate.pinOrigin(),
                request.startNanos(), len);
        if (verdict.block()) {
            announceBlock();
        }
        if (!last && cursor.isTextual()) {
            startListing(cursor.textValue(), false);
        }
    }

    private void inspectInitialize(MessageScan m, byte[] b, int off, int len) {
        if (m.hasError) {
            return;
        }
        JsonNode result = tree(b, off, len).get("result");
        if (result == null) {
            return;
        }
        if (!result.path("capabilities").has("tools")) {
            gate.onNoTools();
        }
        settings.declared().flatMap(PinnedTools::serverInfo).ifPresent(declared -> {
            JsonNode actual = result.get("serverInfo");
            if (actual != null && (!declared.path("name").equals(actual.path("name"))
                    || !declared.path("version").equals(actual.path("version")))) {
                LOG.warn("server '{}' says it is {} {}, but {} declares {} {}", settings.serverId(),
                        actual.path("name").asText(), actual.path("version").asText(),
                        settings.declared().get().origin(), declared.path("name").asText(),
                        declared.path("version").asText());
            }
        });
    }

    private void serverRequest(MessageScan m, byte[] b, int off, int len) throws IOException {
        if (gate.blocked()) {
            refuse(toServer, Direction.SERVER_TO_HOST, m.idJson, RelayError.TOOLS_CHANGED,
                    "blocked by mcp-contain: " + gate.blockReason().orElse("tools changed"), null, m, m.method, null,
                    null, len);
            return;
        }
        if (serverRequests.containsKey(m.idKey)) {
            refuse(toServer, Direction.SERVER_TO_HOST, m.idJson, RelayError.DUPLICATE_ID,
                    "request id " + m.idJson + " is already in use", null, m, m.method, null, null, len);
            return;
        }
        serverRequests.put(m.idKey, new Pending(m.method, null, System.nanoTime(), m.idJson, true));
        audit.record(Direction.SERVER_TO_HOST, m, m.method, null, null, Outcome.FORWARDED, null, null, 0, len);
        toHost.writeLine(b, off, len);
    }

    private void serverNotification(MessageScan m, byte[] b, int off, int len) throws IOException {
        if (gate.blocked()) {
            audit.record(Direction.SERVER_TO_HOST, m, m.method, null, null, Outcome.DROPPED, "server-blocked", null,
                    0, len);
            return;
        }
        audit.record(Direction.SERVER_TO_HOST, m, m.method, null, null, Outcome.FORWARDED, null, null, 0, len);
        toHost.writeLine(b, off, len);
        if (m.method.equals("notifications/tools/list_changed") && gate.onListChanged()) {
            startListing(null, true);
        }
    }

    // ---------------------------------------------------------------- the relay's own messages

    /** Asks the server for its tools on the relay's own behalf; the answer is checked and never forwarded. */
    private void startListing(String cursor, boolean firstPage) {
        String idText = RELAY_ID_PREFIX + relaySequence.incrementAndGet();
        ObjectNode request = JsonNodeFactory.instance.objectNode();
        request.put("jsonrpc", "2.0");
        request.put("id", idText);
        request.put("method", "tools/list");
        if (cursor != null) {
            request.putObject("params").put("cursor", cursor);
        }
        byte[] bytes;
        try {
            bytes = trees.writeValueAsBytes(request);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        String idJson = MessageScan.quote(idText);
        relayRequests.put("s:" + idText, new Pending("tools/list", null, System.nanoTime(), idJson, firstPage));
        relayOut.execute(() -> {
            try {
                MessageScan scan = MessageScan.of(factory, bytes, 0, bytes.length);
                audit.record(Direction.RELAY_TO_SERVER, scan, "tools/list", null, null, Outcome.INTERNAL, null,
                        "checking the server's tools against " + gate.pinOrigin(), 0, bytes.length);
                toServer.writeLine(bytes);
                toServer.flush();
            } catch (IOException | RuntimeException e) {
                gate.onListingFailed("cannot ask the server for its tools: " + e.getMessage());
            }
        });
    }

    private void refuseBlocked(MessageScan m, String tool, JsonNode arguments, int len) throws IOException {
        refuse(toHost, Direction.HOST_TO_SERVER, m.idJson, RelayError.TOOLS_CHANGED, blockedMessage(), null, m,
                m.method, tool, arguments, len);
    }

    /**
     * Fixed text for the host: what changed (tool names, descriptions) is server-controlled text that has not been
     * approved, and whatever the host receives may reach the model. The detail goes to stderr and 'pins show'.
     */
    private String blockedMessage() {
        return "mcp-contain blocked server '" + settings.serverId() + "': its tools differ from "
                + gate.pinOrigin() + ". Review with 'mcp-contain pins show "
                + settings.serverId() + "', accept with 'mcp-contain pins approve " + settings.serverId() + "'";
    }

    private void announceBlock() {
        if (blockAnnounced.compareAndSet(false, true)) {
            LOG.error("server '{}' blocked: its tools differ from {}: {}. Nothing but ping passes until it is"
                    + " restarted. Review: mcp-contain pins show {}; accept the new tools: mcp-contain pins approve {}",
                    settings.serverId(), gate.pinOrigin(), gate.blockReason().orElse("changed"), settings.serverId(),
                    settings.serverId());
        }
    }

    /**
     * Answers a message with an error instead of passing it on; audited as refused, with the direction the
     * message was travelling in. The answer goes back the way the message came, so the thread handling that
     * direction writes it; an answer to the server is handed to the relay's own writer thread, because the
     * thread reading the server must never wait for the server to read (it may be waiting for us to read).
     */
    private void refuse(LineWriter to, Direction direction, String idJson, RelayError error, String message,
            JsonNode details, MessageScan m, String method, String tool, JsonNode arguments, int len)
            throws IOException {
        audit.record(direction, m, method, tool, arguments, Outcome.REFUSED, error.reason, message, 0, len);
        if (m != null && m.kind == MessageScan.Kind.NOTIFICATION) {
            return;
        }
        byte[] answer = error.response(idJson, settings.redactor().redact(message), details);
        if (to == toServer) {
            relayOut.execute(() -> {
                try {
                    toServer.writeLine(answer);
                    toServer.flush();
                } catch (IOException e) {
                    LOG.debug("cannot answer the server: {}", e.toString());
                }
            });
        } else {
            to.writeLine(answer);
            to.flush();
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Called by the host-side thread before it blocks: only it writes to the server in order. */
    void flushToServer() throws IOException {
        toServer.flush();
    }

    /** Called by the server-side thread before it blocks. */
    void flushToHost() throws IOException {
        toHost.flush();
    }

    void close() {
        relayOut.shutdownNow();
        audit.flush();
    }

    private JsonNode tree(byte[] b, int off, int len) {
        try {
            return trees.readTree(b, off, len);
        } catch (IOException e) {
            // The scan already accepted this line; a failure here is a bug, and forwarding unchecked is not an option.
            throw new IllegalStateException("cannot parse a message the scan accepted: " + e.getMessage(), e);
        }
    }

    private void warn(String kind, String message) {
        int count = warnings.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
        if (count <= WARNINGS_PER_KIND) {
            LOG.warn("server '{}': {}{}", settings.serverId(), message,
                    count == WARNINGS_PER_KIND ? " (further warnings of this kind are only in the audit log)" : "");
        }
    }

    private static boolean blank(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            byte c = b[i];
            if (c != ' ' && c != '\t' && c != '\r') {
                return false;
            }
        }
        return true;
    }
}
