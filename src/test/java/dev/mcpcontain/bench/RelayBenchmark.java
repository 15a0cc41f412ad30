package dev.mcpcontain.bench;

import dev.mcpcontain.testing.UncontainedRelayMain;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Relay benchmark, run by {@code scripts/bench-relay}: the same responder reached through a plain pipe and
 * through the production relay (mediation and audit log on), side by side in one run.
 *
 * <ul>
 *   <li>throughput: N small messages pipelined (sent without waiting), until the last answer arrives;
 *   <li>latency: one message at a time, round trip per message; median and p99;
 * </ul>
 * for {@code ping} (forwarded after a streaming scan) and {@code tools/call} (parsed, checked against the pinned
 * schema, audited with its arguments). Each measurement is repeated, arms interleaved, and the median reported,
 * so that one GC pause or a busy neighbour does not decide the result. Not a test: numbers depend on the machine.
 */
public final class RelayBenchmark {

    private record Arm(String name, Process process, OutputStream out, BufferedReader in) {}

    private RelayBenchmark() {}

    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        int roundTrips = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
        int repetitions = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        Path work = Files.createTempDirectory("mcp-contain-bench");
        List<String> responder = java(EchoResponder.class.getName(), List.of());
        List<String> relayed = new ArrayList<>(List.of("--server", "bench", "--pins", work.resolve("pins").toString(),
                "--audit", work.resolve("audit.jsonl").toString(), "--"));
        relayed.addAll(responder);
        Arm plain = start("plain pipe", responder);
        Arm relay = start("relay", java(UncontainedRelayMain.class.getName(), relayed));
        String[] kinds = {"ping", "tools/call"};
        double[][][] throughput = new double[2][2][repetitions];
        double[][][] latency = new double[2][2][roundTrips * repetitions];
        for (Arm arm : List.of(plain, relay)) {
            handshake(arm);
        }
        // Warm both JVMs' JITs (the relay's and the responder's) before measuring anything.
        for (Arm arm : List.of(plain, relay)) {
            for (String kind : kinds) {
                pipelined(arm, kind, Math.max(20_000, messages / 5));
                roundTrips(arm, kind, Math.max(2_000, roundTrips / 5));
            }
        }
        for (int r = 0; r < repetitions; r++) {
            for (int k = 0; k < kinds.length; k++) {
                for (int a = 0; a < 2; a++) {
                    Arm arm = a == 0 ? plain : relay;
                    throughput[a][k][r] = pipelined(arm, kinds[k], messages);
                    System.arraycopy(roundTrips(arm, kinds[k], roundTrips), 0, latency[a][k], r * roundTrips, roundTrips);
                }
            }
        }
        for (Arm arm : List.of(plain, relay)) {
            arm.out().close();
            arm.process().waitFor();
        }
        long auditLines = !Files.exists(work.resolve("audit.jsonl")) ? 0 : Files.lines(work.resolve("audit.jsonl")).filter(l -> !l.isEmpty()).count();
        System.out.printf(Locale.ROOT, "relay benchmark: %d x (%d pipelined messages, %d round trips) per kind and arm;"
                + " %d cores; java %s%n", repetitions, messages, roundTrips, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        System.out.println("relay = production relay with mediation and audit log (pins, schema checks, one record per message)");
        System.out.printf(Locale.ROOT, "%-38s %16s %16s %12s%n", "", "plain pipe", "relay", "relay/plain");
        for (int k = 0; k < kinds.length; k++) {
            row(kinds[k] + " throughput, median (msg/s)", percentile(throughput[0][k], 50),
                    percentile(throughput[1][k], 50), "%,.0f");
            row(kinds[k] + " throughput, worst (msg/s)", percentile(throughput[0][k], 0),
                    percentile(throughput[1][k], 0), "%,.0f");
            double p50Plain = percentile(latency[0][k], 50);
            double p50Relay = percentile(latency[1][k], 50);
            row(kinds[k] + " latency p50 (ms)", p50Plain, p50Relay, "%.3f");
            row(kinds[k] + " latency p99 (ms)", percentile(latency[0][k], 99), percentile(latency[1][k], 99), "%.3f");
            System.out.printf(Locale.ROOT, "%-38s %16s %16.3f%n", kinds[k] + " added p50 latency (ms)", "", p50Relay - p50Plain);
        }
        System.out.printf(Locale.ROOT, "audit records written by the relay: %,d (%,d bytes)%n", auditLines,
                Files.size(work.resolve("audit.jsonl")));
        try (var files = Files.walk(work)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        System.out.println("targets: >= 20,000 small messages/s through the relay; <= 0.5 ms added median latency");
    }

    private static void row(String label, double plain, double relay, String format) {
        System.out.printf(Locale.ROOT, "%-38s %16s %16s %12.2f%n", label, String.format(Locale.ROOT, format, plain),
                String.format(Locale.ROOT, format, relay), relay / plain);
    }

    private static Arm start(String name, List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        return new Arm(name, process, new BufferedOutputStream(process.getOutputStream(), 1 << 16),
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8), 1 << 16));
    }

    private static void handshake(Arm arm) throws IOException {
        send(arm, "{\"jsonrpc\":\"2.0\",\"id\":\"init\",\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                + "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"bench\",\"version\":\"1\"}}}", true);
        arm.in().readLine();
        send(arm, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", true);
    }

    private static String request(String kind, int id) {
        return kind.equals("ping") ? "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"ping\"}"
                : "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                        + "\"arguments\":{\"message\":\"hello " + id + "\"}}}";
    }

    private static int nextId;

    /** Messages per second with everything in flight at once. */
    private static double pipelined(Arm arm, String kind, int count) throws Exception {
        int first = nextId;
        nextId += count;
        Thread writer = new Thread(() -> {
            try {
                for (int i = 0; i < count; i++) {
                    send(arm, request(kind, first + i), false);
                }
                arm.out().flush();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        long start = System.nanoTime();
        writer.start();
        for (int received = 0; received < count;) {
            String line = arm.in().readLine();
            if (line == null) {
                throw new IOException(arm.name() + " ended after " + received + " answers");
            }
            if (line.contains("\"result\"") || line.contains("\"error\"")) {
                received++;
            }
        }
        long elapsed = System.nanoTime() - start;
        writer.join();
        return count / (elapsed / 1e9);
    }

    /** Round-trip times in milliseconds, one message at a time. */
    private static double[] roundTrips(Arm arm, String kind, int count) throws IOException {
        double[] times = new double[count];
        for (int i = 0; i < count; i++) {
            int id = nextId++;
            long start = System.nanoTime();
            send(arm, request(kind, id), true);
            String line;
            do {
                line = arm.in().readLine();
                if (line == null) {
                    throw new IOException(arm.name() + " ended");
                }
            } while (!line.contains("\"id\":" + id + ","));
            times[i] = (System.nanoTime() - start) / 1e6;
        }
        return times;
    }

    private static void send(Arm arm, String line, boolean flush) throws IOException {
        arm.out().write(line.getBytes(StandardCharsets.UTF_8));
        arm.out().write('\n');
        if (flush) {
            arm.out().flush();
        }
    }

    private static double percentile(double[] values, int p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.max(0, Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1))];
    }

    private static List<String> java(String mainClass, List<String> args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(args);
        return command;
    }
}
