package dev.mcpcontain.cli;

import dev.mcpcontain.launch.ContainedProcess;
import dev.mcpcontain.launch.ContainmentBackend;
import dev.mcpcontain.launch.ExecHandoff;
import dev.mcpcontain.launch.LaunchPlan;
import dev.mcpcontain.launch.Launcher;
import dev.mcpcontain.mediation.MediatedRun;
import dev.mcpcontain.policy.ContainmentPolicy;
import dev.mcpcontain.policy.RunRequest;
import dev.mcpcontain.profile.GrantSpec;
import dev.mcpcontain.profile.Profile;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mcp-contain run}: resolve the policy, then start the server contained. Writes nothing to stdout. */
@Command(name = "run", description = "Start a stdio MCP server contained.", sortOptions = false)
public final class RunCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    @Mixin
    VerboseMixin verbose;

    @Option(names = "--profile", paramLabel = "NAME|FILE", defaultValue = "default",
            description = "Containment profile: a built-in name, a name under ~/.config/mcp-contain/profiles, or a path.")
    String profile;

    @Option(names = "--grant", paramLabel = "SPEC", converter = GrantConverter.class,
            description = "Folder to expose: documents, downloads, desktop, pictures, music, videos or a path;"
                    + " append :ro (default) or :rw. Repeatable.")
    List<GrantSpec> grants = new ArrayList<>();

    @Option(names = "--network", paramLabel = "none|host", converter = NetworkConverter.class,
            description = "Override the profile's network.")
    Profile.Network network;

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

    @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "The server command and its arguments.")
    List<String> command = new ArrayList<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Launcher launcher = Launcher.forCurrentUser();
        RunRequest request = new RunRequest(serverCommand(), grants, List.of(), Optional.ofNullable(network), env,
                Optional.ofNullable(name), Optional.ofNullable(isolation));
        // Manifest, consent and the mediation decision (issue 4); without --manifest this is launcher.resolve.
        MediatedRun mediated = MediatedRun.prepare(launcher, profile, request, mcp.options(dryRun));
        ContainmentPolicy policy = mediated.policy();
        ContainmentBackend backend = launcher.backend();
        LaunchPlan plan = backend.plan(policy);
        if (dryRun) {
            DryRunReport.print(plan, spec.commandLine().getOut());
            return ExitCodes.OK;
        }
        plan.warnings().forEach(w -> LOG.warn(w));
        if (LOG.isInfoEnabled()) {
            plan.describe().forEach(line -> LOG.info(line));
        }
        backend.prepare(plan);
        if (mediated.mediates()) {
            // The JVM stays as the relay between this process's stdio and the server's pipes.
            return mediated.relay(backend, plan);
        }
        String channel = System.getenv(ExecHandoff.CHANNEL_FD_VARIABLE);
        if (channel != null && backend instanceof ExecHandoff handoff) {
            try (OutputStream out = new FileOutputStream(channelPath(channel))) {
                handoff.writeHandoff(plan, out);
            }
            return ExitCodes.OK;
        }
        // Started without the script (java -jar, tests): supervise from this JVM with the same stdio.
        try (ContainedProcess process = backend.start(plan, true)) {
            return process.waitFor();
        }
    }

    private static String channelPath(String fd) {
        if (!fd.matches("[0-9]{1,4}") || !Files.exists(Path.of("/proc/self/fd/" + fd))) {
            throw new IllegalStateException(ExecHandoff.CHANNEL_FD_VARIABLE + "=" + fd + " names no open descriptor");
        }
        return "/proc/self/fd/" + fd;
    }

    /** The command as given; one argument holding blanks is a whole command line joined by the client. */
    List<String> serverCommand() {
        if (command.size() == 1 && command.get(0).strip().contains(" ") && !Files.exists(Path.of(command.get(0)))) {
            return CommandSplitter.split(command.get(0));
        }
        return command;
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
            return switch (value) {
                case "none" -> Profile.Network.NONE;
                case "host" -> Profile.Network.HOST;
                default -> throw new CommandLine.TypeConversionException(
                        "'" + value + "' is not a network mode (none, host)");
            };
        }
    }

    static final class IsolationConverter implements CommandLine.ITypeConverter<Profile.Isolation> {
        @Override
        public Profile.Isolation convert(String value) {
            return switch (value) {
                case "full" -> Profile.Isolation.FULL;
                case "landlock" -> Profile.Isolation.LANDLOCK;
                case "reduced" -> Profile.Isolation.REDUCED;
                default -> throw new CommandLine.TypeConversionException(
                        "'" + value + "' is not an isolation (full, landlock, reduced)");
            };
        }
    }
}
