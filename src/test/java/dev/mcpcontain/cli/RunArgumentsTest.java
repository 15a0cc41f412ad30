package dev.mcpcontain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcpcontain.policy.PolicyException;
import dev.mcpcontain.profile.GrantSpec;
import dev.mcpcontain.profile.Profile;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class RunArgumentsTest {

    /** The fast parser handles exactly the options picocli declares on RunCommand (which others may extend). */
    @Test
    void fastParserKnowsEveryCoreRunOption() {
        Set<String> declared = new HashSet<>();
        new CommandLine(new RunCommand()).getCommandSpec().options()
                .forEach(o -> declared.addAll(Arrays.asList(o.names())));
        assertTrue(declared.containsAll(RunArguments.OPTIONS),
                "fast parser knows options RunCommand does not declare: " + RunArguments.OPTIONS);
        Set<String> missing = new HashSet<>(declared);
        missing.removeAll(RunArguments.OPTIONS);
        for (String option : missing) {
            assertEquals(Optional.empty(), RunArguments.parse(List.of(option, "x", "--", "true")),
                    option + " must fall back to picocli, not be ignored");
        }
    }

    @Test
    void parsesAllFormsTheSameAsPicocli() {
        List<String> args = List.of("--profile", "strict", "--grant", "documents:rw", "--grant=/srv:ro", "--network", "host",
                "--env", "A=1", "--env=B", "--name", "srv", "--isolation", "landlock", "-v", "--", "node", "x.js", "--flag");
        RunOptions fast = RunArguments.parse(args).orElseThrow();
        RunCommand slow = new RunCommand();
        new CommandLine(slow).parseArgs(args.toArray(String[]::new));
        assertEquals(slow.profile, fast.profile());
        assertEquals(slow.grants, fast.grants());
        assertEquals(Optional.ofNullable(slow.network), fast.network());
        assertEquals(slow.env, fast.env());
        assertEquals(Optional.ofNullable(slow.name), fast.name());
        assertEquals(Optional.ofNullable(slow.isolation), fast.isolation());
        assertEquals(slow.command, fast.command());
        assertEquals(List.of(GrantSpec.parse("documents:rw"), GrantSpec.parse("/srv:ro")), fast.grants());
        assertEquals(Optional.of(Profile.Isolation.LANDLOCK), fast.isolation());
    }

    @Test
    void doubleDashIsOptionalAndOneStringIsSplit() {
        assertEquals(List.of("node", "srv.js", "--port", "1"),
                RunArguments.parse(List.of("--profile", "default", "node", "srv.js", "--port", "1")).orElseThrow().command());
        assertEquals(List.of("node", "/opt/srv/index.js", "/data"),
                RunArguments.parse(List.of("node /opt/srv/index.js /data")).orElseThrow().command());
    }

    @Test
    void badValuesAreOneLineErrors() {
        assertEquals("--network: 'wifi' is not a network mode (none, host)",
                assertThrows(PolicyException.class, () -> RunArguments.parse(List.of("--network", "wifi", "true"))).getMessage());
        assertEquals("--grant: grant 'documents:x': access must be :ro or :rw",
                assertThrows(PolicyException.class, () -> RunArguments.parse(List.of("--grant", "documents:x", "true"))).getMessage());
    }
}
