package dev.mcpcontain.platform.windows.jna;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.Structure.FieldOrder;
import com.sun.jna.WString;

/** Access-control and account structures (SetEntriesInAclW, NetUserAdd). */
public final class AclStructs {

    private AclStructs() {}

    /** x64: 32 bytes. */
    @FieldOrder({"pMultipleTrustee", "MultipleTrusteeOperation", "TrusteeForm", "TrusteeType", "ptstrName"})
    public static class TRUSTEE_W extends Structure {
        public Pointer pMultipleTrustee;
        public int MultipleTrusteeOperation;
        public int TrusteeForm;
        public int TrusteeType;
        /** With TRUSTEE_IS_SID: the PSID. */
        public Pointer ptstrName;
    }

    /** x64: 48 bytes. */
    @FieldOrder({"grfAccessPermissions", "grfAccessMode", "grfInheritance", "Trustee"})
    public static class EXPLICIT_ACCESS_W extends Structure {
        public int grfAccessPermissions;
        public int grfAccessMode;
        public int grfInheritance;
        public TRUSTEE_W Trustee = new TRUSTEE_W();

        public EXPLICIT_ACCESS_W() {}

        public EXPLICIT_ACCESS_W(Pointer p) {
            super(p);
        }
    }

    /** x64: 56 bytes; NetUserAdd level 1. */
    @FieldOrder({"usri1_name", "usri1_password", "usri1_password_age", "usri1_priv", "usri1_home_dir",
            "usri1_comment", "usri1_flags", "usri1_script_path"})
    public static class USER_INFO_1 extends Structure {
        public WString usri1_name;
        /** A wiped-after-use UTF-16 buffer, never a String. */
        public Pointer usri1_password;
        public int usri1_password_age;
        public int usri1_priv;
        public WString usri1_home_dir;
        public WString usri1_comment;
        public int usri1_flags;
        public WString usri1_script_path;
    }
}
