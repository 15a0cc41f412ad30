package dev.mcpcontain.platform.dbus;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * A minimal D-Bus client over a unix socket: EXTERNAL authentication with this process's uid, {@code Hello}, then
 * synchronous method calls. Every read waits at most the given timeout, so a bus or service that never answers
 * becomes an error instead of a hang. Signals and other traffic between a call and its reply are skipped.
 */
public final class BusConnection implements AutoCloseable {

    private final SocketChannel channel;
    private final Selector selector;
    private final long timeoutMillis;
    private int serial;

    private BusConnection(SocketChannel channel, Selector selector, Duration timeout) {
        this.channel = channel;
        this.selector = selector;
        this.timeoutMillis = timeout.toMillis();
    }

    /** Connects to {@code socket}, authenticates as {@code uid} and registers on the bus. */
    public static BusConnection open(Path socket, int uid, Duration timeout) {
        SocketChannel channel = null;
        Selector selector = null;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.configureBlocking(false);
            selector = Selector.open();
            BusConnection bus = new BusConnection(channel, selector, timeout);
            bus.authenticate(uid);
            bus.call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "Hello", "");
            return bus;
        } catch (IOException e) {
            closeQuietly(channel, selector);
            throw new DBusException(socket + ": cannot connect to the D-Bus session bus: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(channel, selector);
            throw e;
        }
    }

    private void authenticate(int uid) throws IOException {
        String hexUid = HexFormat.of().formatHex(Integer.toString(uid).getBytes(StandardCharsets.US_ASCII));
        write(("\0AUTH EXTERNAL " + hexUid + "\r\n").getBytes(StandardCharsets.US_ASCII));
        String reply = readLine();
        if (!reply.startsWith("OK ")) {
            throw new DBusException("", "the D-Bus session bus refused EXTERNAL authentication as uid " + uid + ": "
                    + reply);
        }
        write("BEGIN\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Calls {@code iface.member} on {@code path} at {@code destination} and returns the reply's values.
     *
     * @throws DBusException for an error reply (with its D-Bus error name), a timeout or a broken connection
     */
    public List<Object> call(String destination, String path, String iface, String member, String signature,
            Object... args) {
        int mine = ++serial;
        try {
            write(Message.methodCall(mine, destination, path, iface, member, signature, Arrays.asList(args)));
            while (true) {
                Message m = receive();
                if ((m.type() == Message.METHOD_RETURN || m.type() == Message.ERROR) && m.replySerial() == mine) {
                    if (m.type() == Message.ERROR) {
                        List<Object> values = m.signature().startsWith("s") ? m.values() : List.of();
                        throw new DBusException(m.errorName(), m.errorName()
                                + (values.isEmpty() ? "" : ": " + values.get(0)));
                    }
                    return m.values();
                }
            }
        } catch (IOException e) {
            throw new DBusException(iface + "." + member + ": D-Bus connection failed: " + e.getMessage(), e);
        }
    }

    private Message receive() throws IOException {
        byte[] fixed = new byte[16];
        readFully(ByteBuffer.wrap(fixed));
        byte[] all = new byte[Message.totalLength(fixed)];
        System.arraycopy(fixed, 0, all, 0, 16);
        readFully(ByteBuffer.wrap(all, 16, all.length - 16));
        return Message.parse(all);
    }

    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder();
        ByteBuffer one = ByteBuffer.allocate(1);
        while (line.length() < 4096) {
            one.clear();
            readFully(one);
            char c = (char) (one.get(0) & 0xff);
            if (c == '\n') {
                return line.toString().strip();
            }
            line.append(c);
        }
        throw new DBusException("", "D-Bus authentication line too long");
    }

    private void readFully(ByteBuffer buffer) throws IOException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer);
            if (n < 0) {
                throw new IOException("the bus closed the connection");
            }
            if (n == 0) {
                await(SelectionKey.OP_READ, deadline);
            }
        }
    }

    private void write(byte[] bytes) throws IOException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            if (channel.write(buffer) == 0) {
                await(SelectionKey.OP_WRITE, deadline);
            }
        }
    }

    private void await(int operation, long deadline) throws IOException {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
            throw new IOException("no answer within " + timeoutMillis + " ms");
        }
        SelectionKey key = channel.register(selector, operation);
        selector.select(left);
        selector.selectedKeys().clear();
        key.interestOps(0);
    }

    @Override
    public void close() {
        closeQuietly(channel, selector);
    }

    private static void closeQuietly(SocketChannel channel, Selector selector) {
        try {
            if (selector != null) {
                selector.close();
            }
            if (channel != null) {
                channel.close();
            }
        } catch (IOException ignored) {
            // closing: nothing left to do with the error
        }
    }
}
