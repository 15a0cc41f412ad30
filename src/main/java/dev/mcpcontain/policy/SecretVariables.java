package dev.mcpcontain.policy;

import java.util.regex.Pattern;

/**
 * Which environment variables hold a secret: their values are masked in {@code run --dry-run} and {@code -v}
 * output and redacted from the audit log, and {@code import} moves them from a host's file to the secret store.
 * One definition for both, so that whatever import treats as a secret, a run treats so too.
 */
public final class SecretVariables {

    private static final Pattern NAME = Pattern.compile("(?i).*(TOKEN|SECRET|KEY|PASSWORD|PASSWD|PASS|CREDENTIAL|AUTH).*");
    /** {@code scheme://user:password@host}: a connection string carries its password whatever the variable's name. */
    private static final Pattern URL_PASSWORD = Pattern.compile("[a-zA-Z][a-zA-Z0-9+.-]*://[^/@\\s:]*:[^/@\\s]+@");

    private SecretVariables() {}

    /** @param value the value, or null when only the name is known (a variable passed through) */
    public static boolean looksSecret(String name, String value) {
        return NAME.matcher(name).matches() || (value != null && URL_PASSWORD.matcher(value).find());
    }
}
