package dev.mcpcontain.cli;

import dev.mcpcontain.launch.ContainmentException;
import dev.mcpcontain.policy.PolicyException;
import dev.mcpcontain.profile.ProfileException;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point. Configures logging before anything creates a logger (slf4j-simple reads its settings once), then
 * hands over to picocli. Every failure becomes one line on stderr; a stack trace only with {@code -v}.
 */
@Command(name = "mcp-contain",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Runs stdio MCP servers contained: own identity and session, only granted folders,"
                + " no secrets from the environment, resource limits, killed with its host.",
        subcommands = {RunCommand.class, CheckCommand.class, ProfilesCommand.class, ManifestCommand.class,
                PinsCommand.class, ApprovalsCommand.class, AuditCommand.class, GrantsCommand.class, SetupCommand.class,
                AddCommand.class, ListCommand.class, ShowCommand.class, ConfigureCommand.class, UpdateCommand.class,
                RemoveCommand.class, ImportCommand.class, ConnectCommand.class, CompletionCommand.class, ManPage.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes (run: the server's own code passes through):%n",
        exitCodeList = {
            "0:success (run: the server exited 0)",
            "1:manifest validate: the manifest has problems",
            "125:bad input, or containment could not be set up as asked (nothing was started)",
            "126:run: the server's program is not executable",
            "127:run: the server's program was not found",
            "128+N:run: the server died of signal N"},
        footerHeading = "%nEnvironment:%n",
        footer = {
            "  HOME, XDG_CONFIG_HOME, XDG_DATA_HOME  where profiles, pins, consents, agent",
            "                             homes and the audit log live",
            "  MCP_CONTAIN_STATE_DIR=DIR  keep all of that under DIR/config and DIR/data",
            "                             instead (tests, throwaway runs; root too)",
            "  MCP_CONTAIN_NO_PROMPT=1    never ask on the terminal: refuse or skip instead",
            "  MCP_CONTAIN_JAVA           the java binary the launcher script runs",
            "  MCP_CONTAIN_HELPER         the native helper, instead of the installed one",
            "  MCP_CONTAIN_LIBDIR         where the launcher script finds mcp-contain.jar",
            "  MCP_CONTAIN_POLICY         an admin policy file, honoured only where",
            "                             /etc/mcp-contain/policy.json does not exist",
            "  MCP_CONTAIN_LAUNCHER       the program import and connect write into host",
            "                             configurations (set by the launcher script)",
            "%nSee 'mcp-contain help COMMAND' for one command, 'man mcp-contain' for all."})
public final class Main implements Runnable {

    /** The variables the footer lists, for the man page. */
    static final String[][] ENVIRONMENT = {
        {"HOME, XDG_CONFIG_HOME, XDG_DATA_HOME", "where profiles, pins, consents, agent homes and the audit log live"},
        {"MCP_CONTAIN_STATE_DIR", "an absolute path: keep profiles, pins and consents under DIR/config and agent homes"
                + " and the audit log under DIR/data instead (tests and throwaway runs; for root too, instead of"
                + " /var/lib/mcp-contain: a root launch with --isolation landlock needs DIR and DIR/data passable by"
                + " the agent account, e.g. mode 0711)"},
        {"MCP_CONTAIN_NO_PROMPT", "set to 1: never ask on the terminal (folder consent, tool approvals); refuse or skip instead"},
        {"MCP_CONTAIN_JAVA", "the java binary the launcher script runs"},
        {"MCP_CONTAIN_HELPER", "the native helper to use instead of the installed one"},
        {"MCP_CONTAIN_LIBDIR", "where the launcher script finds mcp-contain.jar"},
        {"MCP_CONTAIN_POLICY", "an admin policy file, honoured only where /etc/mcp-contain/policy.json does not exist"},
        {"MCP_CONTAIN_LAUNCHER", "set by the launcher script to its own path: the program import and connect write into"
                + " host configurations (--launcher overrides it)"}};

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** -v count of the whole command line, read before picocli so that logging is set up first. */
    private final int verbosity;

    Main(int verbosity) {
        this.verbosity = verbosity;
    }

    int verbosity() {
        return verbosity;
    }

    @Override
    public void run() {
        throw UsageError.missingCommand(spec.commandLine());
    }

    public static void main(String[] args) {
        PrintWriter err = new PrintWriter(System.err, true);
        int code;
        try {
            code = execute(args, new PrintWriter(System.out, true), err);
        } catch (VirtualMachineError ex) {
            // Out of memory or stack: picocli and fastRun catch Exceptions only, and the JVM's default would print a
            // stack trace. One line like every other error (the trace with -v), and nothing is left running.
            err.println("mcp-contain: " + (ex instanceof OutOfMemoryError ? "ran out of memory" : "internal error")
                    + " (" + ex.getClass().getSimpleName() + (ex.getMessage() == null ? "" : ": " + ex.getMessage())
                    + "): an input (a manifest, bundle or configuration file) may be far larger than expected");
            if (Logging.verbosity(args) > 0) {
                ex.printStackTrace(err);
            }
            err.flush();
            code = ExitCodes.REFUSED;
        }
        System.exit(code);
    }

    /** Runs one command line; used by {@link #main} and by tests with their own writers. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        int verbosity = Logging.verbosity(args);
        Logging.configure(verbosity);
        Optional<Integer> fast = fastRun(args, verbosity, out, err);
        if (fast.isPresent()) {
            return fast.get();
        }
        return commandLine(verbosity, out, err).execute(args);
    }

    /** The full command line: every subcommand, its help, and one-line errors. */
    static CommandLine commandLine(int verbosity, PrintWriter out, PrintWriter err) {
        CommandLine cli = commandLine(verbosity);
        cli.setOut(out);
        cli.setErr(err);
        // Everything after the server's program is the server's: its own options are not ours to parse.
        cli.getSubcommands().get("run").setStopAtPositional(true);
        cli.setParameterExceptionHandler((ex, a) -> {
            err.println("mcp-contain: " + usageMessage(ex));
            if (!namesTheValue(ex)) {
                err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
            }
            return ExitCodes.REFUSED;
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            err.println("mcp-contain: " + message(ex));
            if (verbosity > 0) {
                ex.printStackTrace(err);
            }
            err.flush();
            return exitCode(ex);
        });
        return cli;
    }

    /** picocli's wording, except where it is unclear: an option given twice names both spellings of a negatable one. */
    static String usageMessage(CommandLine.ParameterException ex) {
        if (ex instanceof CommandLine.OverwrittenOptionException overwritten
                && overwritten.getOverwritten() instanceof CommandLine.Model.OptionSpec option) {
            if (option.negatable()) {
                String name = option.longestName();
                String negated = "--no-" + name.substring(2);
                return name + " and " + negated + " are one choice: give one of them, once";
            }
            return "option '" + option.longestName() + "' can be given only once";
        }
        if (ex.getCause() instanceof CommandLine.TypeConversionException bad
                && ex.getArgSpec() instanceof CommandLine.Model.OptionSpec option) {
            return option.longestName() + ": " + bad.getMessage();
        }
        return ex.getMessage();
    }

    /** A bad or repeated value: the one line names it, and usage would not help. */
    private static boolean namesTheValue(CommandLine.ParameterException ex) {
        return ex instanceof CommandLine.OverwrittenOptionException
                || ex.getCause() instanceof CommandLine.TypeConversionException;
    }

    /** The whole command tree, with --help and --version on every command (one declared without them included). */
    static CommandLine commandLine() {
        return commandLine(0);
    }

    static CommandLine commandLine(int verbosity) {
        // The help text shows the audit default of whoever asks: root's differs from a user's.
        System.setProperty("mcp.contain.audit.default",
                dev.mcpcontain.state.StateFiles.audit(dev.mcpcontain.policy.HostEnvironment.current()).toString());
        CommandLine cli = new CommandLine(new Main(verbosity));
        helpEverywhere(cli);
        return cli;
    }

    private static void helpEverywhere(CommandLine command) {
        CommandLine.Model.CommandSpec spec = command.getCommandSpec();
        if (spec.optionsMap().get("--help") == null && !(command.getCommand() instanceof CommandLine.HelpCommand)) {
            spec.mixinStandardHelpOptions(true);
        }
        for (CommandLine sub : command.getSubcommands().values()) {
            helpEverywhere(sub);
        }
    }

    /**
     * {@code run} with the common options skips picocli: every launch of every server pays the JVM's start-up, and
     * picocli's reflection alone costs more than the rest of the launch. Help and anything unusual go the full way.
     */
    private static Optional<Integer> fastRun(String[] args, int verbosity, PrintWriter out, PrintWriter err) {
        int first = 0;
        while (first < args.length && (Logging.isVerboseFlag(args[first]) || args[first].equals("--verbose"))) {
            first++;
        }
        if (first >= args.length || !args[first].equals("run")) {
            return Optional.empty();
        }
        List<String> rest = Arrays.asList(args).subList(first + 1, args.length);
        int end = rest.indexOf("--");
        List<String> options = end < 0 ? rest : rest.subList(0, end);
        if (options.contains("--help") || options.contains("-h")) {
            return Optional.empty();
        }
        try {
            Optional<RunOptions> parsed = RunArguments.parse(rest);
            if (parsed.isEmpty()) {
                return Optional.empty();
            }
            if (parsed.get().command().isEmpty()) {
                return Optional.empty(); // picocli explains the usage
            }
            return Optional.of(RunExecution.execute(parsed.get(), verbosity, out));
        } catch (Exception ex) {
            err.println("mcp-contain: " + message(ex));
            if (verbosity > 0) {
                ex.printStackTrace(err);
            }
            err.flush();
            return Optional.of(exitCode(ex));
        }
    }

    /** An exception's message as one line: it may quote names from files others wrote (control characters escaped). */
    static String message(Exception ex) {
        String message = ex.getMessage();
        if (message == null || message.isBlank()) {
            return ex.getClass().getSimpleName();
        }
        return indentedLines(message);
    }

    /**
     * One line, except for a refusal's list: a line break followed by two spaces (how mcp-contain indents the items
     * of a refusal) is kept, every other line break and control character is escaped, so text from a file others
     * write cannot start a line that looks like one of mcp-contain's own ("mcp-contain: ...").
     */
    static String indentedLines(String message) {
        String[] lines = message.split("\n", -1);
        StringBuilder out = new StringBuilder(OneLineWriter.oneLine(lines[0]));
        for (int i = 1; i < lines.length; i++) {
            String line = OneLineWriter.oneLine(lines[i]);
            out.append(line.startsWith("  ") ? "\n" : "\\x0a").append(line);
        }
        return out.toString();
    }

    static int exitCode(Exception ex) {
        if (ex instanceof PolicyException policy) {
            return policy.exitCode();
        }
        if (ex instanceof ProfileException || ex instanceof ContainmentException
                || ex instanceof dev.mcpcontain.registry.RegistryException) {
            return ExitCodes.REFUSED;
        }
        return ExitCodes.REFUSED;
    }
}
