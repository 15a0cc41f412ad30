package dev.mcpcontain.platform.windows.launch;

import dev.mcpcontain.policy.PolicyException;
import java.util.List;

/**
 * Joins argv into the one command line CreateProcess takes, so that CommandLineToArgvW (and the C runtime, which
 * follows the same rules) hands the server exactly the arguments the policy holds.
 *
 * <ul>
 *   <li>The program is parsed by a simpler rule (up to the next quote, no escapes): it is always quoted and may
 *       not contain a quote.</li>
 *   <li>An argument without blanks or quotes, and not empty, is passed as is: backslashes are literal there.</li>
 *   <li>Otherwise it is quoted; backslashes followed by a quote are doubled and the quote escaped, and trailing
 *       backslashes are doubled so that they do not escape the closing quote.</li>
 * </ul>
 * Batch files are not handled here: cmd.exe re-parses their command line by other rules, so the backend refuses
 * to start them.
 */
public final class CommandLineQuoting {

    private CommandLineQuoting() {}

    public static String commandLine(List<String> argv) {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("empty argv");
        }
        String program = argv.get(0);
        if (program.indexOf('"') >= 0 || program.indexOf('\0') >= 0 || program.isEmpty()) {
            throw PolicyException.refused("program path '" + program + "' cannot be passed to Windows"
                    + " (it is empty or contains a quote or NUL)");
        }
        StringBuilder line = new StringBuilder().append('"').append(program).append('"');
        for (String arg : argv.subList(1, argv.size())) {
            line.append(' ');
            appendArgument(line, arg);
        }
        if (line.length() >= 32767) {
            throw PolicyException.refused("the server's command line is " + line.length()
                    + " characters; Windows allows at most 32766");
        }
        return line.toString();
    }

    static void appendArgument(StringBuilder line, String arg) {
        if (arg.indexOf('\0') >= 0) {
            throw PolicyException.refused("argument contains a NUL character: " + arg.replace('\0', '?'));
        }
        if (!arg.isEmpty() && arg.chars().noneMatch(c -> c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '"')) {
            line.append(arg);
            return;
        }
        line.append('"');
        int backslashes = 0;
        for (int i = 0; i < arg.length(); i++) {
            char c = arg.charAt(i);
            if (c == '\\') {
                backslashes++;
                continue;
            }
            if (c == '"') {
                line.append("\\".repeat(2 * backslashes + 1)).append('"');
            } else {
                line.append("\\".repeat(backslashes)).append(c);
            }
            backslashes = 0;
        }
        line.append("\\".repeat(2 * backslashes)).append('"');
    }
}
