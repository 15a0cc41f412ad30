package dev.mcpcontain.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * {@code mcp-contain man}: mcp-contain(1) in troff, generated from the command model that parses the command line
 * (every command, option, exit code and environment variable), so the page cannot drift from the program.
 * scripts/install writes it to share/man/man1.
 */
@Command(name = "man", hidden = true, mixinStandardHelpOptions = true, description = "Print the man page (troff).")
public final class ManPage implements Callable<Integer> {

    @CommandLine.Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.print(render(spec.root().commandLine()));
        out.flush();
        return ExitCodes.OK;
    }

    static String render(CommandLine root) {
        CommandSpec spec = root.getCommandSpec();
        StringBuilder page = new StringBuilder();
        page.append(".TH MCP-CONTAIN 1 \"\" \"").append(escape(spec.version().length > 0 ? spec.version()[0] : ""))
                .append("\" \"User Commands\"\n");
        page.append(".SH NAME\nmcp\\-contain \\- ").append(escape(String.join(" ", spec.usageMessage().description())))
                .append('\n');
        page.append(".SH SYNOPSIS\n");
        for (Map.Entry<String, CommandLine> sub : visible(root)) {
            page.append(".B mcp\\-contain ").append(escape(sub.getKey())).append("\n[\\fIOPTIONS\\fR]")
                    .append(positionals(sub.getValue().getCommandSpec())).append("\n.br\n");
        }
        page.append(".SH OPTIONS\n");
        options(spec, page);
        page.append(".SH COMMANDS\n");
        for (Map.Entry<String, CommandLine> sub : visible(root)) {
            command("mcp-contain " + sub.getKey(), sub.getValue(), page);
        }
        page.append(".SH EXIT STATUS\n");
        for (Map.Entry<String, String> code : spec.usageMessage().exitCodeList().entrySet()) {
            page.append(".TP\n.B ").append(escape(code.getKey().trim())).append('\n')
                    .append(escape(code.getValue().trim())).append('\n');
        }
        page.append(".SH ENVIRONMENT\n");
        for (String[] variable : Main.ENVIRONMENT) {
            page.append(".TP\n.B ").append(escape(variable[0])).append('\n').append(escape(variable[1])).append('\n');
        }
        page.append(".SH FILES\n.TP\n.I ~/.config/mcp\\-contain/\nprofiles/, pins/, consents.json"
                + " (\\fB$XDG_CONFIG_HOME\\fR)\n.TP\n.I ~/.local/share/mcp\\-contain/\nagent homes and audit.jsonl"
                + " (\\fB$XDG_DATA_HOME\\fR; \\fI/var/lib/mcp\\-contain\\fR for root)\n");
        page.append(".SH SEE ALSO\nThe README of mcp\\-contain; \\fBmcp\\-contain check\\fR for what this host enforces.\n");
        return page.toString();
    }

    private static void command(String name, CommandLine command, StringBuilder page) {
        CommandSpec spec = command.getCommandSpec();
        page.append(".SS ").append(escape(name)).append(positionals(spec)).append('\n')
                .append(escape(String.join(" ", spec.usageMessage().description()))).append('\n');
        for (PositionalParamSpec positional : spec.positionalParameters()) {
            if (!positional.hidden() && positional.description().length > 0) {
                page.append(".TP\n.I ").append(escape(positional.paramLabel())).append('\n')
                        .append(escape(String.join(" ", positional.description()))).append('\n');
            }
        }
        options(spec, page);
        for (Map.Entry<String, CommandLine> sub : visible(command)) {
            command(name + " " + sub.getKey(), sub.getValue(), page);
        }
    }

    private static void options(CommandSpec spec, StringBuilder page) {
        for (OptionSpec option : spec.options()) {
            if (option.hidden()) {
                continue;
            }
            page.append(".TP\n.B ").append(escape(String.join(", ", option.names())));
            if (option.arity().max() > 0) {
                page.append(" \\fI").append(escape(option.paramLabel())).append("\\fR");
            }
            page.append('\n').append(escape(String.join(" ", option.description())
                    .replace("${DEFAULT-VALUE}", String.valueOf(option.defaultValue())))).append('\n');
        }
    }

    private static String positionals(CommandSpec spec) {
        StringBuilder text = new StringBuilder();
        for (PositionalParamSpec positional : spec.positionalParameters()) {
            if (!positional.hidden()) {
                text.append(" \\fI").append(escape(positional.paramLabel())).append("\\fR");
            }
        }
        return text.toString();
    }

    private static List<Map.Entry<String, CommandLine>> visible(CommandLine command) {
        return command.getSubcommands().entrySet().stream()
                .filter(e -> e.getKey().equals(e.getValue().getCommandSpec().name()))
                .filter(e -> !e.getValue().getCommandSpec().usageMessage().hidden())
                .toList();
    }

    /** troff: backslashes doubled, hyphens as \-, and no line starting with a control character. */
    static String escape(String text) {
        String escaped = text.replace("\\", "\\e").replace("-", "\\-");
        StringBuilder out = new StringBuilder();
        for (String line : escaped.split("\n", -1)) {
            if (!out.isEmpty()) {
                out.append('\n');
            }
            out.append(line.startsWith(".") || line.startsWith("'") ? "\\&" + line : line);
        }
        return out.toString();
    }
}
