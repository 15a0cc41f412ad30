package dev.mcpcontain.platform.secretservice;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class TransportEncryptionTest {

    @Test
    void thePrimeIsRfc2409sSafe1024BitPrime() {
        BigInteger p = TransportEncryption.PRIME;
        assertEquals(1024, p.bitLength());
        assertTrue(p.isProbablePrime(64));
        // A typo in the constant would almost surely break one of these: safe prime, fixed top and bottom 64 bits.
        assertTrue(p.subtract(BigInteger.ONE).shiftRight(1).isProbablePrime(64));
        assertEquals(-1L, p.longValue());
        assertEquals(-1L, p.shiftRight(960).longValue());
    }

    @Test
    void hkdfMatchesRfc5869TestCase3() throws Exception {
        // SHA-256, IKM = 22 bytes of 0x0b, no salt, no info.
        byte[] ikm = new byte[22];
        Arrays.fill(ikm, (byte) 0x0b);
        assertEquals("8da4e775a563c18f715f802a063c5a31",
                HexFormat.of().formatHex(TransportEncryption.hkdfSha256(ikm, 16)));
    }

    @Test
    void bothSidesAgreeAndOnlyTheKeyDecrypts() {
        TransportEncryption client = new TransportEncryption();
        TransportEncryption service = new TransportEncryption();
        client.agree(service.publicKey());
        service.agree(client.publicKey());
        byte[] secret = "tok-123 ünï".getBytes(StandardCharsets.UTF_8);
        byte[][] sealed = client.encrypt(secret);
        assertEquals(16, sealed[0].length);
        assertEquals(16, sealed[1].length, "PKCS#7 pads 14 bytes to one block");
        assertFalse(new String(sealed[1], StandardCharsets.ISO_8859_1).contains("tok-123"));
        assertArrayEquals(secret, service.decrypt(sealed[0], sealed[1]));
        byte[][] again = client.encrypt(secret);
        assertFalse(Arrays.equals(sealed[0], again[0]), "a fresh IV per secret");

        TransportEncryption stranger = new TransportEncryption();
        stranger.agree(client.publicKey());
        assertThrows(IllegalArgumentException.class, () -> {
            byte[] out = stranger.decrypt(sealed[0], sealed[1]);
            if (Arrays.equals(out, secret)) {
                return;
            }
            throw new IllegalArgumentException("did not decrypt");
        });
    }

    @Test
    void degeneratePublicKeysAreRefused() {
        TransportEncryption client = new TransportEncryption();
        assertThrows(IllegalArgumentException.class, () -> client.agree(new byte[] {1}));
        assertThrows(IllegalArgumentException.class,
                () -> client.agree(TransportEncryption.unsigned(TransportEncryption.PRIME.subtract(BigInteger.ONE))));
    }

    @Test
    void sharedValuesArePaddedToThePrimesLength() {
        assertArrayEquals(new byte[] {0, 0, 0, 5}, TransportEncryption.leftPad(new byte[] {5}, 4));
        assertArrayEquals(new byte[] {0, 0, 1, 2}, TransportEncryption.leftPad(new byte[] {0, 1, 2}, 4));
    }
}
