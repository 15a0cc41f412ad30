package dev.mcpcontain.hosts;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;

/**
 * How a host's file is laid out, so that a rewrite changes only what it must: the indentation unit of its first
 * indented line (two spaces, four, a tab), whether it is one line, and whether it ends with a newline. Written back
 * the way the hosts themselves write ({@code JSON.stringify(value, null, indent)}): {@code "key": value}, one
 * element per line, {@code {}} and {@code []} when empty.
 */
public record JsonStyle(String indent, boolean compact, boolean finalNewline) {

    public static final JsonStyle DEFAULT = new JsonStyle("  ", false, true);

    public static JsonStyle of(String text) {
        boolean finalNewline = text.endsWith("\n");
        String body = text.strip();
        if (!body.contains("\n")) {
            return new JsonStyle("  ", !body.isEmpty() && !body.equals("{}"), finalNewline || body.isEmpty());
        }
        for (String line : body.split("\r?\n")) {
            int i = 0;
            while (i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
                i++;
            }
            if (i > 0 && i < line.length()) {
                String lead = line.substring(0, i);
                return new JsonStyle(lead.startsWith("\t") ? "\t" : lead, false, finalNewline);
            }
        }
        return new JsonStyle("  ", false, finalNewline);
    }

    public DefaultPrettyPrinter printer() {
        return new HostPrinter(indent);
    }

    /** Jackson's pretty printer with the hosts' spacing: no space before ':', none inside an empty {} or []. */
    private static final class HostPrinter extends DefaultPrettyPrinter {

        private final String unit;

        HostPrinter(String unit) {
            super(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                    .withObjectEmptySeparator("").withArrayEmptySeparator(""));
            this.unit = unit;
            DefaultIndenter indenter = new DefaultIndenter(unit, "\n");
            indentObjectsWith(indenter);
            indentArraysWith(indenter);
        }

        @Override
        public DefaultPrettyPrinter createInstance() {
            return new HostPrinter(unit);
        }
    }
}
