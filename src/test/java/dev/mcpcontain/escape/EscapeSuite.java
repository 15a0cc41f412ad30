package dev.mcpcontain.escape;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;

/**
 * The shared fixture of the escape suite: a staged installation of the launcher, the identities to test, and
 * helpers to launch contained probes and unconfined positive controls.
 *
 * <p>The build tree may live where an unprivileged user cannot read it (CI clones under /root), so the launcher is
 * staged as {@code scripts/install} would install it, into a world-readable temporary prefix:
 * <pre>
 *   /tmp/mcp-contain-it-XXXX/            0755
 *     bin/mcp-contain                    the launcher script, @LIBDIR@ replaced
 *     lib/mcp-contain/mcp-contain.jar    target/mcp-contain-VERSION.jar
 *     lib/mcp-contain/lib/*.jar          target/lib
 *     lib/mcp-contain/mcp-contain-helper root-owned 0755 (a root launcher refuses anything else)
 *     probe/bin/mcp-contain-probe        its own prefix: the launcher exposes a program's install root read-only
 *     work/KEY/...                       per identity, owned by it: grants and "outside" folders
 *     logs/                              stdout/stderr of every process the suite starts
 * </pre>
 *
 * <p>Where a requirement is missing (not Linux, no test user, ...) the suite skips with the reason, except with
 * {@code CI=true}, where it fails: CI must never go green by skipping the escape tests.
 */
final class EscapeSuite {

    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(90);
    static final String DEFAULT_PROFILE = "strict";

    private static EscapeSuite instance;
    private static Throwable setupFailure;

    private final Path staging;
    private final Path launcher;
    private final Path probe;
    private final Path helper;
    private final Path logs;
    private final String javaBin;
    private final List<Identity> identities;
    private final boolean suiteIsRoot;
    private final AtomicInteger counter = new AtomicInteger();
    private final List<Runnable> cleanups = new CopyOnWriteArrayList<>();
    private final List<String> serverNames = new CopyOnWriteArrayList<>();
    private final String runTag;

    /** The suite for this JVM, set up on first use; a failed setup fails (or, outside CI, skips) every test. */
    static synchronized EscapeSuite get() {
        requireThat(System.getProperty("os.name", "").equals("Linux"),
                "the escape suite needs Linux (os.name=" + System.getProperty("os.name") + ")");
        if (setupFailure != null) {
            fail("escape-suite setup failed earlier: " + setupFailure, setupFailure);
        }
        if (instance == null) {
            try {
                instance = new EscapeSuite();
            } catch (IOException e) {
                setupFailure = e;
                throw new UncheckedIOException(e);
            } catch (RuntimeException | Error e) {
                setupFailure = e;
                throw e;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(instance::cleanUp, "escape-suite-cleanup"));
        }
        return instance;
    }

