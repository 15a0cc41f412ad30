package dev.mcpcontain.mediation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpcontain.pins.PinStore;
import dev.mcpcontain.pins.ToolDrift;
import dev.mcpcontain.pins.ToolPin;
import dev.mcpcontain.pins.ToolSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Whether the tools a server offers in this session are the pinned ones. Every complete tool listing that
 * crosses the relay (the host's own, or the relay's after {@code initialized} and after each
 * {@code list_changed}) is compared with the pin; a difference blocks the server for the rest of the session.
 * A tool call waits until the current tools are known to match.
 *
 * <p>The pin is, in order: the set the user approved or that was recorded on first use ({@code pins/SERVER.json}),
 * else the manifest's {@code static_responses}, else none yet: then the first complete listing is recorded.
 */
final class ToolGate {

    enum State {
        /** Nothing listed yet in this session. */
        UNVERIFIED,
        /** A listing is on its way; tool calls wait for it. */
        VERIFYING,
        /** The last complete listing matched the pin. */
        VERIFIED,
        /** A listing differed from the pin; nothing but ping passes for the rest of the session. */
        BLOCKED,
        /** The server declared no tools capability. */
        NO_TOOLS
    }

    /** Which listing a page belongs to: the host's (forwarded) or the relay's own (consumed). */
    enum Listing { HOST, RELAY }

    /**
     * @param block        the page must not reach the host
     * @param drift        what differs, when that is the reason
     * @param problem      any other reason to block (a malformed list)
     * @param fetchAll     a complete listing is needed to record what the server now offers
     */
    record Verdict(boolean block, Optional<ToolDrift> drift, Optional<String> problem, boolean fetchAll) {
        static final Verdict PASS = new Verdict(false, Optional.empty(), Optional.empty(), false);
    }

    /** What a waiting tool call may do. */
    record Access(State state, String failure) {}

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition settled = lock.newCondition();
    private final String server;
    private final PinStore store;
    private ToolSet pinned;
    private String pinOrigin;
    private State state = State.UNVERIFIED;
    private String blockReason;
    private String failure;
    private boolean sessionReady;
    private ToolSet hostListing = ToolSet.empty();
    private ToolSet relayListing = ToolSet.empty();

    ToolGate(String server, PinStore store, Optional<PinnedTools> declared) {
        this.server = server;
        this.store = store;
        Optional<ToolPin> stored = store.load(server);
        if (stored.isPresent() && stored.get().pinnedTools().isPresent()) {
            this.pinned = toolSet(stored.get().pinnedTools().get());
            this.pinOrigin = "the pinned tools (" + (stored.get().source() == ToolPin.Source.APPROVED
                    ? "approved " : "recorded on first use ") + stored.get().pinnedAt() + ")";
        } else if (declared.isPresent()) {
            this.pinned = declared.get().tools();
            this.pinOrigin = declared.get().origin();
        }
    }

    private static ToolSet toolSet(List<JsonNode> tools) {
        try {
            return ToolSet.of(tools);
        } catch (IllegalArgumentException e) {
            throw new dev.mcpcontain.pins.PinException("pinned tool list is not usable: " + e.getMessage());
        }
    }

    /** True when there is no pin yet and the first complete listing will become it. */
    boolean trustOnFirstUse() {
        lock.lock();
        try {
            return pinned == null;
        } finally {
            lock.unlock();
        }
    }

    String pinOrigin() {
        lock.lock();
        try {
            return pinOrigin == null ? "no pin yet (the first listing is recorded)" : pinOrigin;
        } finally {
            lock.unlock();
        }
    }

    boolean blocked() {
        lock.lock();
        try {
            return state == State.BLOCKED;
        } finally {
            lock.unlock();
        }
    }

    Optional<String> blockReason() {
        lock.lock();
        try {
            return Optional.ofNullable(blockReason);
        } finally {
            lock.unlock();
        }
    }

    /** The pinned definition of a tool; only meaningful once {@link #awaitUsable} said VERIFIED. */
    Optional<JsonNode> definition(String tool) {
        lock.lock();
        try {
            return pinned == null ? Optional.empty() : pinned.tool(tool);
        } finally {
            lock.unlock();
        }
    }

    int pinnedCount() {
        lock.lock();
        try {
            return pinned == null ? 0 : pinned.size();
        } finally {
            lock.unlock();
        }
    }

