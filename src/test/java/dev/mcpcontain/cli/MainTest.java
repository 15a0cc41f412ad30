package dev.mcpcontain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The CLI's contract for bad input: exit 125 (or 126/127), one line on stderr, nothing on stdout, no trace. */
class MainTest {

    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    private static void assertOneLineError(Result r, int code, String message) {
        assertEquals(code, r.code(), r.err());
        assertEquals("", r.out(), "nothing on stdout");
        assertEquals("mcp-contain: " + message + "\n", r.err());
    }

    @Test
    void badGrant() {
        assertOneLineError(run("run", "--grant", "documets", "--", "true"), 125, "--grant: grant 'documets': 'documets' is not a known"
                + " folder (documents, downloads, desktop, pictures, music, videos) and not a path (paths start with /, ~/ or ./)");
    }

    @Test
    void unknownProfile() {
        assertOneLineError(run("run", "--profile", "nope", "--", "true"), 125,
                "no profile named 'nope' (known: default, network, npx, reduced, strict, uvx; or give a path to a .json file)");
    }

    @Test
    void missingProgram() {
        Result r = run("run", "--", "definitely-not-a-program-xyz");
        assertEquals(127, r.code());
        assertEquals("", r.out());
        assertTrue(r.err().startsWith("mcp-contain: program 'definitely-not-a-program-xyz' not found on PATH"), r.err());
        assertEquals(1, r.err().lines().count());
    }

    @Test
    void missingProgramGivenByPathIsNamedOnce() {
        assertOneLineError(run("run", "--", "/nonexistent/prog"), 127, "program '/nonexistent/prog' not found");
    }

    @Test
    void relativeProgramNamesWhereItWasLookedFor() {
        String where = java.nio.file.Path.of("").toAbsolutePath().resolve("no-such-dir/prog").toString();
        assertOneLineError(run("run", "--", "./no-such-dir/prog"), 127, "program './no-such-dir/prog' not found (" + where + ")");
    }

    @Test
    void directoryIsNoProgram() {
        assertOneLineError(run("run", "--", "/tmp"), 126, "program '/tmp' is a directory, not a program");
    }

    @Test
    void unknownOptionFallsBackToPicocliAndStillFailsCleanly() {
        Result r = run("run", "--frobnicate", "--", "true");
        assertEquals(125, r.code());
        assertEquals("", r.out());
        assertTrue(r.err().startsWith("mcp-contain: Unknown option: '--frobnicate'"), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace without -v");
    }

    @Test
    void verboseShowsTheStackTrace() {
        Result r = run("-v", "run", "--profile", "nope", "--", "true");
        assertEquals(125, r.code());
        assertTrue(r.err().contains("\tat "), r.err());
    }

    @Test
    void noCommandExplainsUsage() {
        Result r = run("run");
        assertEquals(125, r.code());
        assertEquals("", r.out());
        assertTrue(r.err().contains("no server command given") || r.err().contains("Usage") || r.err().contains("COMMAND"), r.err());
    }

    @Test
    void profilesListsTheBuiltIns() {
        Result r = run("profiles");
        assertEquals(0, r.code(), r.err());
        for (String name : new String[] {"default", "strict", "network", "npx", "uvx", "reduced"}) {
            assertTrue(r.out().contains(name + " "), r.out());
        }
    }

    @Test
    void profilesShowPrintsTheResolvedChain() {
        Result r = run("profiles", "show", "npx");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("// npx from profiles/npx.json <- profiles/network.json <- profiles/default.json"), r.out());
        assertTrue(r.out().contains("\"memory\" : \"4G\""), r.out());
        assertTrue(r.out().contains("\"network\" : {\n    \"allow\" : [ \"registry.npmjs.org\" ]"), r.out());
    }

    @org.junit.jupiter.api.Test
    void errorMessagesKeepARefusalsIndentedItemsAndEscapeEveryOtherLineBreak() {
        org.junit.jupiter.api.Assertions.assertEquals("refused:\n  item one\n  Use full isolation",
                Main.indentedLines("refused:\n  item one\n  Use full isolation"));
        org.junit.jupiter.api.Assertions.assertEquals("name 'a\\x0amcp-contain: grant /:rw' taken",
                Main.indentedLines("name 'a\nmcp-contain: grant /:rw' taken"), "a forged top-level line stays inline");
        org.junit.jupiter.api.Assertions.assertEquals("x\\x1b[2J\\x0d", Main.indentedLines("x\u001b[2J\r"));
    }
}
