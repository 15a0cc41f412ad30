package dev.mcpcontain.mediation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpcontain.approval.Approval;
import dev.mcpcontain.approval.ApprovalPolicy;
import dev.mcpcontain.approval.ApprovalStore;
import dev.mcpcontain.approval.StoredDecision;
import dev.mcpcontain.audit.AuditEvent.Direction;
import dev.mcpcontain.audit.AuditEvent.Outcome;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's tool-approval stage: after a call passed the allow/deny lists, the pin and its schema, decides whether
 * it goes on, is refused, or waits for the user. Asking never blocks the relay: a call that waits is parked, and
 * everything else keeps flowing both ways until the answer comes (on the host thread for an elicitation answer, on
 * the prompt thread for the terminal) or the ask times out and becomes a refusal.
 *
 * <p>Who is asked, in order: a 2026-07-28 client that can elicit gets an {@code input_required} result and answers in
 * its retry; a 2025 client that declared {@code elicitation} gets the relay's own {@code elicitation/create}; then the
 * launcher's terminal; else the call is refused with the command that pre-approves it. Nothing the server controls
 * is shown to the user: only the server identity, the host's client name, and the host's own tool name and arguments.
 */
final class ApprovalStage {

    private static final Logger LOG = LoggerFactory.getLogger(ApprovalStage.class);
    static final String INPUT_KEY = "mcp-contain.approval";
    private static final String STATE_PREFIX = "mcp-contain.approval:";
    private static final String ASK_ID_PREFIX = "mcp-contain:ask:";
    private static final String CLIENT_INFO_META = "io.modelcontextprotocol/clientInfo";
    private static final String CAPABILITIES_META = "io.modelcontextprotocol/clientCapabilities";
    private static final String VERSION_META = "io.modelcontextprotocol/protocolVersion";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What the stage needs from the relay: forwarding, refusing, and its own messages to the host. */
    interface Relay {
        void forward(Crossing call, Slice bytes, String auditDetail) throws IOException;

        void refuse(Crossing call, RelayError error, String message, String auditDetail) throws IOException;

        void toHost(Crossing own, byte[] line, String auditDetail) throws IOException;
    }

    /** A call waiting for an answer. */
    private record Parked(Crossing call, byte[] bytes, String tool, String client, String hash, long deadline,
            AtomicBoolean settled) {
        Parked(Crossing call, byte[] bytes, String tool, String client, String hash, long deadline) {
            this(call, bytes, tool, client, hash, deadline, new AtomicBoolean());
        }
    }

    /** A 2026-07-28 call answered with input_required, waiting for its retry. */
    private record Awaiting(String tool, JsonNode arguments, String client, String hash, long deadline) {}

