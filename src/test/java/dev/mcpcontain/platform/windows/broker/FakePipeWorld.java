package dev.mcpcontain.platform.windows.broker;

import dev.mcpcontain.platform.windows.Win32;
import dev.mcpcontain.platform.windows.Win32CallException;
import dev.mcpcontain.platform.windows.acl.Sid;
import dev.mcpcontain.platform.windows.broker.BrokerWin32.PipeDirection;
import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The part of a Windows machine several fake processes share: processes (user, session, whether they logged on
 * interactively), named pipes with their DACLs, and the bytes in them. It models the documented rules the broker
 * depends on, so that a broker that gets one wrong fails here as it would on Windows:
 * <ul>
 *   <li>opening a pipe is an access check of the caller's SIDs against the pipe's DACL (deny entries first, every
 *       requested right granted), and a client may not create instances without FILE_CREATE_PIPE_INSTANCE;</li>
 *   <li>a pipe's owner is the one its SDDL names ({@code O:}), else its creator; only LocalSystem may name
 *       LocalSystem (ERROR_INVALID_OWNER otherwise);</li>
 *   <li>FILE_FLAG_FIRST_PIPE_INSTANCE fails with ERROR_ACCESS_DENIED if the name exists; max instances are enforced
 *       (ERROR_PIPE_BUSY);</li>
 *   <li>an inbound pipe cannot be opened for reading by its client, an outbound one not for writing;</li>
 *   <li>GetNamedPipeClientProcessId returns the process that opened the client end, GetNamedPipeServerProcessId
 *       the creator;</li>
 *   <li>ImpersonateNamedPipeClient fails (ERROR_CANNOT_IMPERSONATE) until the server has read from the pipe;</li>
 *   <li>a pipe end stays open while any process holds a handle to it (inheritance adds holders), and reading
 *       returns end of stream once the other end has no holder left;</li>
 *   <li>synchronous I/O on one handle is serialized: a WriteFile while another thread is blocked in ReadFile on the
 *       same handle would hang, and CloseHandle does not cancel that read (the pipe stays open); both fail here.
 *       A process dying does cancel its reads.</li>
 * </ul>
 */
final class FakePipeWorld {

    static final int ERROR_ACCESS_DENIED = 5;
    static final int ERROR_FILE_NOT_FOUND = 2;
    static final int ERROR_PIPE_BUSY = 231;
    static final int ERROR_CANNOT_IMPERSONATE = 1368;
    static final int ERROR_PIPE_NOT_CONNECTED = 233;

    static final Sid INTERACTIVE = Sid.parse("S-1-5-4");
    static final Sid NETWORK = Sid.parse("S-1-5-2");
    static final Sid EVERYONE = Sid.parse("S-1-1-0");

    /** A process: its token's user, session and whether its logon was interactive (the INTERACTIVE group). */
    record Proc(int pid, Sid user, int session, boolean interactive) {
        List<Sid> sids() {
            List<Sid> sids = new ArrayList<>(List.of(user, EVERYONE));
            if (interactive) {
                sids.add(INTERACTIVE);
            }
            return sids;
        }
    }

    final class Instance {
        final String name;
        final String sddl;
        final PipeDirection direction;
        final int serverPid;
        final int maxInstances;
        Sid owner;
        int clientPid = -1;
        final Deque<Byte> toClient = new ArrayDeque<>();
        final Deque<Byte> toServer = new ArrayDeque<>();
        int serverHolders;
        int clientHolders;
        boolean serverHasRead;

        Instance(String name, String sddl, PipeDirection direction, int serverPid, int maxInstances) {
            this.name = name;
            this.sddl = sddl;
            this.direction = direction;
            this.serverPid = serverPid;
            this.maxInstances = maxInstances;
        }
    }

    /** One handle: which instance, which end, held by which process. */
    record End(Instance instance, boolean server, int holder) {}

    final Map<Integer, Proc> processes = new HashMap<>();
    final Map<String, List<Instance>> pipes = new LinkedHashMap<>();
    final Map<Win32.Handle, End> ends = new LinkedHashMap<>();
    final Map<String, Sid> accounts = new HashMap<>();
    final Map<String, String> services = new LinkedHashMap<>();
    private final Map<Win32.Handle, Integer> pendingReads = new HashMap<>();
    private long nextHandle = 0x100000;

