package dev.mcpcontain.platform.windows.acl;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Capability and AppContainer SIDs computed the way Windows derives them, so the plan can name them without a
 * native call and the launch can check what the kernel reports against an independent computation.
 *
 * <ul>
 *   <li>The twelve legacy capability names are {@code S-1-15-3-n}.</li>
 *   <li>Any other capability is {@code S-1-15-3-1024-} and the eight little-endian words of
 *       SHA-256(UTF-16LE(upper-case name)).</li>
 *   <li>An AppContainer (package) SID is {@code S-1-15-2-} and the first seven little-endian words of
 *       SHA-256(UTF-16LE(lower-case name)).</li>
 * </ul>
 */
public final class CapabilitySids {

    /** The capability that opens outbound Internet access; the only one the backend ever grants. */
    public static final String INTERNET_CLIENT = "internetClient";

    private static final Map<String, Integer> LEGACY = Map.ofEntries(
            Map.entry("internetclient", 1), Map.entry("internetclientserver", 2),
            Map.entry("privatenetworkclientserver", 3), Map.entry("pictureslibrary", 4),
            Map.entry("videoslibrary", 5), Map.entry("musiclibrary", 6), Map.entry("documentslibrary", 7),
            Map.entry("enterpriseauthentication", 8), Map.entry("sharedusercertificates", 9),
            Map.entry("removablestorage", 10), Map.entry("appointments", 11), Map.entry("contacts", 12));

    private CapabilitySids() {}

    public static Sid capability(String name) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("empty capability name");
        }
        Integer legacy = LEGACY.get(name.toLowerCase(Locale.ROOT));
        if (legacy != null) {
            return Sid.of(15, 3, legacy);
        }
        long[] words = words(sha256(name.toUpperCase(Locale.ROOT)), 8);
        long[] all = new long[10];
        all[0] = 3;
        all[1] = 1024;
        System.arraycopy(words, 0, all, 2, 8);
        return Sid.of(15, all);
    }

    public static List<Sid> capabilities(List<String> names) {
        return names.stream().map(CapabilitySids::capability).toList();
    }

    /** The SID Windows gives the AppContainer profile of this name. */
    public static Sid appContainer(String name) {
        long[] words = words(sha256(name.toLowerCase(Locale.ROOT)), 7);
        long[] subs = new long[8];
        subs[0] = 2;
        System.arraycopy(words, 0, subs, 1, 7);
        return Sid.of(15, subs);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_16LE));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always present", e);
        }
    }

    private static long[] words(byte[] digest, int count) {
        ByteBuffer buffer = ByteBuffer.wrap(digest).order(ByteOrder.LITTLE_ENDIAN);
        long[] words = new long[count];
        for (int i = 0; i < count; i++) {
            words[i] = Integer.toUnsignedLong(buffer.getInt());
        }
        return words;
    }
}
