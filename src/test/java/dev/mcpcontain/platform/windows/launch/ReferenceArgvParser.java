package dev.mcpcontain.platform.windows.launch;

import java.util.ArrayList;
import java.util.List;

/**
 * CommandLineToArgvW's rules as Microsoft documents them ("Parsing C++ command-line arguments", 2008 and later),
 * written independently of the encoder so that the tests compare two readings of the rules.
 */
public final class ReferenceArgvParser {

    private ReferenceArgvParser() {}

    public static List<String> parse(String line) {
        List<String> argv = new ArrayList<>();
        int i = 0;
        int n = line.length();
        // Program name: up to the closing quote if it starts with one, else up to whitespace; no escapes.
        StringBuilder program = new StringBuilder();
        if (i < n && line.charAt(i) == '"') {
            i++;
            while (i < n && line.charAt(i) != '"') {
                program.append(line.charAt(i++));
            }
            i++;
        } else {
            while (i < n && line.charAt(i) != ' ' && line.charAt(i) != '\t') {
                program.append(line.charAt(i++));
            }
        }
        argv.add(program.toString());
        while (true) {
            while (i < n && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
                i++;
            }
            if (i >= n) {
                return argv;
            }
            StringBuilder arg = new StringBuilder();
            boolean quoted = false;
            while (i < n && (quoted || (line.charAt(i) != ' ' && line.charAt(i) != '\t'))) {
                char c = line.charAt(i);
                if (c == '\\') {
                    int slashes = 0;
                    while (i < n && line.charAt(i) == '\\') {
                        slashes++;
                        i++;
                    }
                    if (i < n && line.charAt(i) == '"') {
                        arg.append("\\".repeat(slashes / 2));
                        if (slashes % 2 == 1) {
                            arg.append('"');
                            i++;
                        }
                    } else {
                        arg.append("\\".repeat(slashes));
                    }
                } else if (c == '"') {
                    if (quoted && i + 1 < n && line.charAt(i + 1) == '"') {
                        arg.append('"');
                        i += 2;
                    } else {
                        quoted = !quoted;
                        i++;
                    }
                } else {
                    arg.append(c);
                    i++;
                }
            }
            argv.add(arg.toString());
        }
    }
}
