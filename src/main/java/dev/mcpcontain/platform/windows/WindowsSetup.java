package dev.mcpcontain.platform.windows;

import dev.mcpcontain.launch.ContainmentException;
import dev.mcpcontain.launch.ContainmentException.Reason;
import dev.mcpcontain.launch.PlatformClasses;
import dev.mcpcontain.policy.HostEnvironment;
import java.io.IOException;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/** What {@code mcp-contain setup} does on Windows; the CLI command only parses options and calls this. */
public final class WindowsSetup {

    private final HostEnvironment host;

    public WindowsSetup(HostEnvironment host) {
        this.host = host;
    }

    /** Refuses on anything but Windows, naming why. */
    public static void requireWindows(HostEnvironment host) {
        if (!host.windows()) {
            throw new ContainmentException(Reason.UNSUPPORTED_PLATFORM, "mcp-contain setup is for Windows (agent"
                    + " account, folder grants); this host needs no setup");
        }
    }

    public AgentAccountSetup.Result createAgentAccount(String userName) throws IOException {
        requireWindows(host);
        AccountAdmin admin = PlatformClasses.create(PlatformClasses.WINDOWS_ACCOUNT_ADMIN, AccountAdmin.class);
        return new AgentAccountSetup(admin, AgentAccountStore.in(host.dataDirectory()), new SecureRandom(),
                Clock.systemUTC()).run(userName);
    }

    public void listGrants(PrintWriter out) throws IOException {
        requireWindows(host);
        AclLedger ledger = AclLedger.in(host.dataDirectory());
        List<AclLedger.Entry> entries = ledger.entries();
        if (entries.isEmpty()) {
            out.println("no folder grants recorded in " + ledger.file());
        }
        for (AclLedger.Entry e : entries) {
            out.println(e.serverId() + "  " + e.ace().describe() + "  since " + e.recordedAt());
        }
        out.flush();
    }

    public int revokeGrants(Optional<String> serverId) throws IOException {
        requireWindows(host);
        Win32 win32 = PlatformClasses.create(PlatformClasses.WINDOWS_BINDINGS, Win32.class);
        return new GrantReconciler(AclLedger.in(host.dataDirectory()), new Win32AclEditor(win32), Clock.systemUTC())
                .revokeAll(serverId);
    }
}
