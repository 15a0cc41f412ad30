package dev.mcpcontain.registry;

import dev.mcpcontain.policy.PolicyException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** The provenance check of every registered run: the code must hash to what {@code add} or {@code update} pinned. */
public final class CodeCheck {

    private CodeCheck() {}

    /** @throws PolicyException (125) naming the server, the path and the {@code update} command to run */
    public static void verify(RegistryStore store, ServerEntry entry) {
        Path code = Path.of(entry.codePath());
        String now;
        try {
            if (unchangedSinceLastMatch(store, entry, code)) {
                return;
            }
            TreeHash.Cache cache = store.hashCache(entry.name());
            now = TreeHash.of(code, cache);
            if (now.equals(entry.codeSha256())) {
                // Only a tree that matched is remembered: a changed tree is re-read in full on every attempt.
                store.saveHashCache(entry.name(), cache, now);
            }
        } catch (IOException | UncheckedIOException e) {
            throw PolicyException.refused("the code of '" + entry.name() + "' (" + code + ") cannot be checked: "
                    + e.getMessage() + "; if it moved or changed on purpose, review it and run 'mcp-contain update "
                    + entry.name() + "'");
        }
        if (!now.equals(entry.codeSha256())) {
            throw PolicyException.refused("the code of '" + entry.name() + "' (" + code + ") changed since it was "
                    + "registered (sha256 " + entry.codeSha256() + ", now " + now + "); review the change, then run"
                    + " 'mcp-contain update " + entry.name() + "' to accept it");
        }
    }

    /**
     * The fast path of every run: one stat per entry, compared with the metadata digest recorded beside the last
     * hash that matched the pin. Any difference (or no record) falls through to the content hash.
     */
    private static boolean unchangedSinceLastMatch(RegistryStore store, ServerEntry entry, Path code)
            throws IOException {
        java.util.Optional<RegistryStore.HashStamp> stamp = store.hashStamp(entry.name());
        return stamp.isPresent() && stamp.get().treeSha256().equals(entry.codeSha256())
                && stamp.get().metadataDigest().equals(TreeHash.metadataDigest(code));
    }

    /** The hash for {@code add} and {@code update}, with its cache saved. */
    public static String pin(RegistryStore store, String name, Path code) {
        TreeHash.Cache cache = TreeHash.Cache.empty();
        try {
            String sha = TreeHash.of(code, cache);
            store.saveHashCache(name, cache, sha);
            return sha;
        } catch (IOException | UncheckedIOException e) {
            throw new RegistryException(code + ": cannot hash the server's code: " + e.getMessage(), e);
        }
    }
}