    /** Skips with REASON, or fails with it under CI=true. */
    static void requireThat(boolean condition, String reason) {
        if (condition) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("CI=true and a requirement of the escape suite is missing: " + reason);
        }
        Assumptions.abort(reason + " (set CI=true to make this a failure)");
    }

    private EscapeSuite() throws IOException {
        Path project = Path.of(System.getProperty("mcp.contain.home", System.getProperty("user.dir")));
        Path target = project.resolve("target");
        Path builtHelper = Path.of(System.getProperty("mcp.contain.helper", target.resolve("native/mcp-contain-helper").toString()));
        Path builtProbe = Path.of(System.getProperty("mcp.contain.probe", target.resolve("native/mcp-contain-probe").toString()));
        Path jar = findJar(target);
        Path lib = target.resolve("lib");
        for (Path needed : List.of(builtHelper, builtProbe, jar, lib, project.resolve("scripts/mcp-contain"))) {
            if (!Files.exists(needed)) {
                throw new IllegalStateException(needed + " is missing: run 'mvn -Pit verify' (package builds it)");
            }
        }
        suiteIsRoot = HostProcesses.uid() == 0;
        runTag = HexFormat.of().formatHex(random(3));
        javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();

        staging = Files.createTempDirectory("mcp-contain-it-");
        cleanups.add(() -> deleteTree(staging));
        chmod(staging, "rwxr-xr-x");
        Path libdir = mkdirs(staging.resolve("lib/mcp-contain/lib"), "rwxr-xr-x").getParent();
        chmod(staging.resolve("lib"), "rwxr-xr-x");
        copy(jar, libdir.resolve("mcp-contain.jar"), "rw-r--r--");
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(lib, "*.jar")) {
            for (Path dep : jars) {
                copy(dep, libdir.resolve("lib").resolve(dep.getFileName()), "rw-r--r--");
            }
        }
        helper = copy(builtHelper, libdir.resolve("mcp-contain-helper"), "rwxr-xr-x");
        mkdirs(staging.resolve("bin"), "rwxr-xr-x");
        String script = Files.readString(project.resolve("scripts/mcp-contain")).replace("@LIBDIR@", libdir.toString());
        launcher = staging.resolve("bin/mcp-contain");
        Files.writeString(launcher, script);
        chmod(launcher, "rwxr-xr-x");
        mkdirs(staging.resolve("probe/bin"), "rwxr-xr-x");
        probe = copy(builtProbe, staging.resolve("probe/bin/mcp-contain-probe"), "rwxr-xr-x");
        logs = mkdirs(staging.resolve("logs"), "rwx------");
        mkdirs(staging.resolve("work"), "rwxr-xr-x");

        identities = List.copyOf(discoverIdentities());
        createClassDataArchive(libdir);
    }

    private static Path findJar(Path target) throws IOException {
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(target, "mcp-contain-*.jar")) {
            for (Path jar : jars) {
                String name = jar.getFileName().toString();
                if (!name.endsWith("-sources.jar") && !name.endsWith("-tests.jar") && !name.endsWith("-javadoc.jar")) {
                    return jar;
                }
            }
        }
        return target.resolve("mcp-contain-VERSION.jar");
    }

    private List<Identity> discoverIdentities() {
        List<Identity> list = new ArrayList<>();
        if (suiteIsRoot) {
            Identity.Account root = HostProcesses.account("root").orElseThrow();
            String agentName = "mcp-agent";
            Identity.Account agent = HostProcesses.account(agentName).orElseThrow(() -> new IllegalStateException(
                    "the agent account " + agentName + " does not exist: run scripts/install as root, or"
                            + " useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "
                            + agentName));
            list.add(new Identity("root", root, root.home(), agent, List.of(),
                    List.of("runuser", "-u", agent.name(), "--")));
            String userName = Optional.ofNullable(System.getenv("MCP_CONTAIN_TEST_USER")).filter(s -> !s.isBlank())
                    .orElse("mcp-test");
            Identity.Account user = HostProcesses.account(userName).orElseThrow(() -> new IllegalStateException(
                    "the unprivileged test user " + userName + " does not exist: useradd --system --create-home"
                            + " --shell /usr/sbin/nologin " + userName
                            + " (or name another one in MCP_CONTAIN_TEST_USER)"));
            if (user.uid() == 0) {
                throw new IllegalStateException("MCP_CONTAIN_TEST_USER=" + userName + " is root");
            }
            List<String> as = List.of("runuser", "-u", user.name(), "--");
            list.add(new Identity("user", user, user.home(), user, as, as));
            // The user's launcher JVM must be able to run this JDK (CI may install it under /root).
            RunResult version = exec("java -version as " + userName, withPrefix(as, List.of(javaBin, "-version")),
                    Map.of(), Duration.ofSeconds(60));
            if (version.exitCode() != 0) {
                throw new IllegalStateException("the test user " + userName + " cannot run " + javaBin
                        + " (install the JDK where every user can read it):\n" + version);
            }
        } else {
            Identity.Account self = HostProcesses.account(System.getProperty("user.name"))
                    .orElseThrow(() -> new IllegalStateException("cannot look up the current user"));
            list.add(new Identity("self", self, self.home(), self, List.of(), List.of()));
        }
        for (Identity id : list) {
            Path dir = mkdirs(staging.resolve("work").resolve(id.key()), "rwx------");
            chown(dir, id.user());
        }
        return list;
    }

    /** As scripts/install does: the launcher JVM starts faster with a class-data archive (optional). */
    private void createClassDataArchive(Path libdir) {
        Path archive = libdir.resolve("mcp-contain.jsa");
        RunResult result = exec("class-data archive", List.of(javaBin, "-XX:ArchiveClassesAtExit=" + archive,
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", libdir.resolve("mcp-contain.jar") + ":" + libdir + "/lib/*",
                "dev.mcpcontain.cli.Main", "run", "--dry-run", "--profile", "strict", "--", "/bin/true"), Map.of(),
                Duration.ofSeconds(120));
        if (result.exitCode() == 0 && Files.exists(archive)) {
            chmod(archive, "rw-r--r--");
        }
    }

    List<Identity> identities() {
        return identities;
    }

    boolean suiteIsRoot() {
        return suiteIsRoot;
    }

    Path launcher() {
        return launcher;
    }

    Path probe() {
        return probe;
    }

    Path helper() {
        return helper;
    }

    Path staging() {
        return staging;
    }

    /** A unique server name (agent home, cgroup): runs never share state. Removed with the suite. */
    String newServerName(String purpose) {
        String slug = purpose.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-+|-+$)", "");
        String name = "it-" + runTag + "-" + counter.incrementAndGet() + "-" + (slug.length() > 30 ? slug.substring(0, 30) : slug);
        serverNames.add(name);
        return name;
    }

    /** A server name the launcher derived (an unnamed launch): its agent home and cgroups are removed at the end too. */
    void ownServerName(String name) {
        serverNames.add(name);
    }

    /** A fresh directory for ID, owned by its launching user, mode 0700 (grants and "outside" data live here). */
    Path workDir(Identity id, String purpose) {
        Path dir = staging.resolve("work").resolve(id.key()).resolve(purpose + "-" + counter.incrementAndGet());
        mkdirs(dir, "rwx------");
        chown(dir, id.user());
        return dir;
    }

    /** A directory (created with its parents) owned by ID's launching user. */
    Path ownedDir(Identity id, Path dir, String mode) {
        mkdirs(dir, mode);
        chown(dir, id.user());
        return dir;
    }

    /** A file with TEXT owned by ID's launching user, mode 0644. */
    Path ownedFile(Identity id, Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        chmod(file, "rw-r--r--");
        chown(file, id.user());
        return file;
    }

    /**
     * A profile file extending the default profile that accepts every open weakness of landlock isolation, for
     * tests that attack that mode (the launch is refused without it). Written once per identity, owned by it.
     */
    synchronized Path landlockAcceptingProfile(Identity id) {
        Path file = staging.resolve("work").resolve(id.key()).resolve("landlock-accepting.json");
        if (!Files.exists(file)) {
            ownedFile(id, file, "{\"extends\": \"" + DEFAULT_PROFILE + "\", \"accept\": ["
                    + String.join(", ", dev.mcpcontain.policy.LandlockWeaknesses.acceptable().stream()
                            .map(n -> "\"" + n + "\"").toList()) + "]}\n");
        }
        return file;
    }

    Launch launch(Identity id, String purpose) {
        return new Launch(this, id, newServerName(purpose));
    }

    /** The probe run directly on the host as the uid the server would have: what the containment takes away. */
    RunResult control(Identity id, Steps steps) {
        return controlAs(id.serverAs(), id.serverUser().name(), steps, false);
    }

    /** As {@link #control}, inside a private mount namespace (own user namespace when not root): for mount-family attempts. */
    RunResult controlInPrivateNamespaces(Identity id, Steps steps) {
        return controlAs(id.serverAs(), id.serverUser().name(), steps, true);
    }

    /** The probe run on the host as the user who launches: the owner of the files a grant would expose. */
    RunResult controlAsLauncher(Identity id, Steps steps) {
        return controlAs(id.launchAs(), id.user().name(), steps, false);
    }

    /** The probe run on the host as root (only when the suite is root): what the kernel allows with every privilege. */
    RunResult controlAsRoot(Steps steps) {
        if (!suiteIsRoot) {
            throw new IllegalStateException("controlAsRoot needs a root suite");
        }
        return controlAs(List.of(), "root", steps, false);
    }

    private RunResult controlAs(List<String> prefix, String who, Steps steps, boolean privateNs) {
        List<String> command = new ArrayList<>(prefix);
        command.add(probe.toString());
        if (privateNs) {
            command.add("--private-ns");
        }
        command.addAll(steps.arguments());
        return exec("unconfined control as " + who + (privateNs ? " (private namespaces)" : ""), command, Map.of(),
                DEFAULT_TIMEOUT);
    }

    /** Runs COMMAND to completion in the staging directory with a clean environment plus EXTRA_ENV. */
    RunResult exec(String description, List<String> command, Map<String, String> extraEnv, Duration timeout) {
        try (Running running = start(description, command, extraEnv)) {
            return running.await(timeout);
        }
    }

    Running start(String description, List<String> command, Map<String, String> extraEnv) {
        int n = counter.incrementAndGet();
        Path out = logs.resolve(n + ".out");
        Path err = logs.resolve(n + ".err");
        ProcessBuilder builder = new ProcessBuilder(command).directory(staging.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().clear();
        builder.environment().putAll(cleanEnvironment());
        builder.environment().putAll(extraEnv);
        try {
            return new Running(description + ": " + String.join(" ", command), builder.start(), out, err, helper);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    private Map<String, String> cleanEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        env.put("LANG", "C.UTF-8");
        env.put("MCP_CONTAIN_JAVA", javaBin);
        if (suiteIsRoot) {
            env.put("HOME", "/root");
        } else {
            env.put("HOME", System.getProperty("user.home"));
        }
        return env;
    }

    private static List<String> withPrefix(List<String> prefix, List<String> command) {
        List<String> full = new ArrayList<>(prefix);
        full.addAll(command);
        return full;
    }

    /** Runs on JVM exit: leftover processes of this suite (by the staged binaries' paths), agent homes, staging. */
    void onCleanup(Runnable cleanup) {
        cleanups.add(0, cleanup);
    }

    private void cleanUp() {
        // SIGTERM first: a supervisor that ends normally removes its cgroups.
        HostProcesses.running(helper).forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy));
        for (int i = 0; i < 30 && !HostProcesses.running(helper).isEmpty(); i++) {
            Running.sleep(100);
        }
        HostProcesses.killAllRunning(helper);
        HostProcesses.killAllRunning(probe);
        // Whatever a SIGKILL left behind (tests kill the launcher on purpose): empty per-run cgroups of this suite.
        for (String name : serverNames) {
            for (Path dir : LifecycleIT.cgroupDirs(name)) {
                try {
                    if (Files.readString(dir.resolve("cgroup.procs")).isBlank()) {
                        Files.delete(dir);
                    }
                } catch (IOException e) {
                    System.err.println("escape suite: cannot remove " + dir + ": " + e);
                }
            }
        }
        for (Identity id : identities) {
            Path homes = id.root() ? Path.of("/var/lib/mcp-contain/homes") : id.home().resolve(".local/share/mcp-contain/homes");
            for (String name : serverNames) {
                deleteTree(homes.resolve(name));
            }
        }
        for (Runnable cleanup : cleanups) {
            try {
                cleanup.run();
            } catch (RuntimeException e) {
                System.err.println("escape suite: cleanup failed: " + e);
            }
        }
    }

    // --- small file helpers -------------------------------------------------------------------------------------

    static byte[] random(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return b;
    }

    static String randomHex(int bytes) {
        return HexFormat.of().formatHex(random(bytes));
    }

    static Path mkdirs(Path dir, String mode) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        chmod(dir, mode);
        return dir;
    }

    static void chmod(Path path, String mode) {
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(mode));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs COMMAND on the host as the suite's own user (mounts, loop devices, mkfs for a test's setup); fails loudly. */
    static void hostCommand(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed: " + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static void chown(Path path, Identity.Account owner) {
        try {
            if (((Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS)) != owner.uid()) {
                Files.setAttribute(path, "unix:uid", owner.uid(), LinkOption.NOFOLLOW_LINKS);
            }
            if (((Integer) Files.getAttribute(path, "unix:gid", LinkOption.NOFOLLOW_LINKS)) != owner.gid()) {
                Files.setAttribute(path, "unix:gid", owner.gid(), LinkOption.NOFOLLOW_LINKS);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path copy(Path from, Path to, String mode) throws IOException {
        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
        chmod(to, mode);
        return to;
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            System.err.println("escape suite: cannot delete " + root + ": " + e);
        }
    }

    static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
