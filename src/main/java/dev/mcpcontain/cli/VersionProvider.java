package dev.mcpcontain.cli;

import picocli.CommandLine;

final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = Main.class.getPackage().getImplementationVersion();
        return new String[] {"mcp-contain " + (version == null ? "0.1.0-dev" : version)};
    }
}
