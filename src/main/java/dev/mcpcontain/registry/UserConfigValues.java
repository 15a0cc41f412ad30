package dev.mcpcontain.registry;

import dev.mcpcontain.manifest.Manifest;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code --user-config KEY=VALUE} of {@code add} and {@code configure}, split into what may be shown and stored
 * plainly and what the manifest marks {@code sensitive}. A sensitive value is never taken from the command line
 * (other users see it in the process list; shells keep it in their history): it is given as {@code KEY=-} and read
 * from stdin, one line per such value, in order.
 *
 * @param plain   values stored in server.json and shown by {@code show}
 * @param secrets values for the OS keyring (or the 0600 secrets file where there is none), never shown
 */
public record UserConfigValues(Map<String, List<String>> plain, Map<String, List<String>> secrets) {

    public static UserConfigValues split(Manifest manifest, List<String> given, BufferedReader stdin) {
        Set<String> sensitive = new java.util.HashSet<>();
        manifest.userConfig().values().stream().filter(Manifest.UserConfigOption::sensitive)
                .forEach(o -> sensitive.add(o.key()));
        Map<String, List<String>> plain = new LinkedHashMap<>();
        Map<String, List<String>> secrets = new LinkedHashMap<>();
        for (String entry : given) {
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new RegistryException("--user-config '" + (eq < 0 ? entry : "=...")
                        + "': expected KEY=VALUE (KEY=- reads the value from stdin)");
            }
            String key = entry.substring(0, eq);
            String value = entry.substring(eq + 1);
            if (sensitive.contains(key)) {
                if (!value.equals("-")) {
                    throw new RegistryException("--user-config " + key + ": " + manifest.file() + " marks it sensitive;"
                            + " never give it on the command line: use --user-config " + key + "=- and write the"
                            + " value on stdin");
                }
                secrets.computeIfAbsent(key, k -> new ArrayList<>()).add(readLine(stdin, key));
            } else {
                plain.computeIfAbsent(key, k -> new ArrayList<>()).add(value.equals("-") ? readLine(stdin, key) : value);
            }
        }
        return new UserConfigValues(plain, secrets);
    }

    private static String readLine(BufferedReader stdin, String key) {
        try {
            String line = stdin.readLine();
            if (line == null) {
                throw new RegistryException("--user-config " + key + "=-: no value on stdin");
            }
            return line;
        } catch (IOException e) {
            throw new RegistryException("--user-config " + key + "=-: cannot read stdin: " + e.getMessage(), e);
        }
    }
}
