package dev.mcpcontain.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ByteSizeTest {

    @ParameterizedTest
    @CsvSource({"65536, 65536, 64K", "512K, 524288, 512K", "256m, 268435456, 256M", "2G, 2147483648, 2G", "1T, 1099511627776, 1T", "1000, 1000, 1000"})
    void parsesAndPrints(String text, long bytes, String printed) {
        ByteSize size = ByteSize.parse(text);
        assertEquals(bytes, size.bytes());
        assertEquals(printed, size.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "lots", "0", "-1", "1.5G", "G", "99999999999999T"})
    void rejects(String text) {
        assertThrows(IllegalArgumentException.class, () -> ByteSize.parse(text));
    }
}
