package dev.mcpcontain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcpcontain.testing.McpClients;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sensitive user_config value reaches the server in a variable the manifest names as it likes ({@code API}, no
 * secret-looking name): {@code run --dry-run NAME} must not print it, neither in the environment nor in the
 * arguments. A plain option's value (positive control) is printed.
 */
class SensitiveDryRunTest {

    @TempDir
    Path temp;

    private record Result(int exit, String out, String err) {}

    private Result run(String stdin, String... args) throws Exception {
        List<String> command = new ArrayList<>(McpClients.java(Main.class.getName(), List.of(args)));
        ProcessBuilder builder = new ProcessBuilder(command).directory(temp.toFile());
        builder.environment().put(dev.mcpcontain.policy.HostEnvironment.STATE_DIR_VARIABLE,
                temp.resolve("state").toString());
        builder.environment().put("MCP_CONTAIN_SECRETS", "file");
        Path in = Files.writeString(temp.resolve("in.txt"), stdin);
        Path out = temp.resolve("out.txt");
        Path err = temp.resolve("err.txt");
        Process p = builder.redirectInput(in.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile())
                .start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void aSensitiveValueUnderAnyVariableNameIsMaskedByDryRun() throws Exception {
        Path bundle = Files.createDirectories(temp.resolve("bundle"));
        Files.writeString(bundle.resolve("manifest.json"), "{\"manifest_version\":\"0.3\",\"name\":\"sec\","
                + "\"version\":\"1.0.0\",\"description\":\"d\",\"author\":{\"name\":\"a\"},\"server\":{\"type\":"
                + "\"binary\",\"entry_point\":\"/bin/cat\",\"mcp_config\":{\"command\":\"/bin/cat\",\"args\":["
                + "\"--key=${user_config.api_key}\",\"--region=${user_config.region}\"],\"env\":{\"API\":"
                + "\"${user_config.api_key}\",\"REGION\":\"${user_config.region}\"}}},\"user_config\":{\"api_key\":"
                + "{\"type\":\"string\",\"title\":\"k\",\"description\":\"k\",\"sensitive\":true,\"required\":true},"
                + "\"region\":{\"type\":\"string\",\"title\":\"r\",\"description\":\"r\",\"required\":true}}}");
        Result added = run("SUPERSECRET42\n", "add", bundle.resolve("manifest.json").toString(), "--name", "sec",
                "--user-config", "api_key=-", "--user-config", "region=eu-west-9");
        assertEquals(0, added.exit(), added.err());

        Result dry = run("", "run", "--dry-run", "sec");
        assertEquals(0, dry.exit(), dry.err());
        assertFalse(dry.out().contains("SUPERSECRET42"), dry.out());
        assertFalse(dry.err().contains("SUPERSECRET42"), dry.err());
        assertTrue(dry.out().contains("\n  API=<sensitive>\n"), dry.out());
        assertTrue(dry.out().contains("--key=<sensitive>"), dry.out());
        assertTrue(dry.out().contains("\n  REGION=eu-west-9\n"), dry.out());
        assertTrue(dry.out().contains("--region=eu-west-9"), dry.out());
    }
}
