package dev.mcpcontain.bundle;

import dev.mcpcontain.registry.RegistryException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;

/**
 * An MCPB bundle's signature, as {@code mcpb sign} writes it: the zip, then a block {@code MCPB_SIG_V1}, the length
 * of a DER PKCS#7 (CMS) SignedData as 4 bytes little-endian, that SignedData, optionally zero padding (bundles
 * prepared for external signing pad the block to a fixed size), and {@code MCPB_SIG_END} as the file's last bytes.
 * The SignedData is detached: it signs the bytes before the block (SHA-256 digest in a signed {@code messageDigest}
 * attribute) and carries the signer's certificate, then any intermediates.
 *
 * <p>A block that is present but wrong (damaged, a digest that does not match, a signature that does not verify) is
 * refused, never read as "unsigned": only a bundle without a block is unsigned. Newer {@code mcpb sign} also raises
 * the zip's comment length to cover the block it appends after signing; the digest is therefore also tried over the
 * content with that field restored, which changes no entry.
 */
public final class BundleSignature {

    static final byte[] HEADER = "MCPB_SIG_V1".getBytes(StandardCharsets.US_ASCII);
    static final byte[] FOOTER = "MCPB_SIG_END".getBytes(StandardCharsets.US_ASCII);
    /** A chain of a few certificates is a few KiB; the padded form is 16 KiB. */
    static final int MAX_BLOCK = 1 << 20;

    private static final String SIGNED_DATA = "1.2.840.113549.1.7.2";
    private static final String DATA = "1.2.840.113549.1.7.1";
    private static final String CONTENT_TYPE = "1.2.840.113549.1.9.3";
    private static final String MESSAGE_DIGEST = "1.2.840.113549.1.9.4";
    private static final String SIGNING_TIME = "1.2.840.113549.1.9.5";
    private static final Map<String, String> DIGESTS = Map.of("2.16.840.1.101.3.4.2.1", "SHA-256",
            "2.16.840.1.101.3.4.2.2", "SHA-384", "2.16.840.1.101.3.4.2.3", "SHA-512");

    /**
     * Where the signed zip ends, and the signature block's SignedData if there is one.
     *
     * @param contentLength bytes of the file that are the zip (all of it when unsigned)
     * @param fileLength    the whole file
     */
    public record Block(long contentLength, long fileLength, Optional<byte[]> signedData) {}

    /**
     * A SignedData taken apart.
     *
     * @param certificates all certificates it carries; the signer's is {@link #signer}
     * @param digestAlgorithm a {@link MessageDigest} name
     * @param messageDigest the signed digest of the content; empty when there are no signed attributes
     * @param signedBytes what the signature covers when there are signed attributes (their DER as a SET)
     * @param signatureAlgorithm a {@link Signature} name
     */
    record Parsed(List<X509Certificate> certificates, X509Certificate signer, String digestAlgorithm,
            Optional<byte[]> messageDigest, Optional<byte[]> signedBytes, String signatureAlgorithm,
            byte[] signature, String signingTime) {}

    private BundleSignature() {}

