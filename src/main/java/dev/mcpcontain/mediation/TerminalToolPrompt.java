package dev.mcpcontain.mediation;

import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * Asks on the controlling terminal ({@code /dev/tty}; {@code CONIN$}/{@code CONOUT$} on Windows), never on stdin and
 * stdout, which carry the protocol. Opened once per ask, so a launcher without a terminal (started by an MCP host)
 * simply has none.
 */
public final class TerminalToolPrompt implements ToolPrompt {

    private TerminalToolPrompt() {}

    /** A prompt when this process has a controlling terminal. */
    public static Optional<ToolPrompt> open() {
        boolean windows = System.getProperty("os.name", "").startsWith("Windows");
        try (FileInputStream probe = new FileInputStream(windows ? "CONIN$" : "/dev/tty")) {
            return Optional.of(new TerminalToolPrompt());
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<Answer> ask(String question) {
        boolean windows = System.getProperty("os.name", "").startsWith("Windows");
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                new FileInputStream(windows ? "CONIN$" : "/dev/tty"), StandardCharsets.UTF_8));
                PrintWriter out = new PrintWriter(new OutputStreamWriter(
                        new FileOutputStream(windows ? "CONOUT$" : "/dev/tty"), StandardCharsets.UTF_8), true)) {
            out.println();
            out.println(question);
            for (int attempt = 0; attempt < 5; attempt++) {
                out.print("  Allow? [y] this call  [s] this session  [a] always  [n] no: ");
                out.flush();
                String line = in.readLine();
                if (line == null) {
                    return Optional.empty();
                }
                switch (line.strip().toLowerCase(Locale.ROOT)) {
                    case "y", "yes", "once" -> {
                        return Optional.of(Answer.ONCE);
                    }
                    case "s", "session" -> {
                        return Optional.of(Answer.SESSION);
                    }
                    case "a", "always" -> {
                        return Optional.of(Answer.ALWAYS);
                    }
                    case "n", "no" -> {
                        return Optional.of(Answer.NO);
                    }
                    default -> out.println("  Please answer y, s, a or n.");
                }
            }
            return Optional.of(Answer.NO);
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
