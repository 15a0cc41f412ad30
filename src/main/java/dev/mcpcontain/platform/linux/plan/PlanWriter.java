package dev.mcpcontain.platform.linux.plan;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the helper's plan (format and operations: native/linux/plan_ops.def): one operation per line, words
 * separated by one space, every byte outside a safe set percent-encoded so that paths and values may contain
 * anything but NUL. Each operation's argument count is checked as it is written and its occurrence when the plan is
 * finished, by the same rules the helper applies.
 *
 * <p>The plan is written in steps: {@link #step} names what the operations written after it do, and those names,
 * in plan order, are the human description ({@code --dry-run}, {@code -v}). A description therefore cannot drift
 * from the operations it stands for, nor appear in another order.
 */
final class PlanWriter {

    private final List<String> lines = new ArrayList<>();
    private final List<String> steps = new ArrayList<>();
    private final Map<PlanOp, Integer> written = new EnumMap<>(PlanOp.class);

    PlanWriter() {
        lines.add("mcp-contain-plan 1");
    }

    PlanWriter op(PlanOp operation, Object... words) {
        if (operation == PlanOp.END) {
            throw new IllegalArgumentException("'end' is written by finish()");
        }
        operation.checkArgs(words.length);
        if (operation.occurs != PlanOp.Occurs.MANY && written.containsKey(operation)) {
            throw new IllegalStateException("plan operation '" + operation.word + "' written twice");
        }
        Integer count = written.get(operation);
        written.put(operation, count == null ? 1 : count + 1);
        StringBuilder line = new StringBuilder(operation.word);
        for (Object word : words) {
            line.append(' ').append(encode(String.valueOf(word)));
        }
        lines.add(line.toString());
        return this;
    }

    /** Starts a step: DESCRIPTION says, in one line, what the operations written next carry out. */
    PlanWriter step(String description) {
        steps.add(description);
        return this;
    }

    /** The finished plan, ending with the line the helper requires to accept it. */
    String finish() {
        for (PlanOp operation : PlanOp.values()) {
            if (operation.occurs == PlanOp.Occurs.REQUIRED && operation != PlanOp.END && !written.containsKey(operation)) {
                throw new IllegalStateException("the plan has no '" + operation.word + "' operation");
            }
        }
        return String.join("\n", lines) + "\nend\n";
    }

    /** The steps' descriptions, in plan order. */
    List<String> description() {
        return List.copyOf(steps);
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
