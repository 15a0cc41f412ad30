package dev.mcpcontain.platform.windows;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpcontain.registry.RegistryException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * How registry secrets are laid out as Credential Manager generic credentials, without JNA (tested on every
 * build machine). One credential per server and key, named
 * {@code mcp-contain|REGISTRY|SERVER|KEY}: the registry folder keeps a throwaway state folder's values apart from
 * the real registry's; '|' cannot occur in a server name or manifest key. The blob is the values as a UTF-8 JSON
 * array of strings.
 */
public final class CredentialRecords {

    /** CRED_MAX_CREDENTIAL_BLOB_SIZE: 5 * 512 bytes. */
    public static final int MAX_BLOB = 5 * 512;
    /** CRED_MAX_GENERIC_TARGET_NAME_LENGTH. */
    public static final int MAX_TARGET = 32767;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String registry;

    public CredentialRecords(String registry) {
        this.registry = registry;
    }

    /** Every credential of {@code server} starts with this; CredEnumerateW's filter is it plus {@code *}. */
    public String prefix(String server) {
        return "mcp-contain|" + registry + "|" + server + "|";
    }

    public String target(String server, String key) {
        if (key.contains("|") || key.contains("*")) {
            throw new RegistryException("user_config key '" + key + "' cannot name a Credential Manager entry");
        }
        String target = prefix(server) + key;
        if (target.length() > MAX_TARGET) {
            throw new RegistryException("the registry path is too long for a Credential Manager entry name");
        }
        return target;
    }

    /** The key a credential of {@code server} holds, or empty for a name that is not one of its credentials. */
    public Optional<String> key(String server, String target) {
        String prefix = prefix(server);
        if (!target.regionMatches(true, 0, prefix, 0, prefix.length())) {
            return Optional.empty();
        }
        String key = target.substring(prefix.length());
        return key.isEmpty() || key.contains("|") ? Optional.empty() : Optional.of(key);
    }

    public byte[] blob(String key, List<String> values) {
        byte[] blob;
        try {
            blob = JSON.writeValueAsBytes(values);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        if (blob.length > MAX_BLOB) {
            throw new RegistryException("user_config " + key + ": " + blob.length + " bytes; Credential Manager holds"
                    + " at most " + MAX_BLOB + " per value");
        }
        return blob;
    }

    public List<String> values(String target, byte[] blob) {
        try {
            return JSON.readValue(new String(blob, StandardCharsets.UTF_8), new TypeReference<List<String>>() {});
        } catch (IOException e) {
            throw new RegistryException("Credential Manager entry " + target + " is not a list of strings (changed"
                    + " outside mcp-contain?)");
        }
    }
}
