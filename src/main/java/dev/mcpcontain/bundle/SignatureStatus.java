package dev.mcpcontain.bundle;

/**
 * What a bundle's signature says, as decided at {@code add} and recorded in the registry entry.
 *
 * @param status      {@code unsigned}; {@code self-signed} (the signer's certificate signed itself and is not a trust
 *                    anchor); {@code untrusted} (the signature is valid but its chain reaches no trust anchor);
 *                    {@code signed} (the chain reaches a trust anchor)
 * @param subject     the signer certificate's subject, else null
 * @param issuer      its issuer, else null
 * @param fingerprint SHA-256 of the signer certificate, hex, else null
 * @param notAfter    the signer certificate's expiry (ISO instant), else null
 * @param signingTime the signed signingTime attribute as written, else null
 * @param trust       for {@code signed}: the anchor and where it came from; otherwise why it is not trusted
 */
public record SignatureStatus(String status, String subject, String issuer, String fingerprint, String notAfter,
        String signingTime, String trust) {

    public static final String UNSIGNED = "unsigned";
    public static final String SELF_SIGNED = "self-signed";
    public static final String UNTRUSTED = "untrusted";
    public static final String SIGNED = "signed";

    public static SignatureStatus unsigned() {
        return new SignatureStatus(UNSIGNED, null, null, null, null, null, "the bundle carries no signature");
    }

    /** Signed by a chain that reaches a trust anchor: what {@code requireSignedBundles} accepts. */
    public boolean trusted() {
        return SIGNED.equals(status);
    }

    /** One phrase for messages and {@code show}: "signed by ...", "self-signed by ...", "unsigned". */
    public String describe() {
        return switch (status) {
            case SIGNED -> "signed by " + subject + " (" + trust + ")";
            case SELF_SIGNED -> "self-signed by " + subject + " (" + trust + ")";
            case UNTRUSTED -> "signed by " + subject + ", issued by " + issuer + ", but not trusted (" + trust + ")";
            default -> "unsigned";
        };
    }
}
