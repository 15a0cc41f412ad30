package dev.mcpcontain.platform.windows.launch;

import dev.mcpcontain.launch.ContainmentException;
import dev.mcpcontain.launch.PlatformClasses;
import dev.mcpcontain.platform.windows.Win32;
import dev.mcpcontain.platform.windows.plan.InnerPlan;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The second stage of an agent-account launch, started by the outer launcher as the agent account (suspended, in
 * the outer job, with the server's stdio as its own). It reads and deletes its hand-over file, runs the launch
 * sequence as the agent, waits for the server and exits with its code; 125 when containment failed. It never
 * writes to stdout, which is the server's.
 */
public final class AgentInnerLauncher {

    private AgentInnerLauncher() {}

    public static void main(String[] args) {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        System.exit(run(args));
    }

    static int run(String[] args) {
        try {
            if (args.length != 1) {
                throw new IllegalArgumentException("usage: AgentInnerLauncher HAND-OVER-FILE");
            }
            Path file = Path.of(args[0]);
            InnerPlan plan = InnerPlan.fromJson(Files.readAllBytes(file));
            Files.delete(file);
            String name = file.getFileName().toString();
            if (name.endsWith(".json")) {
                // The argument file the JVM was started with (see AgentLaunchSequence): read, no longer needed.
                Files.deleteIfExists(file.resolveSibling(name.substring(0, name.length() - 5) + ".args"));
            }
            Win32 win32 = PlatformClasses.create(PlatformClasses.WINDOWS_BINDINGS, Win32.class);
            LaunchSequence.deleteProfiles(win32, plan.retiredProfiles() == null ? java.util.List.of() : plan.retiredProfiles());
            WindowsProcess server = new LaunchSequence(win32, (serverId, identity, entries) -> LaunchSequence.Granted.NONE,
                    ProcessHandle.current().pid() + "-inner").start(plan.toLaunchPlan(), true);
            return server.waitFor();
        } catch (ContainmentException e) {
            System.err.println("mcp-contain: " + e.getMessage());
            return 125;
        } catch (Exception e) {
            System.err.println("mcp-contain: inner launcher failed: " + e);
            return 125;
        }
    }
}
