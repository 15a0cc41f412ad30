package dev.mcpcontain.testing;

import java.util.List;

/** Waits for the processes a test started (relay JVMs, servers) to exit, so that they stop writing to its files. */
public final class ChildProcesses {

    private ChildProcesses() {}

    public static void awaitExit() throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        List<ProcessHandle> children = ProcessHandle.current().children().toList();
        for (ProcessHandle child : children) {
            while (child.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            if (child.isAlive()) {
                child.descendants().forEach(ProcessHandle::destroyForcibly);
                child.destroyForcibly();
            }
        }
    }
}
