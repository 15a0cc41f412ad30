package dev.mcpcontain.cli;

import java.io.PrintWriter;
import java.io.Writer;

/**
 * stderr for commands that print text taken from files others may write (a project's host configuration, a
 * bundle's manifest): control characters inside what is printed are shown as {@code \xNN}, so a server named
 * {@code "x\nmcp-contain: grant ..."} cannot forge a line of mcp-contain's own, and terminal escapes in a name are
 * not executed. Only {@link #println()} ends a line.
 */
final class OneLineWriter extends PrintWriter {

    OneLineWriter(Writer out) {
        super(out, true);
    }

    static PrintWriter wrap(PrintWriter err) {
        return err instanceof OneLineWriter ? err : new OneLineWriter(err);
    }

    @Override
    public void write(String s, int off, int len) {
        String line = oneLine(s.substring(off, off + len));
        super.write(line, 0, line.length());
    }

    @Override
    public void write(char[] buf, int off, int len) {
        write(new String(buf, off, len), 0, len);
    }

    @Override
    public void write(int c) {
        write(String.valueOf((char) c), 0, 1);
    }

    /**
     * Text as one line: C0 and C1 controls (but tab), DEL, and the bidirectional overrides that make a terminal show
     * text in another order, as {@code \xNN} / {@code \\uNNNN}.
     */
    static String oneLine(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean control = c < 0x20 && c != '\t' || c >= 0x7f && c <= 0x9f
                    || c >= 0x202a && c <= 0x202e || c >= 0x2066 && c <= 0x2069;
            if (control && out == null) {
                out = new StringBuilder(text.substring(0, i));
            }
            if (out != null) {
                out.append(!control ? String.valueOf(c) : c <= 0xff ? String.format("\\x%02x", (int) c)
                        : String.format("\\u%04x", (int) c));
            }
        }
        return out == null ? text : out.toString();
    }
}
