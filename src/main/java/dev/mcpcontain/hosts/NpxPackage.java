package dev.mcpcontain.hosts;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * An entry that runs {@code npx -y PACKAGE[@VERSION] ARGS...}, the most common form in host configurations. Run as
 * written, npx fetches whatever is newest at each start (a contained run has no network for it, and nothing would
 * be pinned), so {@code import} installs the package into the store instead, as {@code add npm:PACKAGE@VERSION}
 * does, and registers {@code node BIN ARGS...}.
 *
 * @param name    the package name
 * @param version what followed {@code @}, or empty (npx's "latest")
 * @param args    the server's own arguments
 */
public record NpxPackage(String name, Optional<String> version, List<String> args) {

    private static final Set<String> NPX = Set.of("npx", "npx.cmd", "npx.exe");
    private static final Set<String> HARMLESS_FLAGS = Set.of("-y", "--yes", "-q", "--quiet");
    private static final String NAME = "(@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*";

    /** The spec {@code add npm:} accepts, when the version is exact. */
    public Optional<String> exactSpec() {
        return version.filter(v -> v.matches("[0-9]+\\.[0-9]+\\.[0-9]+[0-9A-Za-z.+-]*")).map(v -> name + "@" + v);
    }

    /** What {@code npm view} resolves: the name with its range or tag, if any. */
    public String query() {
        return version.map(v -> name + "@" + v).orElse(name);
    }

    /** Empty when the command is not {@code npx} of a registry package (a path, a URL, {@code -p}, {@code -c}). */
    public static Optional<NpxPackage> of(List<String> command) {
        String program = command.get(0);
        String base = program.substring(Math.max(program.lastIndexOf('/'), program.lastIndexOf('\\')) + 1);
        if (!NPX.contains(base)) {
            return Optional.empty();
        }
        int i = 1;
        while (i < command.size() && HARMLESS_FLAGS.contains(command.get(i))) {
            i++;
        }
        if (i >= command.size()) {
            return Optional.empty();
        }
        String spec = command.get(i);
        if (spec.equals("--")) {
            return Optional.empty();
        }
        int at = spec.indexOf('@', 1);
        String name = at < 0 ? spec : spec.substring(0, at);
        Optional<String> version = at < 0 ? Optional.empty() : Optional.of(spec.substring(at + 1));
        if (!name.matches(NAME) || version.filter(String::isEmpty).isPresent()) {
            return Optional.empty();
        }
        return Optional.of(new NpxPackage(name, version, List.copyOf(command.subList(i + 1, command.size()))));
    }
}
