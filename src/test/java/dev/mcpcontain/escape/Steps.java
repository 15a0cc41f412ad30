package dev.mcpcontain.escape;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Probe steps for one run: {@code @LABEL COMMAND ARG...} each. Batching many attempts into one contained run keeps
 * the suite fast (each launch starts a JVM); the labels keep every assertion attributable to one attempt.
 */
final class Steps {

    private final Map<String, List<String>> steps = new LinkedHashMap<>();

    static Steps of() {
        return new Steps();
    }

    Steps add(String label, String command, Object... args) {
        if (label.isEmpty() || label.contains(" ") || label.startsWith("@")) {
            throw new IllegalArgumentException("bad label '" + label + "'");
        }
        List<String> step = new ArrayList<>();
        step.add(command);
        for (Object arg : args) {
            String text = String.valueOf(arg);
            if (text.startsWith("@")) {
                throw new IllegalArgumentException("probe arguments cannot start with '@': " + text);
            }
            step.add(text);
        }
        if (steps.put(label, step) != null) {
            throw new IllegalArgumentException("duplicate label " + label);
        }
        return this;
    }

    List<String> labels() {
        return List.copyOf(steps.keySet());
    }

    List<String> arguments() {
        List<String> args = new ArrayList<>();
        steps.forEach((label, step) -> {
            args.add("@" + label);
            args.addAll(step);
        });
        return args;
    }
}
