package dev.mcpcontain.platform.windows.launch;

import dev.mcpcontain.policy.PolicyException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The environment block CreateProcess takes with CREATE_UNICODE_ENVIRONMENT: {@code NAME=VALUE} strings in
 * UTF-16, each NUL-terminated, sorted by name without regard to case (as the CreateProcess documentation asks),
 * and one more NUL at the end. An empty environment is two NULs.
 */
public final class EnvironmentBlock {

    /** Windows compares names upper-cased, ordinal; the result must not depend on the JVM's locale. */
    static final Comparator<String> WINDOWS_ORDER = EnvironmentBlock::compareUpperCase;

    private EnvironmentBlock() {}

    private static int compareUpperCase(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char x = Character.toUpperCase(a.charAt(i));
            char y = Character.toUpperCase(b.charAt(i));
            if (x != y) {
                return Character.compare(x, y);
            }
        }
        return a.length() != b.length() ? Integer.compare(a.length(), b.length()) : a.compareTo(b);
    }

    /** The block as characters (NULs included). */
    public static String build(Map<String, String> environment) {
        List<String> names = new ArrayList<>(environment.keySet());
        names.sort(WINDOWS_ORDER);
        StringBuilder block = new StringBuilder();
        String previous = null;
        for (String name : names) {
            String value = environment.get(name);
            if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
                throw PolicyException.refused("environment variable name '" + name.replace('\0', '?')
                        + "' cannot be passed to Windows (empty, or contains '=' or NUL)");
            }
            if (value.indexOf('\0') >= 0) {
                throw PolicyException.refused("environment variable " + name + " contains a NUL character");
            }
            if (previous != null && previous.equalsIgnoreCase(name)) {
                throw PolicyException.refused("environment variables " + previous + " and " + name
                        + " differ only in case; Windows would keep one of them: set only one");
            }
            block.append(name).append('=').append(value).append('\0');
            previous = name;
        }
        if (block.length() == 0) {
            block.append('\0');
        }
        return block.append('\0').toString();
    }

    public static byte[] utf16(String block) {
        return block.getBytes(StandardCharsets.UTF_16LE);
    }
}
