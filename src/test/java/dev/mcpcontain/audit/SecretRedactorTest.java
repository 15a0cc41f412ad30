package dev.mcpcontain.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SecretRedactorTest {

    @Test
    void sensitiveValuesDisappearFromTextKeysAndNestedArguments() throws Exception {
        SecretRedactor redactor = SecretRedactor.of(
                Map.of("GITHUB_TOKEN", "ghp_abcdef123456", "PIN", "42", "PATH", "/usr/bin"),
                Set.of("GITHUB_TOKEN", "PIN"));
        ObjectMapper json = new ObjectMapper();
        assertEquals("{\"q\":\"token <redacted:GITHUB_TOKEN> here\",\"n\":[\"<redacted:PIN>\",\"1042\"],"
                + "\"<redacted:GITHUB_TOKEN>\":\"/usr/bin\"}",
                redactor.redact(json.readTree("{\"q\":\"token ghp_abcdef123456 here\",\"n\":[\"42\",\"1042\"],"
                        + "\"ghp_abcdef123456\":\"/usr/bin\"}")).toString());
        assertEquals("x", redactor.redact("x"));
    }
}
