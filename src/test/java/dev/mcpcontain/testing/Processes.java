package dev.mcpcontain.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether a process still runs, as opposed to ProcessHandle.isAlive, which also counts zombies. */
public final class Processes {

    private Processes() {}

    /**
     * True while the process exists and is not a zombie. A killed process whose parent is gone waits as a zombie
     * until init reaps it; some VM inits (Firecracker's process_api) never do, so a zombie must count as dead.
     */
    public static boolean isRunning(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // The state follows the command name, which is in parentheses and may itself contain ") ".
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException | StringIndexOutOfBoundsException e) {
            return false;
        }
    }
}
