package dev.mcpcontain.profile;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;

/**
 * A containment profile as written in a JSON file under profiles/. Every field is optional so that a profile
 * can extend another one and override only what it names; {@link ProfileStore} merges the chain and
 * {@link #withDefaults()} fills what nobody set.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"$schema", "description", "extends", "isolation", "network", "grants", "env", "limits", "tools",
        "agentUser", "accept"})
public record Profile(
        @JsonProperty("$schema") String schema,
        String description,
        @JsonProperty("extends") String parent,
        Isolation isolation,
        @JsonIgnore Network network,
        List<GrantSpec> grants,
        EnvSettings env,
        Limits limits,
        ToolRules tools,
        String agentUser,
        @JsonIgnore List<String> networkAllow,
        List<String> accept) {

    /** A profile without an outbound allow-list that accepts no named weakness. */
    public Profile(String schema, String description, String parent, Isolation isolation, Network network,
            List<GrantSpec> grants, EnvSettings env, Limits limits, ToolRules tools, String agentUser) {
        this(schema, description, parent, isolation, network, grants, env, limits, tools, agentUser, null, null);
    }

    /** Without {@code accept}: the profile accepts no named weakness of landlock isolation. */
    public Profile(String schema, String description, String parent, Isolation isolation, Network network,
            List<GrantSpec> grants, EnvSettings env, Limits limits, ToolRules tools, String agentUser,
            List<String> networkAllow) {
        this(schema, description, parent, isolation, network, grants, env, limits, tools, agentUser, networkAllow, null);
    }

    /** The "network" field as written: "none", "host", or {"allow": [SPEC, ...]}. */
    @JsonProperty("network")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    Object networkJson() {
        if (network == null) {
            return null;
        }
        return network == Network.ALLOW_LIST
                ? Map.of("allow", networkAllow == null ? List.of() : networkAllow)
                : network.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** How far the server is separated from the user's session. */
    public enum Isolation {
        /** Namespaces, separate identity, private filesystem, Landlock and seccomp. */
        @JsonProperty("full") FULL,
        /** Landlock + seccomp + rlimits without namespaces; weaker, only when chosen. */
        @JsonProperty("landlock") LANDLOCK,
        /** The "reduce protections" switch: the user's own session, warned on every launch. */
        @JsonProperty("reduced") REDUCED
    }

    /** none: own empty network namespace; host: the host's network; allow-list: only through the filtering proxy. */
    public enum Network {
        @JsonProperty("none") NONE,
        @JsonProperty("host") HOST,
        @JsonProperty("allow-list") ALLOW_LIST
    }

    /** Which variables of the launcher's environment reach the server, beyond the built-in allow-list. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record EnvSettings(List<String> pass, Map<String, String> set, List<String> sensitive) {}

    /** Resource limits; each one is enforced or the launch is refused. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"memory", "processes", "cpus", "cpuSeconds", "openFiles", "fileSize", "tmpSize", "homeSize"})
    public record Limits(
            ByteSize memory,
            Integer processes,
            Double cpus,
            Integer cpuSeconds,
            Integer openFiles,
            ByteSize fileSize,
            ByteSize tmpSize,
            ByteSize homeSize) {

        public Limits {
            positive("processes", processes);
            positive("cpuSeconds", cpuSeconds);
            if (openFiles != null && openFiles < 16) {
                throw new IllegalArgumentException("openFiles must be at least 16, got " + openFiles);
            }
            if (cpus != null && !(cpus > 0 && cpus <= 1024)) {
                throw new IllegalArgumentException("cpus must be a number of cores above 0, got " + cpus);
            }
        }

        private static void positive(String field, Integer value) {
            if (value != null && value <= 0) {
                throw new IllegalArgumentException(field + " must be positive, got " + value);
            }
        }
    }

    /**
     * Per-tool rules applied by the MCP mediator; a tool in deny is refused even when allow names it. {@code approval}
     * (by name or glob) and {@code defaultApproval} decide which calls are allowed, asked about or refused.
     */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    @JsonPropertyOrder({"allow", "deny", "approval", "defaultApproval"})
    public record ToolRules(List<String> allow, List<String> deny,
            Map<String, dev.mcpcontain.approval.ApprovalEntry> approval,
            dev.mcpcontain.approval.DefaultApproval defaultApproval) {

        public ToolRules(List<String> allow, List<String> deny) {
            this(allow, deny, null, null);
        }
    }
}
