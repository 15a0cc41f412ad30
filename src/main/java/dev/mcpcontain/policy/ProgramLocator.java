package dev.mcpcontain.policy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the server's program on the host and works out which of its files must be readable inside: the
 * executable's install prefix when it lives outside the system directories, the interpreter named by a
 * shebang, a Python virtual environment, and for interpreters the package root of the script they run.
 */
public final class ProgramLocator {

    /** Directories bound read-only into every containment; programs under them need nothing extra. */
    public static final List<Path> SYSTEM_DIRECTORIES = List.of(
            Path.of("/usr"), Path.of("/bin"), Path.of("/sbin"), Path.of("/lib"), Path.of("/lib32"),
            Path.of("/lib64"), Path.of("/libx32"), Path.of("/etc"));

    private static final Set<String> INTERPRETERS = Set.of(
            "node", "nodejs", "deno", "bun", "python", "python3", "ruby", "perl", "php", "java", "uv", "tsx");

    /** Files whose presence marks the root of a package or project. */
    private static final List<String> PACKAGE_MARKERS = List.of(
            "package.json", "pyproject.toml", "setup.py", "setup.cfg", "Cargo.toml", "go.mod", "Gemfile");

    /** The resolved program and the paths it needs, each with the reason shown by {@code -v}. */
    public record Located(Path executable, Map<Path, String> readablePaths, Path mainPath) {}

    private final String pathVariable;
    /** Windows only: PATHEXT's extensions, tried in order for a name without one (as cmd.exe does). */
    private final List<String> windowsExtensions;

    public ProgramLocator(String pathVariable) {
        this.pathVariable = pathVariable == null ? "/usr/local/bin:/usr/bin:/bin" : pathVariable;
        this.windowsExtensions = List.of();
    }

    private ProgramLocator(String pathVariable, List<String> windowsExtensions) {
        this.pathVariable = pathVariable == null ? "" : pathVariable;
        this.windowsExtensions = List.copyOf(windowsExtensions);
    }

    /** The host's lookup: POSIX rules, or on Windows ';'-separated PATH, drive paths and PATHEXT. */
    public static ProgramLocator forHost(HostEnvironment host) {
        if (!host.windows()) {
            return new ProgramLocator(host.variables().get("PATH"));
        }
        String pathExt = host.variable("PATHEXT").orElse(".COM;.EXE;.BAT;.CMD");
        return new ProgramLocator(host.variable("PATH").orElse(""),
                java.util.Arrays.stream(pathExt.split(";")).filter(e -> !e.isBlank()).toList());
    }

    public Located locate(List<String> command, Path workingDirectory) {
        String name = command.get(0);
        Path executable = find(name, workingDirectory);
        Map<Path, String> readable = new LinkedHashMap<>();
        Path canonical = canonical(executable);
        addInstallRoot(canonical, readable, "program " + name);
        addVirtualEnvironment(executable, readable);
        addShebangInterpreter(canonical, workingDirectory, readable);
        Path main = canonical;
        if (isInterpreter(canonical) || isInterpreter(executable)) {
            Optional<Path> script = firstScriptArgument(command, workingDirectory);
            if (script.isPresent()) {
                main = canonical(script.get());
                addPackageRoot(main, readable, "script " + script.get());
            }
        }
        return new Located(executable, readable, main);
    }

