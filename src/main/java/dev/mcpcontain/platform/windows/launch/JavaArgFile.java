package dev.mcpcontain.platform.windows.launch;

import java.nio.charset.Charset;
import java.util.List;

/**
 * A {@code java @argfile}: CreateProcessWithLogonW takes at most 1024 characters of command line, and
 * {@code java -cp <every jar>} does not fit, so the inner launcher's JVM options, class path, main class and
 * arguments go in a file and the command line is only {@code "java.exe" @"<file>"}.
 *
 * <p>The java launcher's argument-file syntax (JDK 9+): arguments are separated by white space; a double-quoted
 * argument may contain white space; inside quotes a backslash escapes the next character ({@code \\} is one
 * backslash, {@code \"} a quote, and {@code \n}, {@code \t}, {@code \r}, {@code \f} are control characters). So every
 * argument is written on its own line, quoted, with backslashes and quotes escaped. The launcher reads the file in
 * the platform's native encoding; an argument that encoding cannot carry is refused rather than mangled.
 */
public final class JavaArgFile {

    private JavaArgFile() {}

    public static String format(List<String> args, Charset nativeEncoding) {
        StringBuilder out = new StringBuilder();
        for (String arg : args) {
            if (arg.indexOf('\n') >= 0 || arg.indexOf('\r') >= 0 || arg.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("argument with a line break or NUL cannot go in an argument file: " + arg);
            }
            if (!nativeEncoding.newEncoder().canEncode(arg)) {
                throw new IllegalArgumentException("'" + arg + "' cannot be written in the platform encoding "
                        + nativeEncoding + ", which the java launcher reads argument files in");
            }
            out.append('"');
            for (char c : arg.toCharArray()) {
                if (c == '\\' || c == '"') {
                    out.append('\\');
                }
                out.append(c);
            }
            out.append("\"\r\n");
        }
        return out.toString();
    }

    /** The platform encoding the java launcher reads argument files in (native.encoding, Java 17+). */
    public static Charset nativeEncoding() {
        String name = System.getProperty("native.encoding");
        try {
            return name == null ? Charset.defaultCharset() : Charset.forName(name);
        } catch (RuntimeException e) {
            return Charset.defaultCharset();
        }
    }
}
