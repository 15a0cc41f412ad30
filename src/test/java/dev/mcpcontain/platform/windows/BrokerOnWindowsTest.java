package dev.mcpcontain.platform.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mcpcontain.platform.windows.account.AgentAccountStore;
import dev.mcpcontain.platform.windows.broker.BrokerMessages;
import dev.mcpcontain.platform.windows.broker.BrokerMessages.Message;
import dev.mcpcontain.platform.windows.jna.JnaBrokerClient;
import dev.mcpcontain.policy.HostEnvironment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The broker path on a real Windows machine, through the production stdio path (every probe here): a launcher JVM
 * ({@code mcp-contain run}) whose own stdio are this test's pipes, the broker service started on demand, the server in
 * the services session as the agent. Skipped off Windows, and skipped on Windows until {@code mcp-contain setup} (with
 * the broker) has run elevated for this user.
 *
 * <p>NEVER RUN YET: no Windows machine was available when these were written (see README, Windows).
 */
@EnabledOnOs(OS.WINDOWS)
class BrokerOnWindowsTest {

    private final String cmd = System.getenv().getOrDefault("SystemRoot", "C:\\Windows") + "\\System32\\cmd.exe";
    private final List<Process> launched = new ArrayList<>();
    private AgentAccountStore.Account agent;
    private String serverId;

    @BeforeEach
    void setUp() throws IOException {
        HostEnvironment host = HostEnvironment.current();
        Optional<AgentAccountStore.Account> account = AgentAccountStore.in(host.dataDirectory()).find("mcp-agent");
        assumeTrue(account.isPresent() && account.get().throughBroker(),
                "run 'mcp-contain setup' elevated (with the broker) once to include the broker path");
        agent = account.get();
        serverId = "it-broker-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void killLaunchers() {
        launched.forEach(Process::destroyForcibly);
    }

