package dev.mcpcontain.platform.windows.account;

import dev.mcpcontain.launch.ContainmentException;
import dev.mcpcontain.launch.ContainmentException.Reason;
import dev.mcpcontain.launch.PlatformClasses;
import dev.mcpcontain.platform.windows.Win32;
import dev.mcpcontain.platform.windows.acl.AclLedger;
import dev.mcpcontain.platform.windows.acl.GrantReconciler;
import dev.mcpcontain.platform.windows.acl.Win32AclEditor;
import dev.mcpcontain.platform.windows.broker.BrokerInstallation;
import dev.mcpcontain.platform.windows.broker.BrokerRegistrations;
import dev.mcpcontain.platform.windows.broker.BrokerWin32;
import dev.mcpcontain.platform.windows.launch.InnerRuntime;
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

    /**
     * Creates (or renews) the agent account and, with {@code broker}, installs the broker service and registers the
     * account for you: servers then start in the services session. Without it they start with
     * CreateProcessWithLogonW in your own session.
     */
    public AgentAccountSetup.Result createAgentAccount(String userName, boolean broker) throws IOException {
        requireWindows(host);
        AccountAdmin admin = PlatformClasses.create(PlatformClasses.WINDOWS_ACCOUNT_ADMIN, AccountAdmin.class);
        AgentAccountSetup.Result result = new AgentAccountSetup(admin, AgentAccountStore.in(host.dataDirectory()),
                new SecureRandom(), Clock.systemUTC()).run(userName,
                broker ? AgentAccountStore.Account.SERVICES : AgentAccountStore.Account.INTERACTIVE);
        if (broker) {
            brokerInstallation().install(result.user(), result.userName(), result.sid());
        }
        return result;
    }

    /**
     * {@code mcp-contain setup --uninstall}: removes your broker registration, and the service with the last one.
     *
     * @return whether the service was removed
     */
    public boolean uninstallBroker() throws IOException {
        requireWindows(host);
        AccountAdmin admin = PlatformClasses.create(PlatformClasses.WINDOWS_ACCOUNT_ADMIN, AccountAdmin.class);
        if (!admin.isElevated()) {
            throw new ContainmentException(Reason.UNENFORCEABLE, "removing the broker service needs an elevated"
                    + " prompt: open a terminal with 'Run as administrator' and run it again");
        }
        return brokerInstallation().uninstall(admin.currentUser());
    }

    private BrokerInstallation brokerInstallation() {
        BrokerWin32 win32 = PlatformClasses.create(PlatformClasses.WINDOWS_BROKER_BINDINGS, BrokerWin32.class);
        List<String> roots = new java.util.ArrayList<>();
        for (String name : List.of("ProgramFiles", "ProgramFiles(x86)", "ProgramW6432", "SystemRoot")) {
            variable(name).ifPresent(roots::add);
        }
        String programData = variable("ProgramData").orElse("C:\\ProgramData");
        return new BrokerInstallation(win32, BrokerRegistrations.directory(programData), InnerRuntime.current(), roots);
    }

    private Optional<String> variable(String name) {
        return host.variables().entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)
                && !e.getValue().isEmpty()).map(java.util.Map.Entry::getValue).findFirst();
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
