package dev.mcpcontain.platform.windows.jna;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.WString;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import dev.mcpcontain.platform.windows.CredentialRecords;
import dev.mcpcontain.platform.windows.jna.CredentialStructs.Advapi32Credentials;
import dev.mcpcontain.platform.windows.jna.CredentialStructs.CREDENTIALW;
import dev.mcpcontain.policy.HostEnvironment;
import dev.mcpcontain.registry.RegistryException;
import dev.mcpcontain.registry.SecretStore;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Sensitive values in Windows Credential Manager: generic credentials persisted on this machine for this user
 * (CRED_TYPE_GENERIC, CRED_PERSIST_LOCAL_MACHINE), protected by DPAPI under the user's logon, named as
 * {@link CredentialRecords} says.
 */
public final class CredentialManagerStore implements SecretStore {

    private final CredentialRecords records;

    public CredentialManagerStore(HostEnvironment host) {
        this.records = new CredentialRecords(host.dataDirectory().resolve("registry").toAbsolutePath().toString());
    }

    private static Advapi32Credentials api() {
        try {
            return Advapi32Credentials.INSTANCE;
        } catch (LinkageError e) {
            throw new Unavailable("Credential Manager cannot be loaded: " + e.getMessage());
        }
    }

    @Override
    public String where() {
        return "Windows Credential Manager";
    }

    @Override
    public Map<String, List<String>> read(String server) {
        Map<String, List<String>> values = new TreeMap<>();
        IntByReference count = new IntByReference();
        PointerByReference list = new PointerByReference();
        if (!api().CredEnumerateW(new WString(records.prefix(server) + "*"), 0, count, list)) {
            int error = Native.getLastError();
            if (error == CredentialStructs.ERROR_NOT_FOUND) {
                return values;
            }
            throw new RegistryException("Credential Manager: CredEnumerateW failed (error " + error + ")");
        }
        try {
            Pointer[] credentials = list.getValue().getPointerArray(0, count.getValue());
            for (Pointer p : credentials) {
                CREDENTIALW c = new CREDENTIALW(p);
                String target = c.TargetName.toString();
                records.key(server, target).ifPresent(key -> values.put(key, records.values(target,
                        c.CredentialBlob == null ? new byte[0] : c.CredentialBlob.getByteArray(0, c.CredentialBlobSize))));
            }
        } finally {
            api().CredFree(list.getValue());
        }
        return values;
    }

    @Override
    public void replace(String server, Map<String, List<String>> secrets) {
        for (Map.Entry<String, List<String>> e : secrets.entrySet()) {
            write(records.target(server, e.getKey()), e.getKey(), records.blob(e.getKey(), e.getValue()));
        }
        for (String key : read(server).keySet()) {
            if (!secrets.containsKey(key)) {
                String target = records.target(server, key);
                if (!api().CredDeleteW(new WString(target), CredentialStructs.CRED_TYPE_GENERIC, 0)
                        && Native.getLastError() != CredentialStructs.ERROR_NOT_FOUND) {
                    throw new RegistryException("Credential Manager: cannot delete " + target + " (error "
                            + Native.getLastError() + ")");
                }
            }
        }
    }

    private void write(String target, String key, byte[] blob) {
        Memory memory = new Memory(Math.max(1, blob.length));
        memory.write(0, blob, 0, blob.length);
        CREDENTIALW c = new CREDENTIALW();
        c.Type = CredentialStructs.CRED_TYPE_GENERIC;
        c.TargetName = new WString(target);
        c.Comment = new WString("mcp-contain: sensitive user_config " + key);
        c.CredentialBlobSize = blob.length;
        c.CredentialBlob = memory;
        c.Persist = CredentialStructs.CRED_PERSIST_LOCAL_MACHINE;
        c.UserName = new WString("mcp-contain");
        try {
            if (!api().CredWriteW(c, 0)) {
                throw new RegistryException("Credential Manager: cannot write " + target + " (error "
                        + Native.getLastError() + ")");
            }
        } finally {
            memory.clear();
        }
    }
}
