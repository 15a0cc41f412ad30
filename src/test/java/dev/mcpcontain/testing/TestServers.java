package dev.mcpcontain.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real npm MCP servers the tests run, installed by {@code scripts/install-test-servers} into
 * {@code target/mcp-servers}. A missing install is attempted once; if that fails the tests are skipped locally and
 * FAIL under {@code CI=true}, so a CI run can never pass without having run them.
 */
public final class TestServers {

    public static final Path PROJECT = projectRoot();
    public static final Path PREFIX = PROJECT.resolve("target/mcp-servers");
    private static Boolean installed;

    private TestServers() {}

    public static Path filesystem() {
        return script("server-filesystem");
    }

    public static Path everything() {
        return script("server-everything");
    }

    public static Path memory() {
        return script("server-memory");
    }

    /**
     * The rug-pull fixture server (src/test/resources/servers/rug-pull.mjs), copied next to the installed
     * node_modules so that it resolves the real TypeScript SDK from there.
     */
    public static Path rugPull() {
        require();
        Path target = PREFIX.resolve("rug-pull.mjs");
        try (var in = TestServers.class.getResourceAsStream("/servers/rug-pull.mjs")) {
            Files.write(target, in.readAllBytes());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return target;
    }

    public static Path packageDirectory(String server) {
        require();
        return PREFIX.resolve("node_modules/@modelcontextprotocol/" + server);
    }

    public static String node() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path candidate = Path.of(dir, "node");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return "node";
    }

    private static Path script(String server) {
        return packageDirectory(server).resolve("dist/index.js");
    }

    private static synchronized void require() {
        if (installed == null) {
            installed = present() || install();
        }
        if (!installed) {
            String message = "the npm test servers are not installed and could not be installed:"
                    + " run scripts/install-test-servers";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(message);
            }
            assumeTrue(false, message);
        }
    }

    private static boolean present() {
        return List.of("server-filesystem", "server-everything", "server-memory").stream()
                .allMatch(s -> Files.isRegularFile(PREFIX.resolve("node_modules/@modelcontextprotocol/" + s + "/dist/index.js")))
                && List.of("server", "client").stream()
                .allMatch(s -> Files.isRegularFile(PREFIX.resolve("node_modules/@modelcontextprotocol/" + s + "/dist/index.mjs")));
    }

    /**
     * A script of src/test/resources/sdk2 (the TypeScript SDK 2.x era server and client), copied into the installed
     * node_modules so that it resolves the SDK from there and contained runs grant it with node_modules.
     */
    public static Path sdk2(String script) {
        require();
        Path target = PREFIX.resolve("node_modules/mcp-contain-sdk2/" + script);
        try (var in = TestServers.class.getResourceAsStream("/sdk2/" + script)) {
            Files.createDirectories(target.getParent());
            Files.write(target, in.readAllBytes());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return target;
    }

    private static boolean install() {
        try {
            // Never the test JVM's stdin: under Surefire it is the fork's command channel, and npm/node set
            // O_NONBLOCK on an inherited stdin, after which the fork dies with "std/in stream corrupted" (EAGAIN).
            Process p = new ProcessBuilder(PROJECT.resolve("scripts/install-test-servers").toString(), PREFIX.toString())
                    .inheritIO().redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            return p.waitFor(5, TimeUnit.MINUTES) && p.exitValue() == 0 && present();
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static Path projectRoot() {
        String configured = System.getProperty("mcp.contain.home");
        if (configured != null) {
            return Path.of(configured).toAbsolutePath();
        }
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("pom.xml"))) {
            dir = dir.getParent();
        }
        return dir == null ? Path.of("").toAbsolutePath() : dir;
    }
}
