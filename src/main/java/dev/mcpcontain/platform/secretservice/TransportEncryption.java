package dev.mcpcontain.platform.secretservice;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.interfaces.DHPublicKey;
import javax.crypto.spec.DHParameterSpec;
import javax.crypto.spec.DHPublicKeySpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Secret Service's {@value #ALGORITHM} session algorithm: a Diffie-Hellman exchange in the 1024-bit MODP group
 * of RFC 2409 (generator 2), the shared value (padded to the prime's 128 bytes) turned into an AES-128 key by
 * HKDF-SHA256 with no salt and no info, and each secret sent as AES-128-CBC with PKCS#7 padding under a fresh
 * random IV (carried in the secret's {@code parameters}). Public keys travel as unsigned big-endian bytes.
 */
final class TransportEncryption {

    static final String ALGORITHM = "dh-ietf1024-sha256-aes128-cbc-pkcs7";
    /** RFC 2409 section 6.2, the Second Oakley Group. */
    static final BigInteger PRIME = new BigInteger(
            "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
            + "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
            + "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF", 16);
    static final BigInteger GENERATOR = BigInteger.TWO;
    private static final int PRIME_BYTES = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final KeyPair pair;
    private SecretKeySpec key;

    TransportEncryption() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("DH");
            generator.initialize(new DHParameterSpec(PRIME, GENERATOR), RANDOM);
            pair = generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Diffie-Hellman is not available in this Java runtime: " + e, e);
        }
    }

    /** Our public key for OpenSession's input. */
    byte[] publicKey() {
        return unsigned(((DHPublicKey) pair.getPublic()).getY());
    }

    /** Derives the session key from the service's public key (OpenSession's output). */
    void agree(byte[] servicePublic) {
        BigInteger y = new BigInteger(1, servicePublic);
        if (y.compareTo(BigInteger.ONE) <= 0 || y.compareTo(PRIME.subtract(BigInteger.ONE)) >= 0) {
            throw new IllegalArgumentException("the Secret Service sent an invalid public key");
        }
        try {
            KeyAgreement agreement = KeyAgreement.getInstance("DH");
            agreement.init(pair.getPrivate());
            agreement.doPhase(KeyFactory.getInstance("DH").generatePublic(new DHPublicKeySpec(y, PRIME, GENERATOR)),
                    true);
            byte[] shared = leftPad(agreement.generateSecret(), PRIME_BYTES);
            key = new SecretKeySpec(hkdfSha256(shared, 16), "AES");
            Arrays.fill(shared, (byte) 0);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Diffie-Hellman agreement failed: " + e, e);
        }
    }

    /** {IV, ciphertext}. */
    byte[][] encrypt(byte[] plain) {
        byte[] iv = new byte[16];
        RANDOM.nextBytes(iv);
        try {
            Cipher aes = Cipher.getInstance("AES/CBC/PKCS5Padding");
            aes.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(iv));
            return new byte[][] {iv, aes.doFinal(plain)};
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES is not available in this Java runtime: " + e, e);
        }
    }

    byte[] decrypt(byte[] iv, byte[] cipherText) {
        try {
            Cipher aes = Cipher.getInstance("AES/CBC/PKCS5Padding");
            aes.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(iv));
            return aes.doFinal(cipherText);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("a secret from the Secret Service does not decrypt", e);
        }
    }

    /** RFC 5869 with an all-zero salt of the hash's length and empty info; {@code length} at most 32. */
    static byte[] hkdfSha256(byte[] inputKey, int length) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(new byte[32], "HmacSHA256"));
        byte[] pseudoRandomKey = mac.doFinal(inputKey);
        mac.init(new SecretKeySpec(pseudoRandomKey, "HmacSHA256"));
        byte[] first = mac.doFinal(new byte[] {1});
        return Arrays.copyOf(first, length);
    }

    static byte[] unsigned(BigInteger value) {
        byte[] bytes = value.toByteArray();
        return bytes[0] == 0 && bytes.length > 1 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
    }

    static byte[] leftPad(byte[] bytes, int length) {
        byte[] stripped = unsigned(new BigInteger(1, bytes));
        byte[] padded = new byte[length];
        System.arraycopy(stripped, 0, padded, length - stripped.length, stripped.length);
        return padded;
    }
}
