package dev.mcpcontain.platform.windows.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.mcpcontain.policy.PolicyException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CommandLineQuotingTest {

    /** argument -> its encoding; '|' stands for a double quote, '/' for a backslash, to keep the table readable. */
    @ParameterizedTest(name = "[{0}] -> [{1}]")
    @CsvSource(delimiter = ';', value = {
        "abc; abc",
        "a b; |a b|",
        "'' ; ||",
        "/a//b/; /a//b/",
        "a/|b; |a///|b|",
        "|; |/||",
        "a b/; |a b//|",
        "C:/Program Files//; |C:/Program Files////|",
        "x//|y; |x/////|y|",
        "tab\there; |tab\there|",
        "//server/share; //server/share",
        "--flag=va lue; |--flag=va lue|",
        "/|/|; |///|///||",
    })
    void argumentsAreEncodedByTheDocumentedRules(String argument, String expected) {
        String arg = argument.replace("''", "").replace('|', '"').replace('/', '\\').replace("\\t", "\t");
        String want = expected.replace('|', '"').replace('/', '\\').replace("\\t", "\t");
        StringBuilder line = new StringBuilder();
        CommandLineQuoting.appendArgument(line, arg);
        assertEquals(want, line.toString());
        assertEquals(List.of("C:\\p.exe", arg), ReferenceArgvParser.parse("\"C:\\p.exe\" " + line));
    }

    @Test
    void programIsAlwaysQuoted() {
        assertEquals("\"C:\\Program Files\\nodejs\\node.exe\" server.js",
                CommandLineQuoting.commandLine(List.of("C:\\Program Files\\nodejs\\node.exe", "server.js")));
    }

    @Test
    void programWithQuoteOrNulIsRefused() {
        var e = assertThrows(PolicyException.class, () -> CommandLineQuoting.commandLine(List.of("C:\\a\"b.exe")));
        assertEquals(125, e.exitCode());
        assertThrows(PolicyException.class, () -> CommandLineQuoting.commandLine(List.of("C:\\a.exe", "x\0y")));
    }

    @Test
    void overlongCommandLineIsRefused() {
        assertThrows(PolicyException.class,
                () -> CommandLineQuoting.commandLine(List.of("C:\\a.exe", "x".repeat(40_000))));
    }

    /** Random arguments from the characters that matter survive the round trip through the reference parser. */
    @Test
    void randomArgumentsRoundTrip() {
        Random random = new Random(20260101);
        char[] alphabet = {'a', 'b', ' ', '\t', '"', '\\', '\\', '"', '=', 'é', '\u4e2d'};
        for (int round = 0; round < 5000; round++) {
            List<String> argv = new ArrayList<>();
            argv.add("C:\\Program Files\\x\\server.exe");
            int count = random.nextInt(5);
            for (int i = 0; i < count; i++) {
                StringBuilder arg = new StringBuilder();
                int length = random.nextInt(8);
                for (int j = 0; j < length; j++) {
                    arg.append(alphabet[random.nextInt(alphabet.length)]);
                }
                argv.add(arg.toString());
            }
            String line = CommandLineQuoting.commandLine(argv);
            assertEquals(argv, ReferenceArgvParser.parse(line), line);
        }
    }
}
