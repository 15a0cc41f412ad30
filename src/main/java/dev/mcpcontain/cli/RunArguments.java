package dev.mcpcontain.cli;

import dev.mcpcontain.mediation.MediatedRun;
import dev.mcpcontain.policy.PolicyException;
import dev.mcpcontain.profile.GrantSpec;
import dev.mcpcontain.profile.Profile;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The start-up path of {@code run}: every server launch pays for it, so it parses the common options by hand
 * instead of through picocli's reflection (hundreds of classes). Anything it does not know (help, options added
 * by other features) returns empty and the full picocli command takes over. {@code RunArgumentsTest} keeps the
 * option names here and on {@code RunCommand} identical.
 */
final class RunArguments {

    /** Option names this parser handles; must equal the options declared on {@code RunCommand}. */
    static final Set<String> OPTIONS = Set.of("--profile", "--grant", "--network", "--env", "--name", "--isolation",
            "--allow-host", "--dry-run", "-v", "--verbose");

    private RunArguments() {}

    /** @param args the arguments after {@code run} */
    static Optional<RunOptions> parse(List<String> args) {
        String profile = "default";
        List<GrantSpec> grants = new ArrayList<>();
        Profile.Network network = null;
        List<String> env = new ArrayList<>();
        String name = null;
        Profile.Isolation isolation = null;
        boolean dryRun = false;
        List<String> allowHosts = new ArrayList<>();
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
            if (option.equals("--dry-run") && value == null) {
                dryRun = true;
                i++;
                continue;
            }
            if (Logging.isVerboseFlag(option) || option.equals("--verbose")) {
                i++;
                continue;
            }
            if (!OPTIONS.contains(option)) {
                return Optional.empty();
            }
            if (value == null) {
                if (i + 1 >= args.size()) {
                    return Optional.empty(); // picocli words the "missing value" error
                }
                value = args.get(++i);
            }
            i++;
            switch (option) {
                case "--profile" -> profile = value;
                case "--grant" -> grants.add(grant(value));
                case "--network" -> network = network(value);
                case "--env" -> env.add(value);
                case "--name" -> name = value;
                case "--isolation" -> isolation = isolation(value);
                case "--allow-host" -> allowHosts.add(value);
                default -> {
                    return Optional.empty();
                }
            }
        }
        List<String> command = List.copyOf(args.subList(i, args.size()));
        return Optional.of(new RunOptions(profile, List.copyOf(grants), Optional.ofNullable(network), List.copyOf(env),
                Optional.ofNullable(name), Optional.ofNullable(isolation), dryRun, serverCommand(command),
                new MediatedRun.Options(Optional.empty(), java.util.Map.of(), Optional.empty(), Optional.empty(), dryRun),
                List.copyOf(allowHosts)));
    }

    /** The command as given; one argument holding blanks is a whole command line joined by the client. */
    static List<String> serverCommand(List<String> command) {
        if (command.size() == 1 && command.get(0).strip().contains(" ")
                && !java.nio.file.Files.exists(java.nio.file.Path.of(command.get(0)))) {
            return CommandSplitter.split(command.get(0));
        }
        return command;
    }

    static Profile.Network network(String value) {
        return switch (value) {
            case "none" -> Profile.Network.NONE;
            case "host" -> Profile.Network.HOST;
            default -> throw PolicyException.refused("--network: '" + value + "' is not a network mode (none, host)");
        };
    }

    static Profile.Isolation isolation(String value) {
        return switch (value) {
            case "full" -> Profile.Isolation.FULL;
            case "landlock" -> Profile.Isolation.LANDLOCK;
            case "reduced" -> Profile.Isolation.REDUCED;
            default -> throw PolicyException.refused("--isolation: '" + value
                    + "' is not an isolation (full, landlock, reduced)");
        };
    }

    private static GrantSpec grant(String value) {
        try {
            return GrantSpec.parse(value);
        } catch (IllegalArgumentException e) {
            throw PolicyException.refused("--grant: " + e.getMessage());
        }
    }
}
