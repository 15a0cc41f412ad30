package dev.mcpcontain.consent;

import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Asks on the controlling terminal ({@code /dev/tty}; {@code CONIN$}/{@code CONOUT$} on Windows), never on stdin
 * and stdout, which carry the MCP protocol. Without a controlling terminal (started by an MCP host) there is no
 * prompt: {@link #open()} is empty and the caller falls back to "not granted, here is the command".
 */
public final class TerminalPrompt implements ConsentPrompt, AutoCloseable {

    private final BufferedReader in;
    private final PrintWriter out;

    private TerminalPrompt(BufferedReader in, PrintWriter out) {
        this.in = in;
        this.out = out;
    }

    public static Optional<TerminalPrompt> open() {
        boolean windows = System.getProperty("os.name", "").startsWith("Windows");
        try {
            FileInputStream input = new FileInputStream(windows ? "CONIN$" : "/dev/tty");
            FileOutputStream output;
            try {
                output = new FileOutputStream(windows ? "CONOUT$" : "/dev/tty");
            } catch (IOException e) {
                input.close();
                return Optional.empty();
            }
            return Optional.of(new TerminalPrompt(
                    new BufferedReader(new InputStreamReader(input, StandardCharsets.UTF_8)),
                    new PrintWriter(new OutputStreamWriter(output, StandardCharsets.UTF_8), true)));
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<ConsentStore.Answer> ask(String server, FolderRequest request, Path canonical) {
        out.println();
        out.println("mcp-contain: server '" + server + "' asks for access to");
        out.println("    " + canonical + (canonical.equals(request.path()) ? "" : "  (" + request.path() + ")"));
        out.println("  requested by its manifest: " + request.requestedBy()
                + (request.required() ? " (required: it will not start without it)" : ""));
        for (int attempt = 0; attempt < 5; attempt++) {
            out.print("  Allow? [r] read-only  [w] read-write  [n] no   (remembered; see 'mcp-contain grants'): ");
            out.flush();
            String line;
            try {
                line = in.readLine();
            } catch (IOException e) {
                return Optional.empty();
            }
            if (line == null) {
                return Optional.empty();
            }
            switch (line.strip().toLowerCase(Locale.ROOT)) {
                case "r", "ro", "read-only" -> {
                    return Optional.of(ConsentStore.Answer.READ_ONLY);
                }
                case "w", "rw", "read-write" -> {
                    return Optional.of(ConsentStore.Answer.READ_WRITE);
                }
                case "n", "no" -> {
                    return Optional.of(ConsentStore.Answer.DENIED);
                }
                default -> out.println("  Please answer r, w or n.");
            }
        }
        return Optional.of(ConsentStore.Answer.DENIED);
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            // Nothing to do: the terminal is gone.
        }
        out.close();
    }
}
