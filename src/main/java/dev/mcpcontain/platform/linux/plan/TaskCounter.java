package dev.mcpcontain.platform.linux.plan;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Counts the tasks (threads) a uid runs, as RLIMIT_NPROC counts them, from /proc. */
final class TaskCounter {

    private TaskCounter() {}

    static long tasksOf(int uid) {
        long tasks = 0;
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path proc : procs) {
                tasks += tasksIfOwned(proc, uid);
            }
        } catch (IOException e) {
            return 0;
        }
        return tasks;
    }

    private static long tasksIfOwned(Path proc, int uid) {
        try {
            int owner = -1;
            long threads = 0;
            for (String line : Files.readAllLines(proc.resolve("status"))) {
                if (line.startsWith("Uid:")) {
                    owner = Integer.parseInt(line.split("\\s+")[1]);
                } else if (line.startsWith("Threads:")) {
                    threads = Long.parseLong(line.split("\\s+")[1]);
                }
            }
            return owner == uid ? threads : 0;
        } catch (IOException | RuntimeException e) {
            return 0; // the process ended while we looked
        }
    }
}