    private final String server;
    private final Approvals settings;
    private final ApprovalPolicy policy;
    private final ApprovalStore store;
    private final dev.mcpcontain.audit.SecretRedactor redactor;
    private final Relay relay;
    private final ObjectMapper json = JsonMapper.builder(MessageScan.strictFactory()).build();
    private final Set<String> session = ConcurrentHashMap.newKeySet();
    private final Map<String, Parked> elicitations = new ConcurrentHashMap<>();
    /** Ids of the host's calls waiting for an answer: still in use, so a new request may not take them. */
    private final Set<String> parkedIds = ConcurrentHashMap.newKeySet();
    private final Map<String, Awaiting> retries = new ConcurrentHashMap<>();
    /** The server's own input_required states for calls that were let through: their retries are the same call. */
    private final Map<String, Awaiting> continuations = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            r -> daemon(r, "mcp-contain approval timer"));
    private final ExecutorService prompts = Executors.newSingleThreadExecutor(
            r -> daemon(r, "mcp-contain approval prompt"));
    private volatile String legacyClient;
    private volatile boolean legacyElicitation;
    private volatile boolean formModeField;

    ApprovalStage(String server, Approvals settings, dev.mcpcontain.audit.SecretRedactor redactor, Relay relay) {
        this.server = server;
        this.settings = settings;
        this.policy = settings.policy();
        this.store = settings.store();
        this.redactor = redactor;
        this.relay = relay;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    void close() {
        timer.shutdownNow();
        prompts.shutdownNow();
    }

    /** False when every call is allowed and nothing is stored: the stage has nothing to check (and costs nothing). */
    boolean active() {
        return !(policy.allowsEverything() && (store == null || !java.nio.file.Files.exists(store.file(),
                java.nio.file.LinkOption.NOFOLLOW_LINKS)));
    }

    /**
     * The server answered a call the relay let through with its own {@code input_required}: the client's retry carries
     * the server's requestState and the same tool and arguments, and is that call going on, not a new one to ask about.
     */
    void onServerInputRequired(String tool, JsonNode arguments, String requestState) {
        if (tool == null || requestState.startsWith(STATE_PREFIX) || continuations.size() >= 1024) {
            return;
        }
        continuations.put(requestState, new Awaiting(tool, arguments == null || arguments.isNull()
                ? JsonNodeFactory.instance.objectNode() : arguments.deepCopy(), null, null,
                System.nanoTime() + settings.timeout().toNanos()));
        timer.schedule(() -> continuations.remove(requestState), settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The 2025 handshake: who the client is and whether it can be asked. */
    void onInitialize(JsonNode params) {
        if (params == null) {
            return;
        }
        JsonNode name = params.path("clientInfo").get("name");
        legacyClient = name != null && name.isTextual() ? name.textValue() : null;
        JsonNode elicitation = params.path("capabilities").get("elicitation");
        legacyElicitation = formCapable(elicitation);
        String version = params.path("protocolVersion").asText("");
        formModeField = version.compareTo("2025-11-25") >= 0;
    }

    /** An elicitation capability that includes form mode ({@code {}} means form, for older clients). */
    private static boolean formCapable(JsonNode elicitation) {
        return elicitation != null && elicitation.isObject() && (elicitation.isEmpty() || elicitation.has("form"));
    }

    /** True while a call with this id waits for the user. */
    boolean isParked(String idKey) {
        return idKey != null && parkedIds.contains(idKey);
    }

    private void park(Parked parked) {
        if (parked.call().message() != null && parked.call().message().idKey != null) {
            parkedIds.add(parked.call().message().idKey);
        }
    }

    private void unpark(Parked parked) {
        if (parked.call().message() != null && parked.call().message().idKey != null) {
            parkedIds.remove(parked.call().message().idKey);
        }
    }

    /** True when this response answers one of the relay's own elicitations (and is consumed here). */
    boolean isOwnAnswer(String idKey) {
        return idKey != null && elicitations.containsKey(idKey);
    }

    /**
     * Decides one tool call that passed every other check.
     *
     * @param call       the call as it crossed
     * @param request    its parsed form
     * @param bytes      its bytes (valid only during this call)
     * @param definition the pinned definition of the tool
     * @param arguments  its arguments (never null)
     */
    void decide(Crossing call, JsonNode request, Slice bytes, String tool, JsonNode definition, JsonNode arguments)
            throws IOException {
        if (!active()) {
            relay.forward(call, bytes, null);
            return;
        }
        JsonNode params = request.path("params");
        JsonNode meta = params.path("_meta");
        JsonNode serverState = params.get("requestState");
        if (serverState != null && serverState.isTextual()) {
            Awaiting going = continuations.remove(serverState.textValue());
            if (going != null && going.tool().equals(tool) && going.arguments().equals(arguments)
                    && going.deadline() > System.nanoTime()
                    && policy.decide(tool, definition, arguments).approval() != Approval.DENY) {
                relay.forward(call, bytes, "approval allow by continuation (the server's input_required for a call"
                        + " already let through)");
                return;
            }
        }
        boolean modern = meta.has(VERSION_META);
        String client = modern ? text(meta.path(CLIENT_INFO_META).get("name")) : legacyClient;
        String hash = ApprovalStore.definitionHash(definition);
        Slice toForward = bytes;
        Awaiting answered = null;
        JsonNode state = params.get("requestState");
        if (state != null && state.isTextual() && state.textValue().startsWith(STATE_PREFIX)) {
            // The retry of a call the relay answered with input_required: its answer is for the relay, not the server.
            answered = retries.remove(state.textValue());
            ObjectNode stripped = request.deepCopy();
            ((ObjectNode) stripped.get("params")).remove(java.util.List.of("requestState", "inputResponses"));
            toForward = Slice.of(json.writeValueAsBytes(stripped));
            if (answered == null || answered.deadline() < System.nanoTime() || !answered.tool().equals(tool)
                    || !answered.arguments().equals(arguments)) {
                relay.refuse(call, RelayError.APPROVAL_TIMEOUT, "the approval for tool '" + tool
                        + "' expired or belongs to another call; call the tool again",
                        "approval deny by input_required: unknown, expired or mismatched requestState");
                return;
            }
        }
        ApprovalPolicy.Decision profile = policy.decide(tool, definition, arguments);
        if (profile.approval() == Approval.DENY) {
            String why = profile.problem() == null ? "the mcp-contain profile denies it" : profile.problem();
            relay.refuse(call, RelayError.APPROVAL_DENIED, "tool '" + tool + "' refused: " + why,
                    "approval deny by profile: " + profile.source() + (profile.problem() == null ? "" : ": " + why));
            return;
        }
        Optional<StoredDecision> stored = store == null ? Optional.empty()
                : store.find(client == null ? "" : client, server, tool, hash);
        if (stored.isPresent() && stored.get().decision() == Approval.DENY) {
            relay.refuse(call, RelayError.APPROVAL_DENIED, "tool '" + tool + "' is denied by a stored decision;"
                    + " see 'mcp-contain approvals list'", "approval deny by stored decision (client "
                    + stored.get().client() + ", " + stored.get().decidedBy() + " " + stored.get().decidedAt() + ")");
            return;
        }
        if (profile.approval() == Approval.ALLOW) {
            relay.forward(call, toForward, "approval allow by profile: " + profile.source());
            return;
        }
        if (stored.isPresent()) {
            relay.forward(call, toForward, "approval allow by stored decision (client " + stored.get().client() + ", "
                    + stored.get().decidedBy() + " " + stored.get().decidedAt() + ")");
            return;
        }
        if (session.contains(sessionKey(client, tool, hash))) {
            relay.forward(call, toForward, "approval allow by session (answered earlier in this session)");
            return;
        }
        if (answered != null) {
            answerFromRetry(call, toForward, params.path("inputResponses").get(INPUT_KEY), answered);
            return;
        }
        long deadline = System.nanoTime() + settings.timeout().toNanos();
        if (modern && formCapable(meta.path(CAPABILITIES_META).get("elicitation"))) {
            askByInputRequired(call, tool, arguments, client, hash, deadline);
        } else if (!modern && legacyElicitation) {
            askByElicitation(new Parked(call, copy(bytes), tool, client, hash, deadline), arguments);
        } else {
            Optional<ToolPrompt> terminal = settings.terminal().get();
            if (terminal.isPresent()) {
                askOnTerminal(terminal.get(), new Parked(call, copy(bytes), tool, client, hash, deadline), arguments);
            } else {
                relay.refuse(call, RelayError.APPROVAL_REQUIRED, "tool '" + tool + "' needs the user's approval and"
                        + " mcp-contain cannot ask here (no elicitation, no terminal); pre-approve it with: "
                        + preApproval(tool, client), "approval deny by nobody: no way to ask (" + profile.source() + ")");
            }
        }
    }

    // ---------------------------------------------------------------- 2026-07-28: input_required

    private void askByInputRequired(Crossing call, String tool, JsonNode arguments, String client, String hash,
            long deadline) throws IOException {
        byte[] token = new byte[16];
        RANDOM.nextBytes(token);
        String state = STATE_PREFIX + HexFormat.of().formatHex(token);
        retries.put(state, new Awaiting(tool, arguments.deepCopy(), client, hash, deadline));
        timer.schedule(() -> retries.remove(state), settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("jsonrpc", "2.0");
        root.putRawValue("id", new com.fasterxml.jackson.databind.util.RawValue(call.idJson()));
        ObjectNode result = root.putObject("result");
        result.put("resultType", "input_required");
        ObjectNode ask = result.putObject("inputRequests").putObject(INPUT_KEY);
        ask.put("method", "elicitation/create");
        ask.set("params", elicitationParams(tool, client, arguments, true));
        result.put("requestState", state);
        relay.toHost(call, json.writeValueAsBytes(root), "approval ask by input_required");
    }

    private void answerFromRetry(Crossing call, Slice bytes, JsonNode answer, Awaiting asked) throws IOException {
        String action = answer == null ? "" : answer.path("action").asText("");
        if (!action.equals("accept")) {
            relay.refuse(call, RelayError.APPROVAL_DENIED, "tool '" + asked.tool() + "' was not approved by the user",
                    "approval deny by input_required (" + (action.isEmpty() ? "no answer" : action) + ")");
            return;
        }
        String scope = remember(answer.path("content").path("scope").asText("once"), asked.client(), asked.tool(),
                asked.hash(), "input_required");
        relay.forward(call, bytes, "approval allow by input_required (" + scope + ")");
    }

    // ---------------------------------------------------------------- 2025: the relay's own elicitation/create

    private void askByElicitation(Parked parked, JsonNode arguments) throws IOException {
        String id = ASK_ID_PREFIX + sequence.incrementAndGet();
        String key = "s:" + id;
        park(parked);
        elicitations.put(key, parked);
        ObjectNode request = JsonNodeFactory.instance.objectNode();
        request.put("jsonrpc", "2.0");
        request.put("id", id);
        request.put("method", "elicitation/create");
        request.set("params", elicitationParams(parked.tool(), parked.client(), arguments, formModeField));
        byte[] line = json.writeValueAsBytes(request);
        MessageScan scan = MessageScan.of(MessageScan.strictFactory(), line, 0, line.length);
        relay.toHost(Crossing.of(Direction.RELAY_TO_HOST, scan, line.length).tool(parked.tool(), null), line,
                "approval ask by elicitation");
        timer.schedule(() -> {
            if (elicitations.remove(key) != null) {
                timedOut(parked, "elicitation");
                cancelOnHost(id);
            }
        }, settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The host answered the relay's elicitation (on the host thread). */
    void onOwnAnswer(String idKey, JsonNode response) throws IOException {
        Parked parked = elicitations.remove(idKey);
        if (parked == null || !parked.settled().compareAndSet(false, true)) {
            return;
        }
        unpark(parked);
        JsonNode result = response.get("result");
        String action = result == null ? "" : result.path("action").asText("");
        if (!action.equals("accept")) {
            String why = result == null ? "the host could not ask (error " + response.path("error").path("code").asInt()
                    + ")" : action;
            relay.refuse(parked.call(), RelayError.APPROVAL_DENIED, "tool '" + parked.tool()
                    + "' was not approved by the user", "approval deny by elicitation (" + why + ")");
            return;
        }
        String scope = remember(result.path("content").path("scope").asText("once"), parked.client(), parked.tool(),
                parked.hash(), "elicitation");
        relay.forward(parked.call(), Slice.of(parked.bytes()), "approval allow by elicitation (" + scope + ")");
    }

    private void cancelOnHost(String id) {
        ObjectNode note = JsonNodeFactory.instance.objectNode();
        note.put("jsonrpc", "2.0");
        note.put("method", "notifications/cancelled");
        note.putObject("params").put("requestId", id).put("reason", "mcp-contain: no answer in time");
        try {
            byte[] line = json.writeValueAsBytes(note);
            MessageScan scan = MessageScan.of(MessageScan.strictFactory(), line, 0, line.length);
            relay.toHost(Crossing.of(Direction.RELAY_TO_HOST, scan, line.length), line, "approval ask withdrawn");
        } catch (IOException e) {
            LOG.debug("cannot withdraw the ask: {}", e.toString());
        }
    }

    // ---------------------------------------------------------------- the launcher's terminal

    private void askOnTerminal(ToolPrompt prompt, Parked parked, JsonNode arguments) {
        String question = "mcp-contain: " + question(parked.tool(), parked.client(), arguments);
        park(parked);
        timer.schedule(() -> timedOut(parked, "tty"), settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
        prompts.execute(() -> {
            if (parked.settled().get()) {
                return;
            }
            Optional<ToolPrompt.Answer> answer = prompt.ask(question);
            if (!parked.settled().compareAndSet(false, true)) {
                return;
            }
            unpark(parked);
            try {
                if (answer.isEmpty() || answer.get() == ToolPrompt.Answer.NO) {
                    relay.refuse(parked.call(), RelayError.APPROVAL_DENIED, "tool '" + parked.tool()
                            + "' was not approved by the user", "approval deny by tty ("
                            + (answer.isEmpty() ? "no answer" : "no") + ")");
                    return;
                }
                String scope = remember(answer.get().name().toLowerCase(java.util.Locale.ROOT), parked.client(),
                        parked.tool(), parked.hash(), "tty");
                relay.forward(parked.call(), Slice.of(parked.bytes()), "approval allow by tty (" + scope + ")");
            } catch (IOException e) {
                LOG.debug("cannot pass on the answered call: {}", e.toString());
            }
        });
    }

    private void timedOut(Parked parked, String by) {
        if (!parked.settled().compareAndSet(false, true)) {
            return;
        }
        unpark(parked);
        try {
            relay.refuse(parked.call(), RelayError.APPROVAL_TIMEOUT, "tool '" + parked.tool() + "' was not approved:"
                    + " no answer within " + settings.timeout().toSeconds() + " s", "approval deny by " + by
                    + " (timed out)");
        } catch (IOException e) {
            LOG.debug("cannot refuse the unanswered call: {}", e.toString());
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Records a session or permanent answer; returns the scope as taken. */
    private String remember(String scope, String client, String tool, String hash, String by) {
        switch (scope) {
            case "session" -> {
                session.add(sessionKey(client, tool, hash));
                return "session";
            }
            case "always" -> {
                if (store != null) {
                    store.put(client == null ? "" : client, server, tool, hash, Approval.ALLOW, by);
                    return "always";
                }
                session.add(sessionKey(client, tool, hash));
                return "session (no store)";
            }
            default -> {
                return "once";
            }
        }
    }

    private static String sessionKey(String client, String tool, String hash) {
        return client + "\u0000" + tool + "\u0000" + hash;
    }

    private ObjectNode elicitationParams(String tool, String client, JsonNode arguments, boolean modeField) {
        ObjectNode params = JsonNodeFactory.instance.objectNode();
        if (modeField) {
            params.put("mode", "form");
        }
        params.put("message", "mcp-contain: " + question(tool, client, arguments)
                + "\nAccept to allow this call; choose a scope to remember the answer.");
        ObjectNode schema = params.putObject("requestedSchema");
        schema.put("type", "object");
        ObjectNode scope = schema.putObject("properties").putObject("scope");
        scope.put("type", "string");
        scope.put("title", "Remember");
        scope.put("description", "once: this call only; session: until the server stops; always: stored"
                + " (see 'mcp-contain approvals list')");
        scope.putArray("enum").add("once").add("session").add("always");
        scope.put("default", "once");
        return params;
    }

    /** The question, from the relay's own words and what the host itself sent: nothing the server wrote. */
    private String question(String tool, String client, JsonNode arguments) {
        StringBuilder text = new StringBuilder();
        text.append(safeClient(client) == null ? "the MCP client" : "client '" + safeClient(client) + "'")
                .append(" wants server '").append(server).append("' to run tool '").append(tool).append("'");
        JsonNode shown = redactor.redact(arguments);
        if (shown == null || !shown.isObject() || shown.isEmpty()) {
            return text.append(" without arguments.").toString();
        }
        text.append(" with:");
        int total = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = shown.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String value = summary(e.getValue());
            text.append("\n  ").append(e.getKey()).append(" = ").append(value);
            total += value.length();
            if (total > 1000 && it.hasNext()) {
                text.append("\n  ...");
                break;
            }
        }
        return text.toString();
    }

    private static String summary(JsonNode value) {
        if (value.isTextual()) {
            String s = value.textValue();
            String oneLine = s.length() > 120 ? s.substring(0, 120) : s;
            oneLine = oneLine.replaceAll("[\\p{Cntrl}]", " ");
            return "\"" + oneLine + "\"" + (s.length() > 120 ? " ... (" + s.length() + " characters)" : "");
        }
        if (value.isContainerNode()) {
            String s = value.toString();
            return s.length() > 120 ? s.substring(0, 120) + " ... (" + s.length() + " characters)" : s;
        }
        return value.toString();
    }

    private String preApproval(String tool, String client) {
        String safe = safeClient(client);
        return "mcp-contain approvals allow " + server + " " + quoteIfNeeded(tool)
                + (safe == null ? "" : " --client " + quoteIfNeeded(safe));
    }

    private static String safeClient(String client) {
        return client != null && client.matches("[A-Za-z0-9 ._@/+-]{1,64}") ? client : null;
    }

    private static String quoteIfNeeded(String word) {
        return word.matches("[A-Za-z0-9._@/+-]+") ? word : "'" + word.replace("'", "'\\''") + "'";
    }

    private static String text(JsonNode node) {
        return node != null && node.isTextual() ? node.textValue() : null;
    }

    private static byte[] copy(Slice b) {
        return java.util.Arrays.copyOfRange(b.bytes(), b.offset(), b.offset() + b.length());
    }
}
