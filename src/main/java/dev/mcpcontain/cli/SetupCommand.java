package dev.mcpcontain.cli;

import dev.mcpcontain.platform.windows.account.AgentAccountSetup;
import dev.mcpcontain.platform.windows.account.WindowsSetup;
import dev.mcpcontain.policy.HostEnvironment;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code mcp-contain setup}: Windows only. Creates the agent account (elevated, once), or lists and revokes the
 * folder grants recorded in the ledger.
 */
@Command(name = "setup", mixinStandardHelpOptions = true, description = "Windows: create the agent account (run elevated once), or list/revoke folder grants.")
public final class SetupCommand implements Callable<Integer> {

    @Mixin
    VerboseMixin verbose;

    @Option(names = "--user", paramLabel = "NAME", defaultValue = "mcp-agent",
            description = "Agent account to create or give a new password (default: ${DEFAULT-VALUE}).")
    String user;

    @Option(names = "--list-grants", description = "List the folder ACL entries mcp-contain has made.")
    boolean listGrants;

    @Option(names = "--revoke-grants", description = "Remove the recorded folder ACL entries (all, or --server's).")
    boolean revokeGrants;

    @Option(names = "--server", paramLabel = "ID", description = "With --revoke-grants: only this server's entries.")
    String server;

    @Option(names = "--allow-low-label", paramLabel = "PATH", description = "Consent to label PATH Low integrity so that"
            + " a contained server can write a writable grant there (every Low process of yours could then write it).")
    java.nio.file.Path allowLowLabel;

    @Option(names = "--no-broker", description = "Do not install the broker service: servers under the agent account"
            + " then start in your own Windows session (CreateProcessWithLogonW) instead of the services session.")
    boolean noBroker;

    @Option(names = "--uninstall", description = "Remove your broker registration, and the broker service with the last"
            + " one (elevated).")
    boolean uninstall;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        HostEnvironment host = HostEnvironment.current();
        WindowsSetup.requireWindows(host);
        WindowsSetup setup = new WindowsSetup(host);
        var out = spec.commandLine().getOut();
        if (listGrants) {
            setup.listGrants(out);
            return ExitCodes.OK;
        }
        if (allowLowLabel != null) {
            out.println("recorded: " + setup.allowLowLabel(allowLowLabel) + " may be labelled Low for writable grants");
            out.flush();
            return ExitCodes.OK;
        }
        if (revokeGrants) {
            int removed = setup.revokeGrants(Optional.ofNullable(server));
            out.println("revoked " + removed + " folder ACL entr" + (removed == 1 ? "y" : "ies"));
            out.flush();
            return ExitCodes.OK;
        }
        if (uninstall) {
            boolean removed = setup.uninstallBroker();
            out.println(removed ? "removed the mcp-contain-broker service" : "removed your broker registration; the"
                    + " service stays for the other users registered with it");
            out.flush();
            return ExitCodes.OK;
        }
        AgentAccountSetup.Result result = setup.createAgentAccount(user, !noBroker);
        out.println((result.created() ? "created" : "renewed the password of") + " agent account " + result.userName()
                + " (" + result.sid() + "); its password is stored for you with DPAPI");
        out.println(noBroker ? "servers under it start in your own Windows session (no broker)"
                : "installed the mcp-contain-broker service: servers under it start in the services session");
        out.flush();
        return ExitCodes.OK;
    }
}
