package dev.mcpcontain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcpcontain.profile.GrantSpec;
import dev.mcpcontain.profile.Profile;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The fast parser against picocli, case by case: where picocli accepts a {@code run} line, the fast parser gives
 * the very same options; where picocli refuses it, the fast parser declines, so that picocli words the refusal.
 */
class RunArgumentsTest {

    /** picocli's reading of {@code run ARGS}: the options, or the one-line error Main would print. */
    private record Picocli(Optional<RunOptions> options, String error) {}

    private static Picocli picocli(List<String> args) {
        CommandLine cli = Main.commandLine(0, new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        List<String> line = new ArrayList<>(List.of("run"));
        line.addAll(args);
        try {
            cli.parseArgs(line.toArray(String[]::new));
            if (cli.getSubcommands().get("run").isUsageHelpRequested()) {
                return new Picocli(Optional.empty(), "help");
            }
            RunCommand run = cli.getSubcommands().get("run").getCommand();
            return new Picocli(Optional.of(run.options()), null);
        } catch (CommandLine.ParameterException e) {
            return new Picocli(Optional.empty(), Main.usageMessage(e));
        }
    }

    private static void sameAsPicocli(String... args) {
        List<String> list = List.of(args);
        Picocli slow = picocli(list);
        Optional<RunOptions> fast = RunArguments.parse(list);
        if (slow.options().isPresent()) {
            assertEquals(slow.options(), fast, "same options for " + list);
        } else {
            assertEquals(Optional.empty(), fast, "picocli refuses " + list + " (" + slow.error() + "): the fast parser"
                    + " must decline so that picocli words it");
        }
    }

    /** {@code run NAME} names a registered server only as one word without {@code --}: both parsers agree. */
    @Test
    void aRegisteredNameIsOneWordWithoutDashDash() {
        for (List<String> line : List.of(List.of("fs"), List.of("--", "fs"), List.of("fs", "--"), List.of("-v", "fs"),
                List.of("--dry-run", "fs"), List.of("--grant", "/tmp:ro", "--", "fs"), List.of("fs", "x"))) {
            sameAsPicocli(line.toArray(String[]::new));
        }
        assertTrue(RunArguments.parse(List.of("--dry-run", "fs")).orElseThrow().mayNameRegisteredServer());
        assertTrue(!RunArguments.parse(List.of("--", "fs")).orElseThrow().mayNameRegisteredServer());
        assertTrue(!RunArguments.parse(List.of("fs", "x")).orElseThrow().mayNameRegisteredServer());
        assertTrue(!picocli(List.of("--", "fs")).options().orElseThrow().mayNameRegisteredServer());
        assertTrue(picocli(List.of("-v", "fs")).options().orElseThrow().mayNameRegisteredServer());
    }

    @Test
    void theFastParserKnowsEveryRunOption() {
        Set<String> declared = new HashSet<>();
        new CommandLine(new RunCommand()).getCommandSpec().options().forEach(o -> {
            declared.addAll(Arrays.asList(o.names()));
            if (o.negatable()) {
                declared.add("--no-" + o.longestName().substring(2));
            }
        });
        Set<String> fast = new HashSet<>(RunArguments.VALUED);
        fast.addAll(RunArguments.FLAGS);
        declared.removeAll(Set.of("-h", "--help", "-V", "--version"));  // answered by picocli: no server starts
        assertEquals(declared, fast, "every run option must be on the fast path");
        for (String option : RunArguments.SINGLE) {
            assertTrue(RunArguments.VALUED.contains(option), option);
        }
    }

    @Test
    void valuesInEveryFormAreTheSame() {
        sameAsPicocli("--profile", "strict", "--grant", "documents:rw", "--grant=/srv:ro", "--network", "host",
                "--env", "A=1", "--env=B", "--name", "srv", "--isolation", "landlock", "-v", "--", "node", "x.js", "--flag");
        sameAsPicocli("--profile=strict", "--network=none", "--isolation=reduced", "--name=x", "true");
        sameAsPicocli("--manifest", "/m/manifest.json", "--user-config", "dirs=/a", "--user-config=dirs=/b",
                "--user-config", "key=v=w", "--audit", "/tmp/a.jsonl", "--mediate", "--dry-run");
        sameAsPicocli("--no-mediate", "--profile", "", "--env", "", "node", "srv.js");
        sameAsPicocli("--grant", "documents", "--grant", "downloads:rw", "--grant", "/a b:ro", "node");
        sameAsPicocli("-vv", "--verbose", "--dry-run", "node", "a");
        sameAsPicocli("--env", "-X", "node");
        sameAsPicocli("--allow-host", "api.example.com", "--allow-host=*.example.org:8443", "--network", "host", "node");
        sameAsPicocli("--dry-run=true", "true");
        sameAsPicocli("--dry-run=false", "true");
        sameAsPicocli("--dry-run=TRUE", "true");
        RunOptions fast = RunArguments.parse(List.of("--grant", "documents:rw", "--grant=/srv:ro", "--manifest", "m.json",
                "--user-config", "dirs=/a", "--user-config", "dirs=/b", "--network", "none")).orElseThrow();
        assertEquals(List.of(GrantSpec.parse("documents:rw"), GrantSpec.parse("/srv:ro")), fast.grants());
        assertEquals(Map.of("dirs", List.of("/a", "/b")), fast.mcp().userConfig());
        assertEquals(Optional.of(Path.of("m.json")), fast.mcp().manifest());
        assertEquals(Optional.of(Profile.Network.NONE), fast.network());
    }

    @Test
    void theServersOwnOptionsAreNeverOurs() {
        sameAsPicocli("node", "srv.js", "--profile", "x", "--network", "host", "-v");
        sameAsPicocli("--profile", "default", "node", "srv.js", "--port", "1");
        sameAsPicocli("--", "--profile", "x");
        sameAsPicocli("node /opt/srv/index.js /data");
        assertEquals(List.of("node", "srv.js", "--port", "1"),
                RunArguments.parse(List.of("--profile", "default", "node", "srv.js", "--port", "1")).orElseThrow().command());
        assertEquals(List.of("node", "/opt/srv/index.js", "/data"),
                RunArguments.parse(List.of("node /opt/srv/index.js /data")).orElseThrow().command());
    }

    @Test
    void repeatsAreTheSame() {
        sameAsPicocli("--network", "none", "--network", "host", "true");
        sameAsPicocli("--network", "none", "--network", "none", "true");
        sameAsPicocli("--profile", "a", "--profile=b", "true");
        sameAsPicocli("--name", "a", "--name", "b", "true");
        sameAsPicocli("--isolation", "full", "--isolation", "full", "true");
        sameAsPicocli("--manifest", "a", "--manifest", "b");
        sameAsPicocli("--audit", "a", "--audit", "b", "true");
        sameAsPicocli("--mediate", "--no-mediate", "true");
        sameAsPicocli("--mediate", "--mediate", "true");
        sameAsPicocli("--dry-run", "--dry-run", "true");
        sameAsPicocli("--env", "A", "--env", "A", "true");
        sameAsPicocli("--allow-host", "a.example", "--allow-host", "a.example", "true");
    }

    @Test
    void errorsAreTheSame() {
        sameAsPicocli("--network", "wifi", "true");
        sameAsPicocli("--isolation", "none", "true");
        sameAsPicocli("--grant", "documents:x", "true");
        sameAsPicocli("--user-config", "novalue", "true");
        sameAsPicocli("--user-config", "=v", "true");
        sameAsPicocli("--profile");
        sameAsPicocli("--profile", "--network", "host", "true");
        sameAsPicocli("--bogus", "true");
        sameAsPicocli("-x", "true");
        sameAsPicocli("--help");
    }

    /** Rare spellings picocli accepts are left to it: slower, never different. */
    @Test
    void rareSpellingsGoToPicocli() {
        for (List<String> args : List.of(List.of("--mediate=false", "true"), List.of("--verbose=true", "true"))) {
            assertEquals(Optional.empty(), RunArguments.parse(args), args.toString());
        }
    }

    @Test
    void refusalsReadTheSameWhicheverParserSawThemFirst() {
        assertEquals("mcp-contain: option '--network' can be given only once", refusal("--network", "none",
                "--network", "host", "true"));
        assertEquals("mcp-contain: --mediate and --no-mediate are one choice: give one of them, once",
                refusal("--mediate", "--no-mediate", "true"));
        assertEquals("mcp-contain: --network: 'wifi' is not a network mode"
                + " (none, host)", refusal("--network", "wifi", "true"));
        assertEquals("mcp-contain: --user-config 'x': expected KEY=VALUE", refusal("--user-config", "x", "true"));
    }

    private static String refusal(String... args) {
        List<String> line = new ArrayList<>(List.of("run"));
        line.addAll(List.of(args));
        StringWriter err = new StringWriter();
        int code = Main.execute(line.toArray(String[]::new), new PrintWriter(new StringWriter()), new PrintWriter(err));
        assertEquals(ExitCodes.REFUSED, code, err.toString());
        return err.toString().lines().findFirst().orElse("");
    }
}
