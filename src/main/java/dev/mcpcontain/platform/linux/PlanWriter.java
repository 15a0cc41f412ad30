package dev.mcpcontain.platform.linux;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The helper's plan format (documented in native/linux/plan.c): one operation per line, words separated by one
 * space, every byte outside a safe set percent-encoded so that paths and values may contain anything but NUL.
 */
final class PlanWriter {

    private final List<String> lines = new ArrayList<>();

    PlanWriter() {
        lines.add("mcp-contain-plan 1");
    }

    PlanWriter op(String operation, Object... words) {
        StringBuilder line = new StringBuilder(operation);
        for (Object word : words) {
            line.append(' ').append(encode(String.valueOf(word)));
        }
        lines.add(line.toString());
        return this;
    }

    /** The finished plan, ending with the line the helper requires to accept it. */
    String finish() {
        List<String> all = new ArrayList<>(lines);
        all.add("end");
        return String.join("\n", all) + "\n";
    }

    List<String> lines() {
        return Collections.unmodifiableList(lines);
    }

    static String encode(String word) {
        if (word.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("NUL byte in plan word");
        }
        byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "._/:=,+@~-".indexOf(c) >= 0) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        if (out.length() == 0) {
            throw new IllegalArgumentException("empty plan word");
        }
        return out.toString();
    }
}
