package dev.mcpcontain.cli;

import dev.mcpcontain.profile.GrantSpec;
import dev.mcpcontain.profile.Profile;
import dev.mcpcontain.run.McpOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The start-up path of {@code run}: every server launch pays for it, so it parses every {@code run} option by hand
 * instead of through picocli's reflection (hundreds of classes). It accepts exactly what picocli accepts, with the
 * same values; anything else (help, a bad or repeated value, an option added elsewhere) returns empty, and picocli
 * parses the line again and words the error. {@code RunArgumentsTest} holds the two to that, option by option.
 */
final class RunArguments {

    /** Options taking a value; must equal those declared on {@code RunCommand} and {@code McpRunOptions}. */
    static final Set<String> VALUED = Set.of("--profile", "--grant", "--network", "--env", "--name", "--isolation",
            "--manifest", "--user-config", "--audit", "--allow-host");
    /** Options given at most once (picocli refuses a second one). */
    static final Set<String> SINGLE = Set.of("--profile", "--network", "--name", "--isolation", "--manifest", "--audit");
    /** Flags. */
    static final Set<String> FLAGS = Set.of("--dry-run", "--mediate", "--no-mediate", "-v", "--verbose");

    private RunArguments() {}

    /** @param args the arguments after {@code run} */
    static Optional<RunOptions> parse(List<String> args) {
        Map<String, String> single = new LinkedHashMap<>();
        List<GrantSpec> grants = new ArrayList<>();
        List<String> env = new ArrayList<>();
        List<String> allowHosts = new ArrayList<>();
        Map<String, List<String>> userConfig = new LinkedHashMap<>();
        Boolean mediate = null;
        boolean dryRun = false;
        boolean seenDryRun = false;
        int i = 0;
        while (i < args.size()) {
            String arg = args.get(i);
            if (arg.equals("--")) {
                i++;
                break;
            }
            if (!arg.startsWith("-") || arg.equals("-")) {
                break;
            }
            String option = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                option = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            if (FLAGS.contains(option) || Logging.isVerboseFlag(option)) {
                boolean dryRunValue = value == null || value.equalsIgnoreCase("true");
                if (value != null && !(option.equals("--dry-run")
                        && (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")))) {
                    return Optional.empty();  // rare spellings (--mediate=false): picocli's rules
                }
                i++;
                switch (option) {
                    case "--dry-run" -> {
                        if (seenDryRun) {
                            return Optional.empty();
                        }
                        seenDryRun = true;
                        dryRun = dryRunValue;
                    }
                    case "--mediate", "--no-mediate" -> {
                        if (mediate != null) {
                            return Optional.empty();
                        }
                        mediate = option.equals("--mediate");
                    }
                    default -> {
                        // -v: read from the raw arguments by Logging
                    }
                }
                continue;
            }
            if (!VALUED.contains(option)) {
                return Optional.empty();
            }
            if (value == null) {
                if (i + 1 >= args.size() || looksLikeOption(args.get(i + 1))) {
                    return Optional.empty();
                }
                value = args.get(++i);
            }
            i++;
            if (SINGLE.contains(option) && single.put(option, value) != null) {
                return Optional.empty();
            }
            switch (option) {
                case "--grant" -> {
                    Optional<GrantSpec> grant = grant(value);
                    if (grant.isEmpty()) {
                        return Optional.empty();
                    }
                    grants.add(grant.get());
                }
                case "--env" -> env.add(value);
                case "--allow-host" -> allowHosts.add(value);
                case "--user-config" -> {
                    int at = value.indexOf('=');
                    if (at <= 0) {
                        return Optional.empty();
                    }
                    userConfig.computeIfAbsent(value.substring(0, at), k -> new ArrayList<>()).add(value.substring(at + 1));
                }
                default -> {
                    // single-valued: read below
                }
            }
        }
        Optional<Profile.Network> network = Optional.empty();
        Optional<Profile.Isolation> isolation = Optional.empty();
        try {
            if (single.containsKey("--network")) {
                network = Optional.of(network(single.get("--network")));
            }
            if (single.containsKey("--isolation")) {
                isolation = Optional.of(isolation(single.get("--isolation")));
            }
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        List<String> command = List.copyOf(args.subList(i, args.size()));
        McpOptions mcp = new McpOptions(optionalPath(single.get("--manifest")), userConfig,
                Optional.ofNullable(mediate), optionalPath(single.get("--audit")), dryRun);
        return Optional.of(new RunOptions(single.getOrDefault("--profile", "default"), List.copyOf(grants), network,
                List.copyOf(env), Optional.ofNullable(single.get("--name")), isolation, dryRun, serverCommand(command),
                mcp, List.copyOf(allowHosts), args.contains("--")));
    }

    /** picocli takes a following word that is one of its option names as a missing value, not as the value. */
    private static Optional<Path> optionalPath(String value) {
        return value == null ? Optional.empty() : Optional.of(Path.of(value));
    }

    private static boolean looksLikeOption(String word) {
        String name = word.startsWith("--") && word.indexOf('=') > 0 ? word.substring(0, word.indexOf('=')) : word;
        return VALUED.contains(name) || FLAGS.contains(name) || name.equals("--help") || name.equals("-h")
                || name.equals("--version") || name.equals("-V");
    }

    /** The command as given; one argument holding blanks is a whole command line joined by the client. */
    static List<String> serverCommand(List<String> command) {
        if (command.size() == 1 && command.get(0).strip().contains(" ")
                && !java.nio.file.Files.exists(java.nio.file.Path.of(command.get(0)))) {
            return CommandSplitter.split(command.get(0));
        }
        return command;
    }

    /** @throws IllegalArgumentException naming the value and the choices */
    static Profile.Network network(String value) {
        return switch (value) {
            case "none" -> Profile.Network.NONE;
            case "host" -> Profile.Network.HOST;
            default -> throw new IllegalArgumentException("'" + value + "' is not a network mode (none, host)");
        };
    }

    /** @throws IllegalArgumentException naming the value and the choices */
    static Profile.Isolation isolation(String value) {
        return switch (value) {
            case "full" -> Profile.Isolation.FULL;
            case "landlock" -> Profile.Isolation.LANDLOCK;
            case "reduced" -> Profile.Isolation.REDUCED;
            default -> throw new IllegalArgumentException("'" + value + "' is not an isolation (full, landlock, reduced)");
        };
    }

    private static Optional<GrantSpec> grant(String value) {
        try {
            return Optional.of(GrantSpec.parse(value));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
