package dev.mcpcontain.platform.windows.plan;

import dev.mcpcontain.platform.windows.acl.AceSpec;
import dev.mcpcontain.platform.windows.acl.Sid;
import dev.mcpcontain.policy.ContainmentPolicy;
import dev.mcpcontain.policy.PathRule;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns the policy's paths into ACL entries. AppContainer library capabilities do not open Win32 file access, so
 * every reachable folder, known folders included, gets an entry for the server's AppContainer SID (and for the
 * agent account when the server runs under it: both checks must pass).
 *
 * <p>Program paths under the Windows and Program Files directories need nothing: ALL APPLICATION PACKAGES can
 * already read and execute there, and a user could not change those ACLs anyway.
 */
public final class FolderAccessPlan {

    private FolderAccessPlan() {}

    /**
     * @param systemDirectories directories readable by every AppContainer (from the host's environment)
     */
    public static List<AceSpec> entries(ContainmentPolicy policy, List<Sid> trustees, List<String> systemDirectories) {
        return entries(policy, trustees, systemDirectories, path -> false);
    }

    /**
     * @param lowLabelConsented whether the user consented to label this folder of theirs Low integrity
     * @throws LowLabelNeeded for a writable grant on a user folder without that consent
     */
    public static List<AceSpec> entries(ContainmentPolicy policy, List<Sid> trustees, List<String> systemDirectories,
            java.util.function.Predicate<String> lowLabelConsented) {
        List<AceSpec> entries = new ArrayList<>();
        List<PathRule> rules = policy.paths();
        for (PathRule rule : rules) {
            String path = rule.path().toString();
            if (rule.origin() == PathRule.Origin.PROGRAM && isUnder(path, systemDirectories)) {
                continue;
            }
            int inheritance = Files.isRegularFile(rule.path()) ? 0 : AceSpec.INHERIT_TO_CHILDREN;
            String reason = rule.origin().name().toLowerCase(Locale.ROOT) + ": " + rule.reason();
            boolean insideWritable = !rule.writable() && rules.stream().anyMatch(other -> other != rule
                    && other.writable() && isUnder(path, List.of(other.path().toString())));
            if (rule.writable()) {
                // The server's token is Low (AppContainer tokens always are): without a Low label, the folder
                // counts as Medium and no DACL entry lets the server write it.
                if (rule.origin() == PathRule.Origin.AGENT_HOME || lowLabelConsented.test(path)) {
                    entries.add(AceSpec.lowLabel(path, inheritance, rule.origin() == PathRule.Origin.AGENT_HOME
                            ? "the server's own home: Low so that the server can write it"
                            : "writable grant, Low label by your consent"));
                } else {
                    throw new LowLabelNeeded(path);
                }
            }
            for (Sid trustee : trustees) {
                entries.add(new AceSpec(path, trustee, false, rule.writable() ? AceSpec.MODIFY : AceSpec.READ_EXECUTE,
                        inheritance, reason));
                if (insideWritable) {
                    entries.add(new AceSpec(path, trustee, true, AceSpec.WRITE_RIGHTS, inheritance,
                            "kept read-only inside a writable grant"));
                }
            }
        }
        return entries;
    }

    /** A writable grant on a user folder needs a Low label, which needs the user's consent first. */
    public static final class LowLabelNeeded extends RuntimeException {
        private final String path;

        LowLabelNeeded(String path) {
            super(path);
            this.path = path;
        }

        public String path() {
            return path;
        }
    }

    /** Case-insensitive prefix test on whole path components, for either separator. */
    public static boolean isUnder(String path, List<String> directories) {
        String p = normalize(path);
        for (String dir : directories) {
            String d = normalize(dir);
            if (!d.isEmpty() && (p.equals(d) || p.startsWith(d.endsWith("\\") ? d : d + "\\"))) {
                return true;
            }
        }
        return false;
    }

    private static String normalize(String path) {
        String p = path.replace('/', '\\').toLowerCase(Locale.ROOT);
        while (p.endsWith("\\") && p.length() > 1) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }
}
