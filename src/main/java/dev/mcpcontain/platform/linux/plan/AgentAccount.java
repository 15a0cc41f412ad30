package dev.mcpcontain.platform.linux.plan;

import dev.mcpcontain.launch.ContainmentException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The unprivileged account a root launcher runs servers as, looked up in /etc/passwd. */
public record AgentAccount(String name, int uid, int gid) {

    public static AgentAccount lookup(String name) {
        return lookup(name, Path.of("/etc/passwd"));
    }

    static AgentAccount lookup(String name, Path passwd) {
        try {
            for (String line : Files.readAllLines(passwd)) {
                String[] f = line.split(":", -1);
                if (f.length >= 4 && f[0].equals(name)) {
                    int uid = Integer.parseInt(f[2]);
                    int gid = Integer.parseInt(f[3]);
                    if (uid == 0 || gid == 0) {
                        throw new ContainmentException(ContainmentException.Reason.UNENFORCEABLE,
                                "agent account '" + name + "' has uid or gid 0; it must be an unprivileged account");
                    }
                    return new AgentAccount(name, uid, gid);
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw new ContainmentException(ContainmentException.Reason.UNENFORCEABLE,
                    "cannot read " + passwd + " to find the agent account '" + name + "': " + e.getMessage(), e);
        }
        throw new ContainmentException(ContainmentException.Reason.UNENFORCEABLE,
                "running as root, mcp-contain drops to the agent account '" + name + "', which does not exist: create it"
                        + " with 'useradd --system --no-create-home --shell /usr/sbin/nologin " + name
                        + "' (scripts/install does this), or set \"agentUser\" in the profile");
    }
}
