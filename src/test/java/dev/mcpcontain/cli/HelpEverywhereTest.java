package dev.mcpcontain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import picocli.CommandLine;

/** Every command answers --help and 'help', and the completion scripts and the man page know every command. */
class HelpEverywhereTest {

    /** Every command path of the tree, e.g. [profiles, show]; picocli's own 'help' has no subcommands to walk. */
    static List<List<String>> commandPaths() {
        List<List<String>> paths = new ArrayList<>();
        walk(Main.commandLine(), new ArrayList<>(), paths);
        return paths;
    }

    private static void walk(CommandLine command, List<String> path, List<List<String>> paths) {
        for (Map.Entry<String, CommandLine> sub : command.getSubcommands().entrySet()) {
            List<String> next = new ArrayList<>(path);
            next.add(sub.getKey());
            paths.add(next);
            walk(sub.getValue(), next, paths);
        }
    }

    @TestFactory
    Stream<DynamicTest> helpOnEveryCommand() {
        List<List<String>> paths = commandPaths();
        assertTrue(paths.size() > 15, "walked the tree: " + paths);
        return paths.stream().map(path -> DynamicTest.dynamicTest(String.join(" ", path) + " --help", () -> {
            List<String> args = new ArrayList<>(path);
            args.add("--help");
            MainTest.Result r = MainTest.run(args.toArray(String[]::new));
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("Usage: mcp-contain " + String.join(" ", path)), r.out());
            assertEquals("", r.err());
        }));
    }

    @TestFactory
    Stream<DynamicTest> helpCommandForEveryTopLevelCommand() {
        return Main.commandLine().getSubcommands().keySet().stream().map(name -> DynamicTest.dynamicTest("help " + name,
                () -> {
                    MainTest.Result r = MainTest.run("help", name);
                    assertEquals(0, r.code(), r.err());
                    assertTrue(r.out().contains("Usage: mcp-contain " + name), r.out());
                }));
    }

    @Test
    void topLevelHelpListsExitCodesAndVariables() {
        String help = MainTest.run("--help").out();
        for (String expected : new String[] {"125", "126", "127", "128+N", "MCP_CONTAIN_NO_PROMPT", "MCP_CONTAIN_JAVA",
                "XDG_CONFIG_HOME"}) {
            assertTrue(help.contains(expected), expected + " in:\n" + help);
        }
    }

    @Test
    void everyVariableOfTheManPageIsInTheHelpFooterToo() {
        String help = MainTest.run("--help").out();
        String page = MainTest.run("man").out();
        for (String[] variable : Main.ENVIRONMENT) {
            for (String name : variable[0].split(",\\s*")) {
                assertTrue(help.contains(name), name + " in --help:\n" + help);
                assertTrue(page.contains(ManPage.escape(name)), name + " in the man page");
            }
        }
        assertTrue(help.contains(dev.mcpcontain.policy.HostEnvironment.STATE_DIR_VARIABLE), help);
    }

    @Test
    void versionNamesTheCommit() {
        String version = MainTest.run("--version").out();
        assertTrue(version.matches("mcp-contain \\S+ \\(commit [0-9a-f]{7,}(-dirty)?\\)\\n"), version);
    }

    @Test
    void runHelpShowsTheAuditDefaultOfWhoeverAsks() {
        String expected = dev.mcpcontain.state.StateFiles.audit(dev.mcpcontain.policy.HostEnvironment.current()).toString();
        assertTrue(MainTest.run("run", "--help").out().replaceAll("\\s+", " ").contains(expected), expected);
    }

    @Test
    void completionScriptsKnowEveryCommand() {
        for (String shell : new String[] {"bash", "zsh", "fish"}) {
            MainTest.Result r = MainTest.run("completion", shell);
            assertEquals(0, r.code(), r.err());
            for (String command : new String[] {"run", "profiles", "pins", "grants", "audit", "completion"}) {
                assertTrue(r.out().contains(command), shell + " completes " + command);
            }
            assertTrue(r.out().contains("isolation") && r.out().contains("dry-run"), shell + ": run's options");
        }
        assertEquals(125, MainTest.run("completion", "tcsh").code());
    }

    @Test
    void theManPageCoversEveryCommandAndIsValidTroff() {
        String page = MainTest.run("man").out();
        assertTrue(page.startsWith(".TH MCP-CONTAIN 1 "), page);
        for (List<String> path : commandPaths()) {
            if (!path.get(0).equals("help") && !path.get(0).equals("man")) {
                assertTrue(page.contains(".SS " + ManPage.escape("mcp-contain " + String.join(" ", path))), path.toString());
            }
        }
        for (String line : page.split("\n")) {
            assertFalse(line.startsWith("'"), "a line starting with ' is a troff control line: " + line);
            if (line.startsWith(".")) {
                assertTrue(line.matches("\\.(TH|SH|SS|TP|B|I|br)( .*)?"), "unknown request: " + line);
            }
        }
    }
}
