package dev.mcpcontain.platform.windows.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcpcontain.launch.ContainmentException;
import dev.mcpcontain.platform.windows.account.AgentAccountSetup;
import dev.mcpcontain.platform.windows.acl.Sddl;
import dev.mcpcontain.platform.windows.acl.Sid;
import dev.mcpcontain.platform.windows.launch.InnerRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Setup's part for the broker: what it refuses to install, what it copies and protects, what it removes. */
class BrokerInstallationTest {

    static final Sid ALICE = Sid.parse("S-1-5-21-1-2-3-1000");
    static final Sid BOB = Sid.parse("S-1-5-21-1-2-3-1001");

    @TempDir
    Path dir;

    @Test
    void installsFromProtectedCopiesAndRemovesWithTheLastRegistration() throws Exception {
        Path programFiles = Files.createDirectories(dir.resolve("Program Files"));
        Path jar = Files.writeString(dir.resolve("mcp-contain.jar"), "jar");
        Path brokerDir = dir.resolve("ProgramData").resolve("mcp-contain").resolve("broker");
        Files.createDirectories(brokerDir.resolve("lib"));
        Files.writeString(brokerDir.resolve("lib").resolve("planted.jar"), "planted by a user before setup");
        FakeBrokerWin32 win32 = new FakeBrokerWin32(new FakePipeWorld());
        BrokerInstallation installation = new BrokerInstallation(win32, brokerDir,
                new InnerRuntime(programFiles.resolve("jdk").resolve("bin").resolve("java.exe").toString(),
                        List.of(jar.toString())), List.of(programFiles.toString()));

        String alicesAgent = AgentAccountSetup.accountName("mcp-agent", ALICE);
        installation.install(ALICE, alicesAgent, Sid.parse("S-1-5-21-1-2-3-1100"));

        assertEquals(List.of(brokerDir.getParent() + " " + Sddl.brokerDirectory()), win32.protectedPaths);
        assertTrue(Files.exists(brokerDir.resolve("lib").resolve("mcp-contain.jar")));
        assertFalse(Files.exists(brokerDir.resolve("lib").resolve("planted.jar")), "what was there before is gone");
        assertEquals(Sddl.brokerService(), win32.world.services.get(BrokerMessages.SERVICE_NAME));
        assertEquals(alicesAgent, installation.registrations().forUser(ALICE).orElseThrow().agentUserName());

        installation.install(BOB, AgentAccountSetup.accountName("mcp-agent", BOB), Sid.parse("S-1-5-21-1-2-3-1101"));
        assertFalse(installation.uninstall(ALICE), "Bob still uses the service");
        assertTrue(win32.world.services.containsKey(BrokerMessages.SERVICE_NAME));
        assertTrue(installation.uninstall(BOB));
        assertFalse(win32.world.services.containsKey(BrokerMessages.SERVICE_NAME));
        assertFalse(Files.exists(brokerDir));
    }

    @Test
    void refusesAJvmAUserCouldReplace() throws Exception {
        Path jar = Files.writeString(dir.resolve("mcp-contain.jar"), "jar");
        FakeBrokerWin32 win32 = new FakeBrokerWin32(new FakePipeWorld());
        BrokerInstallation installation = new BrokerInstallation(win32, dir.resolve("pd/mcp-contain/broker"),
                new InnerRuntime("C:\\Users\\alice\\jdk\\bin\\java.exe", List.of(jar.toString())),
                List.of("C:\\Program Files", "C:\\Windows"));
        ContainmentException e = assertThrows(ContainmentException.class,
                () -> installation.install(ALICE, "mcp-agent-x", Sid.parse("S-1-5-21-1-2-3-1100")));
        assertTrue(e.getMessage().contains("could run code as LocalSystem"), e.getMessage());
        assertTrue(win32.world.services.isEmpty());
        assertTrue(win32.protectedPaths.isEmpty(), "nothing was changed");
    }

    @Test
    void theServiceCommandLineUsesTheProtectedCopyAndTemporaryFolder() {
        BrokerInstallation installation = new BrokerInstallation(new FakeBrokerWin32(new FakePipeWorld()),
                Path.of("C:\\ProgramData\\mcp-contain\\broker"),
                new InnerRuntime("C:\\Program Files\\Java\\jdk-17\\bin\\java.exe", List.of()), List.of());
        String line = installation.serviceCommandLine(Path.of("C:\\ProgramData\\mcp-contain\\broker\\lib"),
                Path.of("C:\\ProgramData\\mcp-contain\\broker\\tmp"));
        assertTrue(line.startsWith("\"C:\\Program Files\\Java\\jdk-17\\bin\\java.exe\" -Xmx128m"), line);
        assertTrue(line.contains("-Djna.tmpdir=C:\\ProgramData\\mcp-contain\\broker\\tmp"), line);
        assertTrue(line.endsWith(BrokerService.class.getName()), line);
    }
}
