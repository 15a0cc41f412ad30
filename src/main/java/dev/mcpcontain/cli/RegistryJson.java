package dev.mcpcontain.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpcontain.approval.ApprovalStore;
import dev.mcpcontain.approval.StoredDecision;
import dev.mcpcontain.pins.PinStore;
import dev.mcpcontain.registry.RegistryStore;
import dev.mcpcontain.registry.ServerEntry;
import java.util.List;

/**
 * Registered servers as JSON: {@code list --json} in the MCP Registry's shape (a {@code servers} list of
 * server.json-like objects with {@code packages} and {@code _meta}), {@code show --json} with the whole registration.
 * Sensitive values never appear: only their keys; {@code --env NAME=VALUE} values are masked.
 */
final class RegistryJson {

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final String META = "dev.mcpcontain/registration";

    private RegistryJson() {}

    static ObjectNode list(List<ServerEntry> entries, RegistryStore store) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode servers = root.putArray("servers");
        for (ServerEntry e : entries) {
            ObjectNode server = servers.addObject();
            server.put("name", e.name());
            ArrayNode packages = server.putArray("packages");
            ObjectNode pkg = packages.addObject();
            pkg.put("registryType", switch (e.source()) {
                case "npm" -> "npm";
                case "manifest", "mcpb" -> "mcpb";
                case "server.json" -> "npm";
                default -> "command";
            });
            pkg.put("identifier", e.origin());
            pkg.putObject("transport").put("type", "stdio");
            pkg.put("fileSha256", e.codeSha256());
            ObjectNode meta = server.putObject("_meta").putObject(META);
            meta.put("profile", e.profile());
            meta.put("source", e.source());
            meta.set("code", code(e));
            if (e.signature() != null) {
                meta.set("signature", JSON.valueToTree(e.signature()));
            }
            meta.put("run", "mcp-contain run " + e.name());
        }
        root.putObject("metadata").put("count", entries.size()).put("registry", store.directory().toString());
        return root;
    }

    /**
     * The approvals part of {@code show}: the profile's tool rules the mediator applies to this server, and the
     * decisions remembered for it (by {@code approvals allow|deny} or answered prompts).
     *
     * @param rules     the profile's {@code tools} section, or an error message when the profile cannot be read
     */
    static ObjectNode approvals(String server, ApprovalStore approvals, Object rules) {
        ObjectNode node = JSON.createObjectNode();
        node.put("file", approvals.file().toString());
        if (rules instanceof String error) {
            node.put("rulesError", error);
        } else {
            node.set("rules", rules == null ? JSON.createObjectNode() : JSON.valueToTree(rules));
        }
        ArrayNode decisions = node.putArray("decisions");
        for (StoredDecision d : approvals.list()) {
            if (d.server().equals(server)) {
                ObjectNode one = decisions.addObject();
                one.put("tool", d.tool());
                one.put("client", d.client());
                one.put("decision", d.decision().label());
                one.put("definition", d.definition());
                one.put("decidedBy", d.decidedBy());
                one.put("decidedAt", d.decidedAt());
            }
        }
        return node;
    }

    /** {@code show --json} with the approvals (see {@link #approvals}) next to the pins. */
    static ObjectNode show(ServerEntry e, RegistryStore store, PinStore pins, ObjectNode approvals) {
        ObjectNode root = show(e, store, pins);
        ObjectNode ordered = JSON.createObjectNode();
        root.fields().forEachRemaining(f -> {
            ordered.set(f.getKey(), f.getValue());
            if (f.getKey().equals("pins")) {
                ordered.set("approvals", approvals);
            }
        });
        return ordered;
    }

    /** {@code show --json} without approvals. */
    static ObjectNode show(ServerEntry e, RegistryStore store, PinStore pins) {
        ObjectNode root = JSON.createObjectNode();
        root.put("name", e.name());
        root.put("source", e.source());
        root.put("origin", e.origin());
        if (!e.command().isEmpty()) {
            root.set("command", JSON.valueToTree(e.command()));
        }
        if (e.manifest() != null) {
            root.put("manifest", e.manifest());
        }
        root.set("code", code(e));
        root.put("signed", e.signed());
        if (e.signature() != null) {
            ObjectNode signature = JSON.valueToTree(e.signature());
            signature.put("summary", e.signature().describe());
            root.set("signature", signature);
        }
        root.put("profile", e.profile());
        root.set("grants", JSON.valueToTree(e.grants()));
        if (!e.allowHosts().isEmpty()) {
            root.set("allowHosts", JSON.valueToTree(e.allowHosts()));
        }
        root.set("env", JSON.valueToTree(e.env().stream().map(RegistryJson::masked).toList()));
        root.set("userConfig", JSON.valueToTree(e.userConfig()));
        ObjectNode secrets = root.putObject("secrets");
        secrets.set("keys", JSON.valueToTree(e.secretKeys()));
        if (!e.secretKeys().isEmpty()) {
            secrets.put("store", store.secretsLocation(e.name()));
        }
        ObjectNode pin = root.putObject("pins");
        pin.put("file", pins.file(e.name()).toString());
        pin.put("pinned", pins.exists(e.name()));
        root.put("added", e.added());
        root.put("updated", e.updated());
        return root;
    }

    private static ObjectNode code(ServerEntry e) {
        ObjectNode code = JSON.createObjectNode();
        code.put("path", e.codePath());
        code.put("sha256", e.codeSha256());
        return code;
    }

    /** {@code NAME=VALUE} as {@code NAME=***}: a value given to {@code --env} may be a token. */
    static String masked(String env) {
        int eq = env.indexOf('=');
        return eq < 0 ? env : env.substring(0, eq) + "=***";
    }
}
