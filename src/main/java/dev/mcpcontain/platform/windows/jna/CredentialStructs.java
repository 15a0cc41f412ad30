package dev.mcpcontain.platform.windows.jna;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.Structure.FieldOrder;
import com.sun.jna.WString;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;

/** Credential Manager (wincred.h): the structure and the advapi32 calls jna-platform does not declare. */
public final class CredentialStructs {

    public static final int CRED_TYPE_GENERIC = 1;
    public static final int CRED_PERSIST_LOCAL_MACHINE = 2;
    public static final int ERROR_NOT_FOUND = 1168;

    private CredentialStructs() {}

    /** FILETIME, x64: 8 bytes, two DWORDs (4-aligned, unlike a LARGE_INTEGER). */
    @FieldOrder({"dwLowDateTime", "dwHighDateTime"})
    public static class FILETIME extends Structure {
        public int dwLowDateTime;
        public int dwHighDateTime;
    }

    /**
     * CREDENTIALW, x64: 80 bytes; Flags 0, Type 4, TargetName 8, Comment 16, LastWritten 24, CredentialBlobSize 32,
     * CredentialBlob 40, Persist 48, AttributeCount 52, Attributes 56, TargetAlias 64, UserName 72.
     */
    @FieldOrder({"Flags", "Type", "TargetName", "Comment", "LastWritten", "CredentialBlobSize", "CredentialBlob",
            "Persist", "AttributeCount", "Attributes", "TargetAlias", "UserName"})
    public static class CREDENTIALW extends Structure {
        public int Flags;
        public int Type;
        public WString TargetName;
        public WString Comment;
        public FILETIME LastWritten = new FILETIME();
        public int CredentialBlobSize;
        public Pointer CredentialBlob;
        public int Persist;
        public int AttributeCount;
        public Pointer Attributes;
        public WString TargetAlias;
        public WString UserName;

        public CREDENTIALW() {}

        public CREDENTIALW(Pointer p) {
            super(p);
            read();
        }
    }

    /** advapi32's Cred* functions, Unicode forms. */
    public interface Advapi32Credentials extends Library {

        Advapi32Credentials INSTANCE = Native.load("advapi32", Advapi32Credentials.class);

        boolean CredWriteW(CREDENTIALW credential, int flags);

        boolean CredReadW(WString targetName, int type, int flags, PointerByReference credential);

        boolean CredDeleteW(WString targetName, int type, int flags);

        boolean CredEnumerateW(WString filter, int flags, IntByReference count, PointerByReference credentials);

        void CredFree(Pointer buffer);
    }
}
