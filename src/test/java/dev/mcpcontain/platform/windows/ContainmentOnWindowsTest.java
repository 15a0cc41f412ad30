package dev.mcpcontain.platform.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinNT;
import dev.mcpcontain.launch.ContainedProcess;
import dev.mcpcontain.platform.windows.account.AgentAccountStore;
import dev.mcpcontain.platform.windows.account.WindowsSetup;
import dev.mcpcontain.platform.windows.acl.AceSpec;
import dev.mcpcontain.platform.windows.acl.AclLedger;
import dev.mcpcontain.platform.windows.jna.JnaWin32;
import dev.mcpcontain.platform.windows.plan.WindowsLaunchPlan;
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
 * The tests marked "production stdio" start a separate launcher JVM ({@code mcp-contain run}) whose own stdio are
 * this test's pipes, so the server gets inherited stdio exactly as under an MCP client.
 *
 * <p>NEVER RUN YET: no Windows machine was available when these were written (see README, Windows).
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
        // A writable grant on a user folder needs the Low label, which needs consent (issue 13, defect 2).
        new WindowsSetup(host).allowLowLabel(granted);
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
        return policy(isolation, network, command);
    }

    private ContainmentPolicy policy(Profile.Isolation isolation, Profile.Network network, List<String> command) {
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
            WindowsLaunchPlan plan = new WindowsBackend(host).plan(policy(Profile.Isolation.FULL, Profile.Network.NONE,
                    "set /p wait="));
            assertEquals(plan.appContainer().map(WindowsLaunchPlan.AppContainer::sid), win32.tokenAppContainerSid(token));
            assertEquals(win32.processSessionId(h), win32.processSessionId(win32.currentProcess()),
                    "no separate session: the server runs in the user's interactive session (README)");
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

    // Issue 13 additions.

    /** Revocation is read back from the objects' ACLs and labels, not taken from the ledger. */
    @Test
    void revocationIsReadBackFromTheAcls() throws Exception {
        ContainmentPolicy policy = policy(Profile.Isolation.FULL, Profile.Network.NONE, "echo x>\"" + granted.resolve("a.txt") + "\"");
        WindowsLaunchPlan plan = new WindowsBackend(host).plan(policy);
        Result result = run(policy);
        assertEquals(0, result.exitCode(), result.toString());
        JnaWin32 win32 = new JnaWin32();
        AceSpec grant = plan.folderAccess().stream().filter(a -> a.path().equals(granted.toString()) && !a.isLabel())
                .findFirst().orElseThrow();
        assertTrue(win32.hasAce(grant), "positive control: the grant is on the folder");
        assertEquals(Win32.SECURITY_MANDATORY_LOW_RID, win32.mandatoryLabel(granted.toString()));
        new WindowsSetup(host).revokeGrants(Optional.of(serverId()));
        assertFalse(win32.hasAce(grant));
        assertEquals(-1, win32.mandatoryLabel(granted.toString()));
        assertTrue(AclLedger.in(host.dataDirectory()).entries().stream().noneMatch(e -> e.serverId().equals(serverId())));
    }

    /** The server's own home and its TEMP are writable by its Low token (the Low label), nothing else of yours. */
    @Test
    void theLowServerWritesItsTempButNotYourProfile() throws Exception {
        Path temp = host.dataDirectory().resolve("homes").resolve(serverId()).resolve("AppData/Local/Temp");
        Result inside = run(policy(Profile.Isolation.FULL, Profile.Network.NONE, "echo x>\"" + temp.resolve("t.txt") + "\""));
        assertEquals(0, inside.exitCode(), inside.toString());
        Result profile = run(policy(Profile.Isolation.FULL, Profile.Network.NONE,
                "echo x>\"" + host.home().resolve("mcp-contain-it-profile-probe.txt") + "\""));
        assertFalse(Files.exists(host.home().resolve("mcp-contain-it-profile-probe.txt")), profile.toString());
    }

    /** Two configurations of one server id at once: the second launch must not revoke the first one's grant. */
    @Test
    void concurrentConfigurationsKeepTheirOwnGrants() throws Exception {
        Path second = Files.createDirectories(work.resolve("second"));
        ContainedProcess first = start(policy(Profile.Isolation.FULL, Profile.Network.NONE,
                "set /p w=& echo x>\"" + granted.resolve("late.txt") + "\""));
        ContainmentPolicy other = policy(Profile.Isolation.FULL, Profile.Network.NONE, "echo x>\"" + second.resolve("b.txt") + "\"");
        other = new ContainmentPolicy(other.serverId(), other.profileName(), other.command(), other.workingDirectory(),
                other.environment(), other.sensitiveNames(), List.of(new PathRule(second, Access.READ_ONLY,
                PathRule.Origin.GRANT, "other"), other.paths().get(1)), other.isolation(), other.network(), other.limits(),
                other.agentHome(), other.agentUser(), other.toolAllow(), other.toolDeny());
        run(other);
        first.stdin().write("go\r\n".getBytes(StandardCharsets.US_ASCII));
        first.stdin().close();
        assertEquals(0, first.waitFor(Duration.ofSeconds(30)));
        assertTrue(Files.exists(granted.resolve("late.txt")), "the first launch's grant survived the second launch");
    }

    /** The clipboard is per window station: what the server copies never reaches yours. */
    @Test
    void theServersClipboardIsNotYours() throws Exception {
        String marker = "mcp-contain-it-" + UUID.randomUUID();
        Process control = new ProcessBuilder(cmd, "/d", "/c", "echo " + marker + "|clip.exe").start();
        assertEquals(0, control.waitFor());
        assertTrue(userClipboard().contains(marker), "positive control: clip.exe reaches your clipboard");
        String marker2 = marker + "-contained";
        run(policy(Profile.Isolation.FULL, Profile.Network.NONE, "echo " + marker2 + "|clip.exe"));
        assertFalse(userClipboard().contains(marker2));
    }

    private static String userClipboard() throws Exception {
        Process p = new ProcessBuilder("powershell.exe", "-NoProfile", "-Command", "Get-Clipboard").start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return text;
    }

    /** HKCU and Credential Manager are out of reach; the controls run the same commands as you. */
    @Test
    void registryAndCredentialManagerAreOutOfReach() throws Exception {
        String key = "HKCU\\Software\\mcp-contain-it-" + UUID.randomUUID();
        Process control = new ProcessBuilder(cmd, "/d", "/c", "reg add " + key + " /v x /d y /f").start();
        assertEquals(0, control.waitFor(), "positive control: you can write HKCU");
        new ProcessBuilder(cmd, "/d", "/c", "reg delete " + key + " /f").start().waitFor();
        Result write = run(policy(Profile.Isolation.FULL, Profile.Network.NONE, "reg add " + key + " /v x /d y /f"));
        assertTrue(write.exitCode() != 0, write.toString());
        String target = "mcp-contain-it-" + UUID.randomUUID();
        assertEquals(0, new ProcessBuilder(cmd, "/d", "/c", "cmdkey /generic:" + target + " /user:u /pass:p").start().waitFor());
        try {
            Result list = run(policy(Profile.Isolation.FULL, Profile.Network.NONE, "cmdkey /list:" + target));
            assertFalse(list.stdout().contains("User: u"), list.toString());
        } finally {
            new ProcessBuilder(cmd, "/d", "/c", "cmdkey /delete:" + target).start().waitFor();
        }
    }

    /** Loopback is blocked even with network host (AppContainer); so is a LAN address of this machine. */
    @Test
    void loopbackAndLanAreBlocked() throws Exception {
        assumeTrue(Files.exists(Path.of(systemRoot, "System32", "curl.exe")));
        try (java.net.ServerSocket listener = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            CompletableFuture.runAsync(() -> {
                try (var s = listener.accept()) {
                    s.getOutputStream().write("HTTP/1.0 200 OK\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    // closed
                }
            });
            String probe = "curl.exe -s -o NUL -m 5 http://127.0.0.1:" + listener.getLocalPort() + "/";
            Result blocked = run(policy(Profile.Isolation.FULL, Profile.Network.HOST, probe));
            assertTrue(blocked.exitCode() == 7 || blocked.exitCode() == 28, blocked.toString());
        }
    }

    /**
     * A LAN address of this machine is blocked like loopback (AppContainers may not reach the host itself). The
     * listener is this test's, on this machine's own address: nothing leaves the host. The control is the same curl
     * as you.
     */
    @Test
    void aLanAddressOfThisMachineIsBlockedWhileYouReachIt() throws Exception {
        assumeTrue(Files.exists(Path.of(systemRoot, "System32", "curl.exe")));
        java.net.InetAddress lan = java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces()).stream()
                .filter(i -> { try { return i.isUp() && !i.isLoopback(); } catch (java.net.SocketException e) { return false; } })
                .flatMap(i -> java.util.Collections.list(i.getInetAddresses()).stream())
                .filter(a -> a instanceof java.net.Inet4Address && !a.isLinkLocalAddress()).findFirst().orElse(null);
        assumeTrue(lan != null, "this machine has no LAN address");
        try (java.net.ServerSocket listener = new java.net.ServerSocket(0, 50, lan)) {
            CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 2; i++) {
                    try (var s = listener.accept()) {
                        s.getOutputStream().write("HTTP/1.0 200 OK\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            String probe = "curl.exe -s -o NUL -m 5 http://" + lan.getHostAddress() + ":" + listener.getLocalPort() + "/";
            assertEquals(0, new ProcessBuilder(cmd, "/d", "/c", probe).start().waitFor(), "positive control: you reach it");
            Result blocked = run(policy(Profile.Isolation.FULL, Profile.Network.HOST, probe));
            assertTrue(blocked.exitCode() == 7 || blocked.exitCode() == 28, blocked.toString());
        }
    }

    /** A DPAPI blob protected for you cannot be opened by the server; the same command as you opens it. */
    @Test
    void yourDpapiSecretsStayClosed() throws Exception {
        byte[] blob = com.sun.jna.platform.win32.Crypt32Util.cryptProtectData("mcp-contain-it-secret".getBytes(StandardCharsets.UTF_8));
        Path file = granted.resolve("blob.bin");
        Files.write(file, blob);
        String script = "Write-Output started; Add-Type -AssemblyName System.Security; try { $b = [IO.File]::ReadAllBytes('"
                + file + "'); [Text.Encoding]::UTF8.GetString([Security.Cryptography.ProtectedData]::Unprotect($b, $null,"
                + " 'CurrentUser')) } catch { Write-Output denied }";
        String ps = systemRoot + "\\System32\\WindowsPowerShell\\v1.0\\powershell.exe";
        Process control = new ProcessBuilder(ps, "-NoProfile", "-Command", script).start();
        String mine = new String(control.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        control.waitFor();
        assertTrue(mine.contains("mcp-contain-it-secret"), "positive control: you open it: " + mine);
        Result contained = run(policy(Profile.Isolation.FULL, Profile.Network.NONE,
                List.of(ps, "-NoProfile", "-Command", script)));
        assertTrue(contained.stdout().contains("started"), "the probe ran: " + contained);
        assertFalse(contained.stdout().contains("mcp-contain-it-secret"), contained.toString());
    }

    /**
     * Window messages: the server's desktop is its own, so a window on yours cannot be found (FindWindow), let alone
     * sent messages. The control finds it from your desktop with the same command.
     */
    @Test
    void yourWindowsCannotBeFoundFromTheServersDesktop() throws Exception {
        String title = "mcp-contain-it-" + UUID.randomUUID();
        com.sun.jna.platform.win32.WinDef.HWND window = com.sun.jna.platform.win32.User32.INSTANCE.CreateWindowEx(0,
                "STATIC", title, 0, 0, 0, 10, 10, null, null, null, null);
        assertTrue(window != null, "positive control: a window of yours exists");
        try {
            String script = "Write-Output started; Add-Type -Namespace W -Name U -MemberDefinition '[DllImport(\"user32.dll\","
                    + " CharSet=CharSet.Unicode)] public static extern IntPtr FindWindow(string c, string t);';"
                    + " if ([W.U]::FindWindow($null, '" + title + "') -ne [IntPtr]::Zero) { 'found' } else { 'absent' }";
            String ps = systemRoot + "\\System32\\WindowsPowerShell\\v1.0\\powershell.exe";
            Process control = new ProcessBuilder(ps, "-NoProfile", "-Command", script).start();
            String mine = new String(control.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            control.waitFor();
            assertTrue(mine.contains("found"), "positive control: FindWindow sees it from your desktop: " + mine);
            Result contained = run(policy(Profile.Isolation.FULL, Profile.Network.NONE,
                    List.of(ps, "-NoProfile", "-Command", script)));
            assertTrue(contained.stdout().contains("started"), "the probe ran: " + contained);
            assertTrue(contained.stdout().contains("absent"), contained.toString());
        } finally {
            com.sun.jna.platform.win32.User32.INSTANCE.DestroyWindow(window);
        }
    }

    /** Production stdio: kill -9 of the launcher JVM kills the server tree (kill-on-close when the job's last handle goes). */
    @Test
    void killingTheLauncherJvmKillsTheServer() throws Exception {
        Process launcher = launcherJvm("run", "--name", serverId(), "--", cmd, "/d", "/c", "set /p w=");
        List<ProcessHandle> tree = new ArrayList<>();
        for (int i = 0; i < 100 && tree.isEmpty(); i++) {
            Thread.sleep(100);
            launcher.toHandle().descendants().filter(p -> p.info().command().orElse("").toLowerCase(java.util.Locale.ROOT)
                    .endsWith("cmd.exe")).forEach(tree::add);
        }
        assertFalse(tree.isEmpty(), "positive control: the server started");
        launcher.destroyForcibly().waitFor();
        for (ProcessHandle p : tree) {
            p.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertFalse(p.isAlive(), "server " + p.pid() + " outlived its launcher");
        }
    }

    /** Production stdio: the server writes to the launcher's own stdout (inherited, no pipe of ours in between). */
    @Test
    void productionStdioReachesTheClient() throws Exception {
        Process launcher = launcherJvm("run", "--name", serverId(), "--", cmd, "/d", "/c", "echo from-server");
        launcher.getOutputStream().close();
        String out = new String(launcher.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, launcher.waitFor());
        assertTrue(out.contains("from-server"), out);
    }

    /** The agent path, when 'mcp-contain setup' has made an account for this user. */
    @Test
    void theAgentPathRunsAsTheAgentInAnAppContainer() throws Exception {
        Optional<AgentAccountStore.Account> account = AgentAccountStore.in(host.dataDirectory()).find("mcp-agent");
        assumeTrue(account.isPresent(), "run 'mcp-contain setup' elevated once to include the agent path");
        Process launcher = launcherJvm("run", "--name", serverId(), "--", cmd, "/d", "/c", "whoami /user /groups");
        launcher.getOutputStream().close();
        String out = new String(launcher.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, launcher.waitFor(), out);
        assertTrue(out.contains(account.get().sid()), "runs as the agent: " + out);
        assertTrue(out.contains("Low Mandatory Level"), out);
    }

    private Process launcherJvm(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java.exe").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.mcpcontain.cli.Main"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        launched.add(p);
        return p;
    }

    private final List<Process> launched = new ArrayList<>();

    @AfterEach
    void killLaunchers() {
        launched.forEach(Process::destroyForcibly);
    }
}