    synchronized Proc process(int pid) {
        Proc p = processes.get(pid);
        if (p == null) {
            throw new Win32CallException("OpenProcess", 87, "no process " + pid);
        }
        return p;
    }

    synchronized Win32.Handle newHandle(End end) {
        Win32.Handle h = new Win32.Handle(nextHandle);
        nextHandle += 4;
        ends.put(h, end);
        if (end.server()) {
            end.instance().serverHolders++;
        } else {
            end.instance().clientHolders++;
        }
        return h;
    }

    boolean isPipe(Win32.Handle h) {
        synchronized (this) {
            return ends.containsKey(h);
        }
    }

    synchronized Win32.Handle create(Proc creator, String name, String sddl, PipeDirection direction, boolean first,
            int maxInstances) {
        List<Instance> existing = pipes.computeIfAbsent(name.toLowerCase(java.util.Locale.ROOT), n -> new ArrayList<>());
        if (!existing.isEmpty()) {
            if (first) {
                throw new Win32CallException("CreateNamedPipeW", ERROR_ACCESS_DENIED,
                        "injected by rule: FILE_FLAG_FIRST_PIPE_INSTANCE and an instance of " + name + " exists");
            }
            Instance any = existing.get(0);
            if (!allowed(creator, any.sddl, 0x4)) {
                throw new Win32CallException("CreateNamedPipeW", ERROR_ACCESS_DENIED, "injected by rule: "
                        + creator.user() + " lacks FILE_CREATE_PIPE_INSTANCE on " + name);
            }
            if (existing.size() >= any.maxInstances) {
                throw new Win32CallException("CreateNamedPipeW", ERROR_PIPE_BUSY, "all instances busy");
            }
        }
        Instance instance = new Instance(name, sddl, direction, creator.pid(), maxInstances);
        instance.owner = creator.user();
        Matcher owner = Pattern.compile("^O:([^D:]+)").matcher(sddl);
        if (owner.find()) {
            Sid named = Sid.parse(ALIASES.getOrDefault(owner.group(1), owner.group(1)));
            if (!named.equals(creator.user())) {
                throw new Win32CallException("CreateNamedPipeW", 1307, "injected by rule: " + creator.user()
                        + " cannot make an object owned by " + named + " (ERROR_INVALID_OWNER)");
            }
            instance.owner = named;
        }
        existing.add(instance);
        notifyAll();
        return newHandle(new End(instance, true, creator.pid()));
    }

    /** CreateFileW on a pipe name: the first free instance, after the access check. */
    synchronized Win32.Handle open(Proc client, String name, boolean read, boolean write) {
        List<Instance> instances = pipes.getOrDefault(name.toLowerCase(java.util.Locale.ROOT), List.of());
        if (instances.isEmpty()) {
            throw new Win32CallException("CreateFileW", ERROR_FILE_NOT_FOUND, "no pipe " + name);
        }
        int access = 0x80 | 0x100000 | 0x20000 | (read ? 0x1 : 0) | (write ? 0x2 : 0);
        Instance free = instances.stream().filter(i -> i.clientPid == -1 && i.serverHolders > 0).findFirst()
                .orElseThrow(() -> new Win32CallException("CreateFileW", ERROR_PIPE_BUSY, "all instances busy"));
        if (!allowed(client, free.sddl, access)) {
            throw new Win32CallException("CreateFileW", ERROR_ACCESS_DENIED, "injected by rule: the DACL "
                    + free.sddl + " of " + name + " does not grant 0x" + Integer.toHexString(access) + " to "
                    + client.user());
        }
        if ((read && free.direction == PipeDirection.INBOUND) || (write && free.direction == PipeDirection.OUTBOUND)) {
            throw new Win32CallException("CreateFileW", ERROR_ACCESS_DENIED, "injected by rule: wrong direction");
        }
        free.clientPid = client.pid();
        notifyAll();
        return newHandle(new End(free, false, client.pid()));
    }

