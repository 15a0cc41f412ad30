package dev.mcpcontain.testing;

import dev.mcpcontain.audit.AuditLog;
import dev.mcpcontain.audit.SecretRedactor;
import dev.mcpcontain.manifest.Manifest;
import dev.mcpcontain.manifest.ManifestLoader;
import dev.mcpcontain.mediation.MediationSettings;
import dev.mcpcontain.mediation.PinnedTools;
import dev.mcpcontain.mediation.Relay;
import dev.mcpcontain.mediation.ToolRules;
import dev.mcpcontain.pins.PinStore;
import java.io.FileInputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A launcher JVM that mediates an UNcontained server: the production relay and mediator over a plain child
 * process. Lets the relay be tested end to end with real clients and servers (and killed with SIGKILL) before a
 * containment backend exists; the contained equivalent is {@code mcp-contain run --mediate}.
 *
 * <pre>
 * UncontainedRelayMain --server ID --pins DIR [--audit FILE] [--allow T]... [--deny T]... [--sensitive VAR]...
 *                      [--manifest-pin FILE] -- COMMAND...
 * </pre>
 */
public final class UncontainedRelayMain {

    private UncontainedRelayMain() {}

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        String server = "test-server";
        Path pins = null;
        Path audit = null;
        Path manifest = null;
        Set<String> allow = new HashSet<>();
        Set<String> deny = new HashSet<>();
        Set<String> sensitive = new HashSet<>();
        List<String> command = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--server" -> server = args[++i];
                case "--pins" -> pins = Path.of(args[++i]);
                case "--audit" -> audit = Path.of(args[++i]);
                case "--allow" -> allow.add(args[++i]);
                case "--deny" -> deny.add(args[++i]);
                case "--sensitive" -> sensitive.add(args[++i]);
                case "--manifest-pin" -> manifest = Path.of(args[++i]);
                case "--" -> {
                    command.addAll(List.of(args).subList(i + 1, args.length));
                    i = args.length;
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Optional<PinnedTools> declared = Optional.empty();
        if (manifest != null) {
            Manifest m = ManifestLoader.load(manifest);
            declared = m.staticTools().map(t -> new PinnedTools(t, m.staticServerInfo(), m.staticToolsOrigin()));
        }
        AuditLog log = audit == null ? null : AuditLog.open(audit);
        Map<String, String> env = System.getenv();
        MediationSettings settings = MediationSettings.of(server, ToolRules.of(allow, deny), declared,
                new PinStore(pins), log, SecretRedactor.of(env, sensitive));
        PlainProcess process = PlainProcess.start(command, Map.of());
        Runtime.getRuntime().addShutdownHook(new Thread(process::kill));
        Relay relay = new Relay(process, new FileOutputStream(FileDescriptor.out), settings);
        int code = relay.run(new FileInputStream(FileDescriptor.in), System.err);
        System.exit(code);
    }
}
