package dev.mcpcontain.it;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the real npm servers are (installed by scripts/install-test-servers into target/mcp-servers) and how to
 * run the launcher from this checkout. With CI=true anything missing fails the test instead of skipping it.
 */
final class TestServers {

    static final Path ROOT = Path.of(System.getProperty("mcp.contain.home", ".")).toAbsolutePath().normalize();

    private TestServers() {}

    static Path server(String name) {
        Path entry = ROOT.resolve("target/mcp-servers/node_modules/@modelcontextprotocol").resolve(name).resolve("dist/index.js");
        require(Files.isRegularFile(entry), entry + " is missing: run scripts/install-test-servers");
        return entry;
    }

    static Path launcher() {
        Path script = ROOT.resolve("scripts/mcp-contain");
        require(Files.isExecutable(script) && Files.isDirectory(ROOT.resolve("target/lib")),
                "build first: mvn package (scripts/mcp-contain needs target/classes and target/lib)");
        return script;
    }

    static void require(boolean condition, String what) {
        if (condition) {
            return;
        }
        if ("true".equals(System.getenv("CI"))) {
            fail(what);
        }
        assumeTrue(false, what);
    }
}
