package dev.mcpcontain.launch;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A backend that can hand a prepared plan to a native supervisor which then replaces the launcher script, so
 * that no JVM stays resident while the server runs. The {@code mcp-contain} script opens the channel and execs
 * the helper once the JVM has exited successfully.
 */
public interface ExecHandoff {

    /** Environment variable naming the descriptor the script reads the hand-off from. */
    String CHANNEL_FD_VARIABLE = "MCP_CONTAIN_PLAN_FD";

    void writeHandoff(LaunchPlan plan, OutputStream channel) throws IOException;
}
