package dev.mcpcontain.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcpcontain.registry.RegistryException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleSignatureTest {

    @TempDir
    static Path keys;

    @TempDir
    Path temp;

    private static TestSigner signer;
    private static final byte[] ZIP = new CraftedZip().file("manifest.json", "{}").file("server/index.js", "x")
            .bytes();

    @BeforeAll
    static void certificates() throws Exception {
        signer = new TestSigner(keys);
    }

    private BundleTrust trustingTestCa() {
        return BundleTrust.load(Optional.of(keys.resolve("ca.pem")), false);
    }

    private SignatureStatus verify(byte[] file, BundleTrust trust) throws IOException {
        Path bundle = temp.resolve("b.mcpb");
        Files.write(bundle, file);
        return BundleSignature.verify(bundle, BundleSignature.locate(bundle), trust);
    }

    private String refusal(byte[] file) throws IOException {
        Path bundle = temp.resolve("b.mcpb");
        Files.write(bundle, file);
        RegistryException e = assertThrows(RegistryException.class,
                () -> BundleSignature.verify(bundle, BundleSignature.locate(bundle), trustingTestCa()));
        assertFalse(e.getMessage().contains("\n"));
        return e.getMessage().substring(bundle.toString().length() + 2);
    }

    @Test
    void aBundleWithoutABlockIsUnsignedAndWhollyContent() throws IOException {
        Path bundle = temp.resolve("b.mcpb");
        Files.write(bundle, ZIP);
        BundleSignature.Block block = BundleSignature.locate(bundle);
        assertEquals(ZIP.length, block.contentLength());
        assertEquals(SignatureStatus.UNSIGNED, BundleSignature.verify(bundle, block, trustingTestCa()).status());
    }

    @Test
    void aChainToAListedCaIsSignedAndTheContentEndsAtTheBlock() throws Exception {
        byte[] file = TestSigner.block(ZIP, signer.cms(ZIP, "leaf.pem", "leaf.key", "ca.pem"), 0);
        Path bundle = temp.resolve("b.mcpb");
        Files.write(bundle, file);
        assertEquals(ZIP.length, BundleSignature.locate(bundle).contentLength());
        SignatureStatus status = verify(file, trustingTestCa());
        assertEquals(SignatureStatus.SIGNED, status.status(), status.describe());
        assertEquals("CN=Test Publisher", status.subject());
        assertEquals("CN=mcp-contain Test CA", status.issuer());
        assertTrue(status.trust().startsWith("chain to CN=mcp-contain Test CA in " + keys.resolve("ca.pem")),
                status.trust());
        assertTrue(status.describe().startsWith("signed by CN=Test Publisher ("), status.describe());
        assertEquals(64, status.fingerprint().length());
        // The same signature without the CA in any trust store: valid, but untrusted.
        SignatureStatus alone = verify(file, BundleTrust.load(Optional.empty(), true));
        assertEquals(SignatureStatus.UNTRUSTED, alone.status(), alone.describe());
        assertTrue(alone.describe().startsWith("signed by CN=Test Publisher, issued by CN=mcp-contain Test CA, but"
                + " not trusted (no chain to a trusted root"), alone.describe());
    }

    @Test
    void aSelfSignedCertificateIsReportedAsSuch() throws Exception {
        byte[] file = TestSigner.block(ZIP, signer.cms(ZIP, "self.pem", "self.key"), 0);
        SignatureStatus status = verify(file, trustingTestCa());
        assertEquals(SignatureStatus.SELF_SIGNED, status.status());
        assertEquals("self-signed by CN=Self Publisher (its own certificate is not in a trust store)",
                status.describe());
        assertFalse(status.trusted());
    }

    @Test
    void thePaddedBlockOfExternalSigningIsRead() throws Exception {
        byte[] file = TestSigner.block(ZIP, signer.cms(ZIP, "leaf.pem", "leaf.key", "ca.pem"), 5000);
        assertEquals(SignatureStatus.SIGNED, verify(file, trustingTestCa()).status());
    }

    /** Newer mcpb sign raises the zip comment length over the block after signing what was there before. */
    @Test
    void theCommentLengthRaisedAfterSigningIsAccepted() throws Exception {
        byte[] signature = signer.cms(ZIP, "leaf.pem", "leaf.key", "ca.pem");
        byte[] file = TestSigner.block(ZIP, signature, 0);
        int block = file.length - ZIP.length;
        int commentLength = ZIP.length - 2; // the end record is the zip's last 22 bytes, the comment length its last 2
        file[commentLength] = (byte) block;
        file[commentLength + 1] = (byte) (block >> 8);
        assertEquals(SignatureStatus.SIGNED, verify(file, trustingTestCa()).status());
        file[commentLength] ^= 1; // any other value is a change
        assertEquals("signature does not match the bundle's content (changed after it was signed); refusing it",
                refusal(file));
    }

    @Test
    void aChangedByteAfterSigningIsRefusedNotDowngradedToUnsigned() throws Exception {
        byte[] file = TestSigner.block(ZIP, signer.cms(ZIP, "leaf.pem", "leaf.key", "ca.pem"), 0);
        file[40] ^= 1;
        assertEquals("signature does not match the bundle's content (changed after it was signed); refusing it",
                refusal(file));
    }

    @Test
    void aSignatureOfOtherContentIsRefused() throws Exception {
        byte[] other = Arrays.copyOf(ZIP, ZIP.length);
        other[0] = 'X';
        byte[] file = TestSigner.block(ZIP, signer.cms(other, "leaf.pem", "leaf.key"), 0);
        assertEquals("signature does not match the bundle's content (changed after it was signed); refusing it",
                refusal(file));
    }

    @Test
    void damagedBlocksAreRefusedWithTheReason() throws Exception {
        byte[] sig = signer.cms(ZIP, "leaf.pem", "leaf.key");
        byte[] truncated = TestSigner.block(ZIP, Arrays.copyOf(sig, sig.length - 10), 0);
        assertTrue(refusal(truncated).startsWith("signature block: not a PKCS#7 signature mcp-contain can read ("),
                refusal(truncated));
        byte[] garbage = TestSigner.block(ZIP, "not der at all".getBytes(StandardCharsets.US_ASCII), 0);
        assertTrue(refusal(garbage).startsWith("signature block: not a PKCS#7 signature mcp-contain can read ("));
        byte[] junk = TestSigner.block(ZIP, sig, 4);
        junk[junk.length - BundleSignature.FOOTER.length - 2] = 7;
        assertEquals("signature block: unexpected bytes after the signature (only zero padding may follow it)",
                refusal(junk));
        byte[] lying = TestSigner.block(ZIP, sig, 0);
        int lengthAt = ZIP.length + BundleSignature.HEADER.length;
        lying[lengthAt + 1] = 0x7f;
        assertTrue(refusal(lying).startsWith("signature block: declares "), refusal(lying));
        byte[] footerOnly = Arrays.copyOf(ZIP, ZIP.length + BundleSignature.FOOTER.length);
        System.arraycopy(BundleSignature.FOOTER, 0, footerOnly, ZIP.length, BundleSignature.FOOTER.length);
        assertTrue(refusal(footerOnly).startsWith("signature block: ends with MCPB_SIG_END but has no MCPB_SIG_V1"));
    }

    @Test
    void signaturesOutsideWhatMcpbWritesAreRefusedNamingWhy() throws Exception {
        String embedded = refusal(TestSigner.block(ZIP, signer.cmsWith(ZIP, "-nodetach", "-md", "sha256", "-signer",
                "leaf.pem", "-inkey", "leaf.key"), 0));
        assertEquals("signature block: not a PKCS#7 signature mcp-contain can read (encapContentInfo: the signature"
                + " is not detached)", embedded);
        String sha1 = refusal(TestSigner.block(ZIP, signer.cmsWith(ZIP, "-md", "sha1", "-signer", "leaf.pem",
                "-inkey", "leaf.key"), 0));
        assertEquals("signature block: not a PKCS#7 signature mcp-contain can read (digest algorithm 1.3.14.3.2.26"
                + " is not supported (SHA-256, SHA-384, SHA-512))", sha1);
        String two = refusal(TestSigner.block(ZIP, signer.cmsWith(ZIP, "-md", "sha256", "-signer", "leaf.pem",
                "-inkey", "leaf.key", "-signer", "self.pem", "-inkey", "self.key"), 0));
        assertEquals("signature block: not a PKCS#7 signature mcp-contain can read (expected exactly one signer,"
                + " found 2)", two);
        String noCertificate = refusal(TestSigner.block(ZIP, signer.cmsWith(ZIP, "-md", "sha256", "-nocerts",
                "-signer", "leaf.pem", "-inkey", "leaf.key"), 0));
        assertTrue(noCertificate.startsWith("signature block: not a PKCS#7 signature mcp-contain can read (the"
                + " signer's certificate (CN=mcp-contain Test CA, serial "), noCertificate);
    }

    @Test
    void aCertificateNotForCodeSigningIsNotTrustedThoughItsChainIs() throws Exception {
        SignatureStatus status = verify(TestSigner.block(ZIP, signer.cms(ZIP, "tls.pem", "tls.key", "ca.pem"), 0),
                trustingTestCa());
        assertEquals(SignatureStatus.UNTRUSTED, status.status());
        assertEquals("the certificate is not for code signing (extended key usage [1.3.6.1.5.5.7.3.1])",
                status.trust());
    }

    @Test
    void bytesAppendedAfterTheBlockMakeTheBundleUnsignedNeverSigned() throws Exception {
        byte[] file = TestSigner.block(ZIP, signer.cms(ZIP, "leaf.pem", "leaf.key", "ca.pem"), 0);
        byte[] appended = Arrays.copyOf(file, file.length + 3);
        assertEquals(SignatureStatus.UNSIGNED, verify(appended, trustingTestCa()).status());
    }
}
