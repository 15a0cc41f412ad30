package dev.mcpcontain.platform.windows.plan;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * AppContainer profile names, within what CreateAppContainerProfile accepts (at most 64 characters of
 * {@code [-_. A-Za-z0-9]}). Launches use {@link #forConfiguration}; {@link #forServer} is the name earlier versions
 * used for every configuration of a server.
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

    /**
     * The AppContainer identity of one server configuration: {@code mcp-contain.<serverId>.<12 hex>}, the hex being
     * a hash of the server id and everything that decides its grants and capabilities. Two hosts, or two
     * configurations, of the same server id get different SIDs when they differ, so neither revokes the other's
     * grants; the same configuration keeps its SID, and its grants, from one launch to the next.
     */
    public static String forConfiguration(String serverId, String configuration) {
        String hash = HexFormat.of().formatHex(sha256(serverId + "\n" + configuration), 0, 6);
        String cleaned = serverId.replaceAll("[^-_.A-Za-z0-9]", "_");
        int room = MAX_LENGTH - PREFIX.length() - hash.length() - 1;
        return PREFIX + cleaned.substring(0, Math.min(room, cleaned.length())) + "." + hash;
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always present", e);
        }
    }

    /** Names this launcher makes ({@code mcp-contain.}...), and no other app's: the broker starts no other identity. */
    public static boolean isOurs(String name) {
        return name.startsWith(PREFIX) && name.length() > PREFIX.length() && isValid(name);
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
