package dev.mcpcontain.cli;

import dev.mcpcontain.registry.CodeCheck;
import dev.mcpcontain.registry.ServerEntry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code mcp-contain update NAME}: accept the server's code as it is now. The tool pin is left as it is: the next
 * mediated run compares the tools to it, and a change waits for {@code pins approve}.
 */
@Command(name = "update", mixinStandardHelpOptions = true,
        description = "Re-pin a registered server's code as it is now (after you reviewed the change); its tools are"
                + " then checked against their pin on the next run.")
public final class UpdateCommand implements Callable<Integer> {

    @Mixin
    VerboseMixin verbose;

    @Parameters(paramLabel = "NAME")
    String name;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        Registration registration = new Registration();
        ServerEntry entry = registration.store.get(name);
        String sha = CodeCheck.pin(registration.store, name, Path.of(entry.codePath()));
        registration.store.save(entry.withCode(sha, Instant.now().toString()));
        if (sha.equals(entry.codeSha256())) {
            err.println("mcp-contain: the code of '" + name + "' is unchanged (sha256 " + sha + ")");
        } else {
            err.println("mcp-contain: re-pinned the code of '" + name + "': sha256 " + entry.codeSha256() + " -> "
                    + sha);
            err.println("mcp-contain: review its tools: the next 'mcp-contain run " + name + "' compares them to the"
                    + " pinned definitions and blocks any change until 'mcp-contain pins approve " + name + "'");
        }
        return ExitCodes.OK;
    }
}
