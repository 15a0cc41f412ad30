package dev.mcpcontain.platform.windows;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The AppContainer profile name of a server: {@code mcp-contain.<serverId>}, stable across runs so that folder
 * grants recorded for its SID stay meaningful, and within what CreateAppContainerProfile accepts (at most 64
 * characters of {@code [-_. A-Za-z0-9]}). Longer identities keep a readable prefix and a hash of the whole.
 */
public final class AppContainerNames {

    static final String PREFIX = "mcp-contain.";
    static final int MAX_LENGTH = 64;

    private AppContainerNames() {}

    public static String forServer(String serverId) {
        String cleaned = serverId.replaceAll("[^-_.A-Za-z0-9]", "_");
        String name = PREFIX + cleaned;
        if (name.length() <= MAX_LENGTH && cleaned.equals(serverId)) {
            return name;
        }
        String hash = shortHash(serverId);
        int room = MAX_LENGTH - PREFIX.length() - hash.length() - 1;
        return PREFIX + cleaned.substring(0, Math.min(room, cleaned.length())) + "-" + hash;
    }

    public static boolean isValid(String name) {
        return name.length() <= MAX_LENGTH && name.matches("[-_. A-Za-z0-9]+");
    }

    private static String shortHash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 5);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always present", e);
        }
    }
}
