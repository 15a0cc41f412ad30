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
 * Every such directory is only a guess the user never confirmed, so {@link ProgramRootCheck} must pass it; when it
 * does not (a home, a shared temporary directory, a credential store), only the file itself is mounted.
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

    /**
     * The resolved program and the paths it needs, each with the reason shown by {@code -v}. {@code mainIsScript}:
     * the main path is a script named in the arguments; otherwise it is the program itself, and which code runs may
     * depend on the arguments ({@code python3 -m mod}, {@code java -jar x.jar}, {@code docker run image}).
     */
    public record Located(Path executable, Map<Path, String> readablePaths, Path mainPath, boolean mainIsScript) {}

    private static final Path OPT = Path.of("/opt");

    private final String pathVariable;
    /** Homes, shared temporary directories: what no automatic mount may expose. */
    private final ProgramRootCheck.HostPlaces places;
    /** Windows only: PATHEXT's extensions, tried in order for a name without one (as cmd.exe does). */
    private final List<String> windowsExtensions;

    /** POSIX lookup on PATH, judging automatic mounts against the real host's homes and temporary directories. */
    public ProgramLocator(String pathVariable) {
        this(pathVariable, ProgramRootCheck.HostPlaces.of(HostEnvironment.current()));
    }

    public ProgramLocator(String pathVariable, ProgramRootCheck.HostPlaces places) {
        this.pathVariable = pathVariable == null ? "/usr/local/bin:/usr/bin:/bin" : pathVariable;
        this.windowsExtensions = List.of();
        this.places = places;
    }

    private ProgramLocator(String pathVariable, List<String> windowsExtensions, ProgramRootCheck.HostPlaces places) {
        this.pathVariable = pathVariable == null ? "" : pathVariable;
        this.windowsExtensions = List.copyOf(windowsExtensions);
        this.places = places;
    }

    /** The host's lookup: POSIX rules, or on Windows ';'-separated PATH, drive paths and PATHEXT. */
    public static ProgramLocator forHost(HostEnvironment host) {
        ProgramRootCheck.HostPlaces places = ProgramRootCheck.HostPlaces.of(host);
        if (!host.windows()) {
            return new ProgramLocator(host.variables().get("PATH"), places);
        }
        String pathExt = host.variable("PATHEXT").orElse(".COM;.EXE;.BAT;.CMD");
        return new ProgramLocator(host.variable("PATH").orElse(""),
                java.util.Arrays.stream(pathExt.split(";")).filter(e -> !e.isBlank()).toList(), places);
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
        boolean mainIsScript = false;
        if (isInterpreter(canonical) || isInterpreter(executable)) {
            Optional<Path> script = firstScriptArgument(command, workingDirectory);
            if (script.isPresent()) {
                main = canonical(script.get());
                mainIsScript = true;
                addPackageRoot(main, readable, "script " + script.get());
            }
        }
        return new Located(executable, readable, main, mainIsScript);
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
        throw notOnPath(name, pathVariable.split(":"), "");
    }

    /** How many PATH directories a not-found message names before it only counts the rest. */
    static final int NAMED_DIRECTORIES = 3;

    /**
     * One short line however long PATH is: the name, how many directories were searched and the first few of them,
     * and what to do instead (a PATH can hold dozens of entries, and the whole of it buries the point).
     */
    static PolicyException notOnPath(String name, String[] pathEntries, String extensions) {
        List<String> dirs = java.util.Arrays.stream(pathEntries).map(String::strip).filter(d -> !d.isEmpty())
                .distinct().toList();
        String searched;
        if (dirs.isEmpty()) {
            searched = "not found: PATH is empty";
        } else {
            String named = String.join(", ", dirs.subList(0, Math.min(NAMED_DIRECTORIES, dirs.size())));
            int more = dirs.size() - NAMED_DIRECTORIES;
            searched = "not found on PATH (searched " + (dirs.size() == 1 ? "its 1 directory: " + named
                    : dirs.size() + " directories: " + named + (more > 0 ? " and " + more + " more" : "")) + ")";
        }
        return new PolicyException(PolicyException.NOT_FOUND,
                "program '" + name + "' " + searched + extensions + "; give its path to run it from elsewhere");
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
        throw notOnPath(name, pathVariable.split(";"), " with PATHEXT " + String.join(";", windowsExtensions));
    }

    private static Path checkExecutable(Path path, String name) {
        // The resolved path only when it says more than the name the user typed (./srv from another directory).
        String where = path.toString().equals(name) ? "" : " (" + path + ")";
        if (!Files.exists(path)) {
            throw new PolicyException(PolicyException.NOT_FOUND, "program '" + name + "' not found" + where);
        }
        if (Files.isDirectory(path)) {
            throw new PolicyException(PolicyException.NOT_EXECUTABLE,
                    "program '" + name + "' is a directory, not a program" + where);
        }
        if (!Files.isExecutable(path)) {
            throw new PolicyException(PolicyException.NOT_EXECUTABLE,
                    "program '" + name + "' is not executable" + where + " (chmod +x it, or run it with its interpreter)");
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

    /**
     * The directory a program needs beside itself, when it sits in a recognised layout: a node_modules tree, an
     * {@code /opt/PACKAGE} directory, or an install prefix {@code P/bin/tool} whose P has lib, share, libexec or
     * pyvenv.cfg. Anything else (a binary in ~/bin, in /tmp, in ~/.cargo/bin) gets only its own file.
     */
    private void addInstallRoot(Path canonical, Map<Path, String> readable, String why) {
        if (isSystemPath(canonical)) {
            return;
        }
        if (insideNodeModules(canonical).isPresent()) {
            addPackageRoot(canonical, readable, why);
            return;
        }
        Path dir = canonical.getParent();
        Optional<Path> root = Optional.empty();
        if (canonical.startsWith(OPT) && canonical.getNameCount() > 2) {
            root = Optional.of(canonical.getRoot().resolve(canonical.subpath(0, 2)));
        } else if (dir.getFileName() != null && dir.getFileName().toString().equals("bin") && dir.getParent() != null
                && dir.getParent().getParent() != null && isInstallPrefix(dir.getParent())) {
            root = Optional.of(dir.getParent());
        } else if (!windowsExtensions.isEmpty()) {
            // Windows installs keep their DLLs and libraries beside the .exe (C:\tools\python\python.exe + Lib\).
            root = Optional.of(dir);
        }
        addRootOrFile(root, "install root", canonical, readable, why);
    }

    private static boolean isInstallPrefix(Path prefix) {
        for (String sibling : List.of("lib", "lib64", "libexec", "share")) {
            if (Files.isDirectory(prefix.resolve(sibling))) {
                return true;
            }
        }
        return Files.isRegularFile(prefix.resolve("pyvenv.cfg"));
    }

    /**
     * Mounts {@code root} when the layout check lets it through, else only {@code file}; either way the rule's reason
     * (shown by -v and the dry run) says what was chosen and, for the file alone, how to grant more.
     */
    private void addRootOrFile(Optional<Path> root, String kind, Path file, Map<Path, String> readable, String why) {
        Optional<String> refusal = root.isEmpty() ? Optional.of(file.getParent() + " is no recognised package layout")
                : ProgramRootCheck.refusal(root.get(), places);
        if (refusal.isEmpty()) {
            readable.putIfAbsent(root.get(), why + ": " + kind + " of " + file);
            return;
        }
        for (Path mounted : readable.keySet()) {
            if (file.startsWith(mounted)) {
                return; // already inside a directory mounted for another reason
            }
        }
        readable.putIfAbsent(file, why + ": this file only, " + refusal.get() + " (to let the server read more of"
                + " it, add --grant DIR:ro)");
    }

    private void addVirtualEnvironment(Path executable, Map<Path, String> readable) {
        Path dir = executable.getParent();
        if (dir != null && dir.getParent() != null && Files.isRegularFile(dir.getParent().resolve("pyvenv.cfg"))) {
            Path venv = canonical(dir.getParent());
            Optional<String> refusal = ProgramRootCheck.refusal(venv, places);
            if (refusal.isEmpty()) {
                readable.putIfAbsent(venv, "virtual environment of " + executable);
            } else {
                readable.putIfAbsent(canonical(executable), "program " + executable + ": this file only, "
                        + refusal.get() + " (to let the server read more of it, add --grant DIR:ro)");
            }
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
     * dependencies are hoisted next to it); inside site-packages its virtual environment, or the site-packages
     * directory; else the nearest ancestor holding a package marker. Only node_modules is added, never the project
     * around it, which may hold the user's files. No recognised layout, or one that fails the
     * {@link ProgramRootCheck}: the script file alone.
     */
    private void addPackageRoot(Path script, Map<Path, String> readable, String why) {
        Optional<Path> modules = insideNodeModules(script);
        if (modules.isPresent()) {
            addRootOrFile(modules, "node_modules holding", script, readable, why);
            return;
        }
        if (isSystemPath(script)) {
            return;
        }
        for (Path dir = script.getParent(); dir != null && dir.getParent() != null; dir = dir.getParent()) {
            String name = dir.getFileName().toString();
            if (name.equals("site-packages") || name.equals("dist-packages")) {
                Optional<Path> venv = Optional.empty();
                for (Path up = dir.getParent(); up != null && up.getParent() != null; up = up.getParent()) {
                    if (Files.isRegularFile(up.resolve("pyvenv.cfg"))) {
                        venv = Optional.of(up);
                        break;
                    }
                }
                addRootOrFile(Optional.of(venv.orElse(dir)), venv.isPresent() ? "virtual environment of"
                        : "site-packages holding", script, readable, why);
                return;
            }
        }
        for (Path dir = script.getParent(); dir != null && dir.getParent() != null; dir = dir.getParent()) {
            for (String marker : PACKAGE_MARKERS) {
                if (Files.exists(dir.resolve(marker))) {
                    addRootOrFile(Optional.of(dir), "package root (" + marker + ") of", script, readable, why);
                    return;
                }
            }
        }
        addRootOrFile(Optional.empty(), "", script, readable, why);
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
