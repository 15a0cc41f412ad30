package dev.mcpcontain.platform.windows;

/**
 * Reading, writing and closing a pipe handle: what streams over handles need. Both the launch port ({@link Win32})
 * and the broker's client port have it.
 */
public interface HandleIo {

    /** ReadFile; -1 at end of stream (the writer closed: ERROR_BROKEN_PIPE). */
    int read(Win32.Handle handle, byte[] buffer, int offset, int length);

    void write(Win32.Handle handle, byte[] buffer, int offset, int length);

    void closeHandle(Win32.Handle handle);
}
