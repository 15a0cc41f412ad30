package dev.mcpcontain.platform.windows.jna;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;

/** wtsapi32: who is signed in to this process's session (setup's over-the-shoulder elevation check). */
public interface Wtsapi32Ex extends Library {

    Wtsapi32Ex INSTANCE = Native.load("wtsapi32", Wtsapi32Ex.class);

    boolean WTSQuerySessionInformationW(Pointer server, int sessionId, int infoClass, PointerByReference buffer,
            IntByReference bytesReturned);

    void WTSFreeMemory(Pointer memory);
}
