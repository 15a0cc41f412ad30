package dev.mcpcontain.platform.windows.broker;

import dev.mcpcontain.platform.windows.Win32;
import dev.mcpcontain.platform.windows.Win32CallException;
import dev.mcpcontain.platform.windows.acl.Sid;
import java.util.ArrayList;
import java.util.List;

/**
 * A launcher process (or an intruder) in a {@link FakePipeWorld}: its own user, session and stdio. Its stdio are
 * anonymous pipes whose other ends the test holds ({@link #feedStdin}, {@link #stdoutText}).
 */
class FakeBrokerClient implements BrokerClientWin32 {

    static final int ERROR_SERVICE_DOES_NOT_EXIST = 1060;

    final FakePipeWorld world;
    final FakePipeWorld.Proc self;
    final List<String> startedServices = new ArrayList<>();
    private Win32.Handle stdinRead;
    private Win32.Handle stdinWrite;
    private Win32.Handle stdoutRead;
    private Win32.Handle stdoutWrite;
    private Win32.Handle stderrRead;
    private Win32.Handle stderrWrite;
    /** What the test writes as the launcher's stdin comes from this pid. */
    static final int TEST_PID = 1;

    FakeBrokerClient(FakePipeWorld world, int pid, Sid user, int session) {
        this.world = world;
        this.self = new FakePipeWorld.Proc(pid, user, session, true);
        // Under the world's lock, like every read of it: a broker session thread may be looking up processes.
        synchronized (world) {
            world.processes.put(pid, self);
            world.processes.putIfAbsent(TEST_PID, new FakePipeWorld.Proc(TEST_PID, user, session, true));
        }
        Win32.Handle[] in = world.anonymousPipe(pid, TEST_PID);
        Win32.Handle[] out = world.anonymousPipe(TEST_PID, pid);
        Win32.Handle[] err = world.anonymousPipe(TEST_PID, pid);
        stdinRead = in[0];
        stdinWrite = in[1];
        stdoutRead = out[0];
        stdoutWrite = out[1];
        stderrRead = err[0];
        stderrWrite = err[1];
    }

    @Override
    public void startService(String name) {
        if (!world.services.containsKey(name)) {
            throw new Win32CallException("OpenServiceW", ERROR_SERVICE_DOES_NOT_EXIST, "no service " + name);
        }
        startedServices.add(name);
    }

    @Override
    public Win32.Handle openPipe(String name, boolean read, boolean write, long waitMillis) {
        long deadline = System.currentTimeMillis() + waitMillis;
        while (true) {
            try {
                return world.open(self, name, read, write);
            } catch (Win32CallException e) {
                if (e.code() != FakePipeWorld.ERROR_PIPE_BUSY && e.code() != FakePipeWorld.ERROR_FILE_NOT_FOUND
                        || System.currentTimeMillis() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    @Override
    public int peekAvailable(Win32.Handle pipe) {
        return world.peek(pipe);
    }

    @Override
    public Sid pipeOwner(Win32.Handle pipe) {
        return world.owner(pipe);
    }

    @Override
    public int namedPipeServerProcessId(Win32.Handle pipe) {
        return world.serverPid(pipe);
    }

    @Override
    public Sid currentUser() {
        return self.user();
    }

    @Override
    public int currentProcessId() {
        return self.pid();
    }

    @Override
    public int read(Win32.Handle handle, byte[] buffer, int offset, int length) {
        return world.read(handle, buffer, offset, length);
    }

    @Override
    public void write(Win32.Handle handle, byte[] buffer, int offset, int length) {
        world.write(handle, buffer, offset, length);
    }

    @Override
    public void closeHandle(Win32.Handle handle) {
        world.close(handle);
    }

    @Override
    public Win32.Handle stdHandle(int which) {
        return which == Win32.STD_INPUT ? stdinRead : which == Win32.STD_OUTPUT ? stdoutWrite : stderrWrite;
    }

    /** The MCP client writing to the launcher's stdin, then closing it. */
    void feedStdin(String text, boolean close) {
        byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        world.write(stdinWrite, bytes, 0, bytes.length);
        if (close) {
            world.close(stdinWrite);
        }
    }

    /** Everything the launcher wrote to its stdout, once it closed it. */
    String stdoutText() {
        return FakePipeWorld.text(world, stdoutRead);
    }

    String stderrText() {
        return FakePipeWorld.text(world, stderrRead);
    }

    /** The launcher process dies: Windows closes all its handles. */
    void dies() {
        world.died(self.pid());
    }
}
