package dev.mcpcontain.platform.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcpcontain.registry.RegistryException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CredentialRecordsTest {

    private final CredentialRecords records = new CredentialRecords("C:\\Users\\u\\AppData\\Local\\mcp-contain\\registry");

    @Test
    void namesCarryRegistryServerAndKeyAndParseBack() {
        String target = records.target("github", "token");
        assertEquals("mcp-contain|C:\\Users\\u\\AppData\\Local\\mcp-contain\\registry|github|token", target);
        assertEquals(Optional.of("token"), records.key("github", target));
        // Another server sharing a prefix, another registry, or a foreign credential: not ours.
        assertEquals(Optional.empty(), records.key("git", target));
        assertEquals(Optional.empty(), new CredentialRecords("D:\\other").key("github", target));
        assertEquals(Optional.empty(), records.key("github", "git:https://github.com"));
        assertThrows(RegistryException.class, () -> records.target("github", "a|b"));
        assertThrows(RegistryException.class, () -> records.target("github", "a*"));
    }

    @Test
    void blobsRoundTripAndRespectTheSizeLimit() {
        byte[] blob = records.blob("k", List.of("v1", "ünï"));
        assertEquals(List.of("v1", "ünï"), records.values("t", blob));
        RegistryException big = assertThrows(RegistryException.class,
                () -> records.blob("k", List.of("x".repeat(CredentialRecords.MAX_BLOB))));
        assertTrue(big.getMessage().contains("at most 2560"), big.getMessage());
        assertTrue(!big.getMessage().contains("xxxx"), "the value is never in a message");
        assertThrows(RegistryException.class, () -> records.values("t", new byte[] {1, 2}));
    }
}
