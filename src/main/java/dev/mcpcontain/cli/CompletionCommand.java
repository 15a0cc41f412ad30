package dev.mcpcontain.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code mcp-contain completion bash|zsh|fish}: a completion script generated from the same command model that
 * parses the command line, so it cannot drift from the options. scripts/install writes all three.
 */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = "Print a shell completion script. bash: source it, or put it in"
                + " /usr/share/bash-completion/completions/mcp-contain; zsh: put it in a directory of $fpath as"
                + " _mcp-contain; fish: put it in ~/.config/fish/completions/mcp-contain.fish.")
public final class CompletionCommand implements Callable<Integer> {

    enum Shell { bash, zsh, fish }

    @Parameters(paramLabel = "SHELL", description = "bash, zsh or fish.")
    Shell shell;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        CommandLine root = spec.root().commandLine();
        PrintWriter out = spec.commandLine().getOut();
        switch (shell) {
            case bash -> out.print(AutoComplete.bash("mcp-contain", root));
            // picocli's script is written for bash and zsh alike; zsh runs it through bashcompinit.
            case zsh -> out.print("#compdef mcp-contain\nautoload -U +X bashcompinit && bashcompinit\n"
                    + AutoComplete.bash("mcp-contain", root));
            case fish -> out.print(FishCompletion.script(root));
        }
        out.flush();
        return ExitCodes.OK;
    }
}
