package dev.mcpcontain.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** fish completions from the picocli model: subcommands where they may stand, then each command's options. */
final class FishCompletion {

    private FishCompletion() {}

    static String script(CommandLine root) {
        StringBuilder out = new StringBuilder("# fish completion for mcp-contain (generated: mcp-contain completion fish)\n");
        out.append("complete -c mcp-contain -f\n");
        emit(root, new ArrayList<>(), out);
        return out.toString();
    }

    private static void emit(CommandLine command, List<String> path, StringBuilder out) {
        String condition = condition(command, path);
        for (Map.Entry<String, CommandLine> sub : command.getSubcommands().entrySet()) {
            CommandSpec spec = sub.getValue().getCommandSpec();
            if (spec.usageMessage().hidden() || !sub.getKey().equals(spec.name())) {
                continue;
            }
            out.append("complete -c mcp-contain -n '").append(condition).append("' -a ").append(quote(sub.getKey()))
                    .append(" -d ").append(quote(firstSentence(spec.usageMessage().description()))).append('\n');
        }
        for (OptionSpec option : command.getCommandSpec().options()) {
            if (option.hidden()) {
                continue;
            }
            StringBuilder line = new StringBuilder("complete -c mcp-contain -n '").append(path.isEmpty()
                    ? "__fish_use_subcommand" : "__fish_seen_subcommand_from " + path.get(path.size() - 1)).append('\'');
            for (String name : option.names()) {
                line.append(name.startsWith("--") ? " -l " + name.substring(2) : " -s " + name.substring(1));
            }
            if (option.arity().max() > 0) {
                line.append(" -r");
                if (option.type() == java.nio.file.Path.class) {
                    line.append(" -F");
                }
            }
            line.append(" -d ").append(quote(firstSentence(option.description())));
            out.append(line).append('\n');
        }
        for (Map.Entry<String, CommandLine> sub : command.getSubcommands().entrySet()) {
            if (sub.getKey().equals(sub.getValue().getCommandSpec().name()) && !sub.getValue().getCommandSpec().usageMessage().hidden()) {
                List<String> next = new ArrayList<>(path);
                next.add(sub.getKey());
                emit(sub.getValue(), next, out);
            }
        }
    }

    private static String condition(CommandLine command, List<String> path) {
        if (path.isEmpty()) {
            return "__fish_use_subcommand";
        }
        String subs = String.join(" ", command.getSubcommands().keySet());
        return "__fish_seen_subcommand_from " + path.get(path.size() - 1)
                + (subs.isEmpty() ? "" : "; and not __fish_seen_subcommand_from " + subs);
    }

    private static String firstSentence(String[] description) {
        String text = description.length == 0 ? "" : description[0];
        int dot = text.indexOf(". ");
        return (dot < 0 ? text : text.substring(0, dot + 1)).replaceAll("\\$\\{[^}]*}", "");
    }

    private static String quote(String text) {
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
