package dev.mcpcontain.policy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What the launcher knows about the user who started it. Tests build one by hand; {@link #current()} reads the
 * real process.
 */
public record HostEnvironment(
        Map<String, String> variables,
        Path home,
        Path workingDirectory,
        int uid,
        int gid,
        String userName,
        boolean windows) {

    /**
     * Keeps every piece of state in one private folder: {@code DIR/config} (profiles, pins, consents) and
     * {@code DIR/data} (agent homes, the audit log), for tests and throwaway runs. Safe for root too: the launcher
     * runs with the invoker's own privileges, so the variable only moves the invoker's own state, and the helper
     * still refuses a directory of homes that is not the invoker's or is reached through a symbolic link. A root
     * launch without a mount namespace (--isolation landlock) reaches the home by path, so DIR and DIR/data must
     * then be passable by the agent account (0711); otherwise that launch fails with a one-line refusal.
     */
    public static final String STATE_DIR_VARIABLE = "MCP_CONTAIN_STATE_DIR";

    /** {@value #STATE_DIR_VARIABLE} when set to an absolute path (relative values are ignored, as XDG's are). */
    public Optional<Path> stateOverride() {
        if (windows) {
            return Optional.empty();
        }
        Path state = absoluteVariable(STATE_DIR_VARIABLE);
        return state == null ? Optional.empty() : Optional.of(state.normalize());
    }

    /**
     * A variable that is set to an absolute path, else null (relative values are ignored, as XDG's are). Plain code,
     * no Optional chains: this runs on every launch, where each lambda call site costs start-up time.
     */
    private Path absoluteVariable(String name) {
        String value = variables.get(name);
        if (value == null || value.isEmpty()) {
            return null;
        }
        Path path = Path.of(value);
        return path.isAbsolute() ? path : null;
    }

    /** The same host with all state under {@code stateDir} (see {@link #STATE_DIR_VARIABLE}). */
    public HostEnvironment withStateDirectory(Path stateDir) {
        Map<String, String> vars = new java.util.HashMap<>(variables);
        vars.put(STATE_DIR_VARIABLE, stateDir.toAbsolutePath().toString());
        return new HostEnvironment(windows ? caseInsensitive(vars) : Map.copyOf(vars), home, workingDirectory, uid, gid,
                userName, windows);
    }

    public boolean isRoot() {
        return !windows && uid == 0;
    }

    public Optional<String> variable(String name) {
        String value = variables.get(name);
        return value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
    }

    /** {@code $XDG_CONFIG_HOME/mcp-contain}, or {@code %APPDATA%\mcp-contain} on Windows. */
    public Path configDirectory() {
        Optional<Path> state = stateOverride();
        if (state.isPresent()) {
            return state.get().resolve("config");
        }
        if (windows) {
            return variable("APPDATA").map(Path::of).orElse(home.resolve("AppData/Roaming")).resolve("mcp-contain");
        }
        Path xdg = absoluteVariable("XDG_CONFIG_HOME");
        return (xdg != null ? xdg : home.resolve(".config")).resolve("mcp-contain");
    }

    /** Where per-server state lives: agent homes, pins, the audit log. Root uses a system directory. */
    public Path dataDirectory() {
        Optional<Path> state = stateOverride();
        if (state.isPresent()) {
            return state.get().resolve("data");
        }
        if (windows) {
            return variable("LOCALAPPDATA").map(Path::of).orElse(home.resolve("AppData/Local")).resolve("mcp-contain");
        }
        if (isRoot()) {
            return Path.of("/var/lib/mcp-contain");
        }
        Path xdg = absoluteVariable("XDG_DATA_HOME");
        return (xdg != null ? xdg : home.resolve(".local/share")).resolve("mcp-contain");
    }

    public static HostEnvironment current() {
        boolean windows = System.getProperty("os.name", "").startsWith("Windows");
        int uid = -1;
        int gid = -1;
        if (!windows) {
            int[] ids = readIds();
            uid = ids[0];
            gid = ids[1];
        }
        Map<String, String> variables = windows ? caseInsensitive(System.getenv()) : Map.copyOf(System.getenv());
        return new HostEnvironment(
                variables,
                home(variables, System.getProperty("user.home"), windows),
                Path.of("").toAbsolutePath(),
                uid,
                gid,
                System.getProperty("user.name"),
                windows);
    }

    /**
     * {@code $HOME} when it is set to an absolute path, as the XDG base-directory and user-dirs specifications
     * define every folder relative to it (containers, CI and test harnesses set it on purpose); the JDK's
     * {@code user.home}, which comes from the passwd entry, only when it is unset. Windows keeps the profile folder.
     */
    static Path home(Map<String, String> variables, String passwdHome, boolean windows) {
        String home = windows ? null : variables.get("HOME");
        if (home != null && !home.isEmpty() && Path.of(home).isAbsolute()) {
            return Path.of(home).normalize();
        }
        return Path.of(passwdHome).toAbsolutePath();
    }

    /** Windows names variables without regard to case ({@code Path}, {@code SystemRoot}); so must lookups. */
    static Map<String, String> caseInsensitive(Map<String, String> variables) {
        java.util.TreeMap<String, String> map = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        map.putAll(variables);
        return java.util.Collections.unmodifiableMap(map);
    }

    /** Real uid and gid from /proc: the JDK exposes neither without a native call. */
    private static int[] readIds() {
        int[] ids = {-1, -1};
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    ids[0] = Integer.parseInt(line.split("\\s+")[1]);
                } else if (line.startsWith("Gid:")) {
                    ids[1] = Integer.parseInt(line.split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux: the caller treats -1 as "unknown", which never counts as root.
        }
        return ids;
    }
}
