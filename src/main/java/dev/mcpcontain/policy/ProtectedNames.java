package dev.mcpcontain.policy;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Names that stay read-only inside a writable grant: files a shell, git, an editor or an MCP host would later run
 * or trust, so a server that writes them would escape the containment on the user's next action.
 *
 * <p>Only names that exist at launch can be protected: the protection is a read-only mount, and a mount needs
 * something on disk to sit on. Creating placeholders would change the user's files (an empty .bash_profile changes
 * how bash starts), and Landlock cannot filter by name. So absent names are announced on every launch instead.
 */
public final class ProtectedNames {

    static final List<String> IN_WRITABLE_GRANTS = List.of(
            ".bashrc", ".bash_profile", ".bash_login", ".profile", ".zshrc", ".zprofile", ".zshenv", ".config/fish",
            ".git/hooks", ".git/config", ".mcp.json", ".vscode", ".cursor", ".claude", ".ssh", ".gnupg",
            ".config/mcp-contain", ".local/share/mcp-contain", ".config/autostart", ".config/systemd");

    private ProtectedNames() {}

    /**
     * For each writable grant, the protected names it does not hold yet and that something would trust there:
     * shell and session files only in a grant holding the user's home, git's only where there is a .git, agent
     * and editor configuration anywhere.
     */
    public static List<String> absentInWritableGrants(ContainmentPolicy policy, Path home) {
        List<String> notices = new ArrayList<>();
        for (PathRule grant : topLevelWritableGrants(policy)) {
            List<String> absent = new ArrayList<>();
            for (String name : IN_WRITABLE_GRANTS) {
                if (trusted(grant.path(), name, home) && !Files.exists(grant.path().resolve(name), LinkOption.NOFOLLOW_LINKS)) {
                    absent.add(name);
                }
            }
            if (!absent.isEmpty()) {
                notices.add("in the writable grant " + grant.path() + ", " + String.join(", ", absent)
                        + (absent.size() == 1 ? " does" : " do") + " not exist, so cannot be kept read-only: the server"
                        + " could create " + (absent.size() == 1 ? "it" : "them") + " (grant read-only to prevent this)");
            }
        }
        return notices;
    }

    private static boolean trusted(Path grant, String name, Path home) {
        if (name.startsWith(".git/")) {
            return Files.isDirectory(grant.resolve(".git"), LinkOption.NOFOLLOW_LINKS);
        }
        boolean session = name.startsWith(".b") || name.startsWith(".z") || name.equals(".profile")
                || name.startsWith(".config/") || name.startsWith(".local/") || name.equals(".ssh") || name.equals(".gnupg");
        return !session || home.startsWith(grant);
    }

    private static List<PathRule> topLevelWritableGrants(ContainmentPolicy policy) {
        List<PathRule> grants = new ArrayList<>();
        for (PathRule rule : policy.paths()) {
            boolean userFolder = rule.origin() == PathRule.Origin.GRANT || rule.origin() == PathRule.Origin.CONSENT;
            if (!rule.writable() || !userFolder) {
                continue;
            }
            boolean nested = false;
            for (PathRule other : policy.paths()) {
                nested |= other != rule && other.writable() && !other.path().equals(rule.path())
                        && rule.path().startsWith(other.path());
            }
            if (!nested) {
                grants.add(rule);
            }
        }
        return grants;
    }
}
