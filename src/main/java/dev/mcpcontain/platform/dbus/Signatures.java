package dev.mcpcontain.platform.dbus;

import java.util.ArrayList;
import java.util.List;

/** Splitting D-Bus signatures into single complete types, and the alignment each type starts on. */
final class Signatures {

    private Signatures() {}

    /** The complete types of {@code signature} in order: "sa{sv}(oayays)" gives "s", "a{sv}", "(oayays)". */
    static List<String> split(String signature) {
        List<String> types = new ArrayList<>();
        int i = 0;
        while (i < signature.length()) {
            int end = end(signature, i);
            types.add(signature.substring(i, end));
            i = end;
        }
        return types;
    }

    /** The index just after the complete type that starts at {@code start}. */
    static int end(String signature, int start) {
        char c = signature.charAt(start);
        switch (c) {
            case 'a':
                return end(signature, start + 1);
            case '(':
            case '{': {
                char close = c == '(' ? ')' : '}';
                int i = start + 1;
                while (signature.charAt(i) != close) {
                    i = end(signature, i);
                }
                return i + 1;
            }
            case 'y', 'b', 'n', 'q', 'i', 'u', 'x', 't', 'd', 's', 'o', 'g', 'v', 'h':
                return start + 1;
            default:
                throw new IllegalArgumentException("unsupported D-Bus type '" + c + "' in " + signature);
        }
    }

    /** Alignment in bytes of a value of the type whose code is {@code c} (D-Bus specification, "Marshaling"). */
    static int alignment(char c) {
        return switch (c) {
            case 'y', 'g', 'v' -> 1;
            case 'n', 'q' -> 2;
            case 'b', 'i', 'u', 's', 'o', 'a', 'h' -> 4;
            case 'x', 't', 'd', '(', '{' -> 8;
            default -> throw new IllegalArgumentException("unsupported D-Bus type '" + c + "'");
        };
    }
}
