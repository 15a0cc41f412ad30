package dev.mcpcontain.platform.windows.account;

import dev.mcpcontain.launch.ContainmentException;
import dev.mcpcontain.launch.ContainmentException.Reason;
import dev.mcpcontain.launch.PlatformClasses;
import dev.mcpcontain.platform.windows.Win32;
import dev.mcpcontain.platform.windows.acl.AclLedger;
import dev.mcpcontain.platform.windows.acl.GrantReconciler;
import dev.mcpcontain.platform.windows.acl.Win32AclEditor;
import dev.mcpcontain.policy.HostEnvironment;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
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
        AclLedger.Document doc = ledger.read();
        if (doc.entries().isEmpty()) {
            out.println("no folder grants recorded in " + ledger.file());
        }
        for (AclLedger.Entry e : doc.entries()) {
            out.println(e.serverId() + "  " + e.identity() + "  " + e.ace().describe() + "  since " + e.recordedAt()
                    + (e.state() == AclLedger.State.PENDING ? "  (pending: re-checked on the next launch)" : ""));
        }
        for (AclLedger.LowLabelConsent c : doc.consents()) {
            out.println("consent: label " + c.path() + " Low for writable grants, since " + c.grantedAt());
        }
        out.flush();
    }

    /**
     * Records the user's consent to label {@code path} Low integrity for writable grants (the launch refuses such a
     * grant without it). The label itself is applied, recorded and revoked like any grant entry.
     */
    public Path allowLowLabel(Path path) throws IOException {
        requireWindows(host);
        Path real = path.toRealPath();
        AclLedger ledger = AclLedger.in(host.dataDirectory());
        ledger.locked(() -> {
            AclLedger.Document doc = ledger.read();
            doc.consents().removeIf(c -> c.path().equalsIgnoreCase(real.toString()));
            doc.consents().add(new AclLedger.LowLabelConsent(real.toString(), java.time.Instant.now().toString()));
            ledger.write(doc);
            return null;
        });
        return real;
    }

    public int revokeGrants(Optional<String> serverId) throws IOException {
        requireWindows(host);
        Win32 win32 = PlatformClasses.create(PlatformClasses.WINDOWS_BINDINGS, Win32.class);
        return new GrantReconciler(AclLedger.in(host.dataDirectory()), new Win32AclEditor(win32), Clock.systemUTC())
                .revokeAll(serverId);
    }
}
