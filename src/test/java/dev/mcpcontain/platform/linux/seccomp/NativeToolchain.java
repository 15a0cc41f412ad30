package dev.mcpcontain.platform.linux.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Compiles and runs the throwaway C programs the live tests use. */
final class NativeToolchain {

    record Result(int exitCode, String stdout, String stderr) {}

    private NativeToolchain() {}

    static boolean isLinuxX86_64() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        return os.startsWith("linux") && (arch.equals("amd64") || arch.equals("x86_64"));
    }

    /**
     * The path of gcc. Without it the test is skipped, except on CI (CI=true), where a missing compiler would
     * otherwise turn the only proof that the kernel accepts our bytes into a silent skip.
     */
    static Path requireGcc() {
        Optional<Path> gcc = findOnPath("gcc");
        if (gcc.isEmpty() && "true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("gcc not found on PATH and CI=true: the live seccomp tests must run in CI (apt-get install gcc)");
        }
        assumeTrue(gcc.isPresent(), "gcc not found on PATH: live seccomp tests need it to build their C loader");
        return gcc.get();
    }

    /** Copies a C source from the test resources into {@code dir} and builds it; fails with gcc's output. */
    static Path compile(Path gcc, Path dir, String resource, String... extraFlags) throws Exception {
        Path source = dir.resolve(resource);
        try (InputStream in = NativeToolchain.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("test resource missing: " + resource);
            }
            Files.copy(in, source);
        }
        Path binary = dir.resolve(resource.replaceFirst("\\.c$", ""));
        List<String> command = new ArrayList<>(List.of(gcc.toString(), "-std=gnu11", "-O2", "-Wall", "-Wextra",
                "-Werror", "-o", binary.toString(), source.toString()));
        command.addAll(List.of(extraFlags));
        Result result = run(command);
        assertEquals(0, result.exitCode(), () -> "gcc failed for " + resource + ":\n" + result.stderr());
        return binary;
    }

    static Result run(List<String> command) throws IOException, InterruptedException {
        // Output goes to files so that a child that hangs cannot block us in a read: the timeout always applies.
        Path stdout = Files.createTempFile("native-out", ".txt");
        Path stderr = Files.createTempFile("native-err", ".txt");
        try {
            Process process = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile())
                    .start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("timed out: " + command);
            }
            return new Result(process.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8).strip(),
                    Files.readString(stderr, StandardCharsets.UTF_8).strip());
        } finally {
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
        }
    }

    private static Optional<Path> findOnPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
