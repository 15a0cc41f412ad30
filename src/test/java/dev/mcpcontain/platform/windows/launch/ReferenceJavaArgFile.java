package dev.mcpcontain.platform.windows.launch;

import java.util.ArrayList;
import java.util.List;

/**
 * The java launcher's @argfile syntax as the JDK's "java" documentation states it, written independently of
 * {@link JavaArgFile}: white space separates arguments; double quotes group; inside quotes a backslash escapes the
 * next character, with n, t, r, f meaning control characters; outside quotes a backslash is literal.
 */
public final class ReferenceJavaArgFile {

    private ReferenceJavaArgFile() {}

    public static List<String> parse(String text) {
        List<String> args = new ArrayList<>();
        StringBuilder current = null;
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"') {
                    quoted = false;
                } else if (c == '\\' && i + 1 < text.length()) {
                    char n = text.charAt(++i);
                    current.append(switch (n) {
                        case 'n' -> '\n';
                        case 't' -> '\t';
                        case 'r' -> '\r';
                        case 'f' -> '\f';
                        default -> n;
                    });
                } else {
                    current.append(c);
                }
            } else if (Character.isWhitespace(c)) {
                if (current != null) {
                    args.add(current.toString());
                    current = null;
                }
            } else {
                if (current == null) {
                    current = new StringBuilder();
                }
                if (c == '"') {
                    quoted = true;
                } else {
                    current.append(c);
                }
            }
        }
        if (current != null) {
            args.add(current.toString());
        }
        return args;
    }
}