    /** The client finished the handshake. Returns true when the caller must start a listing. */
    boolean onSessionReady() {
        lock.lock();
        try {
            sessionReady = true;
            if (state == State.UNVERIFIED) {
                state = State.VERIFYING;
                return true;
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** The server says its tools changed. Returns true when the caller must start a listing. */
    boolean onListChanged() {
        lock.lock();
        try {
            if (!sessionReady || state == State.BLOCKED || state == State.NO_TOOLS) {
                return false;
            }
            state = State.VERIFYING;
            return true;
        } finally {
            lock.unlock();
        }
    }

    void onNoTools() {
        lock.lock();
        try {
            if (state != State.BLOCKED) {
                state = State.NO_TOOLS;
                settled.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    void onListingFailed(String why) {
        lock.lock();
        try {
            if (state == State.VERIFYING) {
                state = State.UNVERIFIED;
                failure = why;
                settled.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until a listing has settled whether the server's tools match. {@code startListing} is called (outside
     * the lock) when no listing is on its way yet; it must not block on the server.
     */
    Access awaitUsable(Duration timeout, Runnable startListing) throws InterruptedException {
        boolean start = false;
        lock.lock();
        try {
            if (state == State.UNVERIFIED) {
                state = State.VERIFYING;
                failure = null;
                start = true;
            }
        } finally {
            lock.unlock();
        }
        if (start) {
            startListing.run();
        }
        lock.lock();
        try {
            long remaining = timeout.toNanos();
            while (state == State.VERIFYING && remaining > 0) {
                remaining = settled.awaitNanos(remaining);
            }
            if (state == State.VERIFYING) {
                return new Access(State.UNVERIFIED, "the server did not list its tools within "
                        + timeout.toSeconds() + " s");
            }
            if (state == State.UNVERIFIED) {
                return new Access(State.UNVERIFIED, failure == null ? "the tools could not be listed" : failure);
            }
            return new Access(state, null);
        } finally {
            lock.unlock();
        }
    }

    /** Checks one page of a tool listing. */
    Verdict onPage(Listing listing, boolean firstPage, JsonNode tools, boolean last) {
        lock.lock();
        try {
            boolean wasBlocked = state == State.BLOCKED;
            List<JsonNode> page = new ArrayList<>();
            if (tools == null || !tools.isArray()) {
                return block("its tools/list result has no tools array", false);
            }
            tools.forEach(page::add);
            ToolSet pageSet;
            ToolSet soFar;
            try {
                pageSet = ToolSet.of(page);
                soFar = firstPage ? pageSet : (listing == Listing.HOST ? hostListing : relayListing).plus(page);
            } catch (IllegalArgumentException e) {
                return block("its tool list is malformed: " + e.getMessage(), false);
            }
            if (listing == Listing.HOST) {
                hostListing = soFar;
            } else {
                relayListing = soFar;
            }
            if (pinned == null) {
                if (!last) {
                    return Verdict.PASS;
                }
                ToolPin recorded = store.recordFirstUse(server, soFar);
                pinned = toolSet(recorded.pinnedTools().orElseThrow());
                pinOrigin = "the tools pinned on first use (" + recorded.pinnedAt() + ")";
            }
            ToolDrift drift = last ? ToolDrift.between(pinned, soFar) : ToolDrift.ofPage(pinned, pageSet);
            if (!drift.isEmpty()) {
                if (last) {
                    store.recordPending(server, soFar, drift.summary(), pinOrigin);
                }
                Verdict verdict = block(drift.summary(), !last);
                return new Verdict(true, Optional.of(drift), Optional.empty(), verdict.fetchAll());
            }
            if (wasBlocked) {
                return new Verdict(true, Optional.empty(), Optional.ofNullable(blockReason), false);
            }
            if (last) {
                state = State.VERIFIED;
                failure = null;
                settled.signalAll();
            }
            return Verdict.PASS;
        } finally {
            lock.unlock();
        }
    }

    private Verdict block(String reason, boolean fetchAll) {
        if (state != State.BLOCKED) {
            blockReason = reason;
            state = State.BLOCKED;
        }
        settled.signalAll();
        return new Verdict(true, Optional.empty(), Optional.of(reason), fetchAll);
    }
}
