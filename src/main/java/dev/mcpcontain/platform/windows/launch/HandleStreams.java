package dev.mcpcontain.platform.windows.launch;

import dev.mcpcontain.platform.windows.HandleIo;
import dev.mcpcontain.platform.windows.Win32;
import dev.mcpcontain.platform.windows.Win32CallException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Java streams over pipe handles, through {@link Win32#read} and {@link Win32#write}. */
public final class HandleStreams {

    private HandleStreams() {}

    public static InputStream input(HandleIo win32, Win32.Handle handle) {
        return new InputStream() {
            private boolean closed;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public synchronized int read(byte[] buffer, int offset, int length) throws IOException {
                if (closed) {
                    throw new IOException("stream closed");
                }
                if (length == 0) {
                    return 0;
                }
                try {
                    return win32.read(handle, buffer, offset, length);
                } catch (Win32CallException e) {
                    throw new IOException(e.getMessage(), e);
                }
            }

            @Override
            public synchronized void close() {
                if (!closed) {
                    closed = true;
                    win32.closeHandle(handle);
                }
            }
        };
    }

    public static OutputStream output(HandleIo win32, Win32.Handle handle) {
        return new OutputStream() {
            private boolean closed;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public synchronized void write(byte[] buffer, int offset, int length) throws IOException {
                if (closed) {
                    throw new IOException("stream closed");
                }
                try {
                    win32.write(handle, buffer, offset, length);
                } catch (Win32CallException e) {
                    throw new IOException(e.getMessage(), e);
                }
            }

            @Override
            public synchronized void close() {
                if (!closed) {
                    closed = true;
                    win32.closeHandle(handle);
                }
            }
        };
    }
}
