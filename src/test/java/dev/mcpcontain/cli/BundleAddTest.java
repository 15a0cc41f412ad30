package dev.mcpcontain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcpcontain.bundle.CraftedZip;
import dev.mcpcontain.testing.McpClients;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code add BUNDLE.mcpb} in a child JVM: what reaches the store before the bundle is checked. */
class BundleAddTest {

    @TempDir
    Path temp;

    private record Result(int exit, String out, String err) {}

    private Result run(String... args) throws Exception {
        List<String> command = new ArrayList<>(McpClients.java(Main.class.getName(), List.of(args)));
        ProcessBuilder builder = new ProcessBuilder(command).directory(temp.toFile());
        builder.environment().put(dev.mcpcontain.policy.HostEnvironment.STATE_DIR_VARIABLE,
                temp.resolve("state").toString());
        builder.environment().put("MCP_CONTAIN_SECRETS", "file");
        Path out = temp.resolve("out.txt");
        Path err = temp.resolve("err.txt");
        Process p = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /**
     * A sparse bundle of 4 GiB costs its maker no disk; copied into the store it would fill it. Refused before the
     * copy, nothing left in the store; a small bundle (positive control) is added.
     */
    @Test
    void aBundleLargerThanTheUnpackerAcceptsIsRefusedBeforeItIsCopied() throws Exception {
        Path sparse = temp.resolve("huge.mcpb");
        try (RandomAccessFile file = new RandomAccessFile(sparse.toFile(), "rw")) {
            file.setLength(4L << 30);
        }
        Result huge = run("add", sparse.toString(), "--name", "huge");
        assertEquals(125, huge.exit(), huge.err());
        assertEquals("mcp-contain: " + sparse + ": 4294967296 bytes, more than a bundle may be (1207959552: the"
                + " unpacked limit plus room for the zip's directory and a signature); nothing was copied\n", huge.err());
        assertEquals("", huge.out());
        try (Stream<Path> files = Files.walk(temp)) {
            assertEquals(List.of(sparse), files.filter(p -> p.getFileName().toString().endsWith(".mcpb")).toList(),
                    "no copy in the store");
        }

        Path small = Files.write(temp.resolve("notes.mcpb"), new CraftedZip()
                .file("manifest.json", "{\"manifest_version\":\"0.3\",\"name\":\"notes\",\"version\":\"1.0.0\","
                        + "\"description\":\"d\",\"author\":{\"name\":\"a\"},\"server\":{\"type\":\"node\","
                        + "\"entry_point\":\"server/index.js\",\"mcp_config\":{\"command\":\"node\","
                        + "\"args\":[\"${__dirname}/server/index.js\"]}}}")
                .file("server/index.js", "// a server\n").bytes());
        Result added = run("add", small.toString(), "--name", "notes");
        assertEquals(0, added.exit(), added.err());
        assertEquals("", added.out());
        assertTrue(added.err().contains("registered 'notes'"), added.err());
    }
}
