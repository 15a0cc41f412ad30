package dev.mcpcontain.platform.windows.jna;

import com.sun.jna.Memory;
import com.sun.jna.WString;
import com.sun.jna.platform.win32.Advapi32Util;
import com.sun.jna.platform.win32.Crypt32Util;
import com.sun.jna.platform.win32.Win32Exception;
import dev.mcpcontain.platform.windows.Win32CallException;
import dev.mcpcontain.platform.windows.account.AccountAdmin;
import dev.mcpcontain.platform.windows.acl.Sid;
import java.util.Optional;

/** {@link AccountAdmin} through netapi32, advapi32 and DPAPI. */
public final class JnaAccountAdmin implements AccountAdmin {

    private static final int USER_PRIV_USER = 1;
    private static final int UF_SCRIPT = 0x0001;
    private static final int UF_PASSWD_CANT_CHANGE = 0x0040;
    private static final int UF_DONT_EXPIRE_PASSWD = 0x10000;
    private static final int NERR_USER_NOT_FOUND = 2221;

    public JnaAccountAdmin() {
        if (!com.sun.jna.Platform.isWindows()) {
            throw new UnsupportedOperationException("local accounts are managed on Windows only");
        }
    }

    @Override
    public boolean isElevated() {
        return Advapi32Util.isCurrentProcessElevated();
    }

    @Override
    public Optional<Sid> lookup(String userName) {
        try {
            return Optional.of(Sid.parse(Advapi32Util.getAccountByName(null, userName).sidString));
        } catch (Win32Exception e) {
            return Optional.empty();
        }
    }

    @Override
    public void createUser(String userName, char[] password, String comment) {
        var info = new AclStructs.USER_INFO_1();
        info.usri1_name = new WString(userName);
        Memory secret = wideChars(password);
        info.usri1_password = secret;
        info.usri1_priv = USER_PRIV_USER;
        info.usri1_comment = new WString(comment);
        info.usri1_flags = UF_SCRIPT | UF_PASSWD_CANT_CHANGE | UF_DONT_EXPIRE_PASSWD;
        int status;
        try {
            status = Netapi32Ex.INSTANCE.NetUserAdd(null, 1, info, null);
        } finally {
            secret.clear();
        }
        if (status != 0) {
            throw new Win32CallException("NetUserAdd(" + userName + ")", status, "");
        }
    }

    @Override
    public void setPassword(String userName, char[] password) {
        Memory text = wideChars(password);
        Memory info = new Memory(8);
        info.setPointer(0, text);
        int status = Netapi32Ex.INSTANCE.NetUserSetInfo(null, new WString(userName), 1003, info, null);
        text.clear();
        if (status != 0) {
            throw new Win32CallException("NetUserSetInfo(" + userName + ")", status,
                    status == NERR_USER_NOT_FOUND ? "no such user" : "");
        }
    }

    /** The password as NUL-terminated UTF-16 in native memory, written char by char (no String ever holds it). */
    private static Memory wideChars(char[] password) {
        Memory text = new Memory(2L * (password.length + 1));
        for (int i = 0; i < password.length; i++) {
            text.setChar(2L * i, password[i]);
        }
        text.setChar(2L * password.length, '\0');
        return text;
    }

    @Override
    public Sid currentUser() {
        return Sid.parse(Advapi32Util.getTokenAccount(currentProcessToken()).sidString);
    }

    private static com.sun.jna.platform.win32.WinNT.HANDLE currentProcessToken() {
        var token = new com.sun.jna.platform.win32.WinNT.HANDLEByReference();
        if (!com.sun.jna.platform.win32.Advapi32.INSTANCE.OpenProcessToken(
                com.sun.jna.platform.win32.Kernel32.INSTANCE.GetCurrentProcess(),
                com.sun.jna.platform.win32.WinNT.TOKEN_QUERY, token)) {
            throw new Win32CallException("OpenProcessToken", com.sun.jna.Native.getLastError(), "");
        }
        return token.getValue();
    }

    @Override
    public Optional<Sid> sessionUser() {
        String user = sessionString(5); // WTSUserName
        if (user == null || user.isEmpty()) {
            return Optional.empty();
        }
        String domain = sessionString(7); // WTSDomainName
        return lookup(domain == null || domain.isEmpty() ? user : domain + "\\" + user);
    }

    private static String sessionString(int infoClass) {
        var buffer = new com.sun.jna.ptr.PointerByReference();
        var bytes = new com.sun.jna.ptr.IntByReference();
        // WTS_CURRENT_SERVER_HANDLE (NULL), WTS_CURRENT_SESSION (-1)
        if (!Wtsapi32Ex.INSTANCE.WTSQuerySessionInformationW(null, -1, infoClass, buffer, bytes)) {
            return null;
        }
        try {
            return buffer.getValue().getWideString(0);
        } finally {
            Wtsapi32Ex.INSTANCE.WTSFreeMemory(buffer.getValue());
        }
    }

    @Override
    public void hideFromSignInScreen(String userName) {
        String key = "SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon\\SpecialAccounts\\UserList";
        com.sun.jna.platform.win32.Advapi32Util.registryCreateKey(com.sun.jna.platform.win32.WinReg.HKEY_LOCAL_MACHINE, key);
        com.sun.jna.platform.win32.Advapi32Util.registrySetIntValue(
                com.sun.jna.platform.win32.WinReg.HKEY_LOCAL_MACHINE, key, userName, 0);
    }

    @Override
    public void grantBatchLogonRight(Sid account) {
        BrokerLibraries.Advapi32Service lsa = BrokerLibraries.Advapi32Service.INSTANCE;
        com.sun.jna.ptr.PointerByReference policy = new com.sun.jna.ptr.PointerByReference();
        // LSA_OBJECT_ATTRIBUTES must be zeroed: 48 bytes on x64. POLICY_LOOKUP_NAMES | POLICY_CREATE_ACCOUNT.
        com.sun.jna.Memory attributes = new com.sun.jna.Memory(48);
        attributes.clear();
        int status = lsa.LsaOpenPolicy(null, attributes, 0x00000800 | 0x00000010, policy);
        if (status != 0) {
            throw new dev.mcpcontain.platform.windows.Win32CallException("LsaOpenPolicy", lsa.LsaNtStatusToWinError(status), "");
        }
        try {
            com.sun.jna.Memory sid = TokenInformation.sidMemory(account);
            com.sun.jna.Memory name = JnaBrokerWin32.utf16("SeBatchLogonRight");
            var right = new BrokerStructs.UNICODE_STRING();
            right.Length = (short) (2 * "SeBatchLogonRight".length());
            right.MaximumLength = (short) (right.Length + 2);
            right.Buffer = name;
            status = lsa.LsaAddAccountRights(policy.getValue(), sid, right, 1);
            if (status != 0) {
                throw new dev.mcpcontain.platform.windows.Win32CallException("LsaAddAccountRights",
                        lsa.LsaNtStatusToWinError(status), "");
            }
        } finally {
            lsa.LsaClose(policy.getValue());
        }
    }

    @Override
    public byte[] protect(byte[] secret) {
        return Crypt32Util.cryptProtectData(secret);
    }

    @Override
    public byte[] unprotect(byte[] protectedSecret) {
        return Crypt32Util.cryptUnprotectData(protectedSecret);
    }
}
