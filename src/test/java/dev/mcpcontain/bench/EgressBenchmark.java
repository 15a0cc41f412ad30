package dev.mcpcontain.bench;

import dev.mcpcontain.network.AllowList;
import dev.mcpcontain.network.EgressProxy;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The filtering proxy's cost, side by side with a direct loopback connection in one run: connect latency (connect,
 * tunnel set-up, one byte there and back) and throughput (a bulk upload the far end counts and acknowledges), plus
 * the launcher JVM's resident memory and threads with many tunnels open. Only loopback is touched; the upstream is
 * listed by address, as a private destination must be. Not a test: numbers depend on the machine.
 *
 * <p>Usage: scripts/bench-egress [CONNECTS [MEGABYTES [OPEN_TUNNELS]]] (defaults 2000 256 100)
 */
public final class EgressBenchmark {

    public static void main(String[] args) throws Exception {
        int connects = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int megabytes = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        int tunnels = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        ServerSocket upstream = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
        Thread server = new Thread(() -> serve(upstream), "bench-upstream");
        server.setDaemon(true);
        server.start();
        int port = upstream.getLocalPort();
        Path dir = Files.createTempDirectory("mcp-contain-bench-egress");
        long rssBefore = rssKb();
        try (EgressProxy proxy = EgressProxy.start(dir.resolve("proxy.sock"), AllowList.parse(List.of("127.0.0.1:" + port)),
                EgressProxy.Resolver.SYSTEM, e -> { })) {
            // warm up both paths (JIT), then measure
            latency(Math.min(connects, 300), () -> direct(port));
            latency(Math.min(connects, 300), () -> viaProxy(proxy.socket(), port));
            double[] d = latency(connects, () -> direct(port));
            double[] p = latency(connects, () -> viaProxy(proxy.socket(), port));
            System.out.printf("connect + 1-byte round trip (%d each), microseconds   median    p90%n", connects);
            System.out.printf("  direct TCP                                         %7.1f %7.1f%n", d[0], d[1]);
            System.out.printf("  through the proxy (unix socket + CONNECT)          %7.1f %7.1f   (+%.1f median)%n",
                    p[0], p[1], p[0] - d[0]);
            throughput(megabytes, () -> direct(port));
            double td = throughput(megabytes, () -> direct(port));
            double tp = throughput(megabytes, () -> viaProxy(proxy.socket(), port));
            System.out.printf("bulk upload of %d MB, MB/s%n  direct TCP          %8.0f%n  through the proxy   %8.0f   (%.0f%%)%n",
                    megabytes, td, tp, 100 * tp / td);
            List<Conn> open = new ArrayList<>();
            int threadsBefore = Thread.activeCount();
            for (int i = 0; i < tunnels; i++) {
                open.add(viaProxy(proxy.socket(), port));
            }
            Thread.sleep(300);
            System.out.printf("launcher JVM: RSS %d MB before the proxy, %d MB with %d open tunnels; threads %d -> %d%n",
                    rssBefore / 1024, rssKb() / 1024, tunnels, threadsBefore, Thread.activeCount());
            for (Conn c : open) {
                c.close();
            }
        }
        upstream.close();
    }

    private interface Opener {
        Conn open() throws IOException;
    }

    /** A connection to the upstream, however it was reached. */
    private record Conn(InputStream in, OutputStream out, AutoCloseable closer) {
        void close() throws Exception {
            closer.close();
        }
    }

    private static Conn direct(int port) throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return new Conn(s.getInputStream(), s.getOutputStream(), s);
    }

    private static Conn viaProxy(Path socket, int port) throws IOException {
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        c.connect(UnixDomainSocketAddress.of(socket));
        InputStream in = Channels.newInputStream(c);
        OutputStream out = Channels.newOutputStream(c);
        out.write(("CONNECT 127.0.0.1:" + port + " HTTP/1.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("proxy closed");
            }
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
        }
        return new Conn(in, out, c);
    }

    /** The upstream: 'p' gets 'p' back; 'B' then bytes until EOF gets "ok". */
    private static void serve(ServerSocket upstream) {
        while (!upstream.isClosed()) {
            try {
                Socket s = upstream.accept();
                s.setTcpNoDelay(true);
                Thread t = new Thread(() -> {
                    try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                        int first = in.read();
                        if (first == 'p') {
                            out.write('p');
                            out.flush();
                            in.read();
                        } else if (first == 'B') {
                            byte[] buf = new byte[1 << 16];
                            while (in.read(buf) >= 0) {
                                // count nothing: reaching EOF is the point
                            }
                            out.write("ok".getBytes(StandardCharsets.US_ASCII));
                        }
                    } catch (IOException e) {
                        // client gone
                    }
                });
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private static double[] latency(int n, Opener opener) throws Exception {
        double[] micros = new double[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            Conn c = opener.open();
            c.out().write('p');
            c.out().flush();
            if (c.in().read() != 'p') {
                throw new IOException("no echo");
            }
            micros[i] = (System.nanoTime() - t0) / 1000.0;
            c.close();
        }
        Arrays.sort(micros);
        return new double[] {micros[n / 2], micros[(int) (n * 0.9)]};
    }

    private static double throughput(int megabytes, Opener opener) throws Exception {
        byte[] chunk = new byte[1 << 16];
        Conn c = opener.open();
        long t0 = System.nanoTime();
        c.out().write('B');
        for (int i = 0; i < megabytes * 16; i++) {
            c.out().write(chunk);
        }
        c.out().flush();
        if (c.closer() instanceof Socket s) {
            s.shutdownOutput();
        } else {
            ((SocketChannel) c.closer()).shutdownOutput();
        }
        byte[] ok = c.in().readNBytes(2);
        double seconds = (System.nanoTime() - t0) / 1e9;
        c.close();
        if (!new String(ok, StandardCharsets.US_ASCII).equals("ok")) {
            throw new IOException("upload not acknowledged");
        }
        return megabytes / seconds;
    }

    private static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
