package dev.mcpcontain.platform.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinNT;
import dev.mcpcontain.launch.ContainedProcess;
import dev.mcpcontain.platform.windows.jna.JnaWin32;
import dev.mcpcontain.policy.ContainmentPolicy;
import dev.mcpcontain.policy.HostEnvironment;
import dev.mcpcontain.policy.PathRule;
import dev.mcpcontain.policy.ResourceLimits;
import dev.mcpcontain.profile.Access;
import dev.mcpcontain.profile.Profile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Real containment on a real Windows machine: skipped (and reported skipped) everywhere else. Each probe is a
 * {@code cmd.exe} child started through the backend exactly as {@code run} starts a server; every negative probe
 * has a positive control so that a probe failing for the wrong reason (cmd missing, bad quoting) cannot pass.
 */
@EnabledOnOs(OS.WINDOWS)
class ContainmentOnWindowsTest {

    private final String systemRoot = System.getenv().getOrDefault("SystemRoot", "C:\\Windows");
    private final String cmd = systemRoot + "\\System32\\cmd.exe";
    private Path work;
    private Path granted;
    private Path notGranted;
    private HostEnvironment host;
    private final List<ContainedProcess> started = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        host = HostEnvironment.current();
        // Under the user's profile, where nothing is readable by AppContainers unless granted.
        work = Files.createDirectories(host.home().resolve("mcp-contain-it-" + UUID.randomUUID()));
        granted = Files.createDirectories(work.resolve("granted"));
        notGranted = Files.createDirectories(work.resolve("not-granted"));
    }

    @AfterEach
    void tearDown() throws IOException {
        started.forEach(ContainedProcess::close);
        new WindowsSetup(host).revokeGrants(Optional.of(serverId()));
        try (var walk = Files.walk(work)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private String serverId() {
        return "it-" + work.getFileName().toString().substring(14, 22);
    }

    private ContainmentPolicy policy(Profile.Isolation isolation, Profile.Network network, String... script) {
        List<String> command = new ArrayList<>(List.of(cmd, "/d", "/c"));
        command.add(String.join(" ", script));
        Map<String, String> env = new TreeMap<>();
        for (String name : List.of("SystemRoot", "SystemDrive", "windir", "PATH", "PATHEXT", "COMSPEC")) {
            Optional.ofNullable(System.getenv(name)).ifPresent(v -> env.put(name.toUpperCase(java.util.Locale.ROOT), v));
        }
        Path home = host.dataDirectory().resolve("homes").resolve(serverId());
        List<PathRule> paths = List.of(
                new PathRule(granted, Access.READ_WRITE, PathRule.Origin.GRANT, "test grant"),
                new PathRule(home, Access.READ_WRITE, PathRule.Origin.AGENT_HOME, "home"));
        return new ContainmentPolicy(serverId(), "it", command, granted, env, Set.of(), paths, isolation, network,
                new ResourceLimits(1L << 30, 16, OptionalDouble.empty(), OptionalInt.empty(), 4096, 1L << 30, 1L << 20),
                home, "mcp-agent-it-none", List.of(), List.of());
    }

    private ContainedProcess start(ContainmentPolicy policy) throws IOException {
        WindowsBackend backend = new WindowsBackend(host);
        WindowsLaunchPlan plan = backend.plan(policy);
        backend.prepare(plan);
        ContainedProcess process = backend.start(plan, false);
        started.add(process);
        return process;
    }

    record Result(int exitCode, String stdout, String stderr) {}

    private Result run(ContainmentPolicy policy) throws Exception {
        ContainedProcess process = start(policy);
        process.stdin().close();
        CompletableFuture<String> out = drain(process.stdout());
        CompletableFuture<String> err = drain(process.stderr());
        int code = process.waitFor(Duration.ofSeconds(60));
        assertTrue(code != -1, "probe did not finish");
        return new Result(code, out.get(), err.get());
    }

    private static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                in.transferTo(bytes);
                return bytes.toString(StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "read failed: " + e;
            }
        });
    }

    @Test
    void writesInsideTheGrantAndNowhereElse() throws Exception {
        Result inside = run(policy(Profile.Isolation.FULL, Profile.Network.NONE,
                "echo probe>\"" + granted.resolve("inside.txt") + "\""));
        assertEquals(0, inside.exitCode(), inside.toString());
        assertTrue(Files.exists(granted.resolve("inside.txt")), "positive control: the grant is writable");

        Result outside = run(policy(Profile.Isolation.FULL, Profile.Network.NONE,
                "echo probe>\"" + notGranted.resolve("outside.txt") + "\""));
        assertFalse(Files.exists(notGranted.resolve("outside.txt")));
        assertTrue(outside.stderr().contains("denied"), "refused for the right reason: " + outside);
    }

    @Test
    void serverEchoesItsStdinThroughThePipes() throws Exception {
        ContainedProcess process = start(policy(Profile.Isolation.FULL, Profile.Network.NONE, "set /p line=& call echo got %line%"));
        process.stdin().write("hello\r\n".getBytes(StandardCharsets.US_ASCII));
        process.stdin().close();
        String out = drain(process.stdout()).get();
        assertEquals(0, process.waitFor(Duration.ofSeconds(30)));
        assertTrue(out.contains("got hello"), out);
    }

    @Test
    void childTokenIsAnAppContainerAtLowIntegrity() throws Exception {
        ContainedProcess process = start(policy(Profile.Isolation.FULL, Profile.Network.NONE, "set /p wait="));
        JnaWin32 win32 = new JnaWin32();
        WinNT.HANDLE handle = Kernel32.INSTANCE.OpenProcess(0x1000 /* PROCESS_QUERY_LIMITED_INFORMATION */, false,
                (int) process.pid());
        Win32.Handle h = new Win32.Handle(Pointer.nativeValue(handle.getPointer()));
        Win32.Handle token = win32.openProcessToken(h, Win32.TOKEN_QUERY);
        try {
            assertTrue(win32.tokenIsAppContainer(token));
            assertEquals(Optional.of(CapabilitySids.appContainer(AppContainerNames.forServer(serverId()))),
                    win32.tokenAppContainerSid(token));
            assertTrue(win32.tokenIntegrityLevel(token).rid() <= 0x1000);
            assertEquals(List.of(), win32.tokenCapabilities(token), "network none: no capability at all");
        } finally {
            win32.closeHandle(token);
            win32.closeHandle(h);
        }
    }

    @Test
    void networkIsOffWithoutTheCapabilityAndOnWithIt() throws Exception {
        String probe = "curl.exe -s -o NUL -m 10 https://www.microsoft.com";
        assumeTrue(Files.exists(Path.of(systemRoot, "System32", "curl.exe")), "curl.exe ships with Windows 10 1803+");
        Result control = run(policy(Profile.Isolation.FULL, Profile.Network.HOST, probe));
        assumeTrue(control.exitCode() == 0, "no Internet on this machine: positive control failed " + control);
        Result off = run(policy(Profile.Isolation.FULL, Profile.Network.NONE, probe));
        // curl: 6 = could not resolve host, 7 = could not connect; anything but success or a missing binary.
        assertTrue(off.exitCode() == 6 || off.exitCode() == 7, off.toString());
    }

    @Test
    void grandchildDiesWhenTheServerIsClosed() throws Exception {
        ContainedProcess process = start(policy(Profile.Isolation.FULL, Profile.Network.NONE,
                "start \"\" /b cmd /d /c \"set /p w=\" & set /p w="));
        List<ProcessHandle> tree = new ArrayList<>();
        for (int i = 0; i < 50 && tree.isEmpty(); i++) {
            Thread.sleep(100);
            ProcessHandle.of(process.pid()).ifPresent(p -> p.descendants().forEach(tree::add));
        }
        assertFalse(tree.isEmpty(), "positive control: the grandchild was started");
        process.kill();
        process.close();
        for (ProcessHandle p : tree) {
            p.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertFalse(p.isAlive(), "descendant " + p.pid() + " outlived the job");
        }
    }

    @Test
    void processLimitStopsAForkBomb() throws Exception {
        // 16 processes at most: the 20 background children cannot all start.
        StringBuilder script = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            script.append("start \"\" /b cmd /d /c \"set /p w=\" & ");
        }
        script.append("echo done");
        Result result = run(policy(Profile.Isolation.FULL, Profile.Network.NONE, script.toString()));
        assertTrue(result.stderr().toLowerCase(java.util.Locale.ROOT).contains("quota")
                || result.stderr().toLowerCase(java.util.Locale.ROOT).contains("not enough"), result.toString());
    }
}
