package dev.mcpcontain.platform.windows.jna;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.Structure.FieldOrder;
import dev.mcpcontain.platform.windows.acl.Sid;

/** Token and AppContainer structures. */
public final class TokenStructs {

    private TokenStructs() {}

    /** x64: 16 bytes. */
    @FieldOrder({"Sid", "Attributes"})
    public static class SID_AND_ATTRIBUTES extends Structure {
        public Pointer Sid;
        public int Attributes;

        public SID_AND_ATTRIBUTES() {}

        public SID_AND_ATTRIBUTES(Pointer p) {
            super(p);
            read();
        }
    }

    /** x64: 16 bytes; TokenIntegrityLevel (25) reads and writes this. */
    @FieldOrder({"Label"})
    public static class TOKEN_MANDATORY_LABEL extends Structure {
        public SID_AND_ATTRIBUTES Label = new SID_AND_ATTRIBUTES();

        public TOKEN_MANDATORY_LABEL() {}

        public TOKEN_MANDATORY_LABEL(Pointer p) {
            super(p);
            read();
        }
    }

    /** TOKEN_GROUPS with one group, x64: 24 bytes (the array starts at 8); longer lists are read by offset. */
    @FieldOrder({"GroupCount", "Groups"})
    public static class TOKEN_GROUPS extends Structure {
        public int GroupCount;
        public SID_AND_ATTRIBUTES[] Groups = new SID_AND_ATTRIBUTES[1];
    }

    /** x64: 8 bytes; TokenAppContainerSid (31) returns this. */
    @FieldOrder({"TokenAppContainer"})
    public static class TOKEN_APPCONTAINER_INFORMATION extends Structure {
        public Pointer TokenAppContainer;

        public TOKEN_APPCONTAINER_INFORMATION() {}

        public TOKEN_APPCONTAINER_INFORMATION(Pointer p) {
            super(p);
            read();
        }
    }

    /** x64: 24 bytes; the value of PROC_THREAD_ATTRIBUTE_SECURITY_CAPABILITIES. */
    @FieldOrder({"AppContainerSid", "Capabilities", "CapabilityCount", "Reserved"})
    public static class SECURITY_CAPABILITIES extends Structure {
        public Pointer AppContainerSid;
        /** SID_AND_ATTRIBUTES[CapabilityCount], or NULL. */
        public Pointer Capabilities;
        public int CapabilityCount;
        public int Reserved;
    }
}
