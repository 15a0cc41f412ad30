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
 * <p>Only {@code tools/call} requests, {@code tools/list}, {@code initialize} and {@code server/discover} responses
 * are parsed whole; every other message is read with a streaming scan for its kind, method and id. Both MCP eras
 * pass: the 2025 handshake, and the stateless 2026-07-28 revision, whose requests carry their own {@code _meta}
 * (passed byte for byte) and whose multi-round-trip {@code input_required} results are ordinary responses, each
 * retried {@code tools/call} being checked like the first.
 */
public final class Mediator {

    private static final Logger LOG = LoggerFactory.getLogger(Mediator.class);
    private static final String RELAY_ID_PREFIX = "mcp-contain:";
    private static final String PROTOCOL_VERSION_META = "io.modelcontextprotocol/protocolVersion";
    private static final int WARNINGS_PER_KIND = 5;

    private final MediationSettings settings;
    private final LineWriter toServer;
    private final LineWriter toHost;
    private final JsonFactory factory = MessageScan.strictFactory();
    private final ObjectMapper trees = JsonMapper.builder(MessageScan.strictFactory()).build();
    private final ToolGate gate;
    private final ApprovalStage approvals;
    private final AuditTrail audit;
    private final Map<String, Pending> hostRequests = new ConcurrentHashMap<>();
    private final Map<String, Pending> serverRequests = new ConcurrentHashMap<>();
    private final Map<String, Pending> relayRequests = new ConcurrentHashMap<>();
    private final AtomicLong relaySequence = new AtomicLong();
    private final AtomicBoolean blockAnnounced = new AtomicBoolean();
    private final Map<String, AtomicInteger> warnings = new ConcurrentHashMap<>();
    /**
     * The {@code _meta} of the host's last 2026-07-28 request (protocol version, client info and capabilities): a
     * stateless server answers only requests that carry it, so the relay's own listings carry the host's.
     */
    private volatile JsonNode modernMeta;
    /** The relay's own requests to the server go out from here, so that no relay thread waits on the server. */
    private final ExecutorService relayOut = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "mcp-contain relay requests");
        t.setDaemon(true);
        return t;
    });

    /** A request on its way, remembered until its response arrives. */
    private record Pending(String method, String tool, long startNanos, String idJson, boolean firstPage,
            JsonNode arguments) {
        Pending(String method, String tool, long startNanos, String idJson, boolean firstPage) {
            this(method, tool, startNanos, idJson, firstPage, null);
        }
    }

    Mediator(MediationSettings settings, OutputStream server, OutputStream host) {
        this.settings = settings;
        this.audit = new AuditTrail(settings.audit(), settings.serverId(), settings.redactor());
        this.toServer = new LineWriter(server, audit::flush);
        this.toHost = new LineWriter(host, audit::flush);
        this.gate = new ToolGate(settings.serverId(), settings.pins(), settings.declared());
        this.approvals = new ApprovalStage(settings.serverId(), settings.approvals(), settings.redactor(),
                new ApprovalStage.Relay() {
                    @Override
                    public void forward(Crossing call, Slice bytes, String auditDetail) throws IOException {
                        forwardRequest(call, true, bytes, auditDetail);
                        toServer.flush();
                    }

                    @Override
                    public void refuse(Crossing call, RelayError error, String message, String auditDetail)
                            throws IOException {
                        Mediator.this.refuse(call, error, message, null, auditDetail);
                    }

                    @Override
                    public void toHost(Crossing own, byte[] line, String auditDetail) throws IOException {
                        audit.record(own, Outcome.INTERNAL, null, auditDetail);
                        toHost.writeLine(Slice.of(line));
                        toHost.flush();
                    }
                });
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
    private MessageScan scan(LineReader.Line line, Slice bytes, Direction direction, String warning, String sender) {
        if (line.oversize) {
            warn(warning, sender + " sent a message of " + line.length + " bytes (limit " + settings.maxLineBytes()
                    + "); dropped");
            audit.record(Crossing.of(direction, null, line.length), Outcome.DROPPED, "oversize", null);
            return null;
        }
        if (bytes.blank()) {
            return null;
        }
        return MessageScan.of(factory, bytes.bytes(), bytes.offset(), bytes.length());
    }

    // ---------------------------------------------------------------- host → server

    void fromHost(LineReader.Line line) throws IOException, InterruptedException {
        Slice b = new Slice(line.bytes, line.offset, line.length);
        MessageScan m = scan(line, b, Direction.HOST_TO_SERVER, "oversize-host", "the host");
        if (m == null) {
            return;
        }
        Crossing seen = Crossing.of(Direction.HOST_TO_SERVER, m, b.length());
        switch (m.kind) {
            case REQUEST -> hostRequest(seen, b);
            case NOTIFICATION -> hostNotification(seen, b);
            case RESPONSE -> hostResponse(seen, b);
            default -> {
                RelayError error = m.batch ? RelayError.BATCH
                        : m.invalidReason.startsWith("not valid JSON") ? RelayError.PARSE_ERROR : RelayError.INVALID_REQUEST;
                String message = m.batch ? "JSON-RPC batches are not passed on by mcp-contain; send one message per line"
                        : "mcp-contain: " + m.invalidReason;
                refuse(seen, error, message);
            }
        }
    }

    private void hostRequest(Crossing seen, Slice b) throws IOException, InterruptedException {
        MessageScan m = seen.message();
        if (gate.blocked() && !m.method.equals("ping")) {
            JsonNode params = m.method.equals("tools/call") ? tree(b).get("params") : null;
            JsonNode name = params == null ? null : params.get("name");
            refuseBlocked(seen.tool(name != null && name.isTextual() ? name.textValue() : null,
                    params == null ? null : params.get("arguments")));
            return;
        }
        if (hostRequests.containsKey(m.idKey) || approvals.isParked(m.idKey)) {
            refuse(seen, RelayError.DUPLICATE_ID,
                    "request id " + m.idJson + " is already in use by a request still waiting for its answer");
            return;
        }
        switch (m.method) {
            case "tools/call" -> {
                JsonNode call = tree(b);
                rememberEra(call);
                toolCall(seen, call, b);
            }
            case "initialize" -> {
                approvals.onInitialize(tree(b).get("params"));
                forwardRequest(seen, true, b);
            }
            case "tools/list" -> {
                JsonNode listing = tree(b);
                rememberEra(listing);
                JsonNode params = listing.get("params");
                boolean firstPage = params == null || !params.hasNonNull("cursor");
                forwardRequest(seen, firstPage, b);
            }
            default -> forwardRequest(seen, true, b);
        }
    }

    private void rememberEra(JsonNode request) {
        JsonNode meta = request.path("params").get("_meta");
        if (meta != null && meta.has(PROTOCOL_VERSION_META)) {
            modernMeta = meta;
        }
    }

    private void toolCall(Crossing request, JsonNode call, Slice b) throws IOException, InterruptedException {
        JsonNode params = call.get("params");
        JsonNode name = params == null ? null : params.get("name");
        JsonNode arguments = params == null ? null : params.get("arguments");
        if (name == null || !name.isTextual()) {
            refuse(request.tool(null, arguments), RelayError.INVALID_ARGUMENTS, "tools/call needs params.name (a string)");
            return;
        }
        String tool = name.textValue();
        Crossing seen = request.tool(tool, arguments);
        Optional<RelayError> refusal = settings.tools().refusal(tool);
        if (refusal.isPresent()) {
            String message = refusal.get() == RelayError.TOOL_DENIED
                    ? "tool '" + tool + "' is denied by the mcp-contain profile"
                    : "tool '" + tool + "' is not in the mcp-contain profile's tools.allow list";
            refuse(seen, refusal.get(), message);
            return;
        }
        toServer.flush();  // what went before this call must reach the server before the relay waits on it
        ToolGate.Access access = gate.awaitUsable(settings.verifyTimeout(), () -> startListing(null, true));
        switch (access.state()) {
            case BLOCKED -> {
                refuseBlocked(seen);
                return;
            }
            case UNVERIFIED -> {
                refuse(seen, RelayError.TOOLS_UNVERIFIED,
                        "mcp-contain could not check the server's tools before this call: " + access.failure());
                return;
            }
            case NO_TOOLS -> {
                refuse(seen, RelayError.UNKNOWN_TOOL, "the server declared no tools capability");
                return;
            }
            default -> {
                // VERIFIED: go on with the pinned definition.
            }
        }
        Optional<JsonNode> definition = gate.definition(tool);
        if (definition.isEmpty()) {
            refuse(seen, RelayError.UNKNOWN_TOOL,
                    "unknown tool '" + tool + "': not among the " + gate.pinnedCount() + " pinned tools");
            return;
        }
        JsonNode actual = arguments == null || arguments.isNull() ? JsonNodeFactory.instance.objectNode() : arguments;
        JsonNode schema = definition.get().get("inputSchema");
        List<String> problems = ArgumentValidator.validate(
                schema == null ? JsonNodeFactory.instance.objectNode().put("type", "object") : schema, actual);
        if (!problems.isEmpty()) {
            ArrayNode details = JsonNodeFactory.instance.arrayNode();
            problems.forEach(p -> details.add(settings.redactor().redact(p)));
            refuse(seen, RelayError.INVALID_ARGUMENTS,
                    "invalid arguments for tool '" + tool + "': " + String.join("; ", problems), details);
            return;
        }
        approvals.decide(seen, call, b, tool, definition.get(), actual);
    }

    private void forwardRequest(Crossing seen, boolean firstPage, Slice b) throws IOException {
        forwardRequest(seen, firstPage, b, null);
    }

    private void forwardRequest(Crossing seen, boolean firstPage, Slice b, String detail) throws IOException {
        MessageScan m = seen.message();
        hostRequests.put(m.idKey, new Pending(m.method, seen.tool(), System.nanoTime(), m.idJson, firstPage,
                seen.arguments()));
        audit.record(seen, Outcome.FORWARDED, null, detail);
        toServer.writeLine(b);
    }

    private void hostNotification(Crossing seen, Slice b) throws IOException {
        audit.record(seen, Outcome.FORWARDED, null, null);
        toServer.writeLine(b);
        if (seen.method().equals("notifications/initialized") && gate.onSessionReady()) {
            startListing(null, true);
        }
    }

    private void hostResponse(Crossing seen, Slice b) throws IOException {
        MessageScan m = seen.message();
        if (approvals.isOwnAnswer(m.idKey)) {
            audit.record(seen.answering("elicitation/create", null, 0), Outcome.INTERNAL, null,
                    "approval answer (not forwarded)");
            approvals.onOwnAnswer(m.idKey, tree(b));
            return;
        }
        Pending request = m.idKey == null ? null : serverRequests.remove(m.idKey);
        if (request == null) {
            warn("unmatched-host", "the host answered a request the server never made (id " + m.idJson + "); dropped");
            audit.record(seen, Outcome.DROPPED, "unmatched-response", null);
            return;
        }
        audit.record(answer(seen, request), Outcome.FORWARDED, null, null);
        toServer.writeLine(b);
    }

    // ---------------------------------------------------------------- server → host

    void fromServer(LineReader.Line line) throws IOException {
        Slice b = new Slice(line.bytes, line.offset, line.length);
        MessageScan m = scan(line, b, Direction.SERVER_TO_HOST, "oversize-server", "the server");
        if (m == null) {
            return;
        }
        Crossing seen = Crossing.of(Direction.SERVER_TO_HOST, m, b.length());
        switch (m.kind) {
            case RESPONSE -> serverResponse(seen, b);
            case REQUEST -> serverRequest(seen, b);
            case NOTIFICATION -> serverNotification(seen, b);
            default -> {
                warn("invalid-server", "the server wrote a line to stdout that is not a JSON-RPC message ("
                        + m.invalidReason + "); dropped");
                audit.record(Crossing.of(Direction.SERVER_TO_HOST, null, b.length()), Outcome.DROPPED, "not-json-rpc",
                        m.invalidReason);
            }
        }
    }

    private void serverResponse(Crossing seen, Slice b) throws IOException {
        MessageScan m = seen.message();
        Pending own = m.idKey == null ? null : relayRequests.remove(m.idKey);
        if (own != null) {
            relayListingAnswered(answer(seen, own), own.firstPage(), b);
            return;
        }
        Pending request = m.idKey == null ? null : hostRequests.remove(m.idKey);
        if (request == null) {
            warn("unmatched-server", "the server answered a request nobody made (id " + m.idJson + "); dropped");
            audit.record(seen, Outcome.DROPPED, "unmatched-response", null);
            return;
        }
        Crossing response = answer(seen, request);
        switch (request.method()) {
            case "tools/list" -> hostListingAnswered(request, response, b);
            case "initialize", "server/discover" -> {
                inspectCapabilities(m, b);
                forwardResponse(response, b, null);
            }
            case "tools/call" -> {
                if (!m.hasError && approvals.active() && contains(b, INPUT_REQUIRED)) {
                    JsonNode result = tree(b).get("result");
                    JsonNode state = result == null ? null : result.get("requestState");
                    if (result != null && "input_required".equals(result.path("resultType").asText())
                            && state != null && state.isTextual()) {
                        approvals.onServerInputRequired(request.tool(), request.arguments(), state.textValue());
                    }
                }
                forwardResponse(response, b, null);
            }
            default -> forwardResponse(response, b, null);
        }
    }

    private static final byte[] INPUT_REQUIRED = "\"input_required\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private static boolean contains(Slice b, byte[] needle) {
        outer:
        for (int i = b.offset(); i <= b.offset() + b.length() - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (b.bytes()[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static Crossing answer(Crossing response, Pending request) {
        return response.answering(request.method(), request.tool(), request.startNanos());
    }

    private void forwardResponse(Crossing response, Slice b, String detail) throws IOException {
        audit.record(response, Outcome.FORWARDED, null, detail);
        toHost.writeLine(b);
    }

    private void hostListingAnswered(Pending request, Crossing response, Slice b) throws IOException {
        MessageScan m = response.message();
        if (m.hasError) {
            forwardResponse(response, b, null);
            return;
        }
        JsonNode result = tree(b).get("result");
        JsonNode tools = result == null ? null : result.get("tools");
        boolean last = result == null || !result.hasNonNull("nextCursor");
        ToolGate.Verdict verdict = gate.onPage(ToolGate.Listing.HOST, request.firstPage(), tools, last);
        if (verdict.block()) {
            announceBlock();
            audit.record(response, Outcome.REFUSED, RelayError.TOOLS_CHANGED.reason, gate.blockReason().orElse(null));
            byte[] error = RelayError.TOOLS_CHANGED.response(request.idJson(), blockedMessage(), null);
            toHost.writeLine(Slice.of(error));
            toHost.flush();
            if (verdict.fetchAll()) {
                startListing(null, false);
            }
            return;
        }
        if (settings.tools().filtersAnything() && tools != null && hidesAny(tools)) {
            ObjectNode filtered = (ObjectNode) tree(b);
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
            audit.record(response, Outcome.FORWARDED, null, "hid " + hidden + " tool(s) the profile does not allow");
            toHost.writeLine(Slice.of(rewritten));
            return;
        }
        forwardResponse(response, b, null);
    }

    private boolean hidesAny(JsonNode tools) {
        for (JsonNode tool : tools) {
            if (!settings.tools().allows(tool.path("name").asText())) {
                return true;
            }
        }
        return false;
    }

    private void relayListingAnswered(Crossing response, boolean firstPage, Slice b) {
        MessageScan m = response.message();
        if (m.hasError) {
            gate.onListingFailed("the server answered tools/list with error " + m.errorCode);
            audit.record(response, Outcome.INTERNAL, null, "tool check failed");
            return;
        }
        JsonNode result = tree(b).get("result");
        JsonNode tools = result == null ? null : result.get("tools");
        JsonNode cursor = result == null ? null : result.get("nextCursor");
        boolean last = cursor == null || cursor.isNull();
        ToolGate.Verdict verdict = gate.onPage(ToolGate.Listing.RELAY, firstPage, tools, last);
        audit.record(response, Outcome.INTERNAL, verdict.block() ? RelayError.TOOLS_CHANGED.reason : null,
                verdict.block() ? gate.blockReason().orElse(null) : "tools match " + gate.pinOrigin());
        if (verdict.block()) {
            announceBlock();
        }
        if (!last && cursor.isTextual()) {
            startListing(cursor.textValue(), false);
        }
    }

    /**
     * What the server says it offers, in either era: the 2025 {@code initialize} result, or the 2026-07-28
     * {@code server/discover} result (stateless: no handshake, the server's identity in the result's {@code _meta}).
     */
    private void inspectCapabilities(MessageScan m, Slice b) {
        if (m.hasError) {
            return;
        }
        JsonNode result = tree(b).get("result");
        if (result == null) {
            return;
        }
        if (!result.path("capabilities").has("tools")) {
            gate.onNoTools();
        }
        settings.declared().flatMap(PinnedTools::serverInfo).ifPresent(declared -> {
            JsonNode actual = result.has("serverInfo") ? result.get("serverInfo")
                    : result.path("_meta").get("io.modelcontextprotocol/serverInfo");
            if (actual != null && (!declared.path("name").equals(actual.path("name"))
                    || !declared.path("version").equals(actual.path("version")))) {
                LOG.warn("server '{}' says it is {} {}, but {} declares {} {}", settings.serverId(),
                        actual.path("name").asText(), actual.path("version").asText(),
                        settings.declared().get().origin(), declared.path("name").asText(),
                        declared.path("version").asText());
            }
        });
    }

    private void serverRequest(Crossing seen, Slice b) throws IOException {
        MessageScan m = seen.message();
        if (gate.blocked()) {
            refuse(seen, RelayError.TOOLS_CHANGED, "blocked by mcp-contain: " + gate.blockReason().orElse("tools changed"));
            return;
        }
        if (serverRequests.containsKey(m.idKey)) {
            refuse(seen, RelayError.DUPLICATE_ID, "request id " + m.idJson + " is already in use");
            return;
        }
        serverRequests.put(m.idKey, new Pending(m.method, null, System.nanoTime(), m.idJson, true));
        audit.record(seen, Outcome.FORWARDED, null, null);
        toHost.writeLine(b);
    }

    private void serverNotification(Crossing seen, Slice b) throws IOException {
        if (gate.blocked()) {
            audit.record(seen, Outcome.DROPPED, "server-blocked", null);
            return;
        }
        audit.record(seen, Outcome.FORWARDED, null, null);
        toHost.writeLine(b);
        if (seen.method().equals("notifications/tools/list_changed") && gate.onListChanged()) {
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
        JsonNode meta = modernMeta;
        if (cursor != null || meta != null) {
            ObjectNode params = request.putObject("params");
            if (cursor != null) {
                params.put("cursor", cursor);
            }
            if (meta != null) {
                params.set("_meta", meta.deepCopy());
            }
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
                audit.record(Crossing.of(Direction.RELAY_TO_SERVER, scan, bytes.length), Outcome.INTERNAL, null,
                        "checking the server's tools against " + gate.pinOrigin());
                toServer.writeLine(Slice.of(bytes));
                toServer.flush();
            } catch (IOException | RuntimeException e) {
                gate.onListingFailed("cannot ask the server for its tools: " + e.getMessage());
            }
        });
    }

    private void refuseBlocked(Crossing seen) throws IOException {
        refuse(seen, RelayError.TOOLS_CHANGED, blockedMessage());
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

    private void refuse(Crossing seen, RelayError error, String message) throws IOException {
        refuse(seen, error, message, null);
    }

    /**
     * Answers a message with an error instead of passing it on; audited as refused, with the direction the
     * message was travelling in. The answer goes back the way the message came, so the thread handling that
     * direction writes it; an answer to the server is handed to the relay's own writer thread, because the
     * thread reading the server must never wait for the server to read (it may be waiting for us to read).
     */
    private void refuse(Crossing seen, RelayError error, String message, JsonNode details) throws IOException {
        refuse(seen, error, message, details, message);
    }

    private void refuse(Crossing seen, RelayError error, String message, JsonNode details, String auditDetail)
            throws IOException {
        audit.record(seen, Outcome.REFUSED, error.reason, auditDetail);
        MessageScan m = seen.message();
        if (m != null && m.kind == MessageScan.Kind.NOTIFICATION) {
            return;
        }
        byte[] answer = error.response(seen.idJson(), settings.redactor().redact(message), details);
        if (seen.direction() == Direction.SERVER_TO_HOST) {
            relayOut.execute(() -> {
                try {
                    toServer.writeLine(Slice.of(answer));
                    toServer.flush();
                } catch (IOException e) {
                    LOG.debug("cannot answer the server: {}", e.toString());
                }
            });
        } else {
            toHost.writeLine(Slice.of(answer));
            toHost.flush();
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
        approvals.close();
        audit.flush();
    }

    private JsonNode tree(Slice b) {
        try {
            return trees.readTree(b.bytes(), b.offset(), b.length());
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
}
