package dev.mcpcontain.escape;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * The network: listeners on the host (loopback TCP, a pathname unix socket outside the grants, an abstract unix
 * socket) that answer with a token, so ALLOWED means the server really talked to that listener. With network
 * none the server has no INET sockets (seccomp) in a network namespace of its own (only lo); with network host it
 * reaches loopback TCP, but still neither the pathname socket (not mounted) nor the abstract one (Landlock scope).
 */
class NetworkEscapeIT {

    /** The host-side listeners, shared by every identity, closed with the suite. */
    private static final class Listeners {
        final String token = "hello-" + EscapeSuite.randomHex(6);
        final int tcpPort;
        final Path socketDir;
        final Path socket;
        final String abstractName = "mcp-contain-it-" + EscapeSuite.randomHex(6);

        Listeners(EscapeSuite suite, Identity id) {
            try {
                ServerSocket tcp = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                tcpPort = tcp.getLocalPort();
                daemon(() -> {
                    while (!tcp.isClosed()) {
                        try (Socket c = tcp.accept(); OutputStream out = c.getOutputStream()) {
                            out.write((token + "\n").getBytes(StandardCharsets.UTF_8));
                        }
                    }
                    return null;
                });
                suite.onCleanup(() -> close(tcp));

                socketDir = suite.workDir(id, "sockets");
                EscapeSuite.chmod(socketDir, "rwxr-xr-x");
                socket = socketDir.resolve("outside.sock");
                ServerSocketChannel unix = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                unix.bind(UnixDomainSocketAddress.of(socket));
                EscapeSuite.chmod(socket, "rwxrwxrwx"); // connect needs write permission: any uid may, if it can reach it
                daemon(() -> {
                    while (unix.isOpen()) {
                        try (SocketChannel c = unix.accept()) {
                            c.write(ByteBuffer.wrap((token + "\n").getBytes(StandardCharsets.UTF_8)));
                        }
                    }
                    return null;
                });
                suite.onCleanup(() -> close(unix));

                Running abstractListener = suite.start("abstract listener", List.of(suite.probe().toString(),
                        "@abstract", "abstract-listen", abstractName, token), Map.of());
                suite.onCleanup(abstractListener::close);
                abstractListener.awaitReady();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        Steps attempts() {
            return Steps.of()
                    .add("tcp", "tcp-connect", "127.0.0.1", tcpPort)
                    .add("udp", "udp-send", "127.0.0.1", tcpPort)
                    .add("unix", "unix-connect", socket)
                    .add("abstract", "abstract-connect", abstractName)
                    .add("interfaces", "interfaces");
        }

        private static void daemon(java.util.concurrent.Callable<Void> loop) {
            Thread t = new Thread(() -> {
                try {
                    loop.call();
                } catch (Exception e) {
                    // closed: the listener's work is done
                }
            }, "escape-listener");
            t.setDaemon(true);
            t.start();
        }

        private static void close(java.io.Closeable c) {
            try {
                c.close();
            } catch (IOException e) {
                // already closed
            }
        }
    }

    @TestFactory
    Stream<DynamicNode> network() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().map(id -> {
            Lazy<Listeners> listeners = Lazy.of(() -> new Listeners(suite, id));
            Lazy<RunResult> none = Lazy.of(() -> suite.launch(id, "net-none").option("--network", "none")
                    .probe(listeners.get().attempts()).run());
            Lazy<RunResult> host = Lazy.of(() -> suite.launch(id, "net-host").option("--network", "host")
                    .probe(listeners.get().attempts()).run());
            Lazy<RunResult> granted = Lazy.of(() -> suite.launch(id, "net-socket-granted").grant(listeners.get().socketDir, "ro,sockets")
                    .probe(Steps.of().add("unix", "unix-connect", listeners.get().socket)).run());
            Lazy<RunResult> control = Lazy.of(() -> suite.control(id, listeners.get().attempts()));
            String reply = "reply=";

            List<DynamicNode> tests = new ArrayList<>();
            tests.add(Named.test(id, "the probe made every attempt (network none and host)", () -> {
                none.get().assertProbeCompleted(listeners.get().attempts().labels());
                host.get().assertProbeCompleted(listeners.get().attempts().labels());
            }));
            tests.add(Named.test(id, "network none: TCP to a loopback listener on the host: EAFNOSUPPORT at socket()", () -> {
                ProbeLine line = none.get().assertDenied("tcp", "EAFNOSUPPORT");
                org.junit.jupiter.api.Assertions.assertEquals("at=socket", line.detail(), none.get()::toString);
            }));
            tests.add(Named.test(id, "network none: UDP: EAFNOSUPPORT; only the loopback interface of its own namespace", () -> {
                none.get().assertDenied("udp", "EAFNOSUPPORT");
                none.get().assertValue("interfaces", "lo");
            }));
            tests.add(Named.test(id, "control: --network host reaches the very listener (its token comes back)", () ->
                    org.junit.jupiter.api.Assertions.assertEquals(reply + listeners.get().token,
                            host.get().assertAllowed("tcp").detail(), host.get()::toString)));
            tests.add(Named.test(id, "pathname unix socket outside the grants: ENOENT, with network none and host", () -> {
                none.get().assertDenied("unix", "ENOENT");
                host.get().assertDenied("unix", "ENOENT");
            }));
            tests.add(Named.test(id, "control: the same socket, its folder granted with ,sockets, answers", () ->
                    org.junit.jupiter.api.Assertions.assertEquals(reply + listeners.get().token,
                            granted.get().assertAllowed("unix").detail(), granted.get()::toString)));
            tests.add(Named.test(id, "a folder holding the socket of a running program, granted read-only without"
                    + " ,sockets: refused (125, one line; a connection is no write)", () -> {
                RunResult r = suite.launch(id, "net-socket-refused").grant(listeners.get().socketDir, "ro")
                        .probe(Steps.of().add("unix", "unix-connect", listeners.get().socket)).run().assertExit(125);
                org.junit.jupiter.api.Assertions.assertEquals(1, r.stderr().lines().count(), r::toString);
                org.junit.jupiter.api.Assertions.assertTrue(r.stderr().contains("holds " + listeners.get().socket
                        + ", the unix socket of a running program"), r::toString);
            }));
            tests.add(Named.test(id, "abstract socket bound on the host, network none: ECONNREFUSED (own network namespace)", () ->
                    none.get().assertDenied("abstract", "ECONNREFUSED")));
            tests.add(Named.test(id, "abstract socket bound on the host, network host: EPERM (Landlock scope)", () ->
                    host.get().assertDenied("abstract", "EPERM")));
            tests.add(Named.test(id, "control: unconfined, the server's uid reaches the TCP and abstract listeners", () -> {
                RunResult r = control.get();
                for (String label : List.of("tcp", "abstract")) {
                    org.junit.jupiter.api.Assertions.assertEquals(reply + listeners.get().token, r.assertAllowed(label).detail(), r::toString);
                }
            }));
            tests.add(Named.test(id, "control: unconfined, the launching user (owner of its folder) reaches the pathname socket", () -> {
                RunResult r = suite.controlAsLauncher(id, Steps.of().add("unix", "unix-connect", listeners.get().socket));
                org.junit.jupiter.api.Assertions.assertEquals(reply + listeners.get().token, r.assertAllowed("unix").detail(), r::toString);
            }));
            return Named.group(id, tests);
        });
    }
}
