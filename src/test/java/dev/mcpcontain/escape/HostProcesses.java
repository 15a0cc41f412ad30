package dev.mcpcontain.escape;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The host as the tests see it from outside the containment: accounts, processes, /proc. */
final class HostProcesses {

    private HostProcesses() {}

    static int uid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read /proc/self/status", e);
        }
        throw new IllegalStateException("no Uid: line in /proc/self/status");
    }

    /** An account from getent passwd (NSS included), empty when it does not exist. */
    static Optional<Identity.Account> account(String name) {
        try {
            Process p = new ProcessBuilder("getent", "passwd", name).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor() != 0 || out.isEmpty()) {
                return Optional.empty();
            }
            String[] f = out.split("\n")[0].split(":");
            return Optional.of(new Identity.Account(f[0], Integer.parseInt(f[2]), Integer.parseInt(f[3]), Path.of(f[5])));
        } catch (IOException e) {
            throw new IllegalStateException("getent passwd " + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The executable of PID (/proc/PID/exe), if visible. */
    static Optional<Path> executable(long pid) {
        try {
            return Optional.of(Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe")));
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    /** Running, not a zombie: an orphan's zombie lingers where the host's init does not reap (some VMs). */
    static boolean isLive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    static Optional<Long> parent(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String afterName = stat.substring(stat.lastIndexOf(')') + 2);
            return Optional.of(Long.parseLong(afterName.split(" ")[1]));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Host pids whose command line contains TEXT (every process, whoever owns it: the suite runs as root in CI). */
    static List<Long> withCommandLineContaining(String text) {
        List<Long> found = new ArrayList<>();
        byte[] needle = text.getBytes(StandardCharsets.UTF_8);
        long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("[0-9]+"))) {
            for (Path proc : procs) {
                long pid = Long.parseLong(proc.getFileName().toString());
                if (pid == self) {
                    continue;
                }
                try {
                    if (indexOf(Files.readAllBytes(proc.resolve("cmdline")), needle) >= 0) {
                        found.add(pid);
                    }
                } catch (IOException e) {
                    // gone meanwhile
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc", e);
        }
        return found;
    }

    /** Host pids running EXECUTABLE. */
    static List<Long> running(Path executable) {
        List<Long> found = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(p -> {
            if (executable(p.pid()).map(e -> e.equals(executable)).orElse(false)) {
                found.add(p.pid());
            }
        });
        return found;
    }

    static void killAllRunning(Path executable) {
        for (long pid : running(executable)) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
