package dev.mcpcontain.cli;

import dev.mcpcontain.hosts.EntryImport;
import dev.mcpcontain.hosts.Host;
import dev.mcpcontain.hosts.HostConfigFile;
import dev.mcpcontain.hosts.UnifiedDiff;
import dev.mcpcontain.policy.HostEnvironment;
import dev.mcpcontain.registry.RegistryException;
import java.io.File;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What {@code import} and {@code connect} share: which file, which launcher, and the dry run or the write. */
final class HostFileEdit {

    /** Set by the launcher script to its own path: what host entries run. */
    static final String LAUNCHER_VARIABLE = "MCP_CONTAIN_LAUNCHER";

    /**
     * Where the state of this mcp-contain lives, when moved from its default: the host starts {@code run NAME}
     * with an environment of its own, and it must find the same registry.
     */
    private static final List<String> STATE_VARIABLES = List.of(HostEnvironment.STATE_DIR_VARIABLE,
            "XDG_CONFIG_HOME", "XDG_DATA_HOME");

    private HostFileEdit() {}

    static Path file(Host host, Path given, HostEnvironment env) {
        return given != null ? given.toAbsolutePath() : host.defaultFile(env, System.getProperty("os.name", ""));
    }

    /**
     * The absolute path of the launcher host entries run: {@code --launcher}, else the script that started this
     * command, else {@code mcp-contain} on PATH.
     */
    static String launcher(Path given, HostEnvironment env) {
        Optional<Path> found = Optional.ofNullable(given)
                .or(() -> env.variable(LAUNCHER_VARIABLE).map(Path::of))
                .or(() -> onPath(env));
        Path launcher = found.orElseThrow(() -> new RegistryException("cannot tell where the mcp-contain launcher is"
                + " installed (not started by it, and no mcp-contain on PATH); give --launcher FILE"));
        if (!launcher.isAbsolute() || !Files.isRegularFile(launcher) || !Files.isExecutable(launcher)) {
            throw new RegistryException("--launcher " + launcher + ": not an executable file given by an absolute"
                    + " path (host entries must name it exactly)");
        }
        return launcher.normalize().toString();
    }

    private static Optional<Path> onPath(HostEnvironment env) {
        for (String dir : env.variable("PATH").orElse("").split(File.pathSeparator)) {
            for (String name : env.windows() ? List.of("mcp-contain.cmd", "mcp-contain.exe") : List.of("mcp-contain")) {
                Path candidate = Path.of(dir.isEmpty() ? "." : dir, name).toAbsolutePath();
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The host runs {@code run NAME} as the account that owns its file, and each account has its own registry: a
     * file of another account (root editing a user's, through sudo) would name servers its host cannot find.
     */
    static void requireOwnFile(HostConfigFile config, HostEnvironment env) {
        if (!config.exists() || env.uid() < 0) {
            return;
        }
        try {
            int owner = (Integer) Files.getAttribute(config.file().toRealPath(), "unix:uid");
            if (owner != env.uid()) {
                throw new RegistryException(config.file() + ": belongs to uid " + owner + ", not to this account (uid "
                        + env.uid() + "); its host starts servers as that account, whose registry is not this one:"
                        + " run the command as that account");
            }
        } catch (java.io.IOException | UnsupportedOperationException e) {
            // no POSIX owner to compare: nothing to refuse
        }
    }

    static Map<String, String> stateEnv(HostEnvironment env) {
        Map<String, String> state = new LinkedHashMap<>();
        for (String name : STATE_VARIABLES) {
            env.variable(name).ifPresent(value -> state.put(name, value));
        }
        return state;
    }

    static EntryImport.Context context(Host host, Path file, HostEnvironment env, String launcher) {
        return new EntryImport.Context(host, env.home(), host.workspaceFolder(file, env.home()),
                p -> Files.isDirectory(p), launcher, stateEnv(env));
    }

    /**
     * {@code --dry-run}: the diff on stdout (it is what was asked for), nothing written. Otherwise the backup and
     * the atomic replacement, reported on stderr; {@code undo} runs if the file cannot be replaced.
     *
     * @return whether the file was written
     */
    static boolean finish(HostConfigFile config, String newText, boolean dryRun, boolean registers, PrintWriter out,
            PrintWriter err, Runnable undo) {
        String before = new String(config.original(), java.nio.charset.StandardCharsets.UTF_8);
        String name = config.file().toString();
        if (dryRun) {
            out.print(UnifiedDiff.of(config.exists() ? name : "/dev/null", name, before, newText));
            out.flush();
            err.println("mcp-contain: dry run: " + name + " was not changed" + (registers ? " and nothing was registered"
                    : ""));
            return false;
        }
        Path backup;
        try {
            backup = config.replace(newText, Instant.now());
        } catch (RuntimeException e) {
            undo.run();
            throw e;
        }
        if (backup != null) {
            err.println("mcp-contain: backup of the original: " + backup);
        }
        err.println("mcp-contain: wrote " + name + " (restart the host, or reload its servers, to use it)");
        return true;
    }
}
