package dev.mcpcontain.escape;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One result line of mcp-contain-probe: {@code LABEL ALLOWED [detail]}, {@code LABEL DENIED errno=ENAME [detail]},
 * {@code LABEL DENIED signal=SIGNAME}, {@code LABEL VALUE text} or {@code LABEL ERROR what}. An ERROR never counts
 * as a denial, and neither does a missing line.
 */
record ProbeLine(String label, Kind kind, String reason, String detail, String raw) {

    enum Kind { ALLOWED, DENIED, VALUE, ERROR }

    private static final Pattern LINE = Pattern.compile("(\\S+) (ALLOWED|DENIED|VALUE|ERROR)(?: (.*))?");
    private static final Pattern DENIAL = Pattern.compile("((?:errno|signal)=[A-Z0-9]+)(?: (.*))?");

    static Optional<ProbeLine> parse(String line) {
        Matcher m = LINE.matcher(line);
        if (!m.matches()) {
            return Optional.empty();
        }
        Kind kind = Kind.valueOf(m.group(2));
        String rest = m.group(3) == null ? "" : m.group(3);
        if (kind == Kind.DENIED) {
            Matcher d = DENIAL.matcher(rest);
            if (!d.matches()) {
                return Optional.empty();
            }
            return Optional.of(new ProbeLine(m.group(1), kind, d.group(1), d.group(2) == null ? "" : d.group(2), line));
        }
        return Optional.of(new ProbeLine(m.group(1), kind, "", rest, line));
    }

    /** {@code DENIED errno=EROFS} → "errno=EROFS"; ALLOWED → "ALLOWED"; VALUE → "VALUE text". */
    String outcome() {
        return switch (kind) {
            case ALLOWED -> "ALLOWED";
            case DENIED -> reason;
            case VALUE -> "VALUE " + detail;
            case ERROR -> "ERROR " + detail;
        };
    }

    /** A {@code key=value} word of the detail, e.g. {@code bytes} of "bytes=29". */
    Optional<String> field(String key) {
        for (String word : detail.split(" ")) {
            if (word.startsWith(key + "=")) {
                return Optional.of(word.substring(key.length() + 1));
            }
        }
        return Optional.empty();
    }

    long longField(String key) {
        return Long.parseLong(field(key).orElseThrow(() -> new AssertionError("no " + key + "= in '" + raw + "'")));
    }
}
