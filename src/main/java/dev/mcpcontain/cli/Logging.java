package dev.mcpcontain.cli;

/**
 * slf4j-simple is configured through system properties read once, when the first logger is made; this must run
 * before that. Output goes to stderr: stdout belongs to the MCP server.
 */
final class Logging {

    private Logging() {}

    /** Counts {@code -v}, {@code -vv} and {@code --verbose} anywhere before the server command's {@code --}. */
    static int verbosity(String[] args) {
        int level = 0;
        for (String arg : args) {
            if (arg.equals("--")) {
                break;
            }
            if (arg.equals("--verbose")) {
                level++;
            } else if (isVerboseFlag(arg)) {
                level += arg.length() - 1;
            }
        }
        return level;
    }

    /** {@code -v}, {@code -vv}, ...: checked by hand, as regular expressions cost a launch more than they save. */
    static boolean isVerboseFlag(String arg) {
        if (arg.length() < 2 || arg.charAt(0) != '-') {
            return false;
        }
        for (int i = 1; i < arg.length(); i++) {
            if (arg.charAt(i) != 'v') {
                return false;
            }
        }
        return true;
    }

    static void configure(int verbosity) {
        String level = verbosity >= 2 ? "debug" : verbosity == 1 ? "info" : "warn";
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level);
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        System.setProperty("org.slf4j.simpleLogger.showThreadName", "false");
        System.setProperty("org.slf4j.simpleLogger.showLogName", "false");
        System.setProperty("org.slf4j.simpleLogger.showShortLogName", "false");
        System.setProperty("org.slf4j.simpleLogger.levelInBrackets", "true");
        System.setProperty("org.slf4j.simpleLogger.warnLevelString", "WARNING");
        // Named, slf4j skips its ServiceLoader lookup, which opens every jar on the class path to find the one
        // provider we ship (measured: the largest single cost of a plain launch's JVM). slf4j then says at INFO
        // that it loaded the provider named here; its own warnings and errors still show.
        System.setProperty("slf4j.provider", "org.slf4j.simple.SimpleServiceProvider");
        System.setProperty("slf4j.internal.verbosity", "WARN");
    }
}