    private static final Pattern ACE = Pattern.compile("\\((A|D);[^;]*;([^;]+);[^;]*;[^;]*;([^)]+)\\)");
    private static final Map<String, String> ALIASES = Map.of("SY", "S-1-5-18", "IU", "S-1-5-4", "BA",
            "S-1-5-32-544", "NU", "S-1-5-2", "WD", "S-1-1-0", "BU", "S-1-5-32-545");

    /** The access check: a matching deny entry refuses; the allow entries together must grant every right. */
    static boolean allowed(Proc who, String sddl, int access) {
        String dacl = sddl.contains("D:") ? sddl.substring(sddl.indexOf("D:")) : "";
        if (dacl.contains("S:")) {
            dacl = dacl.substring(0, dacl.indexOf("S:"));
        }
        int granted = 0;
        Matcher m = ACE.matcher(dacl);
        while (m.find()) {
            Sid trustee = Sid.parse(ALIASES.getOrDefault(m.group(3), m.group(3)));
            if (!who.sids().contains(trustee)) {
                continue;
            }
            int mask = mask(m.group(2));
            if (m.group(1).equals("D") && (mask & access) != 0) {
                return false;
            }
            if (m.group(1).equals("A")) {
                granted |= mask;
            }
        }
        return (granted & access) == access;
    }

    static int mask(String text) {
        if (text.startsWith("0x")) {
            return Integer.parseUnsignedInt(text.substring(2), 16);
        }
        int mask = 0;
        for (int i = 0; i + 1 < text.length(); i += 2) {
            mask |= switch (text.substring(i, i + 2)) {
                case "GA", "FA" -> 0xFFFFFFFF;
                case "GR", "FR" -> 0x120089;
                case "GW", "FW" -> 0x120116;
                default -> 0;
            };
        }
        return mask;
    }

    synchronized boolean connected(Win32.Handle server, boolean wait) {
        Instance i = end(server).instance();
        while (wait && i.clientPid == -1) {
            if (i.serverHolders == 0) {
                throw new Win32CallException("ConnectNamedPipe", 6, "handle closed");
            }
            waitQuietly();
        }
        return i.clientPid != -1;
    }

    synchronized End end(Win32.Handle h) {
        End e = ends.get(h);
        if (e == null) {
            throw new AssertionError("not a pipe handle: " + h);
        }
        return e;
    }

    /** PeekNamedPipe: bytes waiting, or -1 once the other end has no holder left (after it had one). */
    synchronized int peek(Win32.Handle h) {
        End e = end(h);
        Deque<Byte> from = e.server() ? e.instance().toServer : e.instance().toClient;
        if (!from.isEmpty()) {
            return from.size();
        }
        int otherHolders = e.server() ? e.instance().clientHolders : e.instance().serverHolders;
        boolean otherEverOpened = !e.server() || e.instance().clientPid != -1;
        return otherEverOpened && otherHolders == 0 ? -1 : 0;
    }

    synchronized int clientPid(Win32.Handle server) {
        Instance i = end(server).instance();
        if (i.clientPid == -1) {
            throw new Win32CallException("GetNamedPipeClientProcessId", ERROR_PIPE_NOT_CONNECTED, "no client");
        }
        return i.clientPid;
    }

    synchronized Sid owner(Win32.Handle h) {
        return end(h).instance().owner;
    }

    synchronized int serverPid(Win32.Handle client) {
        return end(client).instance().serverPid;
    }

    synchronized Sid impersonate(Win32.Handle server) {
        Instance i = end(server).instance();
        if (!i.serverHasRead) {
            throw new Win32CallException("ImpersonateNamedPipeClient", ERROR_CANNOT_IMPERSONATE, "injected by rule:"
                    + " a pipe server can impersonate its client only after reading from the pipe");
        }
        return process(i.clientPid).user();
    }

    synchronized int read(Win32.Handle h, byte[] buffer, int offset, int length) {
        End e = end(h);
        Deque<Byte> from = e.server() ? e.instance().toServer : e.instance().toClient;
        pendingReads.merge(h, 1, Integer::sum);
        try {
            return readBlocking(h, e, from, buffer, offset, length);
        } finally {
            pendingReads.merge(h, -1, Integer::sum);
        }
    }

