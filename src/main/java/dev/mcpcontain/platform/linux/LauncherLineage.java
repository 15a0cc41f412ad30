package dev.mcpcontain.platform.linux;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which processes the server's tree must not outlive, passed to the helper as {@code --watch HOST LAUNCHER}
 * (native/linux/parent.c does the watching and explains the race it closes).
 *
 * <ul>
 *   <li>Through the {@code mcp-contain} script, which records its {@code $PPID} and {@code $$} before the JVM
 *       starts: HOST is whoever started the script, LAUNCHER the script (plain runs exec the helper in its place;
 *       mediated runs keep it waiting on this JVM).</li>
 *   <li>The CLI started without the script ({@code java -jar}): HOST is this JVM's parent, LAUNCHER this JVM.</li>
 *   <li>The Java API inside another program: that program (this JVM) is the host; the helper is its own launcher.</li>
 * </ul>
 *
 * @param host     pid whose exit ends the tree
 * @param launcher pid whose parent must be {@code host}; 0 for the helper itself
 */
public record LauncherLineage(long host, long launcher) {

    static final String HOST_VARIABLE = "MCP_CONTAIN_HOST_PID";
    static final String LAUNCHER_VARIABLE = "MCP_CONTAIN_LAUNCHER_PID";

    static LauncherLineage of(Map<String, String> environment, long jvm, Optional<Long> jvmParent, boolean cli) {
        Optional<Long> host = pid(environment.get(HOST_VARIABLE));
        Optional<Long> launcher = pid(environment.get(LAUNCHER_VARIABLE));
        if (host.isPresent() && launcher.isPresent()) {
            return new LauncherLineage(host.get(), launcher.get());
        }
        if (cli && jvmParent.isPresent()) {
            return new LauncherLineage(jvmParent.get(), jvm);
        }
        return new LauncherLineage(jvm, 0);
    }

    static LauncherLineage current(Map<String, String> environment, boolean cli) {
        ProcessHandle self = ProcessHandle.current();
        return of(environment, self.pid(), self.parent().map(ProcessHandle::pid), cli);
    }

    /** The process that lives exactly as long as the run: it names the run's cgroups (see {@link CgroupSweep}). */
    static long runOwner(Map<String, String> environment, long jvm) {
        return pid(environment.get(LAUNCHER_VARIABLE)).orElse(jvm);
    }

    List<String> helperArguments() {
        return List.of("--watch", Long.toString(host), Long.toString(launcher));
    }

    private static Optional<Long> pid(String text) {
        if (text == null || text.isEmpty() || text.length() > 10 || !text.chars().allMatch(Character::isDigit)) {
            return Optional.empty();
        }
        long pid = Long.parseLong(text);
        return pid > 0 && pid <= Integer.MAX_VALUE ? Optional.of(pid) : Optional.empty();
    }
}
