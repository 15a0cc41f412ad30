package dev.mcpcontain.platform.windows.jna;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.WString;

/** Window station and desktop calls. */
public interface User32Ex extends Library {

    User32Ex INSTANCE = Native.load("user32", User32Ex.class);

    Pointer GetProcessWindowStation();

    Pointer CreateWindowStationW(WString name, int flags, int desiredAccess, Pointer securityAttributes);

    boolean SetProcessWindowStation(Pointer windowStation);

    Pointer CreateDesktopW(WString name, Pointer device, Pointer devmode, int flags, int desiredAccess,
            Pointer securityAttributes);

    boolean CloseWindowStation(Pointer windowStation);

    boolean CloseDesktop(Pointer desktop);
}
