package dev.mcpcontain.hosts;

import dev.mcpcontain.policy.HostEnvironment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The MCP hosts whose configuration files {@code import} and {@code connect} edit: where each keeps its file, under
 * which key its servers live, and which {@code ${...}} references the host itself resolves when it starts a server.
 */
public enum Host {

    /** {@code claude_desktop_config.json}: {@code mcpServers}; no variable expansion. */
    CLAUDE_DESKTOP("claude-desktop", "mcpServers", null),
    /** {@code mcp.json} of the user profile or {@code .vscode/mcp.json}: {@code servers} and {@code inputs}. */
    VSCODE("vscode", "servers", Pattern.compile("\\$\\{[^}]+\\}")),
    /** {@code ~/.cursor/mcp.json} or a project's {@code .cursor/mcp.json}: {@code mcpServers}. */
    CURSOR("cursor", "mcpServers", Pattern.compile("\\$\\{[^}]+\\}")),
    /** {@code ~/.claude.json} (top level and {@code projects.*}) or a project's {@code .mcp.json}. */
    CLAUDE_CODE("claude-code", "mcpServers", Pattern.compile("\\$\\{[^}]+\\}"));

    private final String id;
    private final String serversKey;
    private final Pattern reference;

    Host(String id, String serversKey, Pattern reference) {
        this.id = id;
        this.serversKey = serversKey;
        this.reference = reference;
    }

    public String id() {
        return id;
    }

    /** The object of server entries: {@code servers} for VS Code, {@code mcpServers} for the others. */
    public String serversKey() {
        return serversKey;
    }

    /** Whether the host replaces {@code ${...}} in this value itself when it starts the server. */
    public boolean hostResolves(String value) {
        return reference != null && value != null && reference.matcher(value).find();
    }

    /** VS Code requires {@code "type": "stdio"} on a command entry; the others infer it. */
    public boolean writesType() {
        return this == VSCODE;
    }

    public static Host parse(String id) {
        for (Host host : values()) {
            if (host.id.equals(id.toLowerCase(Locale.ROOT))) {
                return host;
            }
        }
        List<String> ids = new ArrayList<>();
        for (Host host : values()) {
            ids.add(host.id);
        }
        throw new IllegalArgumentException("unknown host '" + id + "' (expected one of " + String.join(", ", ids) + ")");
    }

    /**
     * The user-wide file the host reads, as its documentation places it. Project files ({@code .vscode/mcp.json},
     * {@code .cursor/mcp.json}, {@code .mcp.json}) are given with {@code --config}.
     */
    public Path defaultFile(HostEnvironment env, String osName) {
        Path home = env.home();
        boolean mac = osName.startsWith("Mac");
        Path appData = env.variable("APPDATA").map(Path::of).orElse(home.resolve("AppData").resolve("Roaming"));
        Path xdgConfig = env.variable("XDG_CONFIG_HOME").map(Path::of).filter(Path::isAbsolute)
                .orElse(home.resolve(".config"));
        Path macSupport = home.resolve("Library").resolve("Application Support");
        return switch (this) {
            case CLAUDE_DESKTOP -> (env.windows() ? appData.resolve("Claude") : mac ? macSupport.resolve("Claude")
                    : xdgConfig.resolve("Claude")).resolve("claude_desktop_config.json");
            case VSCODE -> (env.windows() ? appData.resolve("Code") : mac ? macSupport.resolve("Code")
                    : xdgConfig.resolve("Code")).resolve("User").resolve("mcp.json");
            case CURSOR -> home.resolve(".cursor").resolve("mcp.json");
            case CLAUDE_CODE -> env.variable("CLAUDE_CONFIG_DIR").map(Path::of).orElse(home).resolve(".claude.json");
        };
    }

    /**
     * The folder {@code ${workspaceFolder}} means in a project file ({@code .vscode/mcp.json}, {@code .cursor/mcp.json}),
     * or null for a user-wide file.
     */
    public Path workspaceFolder(Path file, Path home) {
        Path parent = file.toAbsolutePath().normalize().getParent();
        if (parent == null || parent.getParent() == null || parent.getParent().equals(home.toAbsolutePath().normalize())) {
            return null; // ~/.cursor/mcp.json is Cursor's user-wide file
        }
        String dir = parent.getFileName().toString();
        if ((this == VSCODE && dir.equals(".vscode")) || (this == CURSOR && dir.equals(".cursor"))) {
            return parent.getParent();
        }
        return null;
    }
}