    /** Looks the program up the way execvp does, but on the host, so a missing program is reported here. */
    Path find(String name, Path workingDirectory) {
        if (name.isEmpty()) {
            throw new PolicyException(PolicyException.NOT_FOUND, "empty program name");
        }
        if (!windowsExtensions.isEmpty()) {
            return findOnWindows(name, workingDirectory);
        }
        if (name.contains("/")) {
            Path path = workingDirectory.resolve(name).normalize();
            return checkExecutable(path, name);
        }
        for (String dir : pathVariable.split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir).resolve(name);
            if (Files.isRegularFile(candidate)) {
                return checkExecutable(candidate.toAbsolutePath(), name);
            }
        }
        throw new PolicyException(PolicyException.NOT_FOUND,
                "program '" + name + "' not found on PATH (" + pathVariable + ")");
    }

    /**
     * A name with a separator or drive is a path; otherwise each PATH directory is tried with each PATHEXT
     * extension (a name without one never matches an extensionless file, which Windows cannot start).
     */
    private Path findOnWindows(String name, Path workingDirectory) {
        List<String> candidates = name.contains(".") && !name.endsWith(".") ? List.of(name)
                : windowsExtensions.stream().map(ext -> name + ext.toLowerCase(Locale.ROOT)).toList();
        if (name.contains("/") || name.contains("\\") || name.matches("[A-Za-z]:.*")) {
            for (String candidate : candidates) {
                Path path = workingDirectory.resolve(candidate).normalize();
                if (Files.isRegularFile(path)) {
                    return checkExecutable(path, name);
                }
            }
            return checkExecutable(workingDirectory.resolve(name).normalize(), name);
        }
        for (String dir : pathVariable.split(";")) {
            if (dir.isBlank()) {
                continue;
            }
            for (String candidate : candidates) {
                Path path = Path.of(dir.strip()).resolve(candidate);
                if (Files.isRegularFile(path)) {
                    return checkExecutable(path.toAbsolutePath(), name);
                }
            }
        }
        throw new PolicyException(PolicyException.NOT_FOUND,
                "program '" + name + "' not found on PATH (" + pathVariable + ") with PATHEXT " + windowsExtensions);
    }

    private static Path checkExecutable(Path path, String name) {
        if (!Files.exists(path)) {
            throw new PolicyException(PolicyException.NOT_FOUND, "program '" + name + "' not found: " + path);
        }
        if (Files.isDirectory(path) || !Files.isExecutable(path)) {
            throw new PolicyException(PolicyException.NOT_EXECUTABLE,
                    "program '" + name + "' is not executable: " + path);
        }
        return path;
    }

    static boolean isSystemPath(Path path) {
        for (Path system : SYSTEM_DIRECTORIES) {
            if (path.startsWith(system)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isInterpreter(Path executable) {
        String base = executable.getFileName().toString().toLowerCase(Locale.ROOT);
        return INTERPRETERS.contains(base) || base.matches("python3(\\.\\d+)?|node\\d*|ruby\\d.*");
    }

    /** For {@code prefix/bin/tool} the whole prefix (its lib/ holds what the tool loads); else the directory. */
    private static void addInstallRoot(Path canonical, Map<Path, String> readable, String why) {
        if (isSystemPath(canonical)) {
            return;
        }
        if (insideNodeModules(canonical).isPresent()) {
            addPackageRoot(canonical, readable, why);
            return;
        }
        Path dir = canonical.getParent();
        Path root = dir.getFileName() != null && dir.getFileName().toString().equals("bin") && dir.getParent() != null
                && dir.getParent().getParent() != null ? dir.getParent() : dir;
        readable.putIfAbsent(root, why + ": install root of " + canonical);
    }

    private static void addVirtualEnvironment(Path executable, Map<Path, String> readable) {
        Path dir = executable.getParent();
        if (dir != null && dir.getParent() != null && Files.isRegularFile(dir.getParent().resolve("pyvenv.cfg"))) {
            readable.putIfAbsent(canonical(dir.getParent()), "virtual environment of " + executable);
        }
    }

    /** {@code #!/usr/bin/env node} and {@code #!/opt/x/bin/python}: the interpreter must be reachable too. */
    private void addShebangInterpreter(Path canonical, Path cwd, Map<Path, String> readable) {
        byte[] head = new byte[256];
        int n;
        try (InputStream in = Files.newInputStream(canonical)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (IOException e) {
            return;
        }
        if (n < 3 || head[0] != '#' || head[1] != '!') {
            return;
        }
        String line = new String(head, 2, n - 2, StandardCharsets.UTF_8).lines().findFirst().orElse("").strip();
        String[] words = line.split("\\s+");
        if (words.length == 0 || words[0].isEmpty()) {
            return;
        }
        String interpreter = words[0];
        if (interpreter.endsWith("/env")) {
            interpreter = words.length > 1 && !words[1].startsWith("-") ? words[1]
                    : words.length > 2 ? words[2] : null;
        }
        if (interpreter == null) {
            return;
        }
        try {
            Path found = canonical(find(interpreter, cwd));
            addInstallRoot(found, readable, "interpreter " + interpreter);
        } catch (PolicyException e) {
            // The kernel will report the missing interpreter at exec time, as it would without containment.
        }
    }

    private static Optional<Path> firstScriptArgument(List<String> command, Path cwd) {
        for (String arg : command.subList(1, command.size())) {
            if (arg.startsWith("-") || arg.isEmpty()) {
                continue;
            }
            Path candidate = cwd.resolve(arg).normalize();
            if (Files.isRegularFile(candidate)) {
                return Optional.of(candidate);
            }
            return Optional.empty();
        }
        return Optional.empty();
    }

    /**
     * The directory a script needs: for anything inside node_modules the whole node_modules tree it sits in (its
     * dependencies are hoisted next to it), else the nearest ancestor holding a package marker, else its directory.
     * Only node_modules is added, never the project around it, which may hold the user's files.
     */
    private static void addPackageRoot(Path script, Map<Path, String> readable, String why) {
        Optional<Path> modules = insideNodeModules(script);
        if (modules.isPresent()) {
            readable.putIfAbsent(modules.get(), why + ": node_modules holding " + script);
            return;
        }
        if (isSystemPath(script)) {
            return;
        }
        for (Path dir = script.getParent(); dir != null && dir.getParent() != null; dir = dir.getParent()) {
            for (String marker : PACKAGE_MARKERS) {
                if (Files.exists(dir.resolve(marker))) {
                    readable.putIfAbsent(dir, why + ": package root (" + marker + ") of " + script);
                    return;
                }
            }
        }
        readable.putIfAbsent(script.getParent(), why + ": directory of " + script);
    }

    private static Optional<Path> insideNodeModules(Path path) {
        Path prefix = path.getRoot();
        for (Path part : path) {
            prefix = prefix.resolve(part);
            if (part.toString().equals("node_modules")) {
                return isSystemPath(prefix) ? Optional.empty() : Optional.of(prefix);
            }
        }
        return Optional.empty();
    }

    static Path canonical(Path path) {
        try {
            return path.toRealPath();
        } catch (IOException e) {
            return path.toAbsolutePath().normalize();
        }
    }

}
