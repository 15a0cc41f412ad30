package dev.mcpcontain.network;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The sandbox's only way out: a filtering proxy on a unix socket that the helper binds into the sandbox. One port
 * speaks three protocols, told apart by the first byte: SOCKS5 with remote names (0x05), HTTP CONNECT, and plain
 * HTTP (absolute URI, or a Host header). It decides by host name with {@link AllowList}, resolves names itself
 * through {@link Resolver}, refuses private results, then connects and copies bytes both ways.
 *
 * <p>One more request serves the sandbox's DNS stub: {@code MCPCONTAIN-DNS name} answers 200 when the name may be
 * handed a (fake) address, 403 otherwise. Names are never resolved for the stub: DNS for names off the list never
 * leaves the sandbox, and allowed names are resolved here at connect time.
 *
 * <p>Thread per connection (two per tunnelled connection, one for each direction): servers open few connections,
 * and blocking copies keep this small; measured by scripts/bench-egress.
 */
public final class EgressProxy implements Closeable {

    /** Turns a name into addresses; tests inject one so that no real DNS is asked. */
    public interface Resolver {
        List<InetAddress> resolve(String name) throws IOException;

        Resolver SYSTEM = name -> List.of(InetAddress.getAllByName(name));
    }

    /** One decision, for the log and the audit trail. */
    public record Event(boolean allowed, String via, String target, String detail, String suggestion) {
        /** The stderr line. */
        public String line() {
            return allowed ? "network: allowed " + target + " (" + via + ", " + detail + ")"
                    : "network: refused " + target + " (" + via + "): " + detail + "; to allow it: " + suggestion
                            + " or add it to the profile's network.allow";
        }
    }

    /** Receives every decision; called from proxy threads. */
    public interface Listener {
        void decided(Event event);
    }

    static final int CONNECT_TIMEOUT_MS = 10_000;
    static final int MAX_HEADER = 32 * 1024;
    /** Copy threads need little stack; a small one keeps many open tunnels cheap. */
    static final long THREAD_STACK = 256 * 1024;

    private final AllowList allowList;
    private final Resolver resolver;
    private final Listener listener;
    private final ServerSocketChannel server;
    private final Path socket;
    private final Thread acceptor;

    private EgressProxy(AllowList allowList, Resolver resolver, Listener listener, ServerSocketChannel server,
            Path socket) {
        this.allowList = allowList;
        this.resolver = resolver;
        this.listener = listener;
        this.server = server;
        this.socket = socket;
        this.acceptor = new Thread(this::acceptLoop, "mcp-contain-egress");
        this.acceptor.setDaemon(true);
    }

