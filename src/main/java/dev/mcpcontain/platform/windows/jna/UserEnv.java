package dev.mcpcontain.platform.windows.jna;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.WString;
import com.sun.jna.ptr.PointerByReference;

/** userenv's AppContainer profile calls (no W suffix; HRESULT results). */
public interface UserEnv extends Library {

    UserEnv INSTANCE = Native.load("userenv", UserEnv.class);

    int CreateAppContainerProfile(WString name, WString displayName, WString description, Pointer capabilities,
            int capabilityCount, PointerByReference sid);

    int DeriveAppContainerSidFromAppContainerName(WString name, PointerByReference sid);

    int DeleteAppContainerProfile(WString name);
}
