package dev.mcpcontain.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpcontain.approval.Approval;
import dev.mcpcontain.approval.ApprovalException;
import dev.mcpcontain.approval.ApprovalStore;
import dev.mcpcontain.approval.StoredDecision;
import dev.mcpcontain.pins.PinStore;
import dev.mcpcontain.pins.ToolPin;
import dev.mcpcontain.pins.ToolSet;
import dev.mcpcontain.policy.HostEnvironment;
import dev.mcpcontain.state.StateFiles;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mcp-contain approvals list|allow|deny|revoke}: the remembered answers to "may this client run this tool of
 * this server?". A decision holds only for the tool definition pinned when it was made.
 */
@Command(mixinStandardHelpOptions = true, name = "approvals",
        description = "Remembered tool approvals: list them, pre-approve or always deny a tool, or revoke a decision.",
        subcommands = {ApprovalsCommand.ListApprovals.class, ApprovalsCommand.Allow.class, ApprovalsCommand.Deny.class,
                ApprovalsCommand.Revoke.class})
public final class ApprovalsCommand implements Callable<Integer> {

    @Mixin
    VerboseMixin verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        return list(spec.commandLine().getOut());
    }

    static ApprovalStore store() {
        return new ApprovalStore(StateFiles.approvals(HostEnvironment.current()));
    }

    static int list(PrintWriter out) {
        List<StoredDecision> decisions = store().list();
        if (decisions.isEmpty()) {
            out.println("no approvals stored (see 'mcp-contain approvals allow --help')");
        } else {
            out.printf("%-30s %-24s %-24s %-6s %-13s %-12s %s%n", "SERVER", "TOOL", "CLIENT", "", "DEFINITION",
                    "BY", "DECIDED");
            for (StoredDecision d : decisions) {
                out.printf("%-30s %-24s %-24s %-6s %-13s %-12s %s%n", d.server(), d.tool(),
                        d.client().isEmpty() ? "(unnamed)" : d.client().equals(StoredDecision.ANY_CLIENT) ? "* (any)"
                                : d.client(), d.decision().label(), d.definition().substring(0, 12), d.decidedBy(),
                        d.decidedAt());
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    /** The pinned definition's hash: a decision is only ever made for a definition the user can review. */
    static String pinnedHash(String server, String tool) {
        PinStore pins = new PinStore(StateFiles.pins(HostEnvironment.current()));
        Optional<ToolPin> pin = pins.load(server);
        Optional<JsonNode> definition = pin.flatMap(ToolPin::pinnedTools).flatMap(t -> ToolSet.of(t).tool(tool));
        if (definition.isEmpty()) {
            throw new ApprovalException(pin.flatMap(ToolPin::pinnedTools).isEmpty()
                    ? "server '" + server + "' has no pinned tools yet: run it once mediated (its tools are pinned the"
                            + " first time they are listed), then decide; see 'mcp-contain pins list'"
                    : "server '" + server + "' has no pinned tool '" + tool + "'; see 'mcp-contain pins show " + server
                            + "'");
        }
        return ApprovalStore.definitionHash(definition.get());
    }

    abstract static class Decide implements Callable<Integer> {
        @Mixin
        VerboseMixin verbose;

        @Parameters(index = "0", paramLabel = "SERVER", description = "The server identity (see 'mcp-contain pins list').")
        String server;

        @Parameters(index = "1", paramLabel = "TOOL", description = "The tool's name.")
        String tool;

        @Option(names = "--client", paramLabel = "NAME",
                description = "Only for this MCP client (its clientInfo.name); default: every client.")
        String client;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        abstract Approval decision();

        @Override
        public Integer call() {
            String hash = pinnedHash(server, tool);
            String who = client == null ? StoredDecision.ANY_CLIENT : client;
            store().put(who, server, tool, hash, decision(), "command");
            // A confirmation is diagnostics: stderr, so scripts can keep stdout for listings.
            spec.commandLine().getErr().println("mcp-contain: " + decision().label() + " tool '" + tool + "' of server '"
                    + server + "' for " + (client == null ? "every client" : "client '" + client + "'")
                    + " (definition " + hash.substring(0, 12) + "; a changed definition needs a new decision)");
            spec.commandLine().getErr().flush();
            return ExitCodes.OK;
        }
    }

    @Command(mixinStandardHelpOptions = true, name = "list", description = "List the stored decisions.")
    static final class ListApprovals implements Callable<Integer> {
        @Mixin
        VerboseMixin verbose;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            return list(spec.commandLine().getOut());
        }
    }

    @Command(mixinStandardHelpOptions = true, name = "allow",
            description = "Pre-approve a tool (its pinned definition) so calls to it are not asked about.")
    static final class Allow extends Decide {
        @Override
        Approval decision() {
            return Approval.ALLOW;
        }
    }

    @Command(mixinStandardHelpOptions = true, name = "deny",
            description = "Always refuse a tool (its pinned definition), whatever the profile would ask.")
    static final class Deny extends Decide {
        @Override
        Approval decision() {
            return Approval.DENY;
        }
    }

    @Command(mixinStandardHelpOptions = true, name = "revoke", description = "Forget the decisions for a tool.")
    static final class Revoke implements Callable<Integer> {
        @Mixin
        VerboseMixin verbose;

        @Parameters(index = "0", paramLabel = "SERVER")
        String server;

        @Parameters(index = "1", paramLabel = "TOOL")
        String tool;

        @Option(names = "--client", paramLabel = "NAME", description = "Only this client's decision ('*' for the"
                + " every-client one); default: all of them.")
        String client;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            int removed = store().revoke(client, server, tool);
            spec.commandLine().getErr().println("mcp-contain: " + (removed == 0 ? "no decision stored" : "revoked "
                    + removed + " decision(s)") + " for tool '" + tool + "' of server '" + server + "'");
            spec.commandLine().getErr().flush();
            return removed == 0 ? ExitCodes.REFUSED : ExitCodes.OK;
        }
    }
}
