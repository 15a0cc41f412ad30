package dev.mcpcontain.policy;

import dev.mcpcontain.profile.Profile;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Builds the server's environment from an allow-list. Nothing of the launcher's environment passes unless it is
 * named here, by the profile ({@code env.pass}) or by {@code --env NAME}: tokens, keys, agent sockets and bus
 * addresses stay behind by default.
 */
final class EnvironmentFilter {

    /** What a POSIX server needs to behave normally, as the TypeScript SDK's own allow-list plus locale. */
    private static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_()]*");

    static final List<String> POSIX_ALLOW = List.of("PATH", "LANG", "LANGUAGE", "TERM", "TZ", "USER", "LOGNAME", "SHELL");

    /** What a Windows server needs to start at all; profile/home variables are rewritten to the agent's. */
    static final List<String> WINDOWS_ALLOW = List.of("PATH", "PATHEXT", "SYSTEMROOT", "SYSTEMDRIVE", "WINDIR",
            "COMSPEC", "PROCESSOR_ARCHITECTURE", "NUMBER_OF_PROCESSORS", "PROGRAMFILES", "PROGRAMFILES(X86)",
            "PROGRAMDATA", "COMMONPROGRAMFILES", "USERNAME", "OS");

    private EnvironmentFilter() {}

    /**
     * @param cliEnv {@code NAME} (pass from the launcher) or {@code NAME=VALUE} (set), from {@code --env}
     */
    static Map<String, String> build(HostEnvironment host, Profile.EnvSettings settings, List<String> cliEnv,
            String agentHome) {
        Map<String, String> env = new TreeMap<>();
        // Plain loops, no lambdas: this runs on every launch, where each lambda call site costs start-up time.
        for (String name : host.windows() ? WINDOWS_ALLOW : POSIX_ALLOW) {
            putIfSet(env, host, name);
        }
        if (!host.windows()) {
            for (Map.Entry<String, String> variable : host.variables().entrySet()) {
                if (variable.getKey().startsWith("LC_")) {
                    env.put(variable.getKey(), variable.getValue());
                }
            }
            env.put("HOME", agentHome);
            env.put("TMPDIR", "/tmp");
        } else {
            env.put("USERPROFILE", agentHome);
            env.put("APPDATA", agentHome + "\\AppData\\Roaming");
            env.put("LOCALAPPDATA", agentHome + "\\AppData\\Local");
            env.put("TEMP", agentHome + "\\AppData\\Local\\Temp");
            env.put("TMP", agentHome + "\\AppData\\Local\\Temp");
        }
        env.putIfAbsent("PATH", host.windows() ? "C:\\Windows\\System32;C:\\Windows" : "/usr/local/bin:/usr/bin:/bin");
        for (String name : settings.pass()) {
            putIfSet(env, host, name);
        }
        env.putAll(settings.set());
        for (String entry : cliEnv) {
            int eq = entry.indexOf('=');
            String name = eq < 0 ? entry : entry.substring(0, eq);
            validateName(name, entry);
            if (eq >= 0) {
                env.put(name, entry.substring(eq + 1));
            } else {
                String value = host.variables().get(name);
                if (value == null) {
                    throw PolicyException.refused("--env " + name + ": not set in the launcher's environment"
                            + " (use --env " + name + "=VALUE to set it)");
                }
                env.put(name, value);
            }
        }
        for (Map.Entry<String, String> e : env.entrySet()) {
            if (e.getValue().indexOf('\0') >= 0) {
                throw PolicyException.refused("environment variable " + e.getKey() + " contains a NUL byte");
            }
        }
        return env;
    }

    /** The launcher's value of {@code name}, when set and not empty. */
    private static void putIfSet(Map<String, String> env, HostEnvironment host, String name) {
        Optional<String> value = host.variable(name);
        if (value.isPresent()) {
            env.put(name, value.get());
        }
    }

    private static void validateName(String name, String entry) {
        if (!VARIABLE_NAME.matcher(name).matches()) {
            throw PolicyException.refused("--env '" + entry + "': '" + name + "' is not a variable name");
        }
    }

    /** Names whose values the audit log and -v output must never show. */
    static Set<String> sensitive(Profile.EnvSettings settings, List<String> cliEnv) {
        Set<String> names = new java.util.TreeSet<>(settings.sensitive());
        for (String entry : cliEnv) {
            int eq = entry.indexOf('=');
            String name = eq < 0 ? entry : entry.substring(0, eq);
            if (SecretVariables.looksSecret(name, eq < 0 ? null : entry.substring(eq + 1))) {
                names.add(name);
            }
        }
        for (java.util.Map.Entry<String, String> set : settings.set().entrySet()) {
            if (SecretVariables.looksSecret(set.getKey(), set.getValue())) {
                names.add(set.getKey());
            }
        }
        return names;
    }
}