    @Test
    void theServerRunsAsTheAgentAtLowIntegrityAndItsOutputAndExitCodeReachTheClient() throws Exception {
        Process launcher = launcherJvm("run", "--name", serverId, "--", cmd, "/d", "/c",
                "whoami /user /groups & echo from-server & exit 7");
        launcher.getOutputStream().close();
        String out = new String(launcher.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(7, launcher.waitFor(), out);
        assertTrue(out.contains("from-server"), out);
        assertTrue(out.contains(agent.sid()), "runs as the agent: " + out);
        assertTrue(out.contains("Low Mandatory Level"), out);
    }

    @Test
    void theServerIsInTheServicesSessionAndDiesWithItsLauncher() throws Exception {
        Process launcher = launcherJvm("run", "--name", serverId, "--", cmd, "/d", "/c", "set /p w=");
        List<String[]> servers = List.of();
        for (int i = 0; i < 100 && servers.isEmpty(); i++) {
            Thread.sleep(100);
            servers = agentsCmdProcesses();
        }
        assertFalse(servers.isEmpty(), "positive control: the server started as " + agent.userName());
        for (String[] row : servers) {
            assertEquals("0", row[3], "session of " + String.join(",", row));
        }
        launcher.destroyForcibly().waitFor();
        for (int i = 0; i < 100 && !servers.isEmpty(); i++) {
            Thread.sleep(100);
            servers = agentsCmdProcesses();
        }
        assertTrue(servers.isEmpty(), "the server outlived its launcher");
    }

    /** The broker refuses a caller who names another user; this test's own identity is the positive control. */
    @Test
    void theBrokerRefusesACallerWhoClaimsToBeLocalSystem() throws Exception {
        JnaBrokerClient client = new JnaBrokerClient();
        client.startService(BrokerMessages.SERVICE_NAME);
        Win32.Handle control = client.openPipe(BrokerMessages.CONTROL_PIPE, true, true, 10_000);
        try {
            BrokerMessages.Run run = new BrokerMessages.Run(serverId, cmd, "cmd.exe /d /c exit 0", "A=1\0\0",
                    System.getProperty("user.home"), 0, 0, 0, 0, 0, "mcp-contain." + serverId + ".000000000000", List.of());
            BrokerMessages.write(client, control, Message.run("S-1-5-18", run));
            Message answer = BrokerMessages.read(client, control).orElseThrow();
            assertTrue(answer.is("refused"), answer.toString());
            assertTrue(answer.message().contains("says it comes from S-1-5-18"), answer.message());
        } finally {
            client.closeHandle(control);
        }
    }

    /** What a server prints, started through a launcher JVM with production stdio; stdin closed at once. */
    private String serverOutput(String... runArgs) throws Exception {
        Process launcher = launcherJvm(runArgs);
        launcher.getOutputStream().close();
        String out = new String(launcher.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        launcher.waitFor();
        return out;
    }

    /** The clipboard is per window station, and the server's is in session 0: what it copies never reaches yours. */
    @Test
    void theServersClipboardIsNotYours() throws Exception {
        String marker = "mcp-contain-it-" + UUID.randomUUID();
        Process control = new ProcessBuilder(cmd, "/d", "/c", "echo " + marker + "|clip.exe").start();
        assertEquals(0, control.waitFor());
        assertTrue(clipboard().contains(marker), "positive control: clip.exe reaches your clipboard");
        String out = serverOutput("run", "--name", serverId, "--", cmd, "/d", "/c",
                "echo started & echo " + marker + "-contained|clip.exe");
        assertTrue(out.contains("started"), "the probe ran: " + out);
        assertFalse(clipboard().contains(marker + "-contained"));
    }

    private static String clipboard() throws Exception {
        Process p = new ProcessBuilder("powershell.exe", "-NoProfile", "-Command", "Get-Clipboard").start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return text;
    }

    /** Your HKCU and your Credential Manager entries are not the server's; the controls run the same commands as you. */
    @Test
    void yourRegistryAndCredentialsAreOutOfReach() throws Exception {
        String key = "HKCU\\Software\\mcp-contain-it-" + UUID.randomUUID();
        assertEquals(0, new ProcessBuilder(cmd, "/d", "/c", "reg add " + key + " /v x /d y /f").start().waitFor(),
                "positive control: you can write your HKCU");
        try {
            String out = serverOutput("run", "--name", serverId, "--", cmd, "/d", "/c",
                    "echo started & reg query " + key + " /v x");
            assertTrue(out.contains("started"), "the probe ran: " + out);
            assertFalse(out.contains("REG_SZ"), out);
        } finally {
            new ProcessBuilder(cmd, "/d", "/c", "reg delete " + key + " /f").start().waitFor();
        }
        String target = "mcp-contain-it-" + UUID.randomUUID();
        assertEquals(0, new ProcessBuilder(cmd, "/d", "/c", "cmdkey /generic:" + target + " /user:u /pass:p").start().waitFor());
        try {
            String out = serverOutput("run", "--name", serverId, "--", cmd, "/d", "/c", "echo started & cmdkey /list:" + target);
            assertTrue(out.contains("started"), "the probe ran: " + out);
            assertFalse(out.contains("User: u"), out);
        } finally {
            new ProcessBuilder(cmd, "/d", "/c", "cmdkey /delete:" + target).start().waitFor();
        }
    }

    /** Loopback stays blocked for the LPAC even with --network host; you reach the same listener. */
    @Test
    void loopbackIsBlockedWhileYouReachIt() throws Exception {
        String curl = System.getenv().getOrDefault("SystemRoot", "C:\\Windows") + "\\System32\\curl.exe";
        assumeTrue(java.nio.file.Files.exists(Path.of(curl)));
        try (java.net.ServerSocket listener = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            java.util.concurrent.CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 2; i++) {
                    try (var s = listener.accept()) {
                        s.getOutputStream().write("HTTP/1.0 200 OK\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            String probe = "curl.exe -s -o NUL -m 5 http://127.0.0.1:" + listener.getLocalPort() + "/";
            assertEquals(0, new ProcessBuilder(cmd, "/d", "/c", probe).start().waitFor(), "positive control");
            String out = serverOutput("run", "--name", serverId, "--network", "host", "--", cmd, "/d", "/c",
                    "echo started & " + probe + " && echo reached || echo blocked");
            assertTrue(out.contains("started"), "the probe ran: " + out);
            assertTrue(out.contains("blocked") && !out.contains("reached"), out);
        }
    }

    /** Two launches at once each get their own server, output and exit code. */
    @Test
    void concurrentLaunchesStayApart() throws Exception {
        Process first = launcherJvm("run", "--name", serverId, "--", cmd, "/d", "/c", "echo first & exit 3");
        Process second = launcherJvm("run", "--name", serverId + "-b", "--", cmd, "/d", "/c", "echo second & exit 4");
        first.getOutputStream().close();
        second.getOutputStream().close();
        String a = new String(first.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String b = new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(3, first.waitFor(), a);
        assertEquals(4, second.waitFor(), b);
        assertTrue(a.contains("first") && !a.contains("second"), a);
        assertTrue(b.contains("second") && !b.contains("first"), b);
    }

    /** tasklist rows (image, pid, session name, session#) of the agent's cmd.exe processes. */
    private List<String[]> agentsCmdProcesses() throws Exception {
        Process p = new ProcessBuilder("tasklist", "/fo", "csv", "/nh", "/fi", "USERNAME eq " + agent.userName(),
                "/fi", "IMAGENAME eq cmd.exe").start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        List<String[]> rows = new ArrayList<>();
        for (String line : text.split("\r?\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("\"cmd.exe\"")) {
                rows.add(line.replace("\"", "").split(","));
            }
        }
        return rows;
    }

    private Process launcherJvm(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java.exe").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.mcpcontain.cli.Main"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        launched.add(p);
        return p;
    }
}
