import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Start-up and memory of mcp-contain, measured side by side with baselines in one run (run by
 * scripts/bench-startup). Wall time per command from fork to exit, interleaved round-robin so that machine noise
 * hits every command alike; medians and ratios are what to read.
 *
 * Usage: java StartupBench.java [--session] RUNS name=command... [--memory LAUNCHER]
 *
 * With --session each command is an MCP server and is timed from spawn to its first tools/list answer and exit:
 * the client sends initialize, initialized and tools/list, reads until the tools/list answer, closes stdin and
 * waits for the exit (as a host that lists tools and hangs up would).
 */
public class StartupBench {

    static boolean session;

    public static void main(String[] args) throws Exception {
        int first = 0;
        if (args[0].equals("--session")) {
            session = true;
            first = 1;
        }
        int runs = Integer.parseInt(args[first]);
        Map<String, List<String>> commands = new LinkedHashMap<>();
        String memoryLauncher = null;
        for (int i = first + 1; i < args.length; i++) {
            if (args[i].equals("--memory")) {
                memoryLauncher = args[++i];
                continue;
            }
            int eq = args[i].indexOf('=');
            commands.put(args[i].substring(0, eq), Arrays.asList(args[i].substring(eq + 1).split(" ")));
        }
        Map<String, List<Double>> times = new LinkedHashMap<>();
        commands.keySet().forEach(k -> times.put(k, new ArrayList<>()));
        for (int round = -3; round < runs; round++) {          // three warm-up rounds, not recorded
            for (Map.Entry<String, List<String>> c : commands.entrySet()) {
                double ms = time(c.getValue());
                if (round >= 0) {
                    times.get(c.getKey()).add(ms);
                }
            }
        }
        String baseline = commands.keySet().iterator().next();
        double bare = median(times.get(baseline));
        Double jvm = times.containsKey("java-hello") ? median(times.get("java-hello")) : null;
        System.out.printf("%-34s %9s %9s %9s %9s %11s%n", "command (" + runs + " runs each)", "median ms", "p10", "p90",
                "x " + baseline, jvm != null ? "x java-hello" : "");
        for (Map.Entry<String, List<Double>> e : times.entrySet()) {
            List<Double> t = e.getValue();
            double m = median(t);
            System.out.printf("%-34s %9.2f %9.2f %9.2f %9.1f %11s%n", e.getKey(), m, percentile(t, 10), percentile(t, 90),
                    m / bare, jvm != null ? String.format("%.2f", m / jvm) : "");
        }
        if (memoryLauncher != null) {
            memory(memoryLauncher);
        }
    }

    static final String SESSION = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
            + "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"bench\",\"version\":\"1\"}}}\n"
            + "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n"
            + "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}\n";

    static double time(List<String> command) throws IOException, InterruptedException {
        return session ? timeSession(command) : timeExit(command);
    }

    static double timeSession(List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        long start = System.nanoTime();
        Process p = pb.start();
        p.getOutputStream().write(SESSION.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        p.getOutputStream().flush();
        java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                java.nio.charset.StandardCharsets.UTF_8));
        boolean listed = false;
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            if (line.contains("\"id\":2") && line.contains("\"tools\"")) {
                listed = true;
                break;
            }
        }
        p.getOutputStream().close();
        out.transferTo(java.io.Writer.nullWriter());
        p.waitFor();
        double ms = (System.nanoTime() - start) / 1e6;
        if (!listed) {
            throw new IllegalStateException(String.join(" ", command) + " gave no tools/list answer (exit " + p.exitValue() + ")");
        }
        return ms;
    }

    static double timeExit(List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        long start = System.nanoTime();
        Process p = pb.start();
        int code = p.waitFor();
        double ms = (System.nanoTime() - start) / 1e6;
        if (code != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited " + code);
        }
        return ms;
    }

    /**
     * RSS and PSS of the processes containment adds (supervisor, init) while a server runs plain, and whether a JVM
     * stays. Plain on purpose: strict asks for tool approvals, which only the relay enforces, so a strict run is
     * mediated and keeps its JVM (the relay) by design.
     */
    static void memory(String launcher) throws Exception {
        Process p = new ProcessBuilder(launcher, "run", "--profile", "strict", "--no-mediate", "--", "/bin/sleep", "60")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        long supervisor = p.pid();
        List<Long> tree = new ArrayList<>();
        long deadline = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < deadline) {
            tree = descendants(supervisor);
            if (tree.stream().anyMatch(pid -> command(pid).startsWith("/bin/sleep"))) {
                break;
            }
            Thread.sleep(50);
        }
        Thread.sleep(300);
        tree = descendants(supervisor);
        long rss = 0, pss = 0;
        System.out.println();
        System.out.println("resident memory while a server runs (plain: mcp-contain run --profile strict --no-mediate -- /bin/sleep 60):");
        List<Long> all = new ArrayList<>();
        all.add(supervisor);
        all.addAll(tree);
        boolean jvm = false;
        for (long pid : all) {
            String cmd = command(pid);
            long r = kb(pid, "status", "VmRSS:");
            long s = kb(pid, "smaps_rollup", "Pss:");
            boolean server = cmd.startsWith("/bin/sleep");
            jvm |= cmd.contains("java");
            System.out.printf("  pid %-7d %-52s RSS %6d kB  PSS %6d kB%s%n", pid, cmd.length() > 52 ? cmd.substring(0, 52) : cmd,
                    r, s, server ? "  (the server itself)" : "");
            if (!server) {
                rss += r;
                pss += s;
            }
        }
        System.out.printf("  added by containment: RSS %.1f MB, PSS %.1f MB; JVM resident: %s%n", rss / 1024.0, pss / 1024.0,
                jvm ? "YES" : "no");
        p.destroy();
        p.waitFor();
    }

    static List<Long> descendants(long pid) {
        List<Long> out = new ArrayList<>();
        ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(d -> out.add(d.pid())));
        return out;
    }

    static String command(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"))).replace('\0', ' ').trim();
        } catch (IOException e) {
            return "?";
        }
    }

    static long kb(long pid, String file, String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/" + file))) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    static double median(List<Double> t) {
        return percentile(t, 50);
    }

    static double percentile(List<Double> t, int p) {
        List<Double> s = new ArrayList<>(t);
        s.sort(null);
        return s.get(Math.min(s.size() - 1, (int) Math.round(p / 100.0 * (s.size() - 1))));
    }
}
