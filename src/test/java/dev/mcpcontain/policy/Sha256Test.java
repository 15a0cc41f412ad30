package dev.mcpcontain.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Sha256Test {

    @Test
    void agreesWithTheJdkOnEveryLengthAroundTheBlockBoundaries() throws Exception {
        Random random = new Random(42);
        for (int length = 0; length < 300; length++) {
            byte[] message = new byte[length];
            random.nextBytes(message);
            assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(message), Sha256.digest(message), "length " + length);
        }
        byte[] abc = "abc".getBytes(StandardCharsets.US_ASCII);
        assertArrayEquals(java.util.HexFormat.of().parseHex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
                Sha256.digest(abc), "FIPS 180-4 example");
    }
}
