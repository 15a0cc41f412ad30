package dev.mcpcontain.cli;

import dev.mcpcontain.consent.ConsentException;
import dev.mcpcontain.consent.ConsentStore;
import dev.mcpcontain.consent.UserGrant;
import dev.mcpcontain.run.Launcher;
import dev.mcpcontain.policy.ServerIdentity;
import dev.mcpcontain.profile.Access;
import dev.mcpcontain.profile.GrantSpec;
import dev.mcpcontain.state.StateFiles;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code mcp-contain grants list|add|revoke}: the user's consent to folders servers ask for in their manifests,
 * per server and per folder. Grants written with {@code run --grant} or in a profile are not listed here: they
 * apply as written.
 */
@Command(mixinStandardHelpOptions = true, name = "grants", description = "Consent to folders that servers ask for in their manifests.",
        subcommands = {GrantsCommand.ListGrants.class, GrantsCommand.Add.class, GrantsCommand.Revoke.class})
public final class GrantsCommand implements Callable<Integer> {

    @Mixin
    VerboseMixin verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        return list(Optional.empty(), spec.commandLine().getOut());
    }

    static ConsentStore store(Launcher launcher) {
        return new ConsentStore(StateFiles.consents(launcher.host()));
    }

    static int list(Optional<String> server, PrintWriter out) {
        List<ConsentStore.Decision> decisions = store(Launcher.forCurrentUser()).list(server);
        if (decisions.isEmpty()) {
            out.println("no consents recorded" + server.map(s -> " for server '" + s + "'").orElse(""));
        }
        for (ConsentStore.Decision d : decisions) {
            out.printf("%-32s %-7s %s   (%s, %s)%n", d.server(), d.answer().label(), d.path(), d.via(), d.decidedAt());
        }
        out.flush();
        return ExitCodes.OK;
    }

    /** Resolves FOLDER[:ro|:rw] (a known folder, ~/..., or a path) to the canonical folder consent is keyed by. */
    static Path folder(Launcher launcher, GrantSpec grant) {
        return UserGrant.canonicalPath(grant, launcher.host(), launcher.knownFolders()).orElseThrow(() ->
                new ConsentException("'" + grant.folder().map(f -> f.grantName()).orElseGet(grant.path()::orElseThrow)
                        + "' does not exist"));
    }

    static GrantSpec parse(String spec) {
        try {
            return GrantSpec.parse(spec);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }

    @Command(mixinStandardHelpOptions = true, name = "list", description = "List consents, of all servers or one.")
    static final class ListGrants implements Callable<Integer> {
        @Mixin
        VerboseMixin verbose;

        @Parameters(paramLabel = "SERVER", arity = "0..1")
        String server;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            return list(Optional.ofNullable(server), spec.commandLine().getOut());
        }
    }

    @Command(mixinStandardHelpOptions = true, name = "add", description = "Consent to folders for one server, as its manifest asked:"
            + " FOLDER:ro (default) or FOLDER:rw, where FOLDER is documents, downloads, ..., ~/x or a path.")
    static final class Add implements Callable<Integer> {
        @Mixin
        VerboseMixin verbose;

        @Parameters(index = "0", paramLabel = "SERVER")
        String server;

        @Parameters(index = "1..*", arity = "1..*", paramLabel = "FOLDER[:ro|:rw]")
        List<String> folders = new ArrayList<>();

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Launcher launcher = Launcher.forCurrentUser();
            ConsentStore store = store(launcher);
            ServerIdentity.validated(server);
            for (String text : folders) {
                GrantSpec grant = parse(text);
                Path path = folder(launcher, grant);
                ConsentStore.Answer answer = grant.access() == Access.READ_WRITE
                        ? ConsentStore.Answer.READ_WRITE : ConsentStore.Answer.READ_ONLY;
                store.record(server, path, answer, "grants add");
                spec.commandLine().getOut().println(server + ": " + answer.label() + " " + path);
            }
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        }
    }

    @Command(mixinStandardHelpOptions = true, name = "revoke", description = "Forget consents: the server is asked again next time.")
    static final class Revoke implements Callable<Integer> {
        @Mixin
        VerboseMixin verbose;

        @Parameters(index = "0", paramLabel = "SERVER")
        String server;

        @Parameters(index = "1..*", arity = "1..*", paramLabel = "FOLDER")
        List<String> folders = new ArrayList<>();

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Launcher launcher = Launcher.forCurrentUser();
            ConsentStore store = store(launcher);
            for (String text : folders) {
                GrantSpec grant = parse(text);
                Optional<Path> canonical = UserGrant.canonicalPath(grant, launcher.host(), launcher.knownFolders());
                Path path = canonical.orElseGet(() -> Path.of(grant.path().orElse(text)).toAbsolutePath().normalize());
                if (!store.revoke(server, path)) {
                    throw new ConsentException("server '" + server + "' has no consent for " + path
                            + " (see 'mcp-contain grants list " + server + "')");
                }
                spec.commandLine().getOut().println(server + ": revoked " + path);
            }
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        }
    }
}
