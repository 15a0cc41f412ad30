package dev.mcpcontain.network;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The proxy on a real unix socket, against an upstream on loopback. No name ever reaches real DNS. */
class EgressProxyTest {

    @TempDir
    Path dir;

    private ServerSocket upstream;
    private final AtomicReference<String> lastRequestHead = new AtomicReference<>();
    private final List<EgressProxy.Event> events = new CopyOnWriteArrayList<>();
    private EgressProxy proxy;

    @BeforeEach
    void start() throws IOException {
        upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::serveUpstream);
        t.setDaemon(true);
        t.start();
        int port = upstream.getLocalPort();
        Map<String, String> names = Map.of("localhost", "127.0.0.1", "allowed.test", "127.0.0.1",
                "public.test", "203.0.113.250");
        EgressProxy.Resolver resolver = name -> {
            String a = names.get(name);
            if (a == null) {
                throw new java.net.UnknownHostException(name);
            }
            return List.of(Addresses.parseLiteral(a).orElseThrow());
        };
        AllowList list = AllowList.parse(List.of("localhost:" + port, "allowed.test:" + port, "127.0.0.1:" + port,
                "allowed.test"));
        proxy = EgressProxy.start(dir.resolve("proxy.sock"), list, resolver, events::add);
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        upstream.close();
    }

    /** Echoes after a greeting line; for "GET" heads, records the head and answers a tiny HTTP response. */
    private void serveUpstream() {
        while (!upstream.isClosed()) {
            try {
                Socket c = upstream.accept();
                Thread t = new Thread(() -> {
                    try (c; InputStream in = c.getInputStream(); OutputStream out = c.getOutputStream()) {
                        byte[] first = new byte[3];
                        int n = in.readNBytes(first, 0, 3);
                        if (n == 3 && new String(first, StandardCharsets.US_ASCII).equals("GET")) {
                            StringBuilder head = new StringBuilder("GET");
                            while (!head.toString().endsWith("\r\n\r\n")) {
                                int b = in.read();
                                if (b < 0) {
                                    break;
                                }
                                head.append((char) b);
                            }
                            lastRequestHead.set(head.toString());
                            out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi"
                                    .getBytes(StandardCharsets.US_ASCII));
                            return;
                        }
                        out.write(first, 0, n);
                        in.transferTo(out);
                    } catch (IOException e) {
                        // test client gone
                    }
                });
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private SocketChannel connect() throws IOException {
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        c.connect(UnixDomainSocketAddress.of(proxy.socket()));
        return c;
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder s = new StringBuilder();
        while (!s.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            s.append((char) b);
        }
        return s.toString();
    }

    private String connectStatus(String target) throws IOException {
        try (SocketChannel c = connect()) {
            Channels.newOutputStream(c).write(("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return readHead(Channels.newInputStream(c)).split("\r\n")[0];
        }
    }

    @Test
    void connectToAnAllowedNameTunnels() throws IOException {
        int port = upstream.getLocalPort();
        try (Socket s = new Socket()) {
            SocketChannel c = connect();
            OutputStream out = Channels.newOutputStream(c);
            InputStream in = Channels.newInputStream(c);
            out.write(("CONNECT localhost:" + port + " HTTP/1.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            assertTrue(readHead(in).startsWith("HTTP/1.1 200"));
            out.write("abcdef".getBytes(StandardCharsets.US_ASCII));
            assertArrayEquals("abcdef".getBytes(StandardCharsets.US_ASCII), in.readNBytes(6));
            c.close();
        }
        assertTrue(events.get(0).allowed());
    }

    @Test
    void namesOffTheListAreRefusedWithTheFlagThatAllowsThem() throws IOException {
        assertEquals("HTTP/1.1 403 Forbidden", connectStatus("denied.test:443"));
        EgressProxy.Event e = events.get(0);
        assertFalse(e.allowed());
        assertEquals("denied.test:443", e.target());
        assertTrue(e.line().contains("--allow-host denied.test"), e.line());
    }

    @Test
    void aListedNameResolvingToLoopbackIsRefused() throws IOException {
        assertEquals("HTTP/1.1 403 Forbidden", connectStatus("allowed.test:" + upstream.getLocalPort()));
        assertTrue(events.get(0).detail().contains("resolves to 127.0.0.1"), events.get(0).detail());
    }

    @Test
    void addressesOnlyWhenListed() throws IOException {
        assertEquals("HTTP/1.1 200 Connection established", connectStatus("127.0.0.1:" + upstream.getLocalPort()));
        assertEquals("HTTP/1.1 403 Forbidden", connectStatus("127.0.0.2:" + upstream.getLocalPort()));
        assertEquals("HTTP/1.1 403 Forbidden", connectStatus("[::1]:" + upstream.getLocalPort()));
        assertEquals("HTTP/1.1 403 Forbidden", connectStatus("2130706433:" + upstream.getLocalPort()));
    }

    @Test
    void plainHttpIsForwardedWithoutProxyHeaders() throws IOException {
        int port = upstream.getLocalPort();
        try (SocketChannel c = connect()) {
            Channels.newOutputStream(c).write(("GET http://localhost:" + port + "/x?y HTTP/1.1\r\nHost: localhost:" + port
                    + "\r\nProxy-Authorization: Basic c2VjcmV0\r\nAccept: */*\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = Channels.newInputStream(c);
            assertTrue(readHead(in).startsWith("HTTP/1.1 200 OK"));
            assertEquals("hi", new String(in.readNBytes(2), StandardCharsets.US_ASCII));
        }
        String head = lastRequestHead.get();
        assertTrue(head.startsWith("GET /x?y HTTP/1.1\r\n"), head);
        assertFalse(head.toLowerCase().contains("proxy-authorization"), head);
    }

    @Test
    void plainHttpByHostHeaderIsDecidedByThatHost() throws IOException {
        try (SocketChannel c = connect()) {
            Channels.newOutputStream(c).write("GET / HTTP/1.1\r\nHost: denied.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertTrue(readHead(Channels.newInputStream(c)).startsWith("HTTP/1.1 403"));
        }
        assertEquals("denied.test:80", events.get(0).target());
    }

    private byte[] socks(String host, int port) throws IOException {
        try (SocketChannel c = connect()) {
            OutputStream out = Channels.newOutputStream(c);
            InputStream in = Channels.newInputStream(c);
            out.write(new byte[] {5, 1, 0});
            assertArrayEquals(new byte[] {5, 0}, in.readNBytes(2));
            byte[] name = host.getBytes(StandardCharsets.US_ASCII);
            byte[] req = new byte[7 + name.length];
            req[0] = 5;
            req[1] = 1;
            req[3] = 3;
            req[4] = (byte) name.length;
            System.arraycopy(name, 0, req, 5, name.length);
            req[5 + name.length] = (byte) (port >> 8);
            req[6 + name.length] = (byte) port;
            out.write(req);
            byte[] reply = in.readNBytes(10);
            if (reply[1] == 0) {
                out.write("ping".getBytes(StandardCharsets.US_ASCII));
                assertEquals("ping", new String(in.readNBytes(4), StandardCharsets.US_ASCII));
            }
            return reply;
        }
    }

    @Test
    void socks5WithRemoteNames() throws IOException {
        assertEquals(0, socks("localhost", upstream.getLocalPort())[1]);
        assertEquals(2, socks("denied.test", 443)[1]);
        assertEquals(2, socks("allowed.test", upstream.getLocalPort())[1]);
    }

    @Test
    void theDnsStubLearnsOnlyWhetherANameMayBeHandedOut() throws IOException {
        try (SocketChannel c = connect()) {
            Channels.newOutputStream(c).write("MCPCONTAIN-DNS allowed.test HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertTrue(readHead(Channels.newInputStream(c)).startsWith("HTTP/1.1 200"));
        }
        try (SocketChannel c = connect()) {
            Channels.newOutputStream(c).write("MCPCONTAIN-DNS denied.test HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertTrue(readHead(Channels.newInputStream(c)).startsWith("HTTP/1.1 403"));
        }
    }
}
