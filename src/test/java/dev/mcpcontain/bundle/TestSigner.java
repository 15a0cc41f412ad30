package dev.mcpcontain.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Certificates and PKCS#7 signatures made with the real openssl, the way a publisher would make them: a test CA and
 * a code-signing certificate it issued, and a self-signed one. Signatures are detached CMS over the bundle's bytes,
 * put in an MCPB signature block exactly as {@code mcpb sign} lays it out.
 */
public final class TestSigner {

    public final Path dir;

    public TestSigner(Path dir) throws IOException, InterruptedException {
        this.dir = dir;
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
                "-subj", "/CN=mcp-contain Test CA", "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "leaf.key", "-out", "leaf.csr",
                "-subj", "/CN=Test Publisher");
        Files.writeString(dir.resolve("leaf.ext"), "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                + "extendedKeyUsage=codeSigning\n");
        openssl("x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "leaf.pem", "-days", "2", "-extfile", "leaf.ext");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "self.key", "-out", "self.pem", "-days",
                "2", "-subj", "/CN=Self Publisher");
        // Issued by the same CA, but for TLS servers only: not a code-signing certificate.
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "tls.key", "-out", "tls.csr",
                "-subj", "/CN=Some Web Server");
        Files.writeString(dir.resolve("tls.ext"), "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n");
        openssl("x509", "-req", "-in", "tls.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "tls.pem", "-days", "2", "-extfile", "tls.ext");
    }

    /** openssl cms -sign over {@code content} with any further options (several signers, -nodetach, -md). */
    byte[] cmsWith(byte[] content, String... options) throws IOException, InterruptedException {
        Files.write(dir.resolve("content.bin"), content);
        List<String> args = new ArrayList<>(List.of("cms", "-sign", "-binary", "-nosmimecap", "-outform", "DER",
                "-in", "content.bin", "-out", "sig.der"));
        args.addAll(List.of(options));
        openssl(args.toArray(String[]::new));
        return Files.readAllBytes(dir.resolve("sig.der"));
    }

    /** A detached CMS signature of {@code content}: signed attributes, SHA-256, the certificates given. */
    byte[] cms(byte[] content, String cert, String key, String... extraCerts) throws IOException, InterruptedException {
        Files.write(dir.resolve("content.bin"), content);
        List<String> args = new ArrayList<>(List.of("cms", "-sign", "-binary", "-md", "sha256", "-nosmimecap",
                "-outform", "DER", "-in", "content.bin", "-out", "sig.der", "-signer", cert, "-inkey", key));
        for (String extra : extraCerts) {
            args.add("-certfile");
            args.add(extra);
        }
        openssl(args.toArray(String[]::new));
        return Files.readAllBytes(dir.resolve("sig.der"));
    }

    /** {@code content} followed by the MCPB signature block holding {@code signature}. */
    static byte[] block(byte[] content, byte[] signature, int padding) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(content);
        out.writeBytes(BundleSignature.HEADER);
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(signature.length).array());
        out.writeBytes(signature);
        out.writeBytes(new byte[padding]);
        out.writeBytes(BundleSignature.FOOTER);
        return out.toByteArray();
    }

    void openssl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "openssl " + String.join(" ", args) + ": " + output);
    }
}
