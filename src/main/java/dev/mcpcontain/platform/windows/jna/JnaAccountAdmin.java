package dev.mcpcontain.platform.windows.jna;

import com.sun.jna.Memory;
import com.sun.jna.WString;
import com.sun.jna.platform.win32.Advapi32Util;
import com.sun.jna.platform.win32.Crypt32Util;
import com.sun.jna.platform.win32.Win32Exception;
import dev.mcpcontain.platform.windows.AccountAdmin;
import dev.mcpcontain.platform.windows.Sid;
import dev.mcpcontain.platform.windows.Win32CallException;
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
        info.usri1_password = new WString(new String(password));
        info.usri1_priv = USER_PRIV_USER;
        info.usri1_comment = new WString(comment);
        info.usri1_flags = UF_SCRIPT | UF_PASSWD_CANT_CHANGE | UF_DONT_EXPIRE_PASSWD;
        int status = Netapi32Ex.INSTANCE.NetUserAdd(null, 1, info, null);
        if (status != 0) {
            throw new Win32CallException("NetUserAdd(" + userName + ")", status, "");
        }
    }

    @Override
    public void setPassword(String userName, char[] password) {
        Memory text = new Memory(2L * (password.length + 1));
        text.setWideString(0, new String(password));
        Memory info = new Memory(8);
        info.setPointer(0, text);
        int status = Netapi32Ex.INSTANCE.NetUserSetInfo(null, new WString(userName), 1003, info, null);
        text.clear();
        if (status != 0) {
            throw new Win32CallException("NetUserSetInfo(" + userName + ")", status,
                    status == NERR_USER_NOT_FOUND ? "no such user" : "");
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
