package dev.mcpcontain.launch;

import java.io.IOException;
import java.io.OutputStream;

/**
 * How a backend hands a prepared plan to a native supervisor which then replaces the launcher script, so that no
 * JVM stays resident while the server runs. The {@code mcp-contain} script opens the channel and execs the helper
 * once the JVM has exited successfully.
 */
@FunctionalInterface
public interface ExecHandoff<P extends LaunchPlan> {

    /** Environment variable naming the descriptor the script reads the hand-off from. */
    String CHANNEL_FD_VARIABLE = "MCP_CONTAIN_PLAN_FD";

    void writeHandoff(P plan, OutputStream channel) throws IOException;
}