    private int readBlocking(Win32.Handle h, End e, Deque<Byte> from, byte[] buffer, int offset, int length) {
        while (from.isEmpty()) {
            if (!ends.containsKey(h)) {
                // Its process died: Windows cancelled the read.
                throw new Win32CallException("ReadFile", 995, "the I/O was aborted: the process exited");
            }
            int otherHolders = e.server() ? e.instance().clientHolders : e.instance().serverHolders;
            boolean otherEverOpened = e.server() ? e.instance().clientPid != -1 : true;
            if (otherEverOpened && otherHolders == 0) {
                return -1;
            }
            waitQuietly();
        }
        int n = 0;
        while (n < length && !from.isEmpty()) {
            buffer[offset + n++] = from.removeFirst();
        }
        if (e.server()) {
            e.instance().serverHasRead = true;
        }
        return n;
    }

    synchronized void write(Win32.Handle h, byte[] buffer, int offset, int length) {
        End e = end(h);
        if (pendingReads.getOrDefault(h, 0) > 0) {
            throw new AssertionError("by rule: WriteFile on " + h + " while another thread is blocked in ReadFile on the"
                    + " same synchronous handle hangs on Windows");
        }
        int otherHolders = e.server() ? e.instance().clientHolders : e.instance().serverHolders;
        if (otherHolders == 0) {
            throw new Win32CallException("WriteFile", 232, "the pipe is being closed");
        }
        Deque<Byte> to = e.server() ? e.instance().toClient : e.instance().toServer;
        for (int i = 0; i < length; i++) {
            to.addLast(buffer[offset + i]);
        }
        notifyAll();
    }

    synchronized void close(Win32.Handle h) {
        if (pendingReads.getOrDefault(h, 0) > 0) {
            throw new AssertionError("by rule: CloseHandle(" + h + ") does not cancel the ReadFile another thread is"
                    + " blocked in; the pipe would stay open on Windows");
        }
        closeEnd(h);
    }

    private void closeEnd(Win32.Handle h) {
        End e = ends.remove(h);
        if (e == null) {
            throw new AssertionError("CloseHandle on a pipe handle that is not open: " + h);
        }
        if (e.server()) {
            e.instance().serverHolders--;
        } else {
            e.instance().clientHolders--;
        }
        if (e.instance().serverHolders == 0 && e.instance().clientHolders == 0) {
            pipes.getOrDefault(e.instance().name.toLowerCase(java.util.Locale.ROOT), new ArrayList<>()).remove(e.instance());
        }
        notifyAll();
    }

    /** Inheritance: the child holds its own reference to the same end. */
    synchronized Win32.Handle inherit(Win32.Handle h, int childPid) {
        End e = end(h);
        return newHandle(new End(e.instance(), e.server(), childPid));
    }

    /** A process ended: Windows closes every handle it held. */
    synchronized void died(int pid) {
        for (Win32.Handle h : new ArrayList<>(ends.keySet())) {
            if (ends.get(h).holder() == pid) {
                closeEnd(h);
            }
        }
    }

    /** The handles a process holds, by the pipe names' last part (stdin, stdout, stderr). */
    synchronized Win32.Handle heldBy(int pid, String suffix) {
        return ends.entrySet().stream().filter(e -> e.getValue().holder() == pid
                && e.getValue().instance().name.endsWith(suffix)).map(Map.Entry::getKey).findFirst().orElseThrow();
    }

    /** An anonymous pipe for a fake process's own stdio: the read and write handles. */
    synchronized Win32.Handle[] anonymousPipe(int readerPid, int writerPid) {
        Instance i = new Instance("anonymous", "D:(A;;GA;;;WD)", PipeDirection.OUTBOUND, writerPid, 1);
        i.clientPid = readerPid;
        Win32.Handle write = newHandle(new End(i, true, writerPid));
        Win32.Handle read = newHandle(new End(i, false, readerPid));
        return new Win32.Handle[] {read, write};
    }

    static String text(FakePipeWorld world, Win32.Handle h) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] b = new byte[256];
        int n;
        while ((n = world.read(h, b, 0, b.length)) >= 0) {
            out.write(b, 0, n);
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    private void waitQuietly() {
        try {
            wait(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Win32CallException("wait", 1223, "interrupted");
        }
    }
}
