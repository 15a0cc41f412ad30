package dev.mcpcontain.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpcontain.manifest.ManifestLoader;
import dev.mcpcontain.pins.PinException;
import dev.mcpcontain.pins.PinStore;
import dev.mcpcontain.pins.ToolDrift;
import dev.mcpcontain.pins.ToolPin;
import dev.mcpcontain.pins.ToolSet;
import dev.mcpcontain.policy.HostEnvironment;
import dev.mcpcontain.state.StateFiles;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mcp-contain pins list|show|approve|reset}: review the pinned tool definitions and re-approve changes. */
@Command(mixinStandardHelpOptions = true, name = "pins", description = "Review pinned tool definitions; approve a changed set or forget a pin.",
        subcommands = {PinsCommand.ListPins.class, PinsCommand.Show.class, PinsCommand.Approve.class,
                PinsCommand.Reset.class})
public final class PinsCommand implements Callable<Integer> {

    @Mixin
    VerboseMixin verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        return list(spec.commandLine().getOut());
    }

    static PinStore store() {
        return new PinStore(StateFiles.pins(HostEnvironment.current()));
    }

    static int list(PrintWriter out) {
        List<ToolPin> pins = store().list();
        if (pins.isEmpty()) {
            out.println("no pins yet (a mediated run pins a server's tools the first time it lists them)");
        } else {
            out.printf("%-40s %-10s %5s  %-27s %s%n", "SERVER", "SOURCE", "TOOLS", "PINNED", "WAITING FOR REVIEW");
            for (ToolPin pin : pins) {
                out.printf("%-40s %-10s %5s  %-27s %s%n", pin.server(),
                        pin.source() == null ? "-" : pin.source() == ToolPin.Source.APPROVED ? "approved" : "first-use",
                        pin.pinnedTools().map(t -> String.valueOf(t.size())).orElse("-"),
                        pin.pinnedAt() == null ? "-" : pin.pinnedAt(),
                        pin.pendingReview().map(ToolPin.Pending::summary).orElse(""));
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    @Command(mixinStandardHelpOptions = true, name = "list", description = "List pinned servers and changes waiting for review.")
    static final class ListPins implements Callable<Integer> {
        @Mixin
        VerboseMixin verbose;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            return list(spec.commandLine().getOut());
        }
    }

    @Command(mixinStandardHelpOptions = true, name = "show", description = "Show a server's pinned tools and, if its tools changed, what changed.")
    static final class Show implements Callable<Integer> {
        @Mixin
        VerboseMixin verbose;

        @Parameters(paramLabel = "SERVER")
        String server;

        @Option(names = "--manifest", paramLabel = "FILE",
                description = "Compare with this manifest's static_responses when no pin was approved.")
        Path manifest;

        @Option(names = "--json", description = "Print the pin file as stored.")
        boolean json;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            Optional<ToolPin> pin = store().load(server);
            if (pin.isEmpty()) {
                throw new PinException("no pin for server '" + server + "' (see 'mcp-contain pins list')");
            }
            if (json) {
                out.println(PinStore.toJson(pin.get()));
                out.flush();
                return ExitCodes.OK;
            }
            ToolPin p = pin.get();
            Optional<ToolSet> pinned = p.pinnedTools().map(ToolSet::of)
                    .or(() -> Optional.ofNullable(manifest).flatMap(m -> ManifestLoader.load(m).staticTools()));
            out.println("server   " + server);
            out.println("pin      " + (p.source() == null ? "none stored" + (manifest == null ? "" : "; using " + manifest)
                    : (p.source() == ToolPin.Source.APPROVED ? "approved " : "recorded on first use ") + p.pinnedAt()));
            pinned.ifPresent(tools -> {
                out.println("tools    " + tools.size());
                for (JsonNode tool : tools.tools()) {
                    out.println("  " + tool.path("name").asText() + "  " + brief(tool.path("description").asText(), 90));
                }
            });
            if (p.pending() != null) {
                ToolPin.Pending pending = p.pending();
                out.println();
                out.println("CHANGED  seen " + pending.seenAt() + ", compared with " + pending.against());
                out.println("         " + pending.summary());
                ToolSet now = ToolSet.of(pending.tools());
                pinned.ifPresent(before -> printDiff(out, before, now));
                out.println();
                out.println("To trust the new tools: mcp-contain pins approve " + server);
            }
            out.flush();
            return ExitCodes.OK;
        }

        private static void printDiff(PrintWriter out, ToolSet before, ToolSet now) {
            ToolDrift drift = ToolDrift.between(before, now);
            for (String name : drift.added()) {
                out.println("  + " + name + "  " + brief(now.tool(name).orElseThrow().path("description").asText(), 90));
            }
            for (String name : drift.removed()) {
                out.println("  - " + name);
            }
            drift.changed().forEach((name, members) -> {
                out.println("  ~ " + name);
                for (String member : members) {
                    out.println("      " + member + " was: " + brief(String.valueOf(before.tool(name).orElseThrow().get(member)), 200));
                    out.println("      " + member + " now: " + brief(String.valueOf(now.tool(name).orElseThrow().get(member)), 200));
                }
            });
        }
    }

    @Command(mixinStandardHelpOptions = true, name = "approve", description = "Trust the changed tools a blocked server listed; they become its pin.")
    static final class Approve implements Callable<Integer> {
        @Mixin
        VerboseMixin verbose;

        @Parameters(paramLabel = "SERVER")
        String server;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            ToolPin pin = store().approvePending(server);
            spec.commandLine().getOut().println("approved " + pin.tools().size() + " tools for server '" + server
                    + "'; restart it to use them");
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        }
    }

    @Command(mixinStandardHelpOptions = true, name = "reset", description = "Forget a server's pin: the next mediated run pins again (from its"
            + " manifest, or the first listing).")
    static final class Reset implements Callable<Integer> {
        @Mixin
        VerboseMixin verbose;

        @Parameters(paramLabel = "SERVER")
        String server;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            if (!store().reset(server)) {
                throw new PinException("no pin for server '" + server + "' (see 'mcp-contain pins list')");
            }
            spec.commandLine().getOut().println("forgot the pin of server '" + server + "'");
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        }
    }

    static String brief(String text, int max) {
        String line = text.replace('\n', ' ');
        return line.length() > max ? line.substring(0, max - 3) + "..." : line;
    }
}
