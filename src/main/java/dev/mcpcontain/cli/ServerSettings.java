package dev.mcpcontain.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The settings of a registered server, the same for {@code add} and {@code configure}. */
public final class ServerSettings {

    @Option(names = "--profile", paramLabel = "NAME|FILE", description = "Containment profile (default: default).")
    String profile;

    @Option(names = "--grant", paramLabel = "SPEC", description = "Folder to expose (as for run). Repeatable;"
            + " with configure, replaces the registered grants.")
    List<String> grants = new ArrayList<>();

    @Option(names = "--allow-host", paramLabel = "SPEC", description = "A host the server may reach (as for run);"
            + " checked on each run. Repeatable; with configure, replaces the registered ones.")
    List<String> allowHosts = new ArrayList<>();

    @Option(names = "--user-config", paramLabel = "KEY=VALUE", description = "A manifest user_config value. A"
            + " sensitive option takes KEY=- and its value on stdin (never on a command line). Repeatable.")
    List<String> userConfig = new ArrayList<>();

    @Option(names = "--env", paramLabel = "NAME[=VALUE]", description = "Pass NAME from the environment of each run,"
            + " or set it. Repeatable; with configure, replaces the registered ones.")
    List<String> env = new ArrayList<>();
}
