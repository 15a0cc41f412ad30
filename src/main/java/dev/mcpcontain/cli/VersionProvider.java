package dev.mcpcontain.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;

/** The version and commit stamped into the build (scripts/stamp-version, run by Maven). */
final class VersionProvider implements CommandLine.IVersionProvider {

    static final String RESOURCE = "/dev/mcpcontain/version.properties";

    @Override
    public String[] getVersion() {
        Properties stamp = new Properties();
        try (InputStream in = VersionProvider.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                stamp.load(in);
            }
        } catch (IOException e) {
            // An unreadable stamp reads as "unknown", below.
        }
        return new String[] {"mcp-contain " + stamp.getProperty("version", "unknown")
                + " (commit " + stamp.getProperty("commit", "unknown") + ")"};
    }
}
