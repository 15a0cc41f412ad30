package dev.mcpcontain.cli;

import dev.mcpcontain.profile.GrantSpec;
import dev.mcpcontain.profile.Profile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mcp-contain run}: resolve the policy, then start the server contained. Writes nothing to stdout. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Start a stdio MCP server contained.",
                "'run NAME' (one word, no '--', no arguments) runs the server registered as NAME ('mcp-contain add'):"
                        + " its code checked against the pinned hash, contained and mediated (pins, audit)."
                        + " If no server is registered as NAME, NAME is a program, as is everything after '--':"
                        + " 'run -- NAME' always runs the program."})
public final class RunCommand implements Callable<Integer> {

    @Mixin
    VerboseMixin verbose;

    @Option(names = "--profile", paramLabel = "NAME|FILE", defaultValue = "default",
            description = "Containment profile: a built-in name, a name under ~/.config/mcp-contain/profiles, or a path.")
    String profile;

    @Option(names = "--grant", paramLabel = "SPEC", converter = GrantConverter.class,
            description = "Folder to expose: documents, downloads, desktop, pictures, music, videos or a path;"
                    + " append :ro (default) or :rw, then ,follow (bind through a symbolic link) or ,unprotected (allow"
                    + " a writable home or git work tree). Repeatable.")
    List<GrantSpec> grants = new ArrayList<>();

    @Option(names = "--network", paramLabel = "none|host", converter = NetworkConverter.class,
            description = "Override the profile's network.")
    Profile.Network network;

    @Option(names = "--allow-host", paramLabel = "SPEC",
            description = "Outbound network only to this host, through the filtering proxy: host, *.domain (subdomains"
                    + " only), host:port, or an IP literal ([::1]:8080). Without a port: 80 and 443. Repeatable.")
    List<String> allowHosts = new ArrayList<>();

    @Option(names = "--env", paramLabel = "NAME[=VALUE]",
            description = "Pass NAME from this environment, or set it. Repeatable.")
    List<String> env = new ArrayList<>();

    @Option(names = "--name", paramLabel = "ID", description = "Server identity (agent home, pins, audit); derived from the program if absent.")
    String name;

    @Option(names = "--isolation", paramLabel = "full|landlock|reduced", converter = IsolationConverter.class,
            description = "Override the profile's isolation. landlock: Landlock + seccomp without namespaces, for hosts"
                    + " without user namespaces; weaker, announced on every launch.")
    Profile.Isolation isolation;

    @Option(names = "--dry-run", description = "Print the resolved policy and launch plan; start nothing.")
    boolean dryRun;

    @Mixin
    McpRunOptions mcp;

    @Parameters(paramLabel = "COMMAND", arity = "0..*",
            description = "The server command and its arguments, or the NAME of a registered server.")
    List<String> command = new ArrayList<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.ParentCommand
    Main parent;

    @Override
    public Integer call() throws Exception {
        return RunExecution.execute(options(), parent.verbosity(), spec.commandLine().getOut());
    }

    /** What was parsed, in the form the fast parser gives too. */
    RunOptions options() {
        return new RunOptions(profile, List.copyOf(grants), Optional.ofNullable(network), List.copyOf(env),
                Optional.ofNullable(name), Optional.ofNullable(isolation), dryRun, RunArguments.serverCommand(command),
                mcp.options(dryRun), List.copyOf(allowHosts),
                spec.commandLine().getParseResult().originalArgs().contains("--"));
    }

    static final class GrantConverter implements CommandLine.ITypeConverter<GrantSpec> {
        @Override
        public GrantSpec convert(String value) {
            try {
                return GrantSpec.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class NetworkConverter implements CommandLine.ITypeConverter<Profile.Network> {
        @Override
        public Profile.Network convert(String value) {
            try {
                return RunArguments.network(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class IsolationConverter implements CommandLine.ITypeConverter<Profile.Isolation> {
        @Override
        public Profile.Isolation convert(String value) {
            try {
                return RunArguments.isolation(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