    /**
     * Binds SOCKET (its directory must exist and be private to the launcher) and starts serving. The socket is
     * made connectable by any uid: only what can reach the directory, or the bind mount inside the sandbox, can.
     */
    public static EgressProxy start(Path socket, AllowList allowList, Resolver resolver, Listener listener)
            throws IOException {
        Files.deleteIfExists(socket);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket), 64);
        Files.setPosixFilePermissions(socket, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        EgressProxy proxy = new EgressProxy(allowList, resolver, listener, server, socket);
        proxy.acceptor.start();
        return proxy;
    }

    public Path socket() {
        return socket;
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            Thread t = new Thread(null, () -> serve(client), "mcp-contain-egress-conn", THREAD_STACK);
            t.setDaemon(true);
            t.start();
        }
    }

    private void serve(SocketChannel channel) {
        try (channel) {
            InputStream in = new java.io.BufferedInputStream(ChannelStreams.in(channel), 16 * 1024);
            OutputStream out = ChannelStreams.out(channel);
            int first = in.read();
            if (first < 0) {
                return;
            }
            if (first == 0x05) {
                socks5(channel, in, out);
            } else {
                http(channel, first, in, out);
            }
        } catch (IOException | RuntimeException e) {
            // the client went away, or sent garbage: nothing to answer
        }
    }

    // ---- HTTP: CONNECT, absolute-URI requests, origin-form with Host, and the DNS stub's question ----

    private void http(SocketChannel channel, int first, InputStream in, OutputStream out) throws IOException {
        byte[] head = readHead(first, in);
        if (head == null) {
            respond(out, 400, "bad request");
            return;
        }
        String text = new String(head, StandardCharsets.ISO_8859_1);
        String[] lines = text.split("\r\n");
        String[] request = lines[0].split(" ");
        if (request.length != 3 || !request[2].startsWith("HTTP/1.")) {
            respond(out, 400, "bad request line");
            return;
        }
        String method = request[0];
        if (method.equals("MCPCONTAIN-DNS")) {
            boolean covered = allowList.coversName(request[1]);
            listener.decided(new Event(covered, "dns", request[1], covered ? "name handed out" : "not on the allow-list",
                    AllowList.suggestion(AllowList.Target.of(request[1], 443))));
            respond(out, covered ? 200 : 403, covered ? "ok" : "not on the allow-list");
            return;
        }
        if (method.equals("CONNECT")) {
            AllowList.Target target = hostPort(request[1], -1);
            if (target == null) {
                respond(out, 400, "CONNECT needs host:port");
                return;
            }
            Optional<Socket> upstream = open(target, "http-connect", out, true);
            if (upstream.isEmpty()) {
                return;
            }
            try (Socket up = upstream.get()) {
                out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                splice(channel, in, out, up, new byte[0]);
            }
            return;
        }
        // Plain HTTP: absolute URI from a proxy-aware client, or origin-form with a Host header.
        String uri = request[1];
        String hostHeader = null;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0 && lines[i].substring(0, colon).trim().equalsIgnoreCase("host")) {
                hostHeader = lines[i].substring(colon + 1).trim();
            }
        }
        String authority;
        String path;
        if (uri.regionMatches(true, 0, "http://", 0, 7)) {
            int slash = uri.indexOf('/', 7);
            authority = slash < 0 ? uri.substring(7) : uri.substring(7, slash);
            path = slash < 0 ? "/" : uri.substring(slash);
        } else if (uri.startsWith("/") && hostHeader != null) {
            authority = hostHeader;
            path = uri;
        } else {
            respond(out, 400, "plain HTTP needs an absolute http:// URI or a Host header (use CONNECT for https)");
            return;
        }
        if (authority.contains("@")) {
            respond(out, 400, "credentials in the URI are not forwarded");
            return;
        }
        AllowList.Target target = hostPort(authority, 80);
        if (target == null) {
            respond(out, 400, "bad host");
            return;
        }
        Optional<Socket> upstream = open(target, "http", out, true);
        if (upstream.isEmpty()) {
            return;
        }
        StringBuilder forwarded = new StringBuilder(method + " " + path + " " + request[2] + "\r\n");
        boolean hasHost = false;
        for (int i = 1; i < lines.length; i++) {
            String lower = lines[i].toLowerCase(Locale.ROOT);
            if (lower.startsWith("proxy-") || lower.isEmpty()) {
                continue; // proxy credentials and hop-by-hop proxy headers stop here
            }
            hasHost |= lower.startsWith("host:");
            forwarded.append(lines[i]).append("\r\n");
        }
        if (!hasHost) {
            forwarded.append("Host: ").append(authority).append("\r\n");
        }
        forwarded.append("\r\n");
        try (Socket up = upstream.get()) {
            splice(channel, in, out, up, forwarded.toString().getBytes(StandardCharsets.ISO_8859_1));
        }
    }

    /** The request head up to and including the blank line, or null if it is too long or cut short. */
    private static byte[] readHead(int first, InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        head.write(first);
        int state = first == '\r' ? 1 : 0;
        while (head.size() < MAX_HEADER) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            state = switch (state) {
                case 0, 2 -> b == '\r' ? state + 1 : 0;
                case 1 -> b == '\n' ? 2 : b == '\r' ? 1 : 0;
                case 3 -> b == '\n' ? 4 : b == '\r' ? 1 : 0;
                default -> 0;
            };
            if (state == 4) {
                byte[] all = head.toByteArray();
                return java.util.Arrays.copyOf(all, all.length - 4);
            }
        }
        return null;
    }

    private static AllowList.Target hostPort(String authority, int defaultPort) {
        String host = authority;
        int port = defaultPort;
        int colon = authority.lastIndexOf(':');
        int bracket = authority.lastIndexOf(']');
        if (colon > bracket && (authority.startsWith("[") || authority.indexOf(':') == colon)) {
            host = authority.substring(0, colon);
            String p = authority.substring(colon + 1);
            if (!p.matches("[0-9]{1,5}")) {
                return null;
            }
            port = Integer.parseInt(p);
        }
        if (port < 1 || port > 65535 || host.isEmpty()) {
            return null;
        }
        return AllowList.Target.of(host, port);
    }

    private static void respond(OutputStream out, int code, String message) throws IOException {
        String reason = switch (code) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 403 -> "Forbidden";
            default -> "Bad Gateway";
        };
        byte[] body = ("mcp-contain: " + message + "\n").getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 " + code + " " + reason + "\r\nContent-Type: text/plain\r\nContent-Length: " + body.length
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
    }

    // ---- SOCKS5 (RFC 1928), no authentication, CONNECT only; names resolved here (socks5h) ----

    private void socks5(SocketChannel channel, InputStream in, OutputStream out) throws IOException {
        int methods = in.read();
        if (methods < 0) {
            return;
        }
        byte[] offered = in.readNBytes(methods);
        boolean noAuth = false;
        for (byte m : offered) {
            noAuth |= m == 0;
        }
        if (!noAuth) {
            out.write(new byte[] {5, (byte) 0xff});
            return;
        }
        out.write(new byte[] {5, 0});
        out.flush();
        byte[] req = in.readNBytes(4);
        if (req.length < 4 || req[0] != 5) {
            return;
        }
        String host;
        switch (req[3]) {
            case 1 -> host = InetAddress.getByAddress(in.readNBytes(4)).getHostAddress();
            case 4 -> host = Addresses.text(InetAddress.getByAddress(in.readNBytes(16)));
            case 3 -> {
                int len = in.read();
                host = new String(in.readNBytes(Math.max(len, 0)), StandardCharsets.US_ASCII);
            }
            default -> {
                socksReply(out, 8);
                return;
            }
        }
        byte[] p = in.readNBytes(2);
        if (p.length < 2) {
            return;
        }
        int port = ((p[0] & 0xff) << 8) | (p[1] & 0xff);
        if (req[1] != 1) {
            socksReply(out, 7); // only CONNECT: no BIND, no UDP ASSOCIATE (no UDP leaves)
            listener.decided(new Event(false, "socks5", host + ":" + port, "only CONNECT is supported (no UDP, no BIND)",
                    "(nothing: UDP is never forwarded)"));
            return;
        }
        Optional<Socket> upstream = open(AllowList.Target.of(host, port), "socks5", out, false);
        if (upstream.isEmpty()) {
            return;
        }
        try (Socket up = upstream.get()) {
            socksReply(out, 0);
            splice(channel, in, out, up, new byte[0]);
        }
    }

    private static void socksReply(OutputStream out, int code) throws IOException {
        out.write(new byte[] {5, (byte) code, 0, 1, 0, 0, 0, 0, 0, 0});
        out.flush();
    }

    // ---- deciding and connecting ----

    /** Decides, resolves, checks each address, connects; on refusal answers the client and returns empty. */
    private Optional<Socket> open(AllowList.Target target, String via, OutputStream out, boolean httpReply)
            throws IOException {
        AllowList.Decision decision = allowList.decide(target);
        String refusal = null;
        Socket connected = null;
        if (!decision.allowed()) {
            refusal = decision.reason();
        } else {
            List<InetAddress> addresses;
            if (target.literal().isPresent()) {
                addresses = List.of(target.literal().get());
            } else {
                try {
                    addresses = resolver.resolve(target.host());
                } catch (IOException e) {
                    addresses = List.of();
                }
            }
            List<String> refused = new ArrayList<>();
            for (InetAddress a : addresses) {
                AllowList.Decision checked = AllowList.checkResolved(decision, a);
                if (!checked.allowed()) {
                    refused.add(checked.reason());
                    continue;
                }
                Socket s = new Socket();
                try {
                    s.connect(new InetSocketAddress(a, target.port()), CONNECT_TIMEOUT_MS);
                    s.setTcpNoDelay(true);
                    connected = s;
                    decision = checked;
                    break;
                } catch (IOException e) {
                    s.close();
                    refused.add("connecting to " + Addresses.text(a) + " failed: " + e.getMessage());
                }
            }
            if (connected == null) {
                refusal = addresses.isEmpty() ? "the name does not resolve" : String.join("; ", refused);
            }
        }
        if (connected == null) {
            boolean policy = !decision.allowed() || refusal.contains("resolves to");
            listener.decided(new Event(false, via, target.display(), refusal, AllowList.suggestion(target)));
            if (httpReply) {
                respond(out, policy ? 403 : 502, (policy ? "refused " : "cannot reach ") + target.display() + ": "
                        + refusal);
            } else {
                socksReply(out, policy ? 2 : 4);
            }
            return Optional.empty();
        }
        listener.decided(new Event(true, via, target.display(), decision.reason(), ""));
        return Optional.of(connected);
    }

    /** Copies both ways until each side has closed; PREFIX goes upstream first. */
    private static void splice(SocketChannel client, InputStream in, OutputStream out, Socket upstream, byte[] prefix)
            throws IOException {
        OutputStream upOut = upstream.getOutputStream();
        InputStream upIn = upstream.getInputStream();
        if (prefix.length > 0) {
            upOut.write(prefix);
            upOut.flush();
        }
        Thread back = new Thread(null, () -> {
            try {
                upIn.transferTo(out);
            } catch (IOException e) {
                // either side closed
            } finally {
                try {
                    client.shutdownOutput();
                } catch (IOException ignored) {
                    // already closed
                }
            }
        }, "mcp-contain-egress-down", THREAD_STACK);
        back.setDaemon(true);
        back.start();
        try {
            in.transferTo(upOut);
            upstream.shutdownOutput();
        } catch (IOException e) {
            // either side closed
        }
        try {
            back.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        Files.deleteIfExists(socket);
    }
}
