package dev.mcpcontain.platform.windows.jna;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.WString;
import com.sun.jna.ptr.IntByReference;

/** Local account management; results are NET_API_STATUS codes (0 = success). */
public interface Netapi32Ex extends Library {

    Netapi32Ex INSTANCE = Native.load("netapi32", Netapi32Ex.class);

    int NetUserAdd(WString server, int level, AclStructs.USER_INFO_1 info, IntByReference parmError);

    /** Level 1003: a USER_INFO_1003, which is a single LPWSTR password. */
    int NetUserSetInfo(WString server, WString userName, int level, Pointer info, IntByReference parmError);
}