    public static Block locate(Path bundle) {
        try (FileChannel channel = FileChannel.open(bundle, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            long size = channel.size();
            int window = (int) Math.min(size, MAX_BLOCK);
            ByteBuffer tail = ZipDirectory.readAt(channel, size - window, window);
            byte[] bytes = new byte[window];
            tail.get(bytes);
            return locate(bytes, size, bundle.toString());
        } catch (IOException e) {
            throw new RegistryException(bundle + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** @param tail the file's last bytes (up to {@link #MAX_BLOCK}) */
    static Block locate(byte[] tail, long fileLength, String label) {
        if (!endsWith(tail, FOOTER)) {
            return new Block(fileLength, fileLength, Optional.empty());
        }
        int footer = tail.length - FOOTER.length;
        int header = lastIndexOf(tail, HEADER, footer - HEADER.length - 4);
        if (header < 0) {
            throw new RegistryException(label + ": signature block: ends with " + new String(FOOTER,
                    StandardCharsets.US_ASCII) + " but has no " + new String(HEADER, StandardCharsets.US_ASCII)
                    + " within " + MAX_BLOCK + " bytes before it");
        }
        long length = ByteBuffer.wrap(tail, header + HEADER.length, 4).order(ByteOrder.LITTLE_ENDIAN).getInt()
                & 0xFFFFFFFFL;
        int start = header + HEADER.length + 4;
        if (length == 0 || start + length > footer) {
            throw new RegistryException(label + ": signature block: declares " + length + " bytes of signature but"
                    + " holds " + (footer - start));
        }
        for (int i = start + (int) length; i < footer; i++) {
            if (tail[i] != 0) {
                throw new RegistryException(label + ": signature block: unexpected bytes after the signature (only"
                        + " zero padding may follow it)");
            }
        }
        return new Block(fileLength - tail.length + header, fileLength,
                Optional.of(Arrays.copyOfRange(tail, start, start + (int) length)));
    }

    /**
     * Verifies a bundle's signature and decides whether it is trusted.
     *
     * @throws RegistryException when a signature is present but does not verify
     */
    public static SignatureStatus verify(Path bundle, Block block, BundleTrust trust) {
        if (block.signedData().isEmpty()) {
            return SignatureStatus.unsigned();
        }
        String label = bundle.toString();
        Parsed parsed;
        try {
            parsed = parse(block.signedData().get());
        } catch (Der.Malformed | CertificateException e) {
            throw new RegistryException(label + ": signature block: not a PKCS#7 signature mcp-contain can read ("
                    + e.getMessage() + ")");
        }
        try (FileChannel channel = FileChannel.open(bundle, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            checkContent(channel, block, parsed, label);
        } catch (IOException e) {
            throw new RegistryException(label + ": cannot read: " + e.getMessage(), e);
        }
        return trust.judge(parsed.signer(), parsed.certificates(), parsed.signingTime());
    }

    /** The signature over the signed attributes (or the content), and the signed digest against the content. */
    private static void checkContent(FileChannel channel, Block block, Parsed parsed, String label)
            throws IOException {
        byte[] digest = digest(channel, block.contentLength(), parsed.digestAlgorithm(), -1, 0);
        boolean matches = parsed.messageDigest().map(d -> MessageDigest.isEqual(d, digest)).orElse(true);
        if (!matches) {
            // Newer mcpb sign raises the zip comment length after signing: restore it and digest again.
            long end = endRecord(channel, block.contentLength());
            if (end >= 0) {
                int written = ZipDirectory.u16(ZipDirectory.readAt(channel, end + 20, 2), 0);
                long original = written - (block.fileLength() - block.contentLength());
                if (original >= 0) {
                    byte[] again = digest(channel, block.contentLength(), parsed.digestAlgorithm(), end + 20,
                            (int) original);
                    matches = MessageDigest.isEqual(parsed.messageDigest().get(), again);
                }
            }
        }
        if (!matches) {
            throw new RegistryException(label + ": signature does not match the bundle's content (changed after it"
                    + " was signed); refusing it");
        }
        try {
            Signature verifier = Signature.getInstance(parsed.signatureAlgorithm());
            verifier.initVerify(parsed.signer().getPublicKey());
            if (parsed.signedBytes().isPresent()) {
                verifier.update(parsed.signedBytes().get());
            } else {
                update(channel, block.contentLength(), verifier);
            }
            if (!verifier.verify(parsed.signature())) {
                throw new RegistryException(label + ": signature does not verify with the signer's certificate ("
                        + parsed.signer().getSubjectX500Principal().getName() + "); refusing it");
            }
        } catch (GeneralSecurityException e) {
            throw new RegistryException(label + ": signature cannot be verified: " + e.getMessage(), e);
        }
    }

    static Parsed parse(byte[] der) throws CertificateException {
        List<Der> info = Der.parse(der).expect(Der.SEQUENCE, "ContentInfo").children();
        if (info.size() != 2 || !info.get(0).oid().equals(SIGNED_DATA)) {
            throw new Der.Malformed("not a PKCS#7 SignedData");
        }
        List<Der> explicit = info.get(1).expect(0xA0, "ContentInfo content").children();
        if (explicit.size() != 1) {
            throw new Der.Malformed("ContentInfo content: expected one element");
        }
        List<Der> sd = explicit.get(0).expect(Der.SEQUENCE, "SignedData").children();
        if (sd.size() < 4) {
            throw new Der.Malformed("SignedData: too few fields");
        }
        List<Der> encap = sd.get(2).expect(Der.SEQUENCE, "encapContentInfo").children();
        if (encap.isEmpty() || !encap.get(0).oid().equals(DATA)) {
            throw new Der.Malformed("encapContentInfo: content type is not data");
        }
        if (encap.size() != 1) {
            throw new Der.Malformed("encapContentInfo: the signature is not detached");
        }
        List<X509Certificate> certificates = new ArrayList<>();
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        int at = 3;
        if (sd.get(at).tag() == 0xA0) {
            for (Der cert : sd.get(at).children()) {
                certificates.add((X509Certificate) factory.generateCertificate(
                        new ByteArrayInputStream(cert.expect(Der.SEQUENCE, "certificate").encoded())));
            }
            at++;
        }
        if (at < sd.size() && sd.get(at).tag() == 0xA1) {
            at++;
        }
        if (at != sd.size() - 1) {
            throw new Der.Malformed("SignedData: unexpected fields after the certificates");
        }
        List<Der> signers = sd.get(at).expect(Der.SET, "signerInfos").children();
        if (signers.size() != 1) {
            throw new Der.Malformed("expected exactly one signer, found " + signers.size());
        }
        return signer(signers.get(0).expect(Der.SEQUENCE, "SignerInfo").children(), certificates);
    }

    private static Parsed signer(List<Der> si, List<X509Certificate> certificates) {
        if (si.size() < 5) {
            throw new Der.Malformed("SignerInfo: too few fields");
        }
        List<Der> sid = si.get(1).expect(Der.SEQUENCE, "SignerInfo sid (only issuer and serial number is read)")
                .children();
        if (sid.size() != 2) {
            throw new Der.Malformed("SignerInfo sid: expected issuer and serial number");
        }
        X500Principal issuer = new X500Principal(sid.get(0).expect(Der.SEQUENCE, "issuer").encoded());
        java.math.BigInteger serial = sid.get(1).integer();
        X509Certificate signer = certificates.stream()
                .filter(c -> c.getIssuerX500Principal().equals(issuer) && c.getSerialNumber().equals(serial))
                .findFirst().orElseThrow(() -> new Der.Malformed("the signer's certificate (" + issuer.getName()
                        + ", serial " + serial.toString(16) + ") is not in the signature"));
        String digest = algorithm(si.get(2), DIGESTS, "digest algorithm");
        int at = 3;
        Optional<byte[]> signedBytes = Optional.empty();
        Optional<byte[]> messageDigest = Optional.empty();
        String signingTime = null;
        if (si.get(at).tag() == 0xA0) {
            Map<String, Der> attributes = new HashMap<>();
            for (Der attribute : si.get(at).children()) {
                List<Der> parts = attribute.expect(Der.SEQUENCE, "signed attribute").children();
                if (parts.size() != 2) {
                    throw new Der.Malformed("signed attribute: expected a type and its values");
                }
                List<Der> values = parts.get(1).expect(Der.SET, "signed attribute values").children();
                if (values.size() != 1 || attributes.put(parts.get(0).oid(), values.get(0)) != null) {
                    throw new Der.Malformed("signed attribute " + parts.get(0).oid() + ": not exactly one value");
                }
            }
            Der type = attributes.get(CONTENT_TYPE);
            Der md = attributes.get(MESSAGE_DIGEST);
            if (type == null || !type.oid().equals(DATA) || md == null) {
                throw new Der.Malformed("signed attributes: content type data and message digest are required");
            }
            messageDigest = Optional.of(md.expect(Der.OCTET_STRING, "message digest").content());
            Der time = attributes.get(SIGNING_TIME);
            if (time != null && (time.tag() == 0x17 || time.tag() == 0x18)) {
                signingTime = new String(time.content(), StandardCharsets.US_ASCII);
            }
            signedBytes = Optional.of(si.get(at).retagged(Der.SET));
            at++;
        }
        if (si.size() < at + 2) {
            throw new Der.Malformed("SignerInfo: no signature");
        }
        String signatureAlgorithm = signatureAlgorithm(si.get(at), digest);
        byte[] signature = si.get(at + 1).expect(Der.OCTET_STRING, "signature").content();
        return new Parsed(certificates, signer, digest, messageDigest, signedBytes, signatureAlgorithm, signature,
                signingTime);
    }

    private static String algorithm(Der identifier, Map<String, String> known, String what) {
        List<Der> parts = identifier.expect(Der.SEQUENCE, what).children();
        if (parts.isEmpty()) {
            throw new Der.Malformed(what + ": empty");
        }
        String oid = parts.get(0).oid();
        String name = known.get(oid);
        if (name == null) {
            throw new Der.Malformed(what + " " + oid + " is not supported (SHA-256, SHA-384, SHA-512)");
        }
        return name;
    }

    /** RSA (PKCS#1 v1.5), ECDSA and Ed25519; the digest of "rsaEncryption"/"ecPublicKey" is the signer's. */
    private static String signatureAlgorithm(Der identifier, String digest) {
        String oid = identifier.expect(Der.SEQUENCE, "signature algorithm").children().get(0).oid();
        String plain = digest.replace("-", "");
        return switch (oid) {
            case "1.2.840.113549.1.1.1" -> plain + "withRSA";
            case "1.2.840.113549.1.1.11" -> "SHA256withRSA";
            case "1.2.840.113549.1.1.12" -> "SHA384withRSA";
            case "1.2.840.113549.1.1.13" -> "SHA512withRSA";
            case "1.2.840.10045.2.1" -> plain + "withECDSA";
            case "1.2.840.10045.4.3.2" -> "SHA256withECDSA";
            case "1.2.840.10045.4.3.3" -> "SHA384withECDSA";
            case "1.2.840.10045.4.3.4" -> "SHA512withECDSA";
            case "1.3.101.112" -> "Ed25519";
            default -> throw new Der.Malformed("signature algorithm " + oid + " is not supported (RSA, ECDSA,"
                    + " Ed25519)");
        };
    }

    /** The digest of the first {@code length} bytes, with two bytes at {@code patchAt} replaced (-1: none). */
    private static byte[] digest(FileChannel channel, long length, String algorithm, long patchAt, int patch)
            throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance(algorithm);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
        for (long at = 0; at < length;) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), length - at));
            int n = channel.read(buffer, at);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            byte[] chunk = Arrays.copyOf(buffer.array(), n);
            for (int i = 0; i < 2; i++) {
                long p = patchAt + i - at;
                if (patchAt >= 0 && p >= 0 && p < n) {
                    chunk[(int) p] = (byte) (patch >> (8 * i));
                }
            }
            md.update(chunk);
            at += n;
        }
        return md.digest();
    }

    private static void update(FileChannel channel, long length, Signature verifier)
            throws IOException, GeneralSecurityException {
        ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
        for (long at = 0; at < length;) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), length - at));
            int n = channel.read(buffer, at);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            verifier.update(buffer.array(), 0, n);
            at += n;
        }
    }

    private static long endRecord(FileChannel channel, long length) throws IOException {
        int window = (int) Math.min(length, 22 + 0xFFFF);
        ByteBuffer tail = ZipDirectory.readAt(channel, length - window, window);
        for (int i = window - 22; i >= 0; i--) {
            if (tail.getInt(i) == 0x06054b50) {
                return length - window + i;
            }
        }
        return -1;
    }

    private static boolean endsWith(byte[] bytes, byte[] suffix) {
        return bytes.length >= suffix.length
                && Arrays.equals(bytes, bytes.length - suffix.length, bytes.length, suffix, 0, suffix.length);
    }

    private static int lastIndexOf(byte[] bytes, byte[] needle, int from) {
        for (int i = Math.min(from, bytes.length - needle.length); i >= 0; i--) {
            if (Arrays.equals(bytes, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        return -1;
    }

    static String fingerprint(X509Certificate certificate) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
