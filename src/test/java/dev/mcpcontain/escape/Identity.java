package dev.mcpcontain.escape;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Who starts the launcher in a test, and who the contained server then is.
 *
 * <ul>
 *   <li>{@code root}: the launcher runs as root, the server as the agent account (mcp-agent);</li>
 *   <li>{@code user}: the launcher runs as an unprivileged user ({@code runuser -u NAME --}), the server as that
 *       user inside its own user namespace;</li>
 *   <li>{@code self}: the suite itself is not root, so only the current user can be tested.</li>
 * </ul>
 *
 * @param key        short name used in test names and paths
 * @param user       account that runs the launcher
 * @param home       that account's home directory (where its ~/.ssh lives)
 * @param serverUser account the contained server runs as
 * @param launchAs   command prefix that switches to {@code user} (empty when it is the suite's own account)
 * @param serverAs   command prefix that switches to {@code serverUser}: unconfined positive controls run as the
 *                   very uid the server has, so they show what that uid could do without the containment
 */
record Identity(String key, Account user, Path home, Account serverUser, List<String> launchAs, List<String> serverAs) {

    /** A host account, from getent. */
    record Account(String name, int uid, int gid, Path home) {}

    boolean root() {
        return user.uid() == 0;
    }

    List<String> launch(List<String> command) {
        List<String> full = new ArrayList<>(launchAs);
        full.addAll(command);
        return full;
    }

    List<String> asServer(List<String> command) {
        List<String> full = new ArrayList<>(serverAs);
        full.addAll(command);
        return full;
    }

    @Override
    public String toString() {
        return key + " (launcher " + user.name() + ", server " + serverUser.name() + ")";
    }
}
