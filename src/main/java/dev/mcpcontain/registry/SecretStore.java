package dev.mcpcontain.registry;

import java.util.List;
import java.util.Map;

/**
 * An OS keyring holding the sensitive {@code user_config} values of registered servers: the Secret Service on
 * Linux, Credential Manager on Windows (implementations live under {@code platform}). Values are keyed by server
 * name and {@code user_config} key; a key may hold several values (a manifest's array options).
 *
 * <p>Implementations never put a value in an exception message or on stderr.
 */
public interface SecretStore {

    /** Where the values go, for messages: e.g. "the Secret Service (default collection)". Never a value. */
    String where();

    /** Every value held for {@code server}, by key; empty when none. */
    Map<String, List<String>> read(String server);

    /** Makes what is held for {@code server} exactly {@code secrets}: those given are replaced, others deleted. */
    void replace(String server, Map<String, List<String>> secrets);

    /**
     * There is no keyring to use here (no service on the bus, no bus that accepts this account): values go to the
     * 0600 file instead, with a warning. Anything else a keyring reports (locked, needs a prompt) is a
     * {@link RegistryException}: the user must act, and nothing falls back silently.
     */
    final class Unavailable extends RuntimeException {
        public Unavailable(String reason) {
            super(reason);
        }
    }
}
