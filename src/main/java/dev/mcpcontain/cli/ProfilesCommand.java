package dev.mcpcontain.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.mcpcontain.run.Launcher;
import dev.mcpcontain.profile.ProfileStore;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code mcp-contain profiles [show NAME]}: list the profiles, or print one fully resolved. */
@Command(name = "profiles", mixinStandardHelpOptions = true, description = "List containment profiles, or show one fully resolved.",
        subcommands = ProfilesCommand.Show.class)
public final class ProfilesCommand implements Callable<Integer> {

    @Mixin
    VerboseMixin verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        ProfileStore store = Launcher.forCurrentUser().profiles();
        for (String name : store.names()) {
            ProfileStore.Resolved resolved = store.resolve(name);
            spec.commandLine().getOut().printf("%-10s %s%n", name, resolved.profile().description());
        }
        return ExitCodes.OK;
    }

    @Command(name = "show", description = "Print one profile with its 'extends' chain merged and defaults filled.")
    static final class Show implements Callable<Integer> {
        @Mixin
        VerboseMixin verbose;

        @Parameters(paramLabel = "NAME|FILE")
        String name;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            ProfileStore.Resolved resolved = Launcher.forCurrentUser().profiles().resolve(name);
            ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            var out = spec.commandLine().getOut();
            out.println("// " + resolved.name() + " from " + String.join(" <- ", resolved.chain()));
            out.println(mapper.writeValueAsString(resolved.profile()));
            out.flush();
            return ExitCodes.OK;
        }
    }
}
