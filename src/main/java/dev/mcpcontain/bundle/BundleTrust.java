package dev.mcpcontain.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXCertPathBuilderResult;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Which certificates a bundle's signature must chain to: the Java runtime's system trust store (on Debian and
 * Ubuntu {@code /etc/ssl/certs/java/cacerts}, kept in step with the OS store by ca-certificates-java), plus an
 * administrator's list of PEM certificates, {@code bundle-signers.pem} beside the admin policy (see
 * {@code AdminPolicy.bundleSignersFile}). The chain is checked as PKIX (validity now, CA constraints, key usage);
 * revocation is not checked (no network at add time). A signer certificate that names extended key usages must
 * include code signing, as {@code mcpb verify} requires.
 */
public final class BundleTrust {

    private static final String CODE_SIGNING = "1.3.6.1.5.5.7.3.3";
    private static final String ANY_USAGE = "2.5.29.37.0";

    private final Set<TrustAnchor> anchors;
    private final Set<X509Certificate> listed;
    private final Optional<Path> list;

    BundleTrust(Set<TrustAnchor> anchors, Set<X509Certificate> listed, Optional<Path> list) {
        this.anchors = anchors;
        this.listed = listed;
        this.list = list;
    }

    /** @param adminList the administrator's {@code bundle-signers.pem}, already checked to be root's */
    public static BundleTrust load(Optional<Path> adminList, boolean systemStore) {
        Set<TrustAnchor> anchors = new HashSet<>();
        if (systemStore) {
            for (X509Certificate c : systemCertificates()) {
                anchors.add(new TrustAnchor(c, null));
            }
        }
        Set<X509Certificate> listed = new HashSet<>();
        if (adminList.isPresent()) {
            listed.addAll(pem(adminList.get()));
            for (X509Certificate c : listed) {
                anchors.add(new TrustAnchor(c, null));
            }
        }
        return new BundleTrust(anchors, listed, adminList);
    }

    private static List<X509Certificate> systemCertificates() {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init((KeyStore) null);
            List<X509Certificate> out = new ArrayList<>();
            for (var manager : factory.getTrustManagers()) {
                if (manager instanceof X509TrustManager x509) {
                    out.addAll(List.of(x509.getAcceptedIssuers()));
                }
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new dev.mcpcontain.registry.RegistryException("the system trust store cannot be read: "
                    + e.getMessage(), e);
        }
    }

    static List<X509Certificate> pem(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw new dev.mcpcontain.registry.RegistryException(file + ": holds no PEM certificate");
            }
            return out;
        } catch (IOException | GeneralSecurityException e) {
            throw new dev.mcpcontain.registry.RegistryException(file + ": not a list of PEM certificates ("
                    + e.getMessage() + ")", e);
        }
    }

    /** The status of a signature that verified: trusted when its chain reaches an anchor. */
    SignatureStatus judge(X509Certificate signer, List<X509Certificate> carried, String signingTime) {
        String subject = signer.getSubjectX500Principal().getName();
        String issuer = signer.getIssuerX500Principal().getName();
        String fingerprint = BundleSignature.fingerprint(signer);
        String notAfter = signer.getNotAfter().toInstant().toString();
        boolean selfSigned = selfSigned(signer);
        String untrusted;
        try {
            X509Certificate root = chain(signer, carried);
            List<String> usages = signer.getExtendedKeyUsage();
            if (usages != null && !usages.contains(CODE_SIGNING) && !usages.contains(ANY_USAGE)) {
                untrusted = "the certificate is not for code signing (extended key usage " + usages + ")";
            } else {
                String from = listed.contains(root) ? list.map(Path::toString).orElse("the admin list")
                        : "the system trust store";
                return new SignatureStatus(SignatureStatus.SIGNED, subject, issuer, fingerprint, notAfter,
                        signingTime, "chain to " + root.getSubjectX500Principal().getName() + " in " + from);
            }
        } catch (CertPathBuilderException e) {
            untrusted = selfSigned ? "its own certificate is not in a trust store"
                    : "no chain to a trusted root: " + firstLine(e.getMessage());
        } catch (GeneralSecurityException e) {
            untrusted = "the chain cannot be checked: " + firstLine(e.getMessage());
        }
        return new SignatureStatus(selfSigned ? SignatureStatus.SELF_SIGNED : SignatureStatus.UNTRUSTED, subject,
                issuer, fingerprint, notAfter, signingTime, untrusted);
    }

    /** The anchor the signer chains to (itself when it is an anchor). */
    private X509Certificate chain(X509Certificate signer, List<X509Certificate> carried)
            throws GeneralSecurityException {
        for (TrustAnchor anchor : anchors) {
            if (anchor.getTrustedCert().equals(signer)) {
                signer.checkValidity();
                return signer;
            }
        }
        if (anchors.isEmpty()) {
            throw new CertPathBuilderException("no trust anchors");
        }
        X509CertSelector target = new X509CertSelector();
        target.setCertificate(signer);
        PKIXBuilderParameters parameters = new PKIXBuilderParameters(anchors, target);
        parameters.setRevocationEnabled(false);
        parameters.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(carried)));
        PKIXCertPathBuilderResult result = (PKIXCertPathBuilderResult) CertPathBuilder.getInstance("PKIX")
                .build(parameters);
        return result.getTrustAnchor().getTrustedCert();
    }

    static boolean selfSigned(X509Certificate c) {
        if (!c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) {
            return false;
        }
        try {
            c.verify(c.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static String firstLine(String message) {
        return message == null ? "unknown reason" : message.lines().findFirst().orElse("unknown reason");
    }
}
