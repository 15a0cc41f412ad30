package dev.mcpcontain.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.mcpcontain.launch.HostCheck;
import dev.mcpcontain.run.Launcher;

/** Formats a backend's {@link HostCheck} as text or JSON. */
record HostReport(HostCheck check) {

    /** Features named so are the landlock-isolation weaknesses: listed in their own section. */
    static final String WEAKNESS_PREFIX = "isolation-landlock: ";

    static HostReport of(Launcher launcher) {
        return new HostReport(launcher.backend().check());
    }

    boolean ready() {
        return check.ready();
    }

    String toText() {
        StringBuilder out = new StringBuilder();
        out.append("backend  ").append(check.backend()).append('\n');
        out.append("run mode ").append(check.mode()).append('\n');
        boolean weaknessHeader = false;
        for (HostCheck.Feature f : check.features()) {
            if (f.name().startsWith(WEAKNESS_PREFIX)) {
                if (!weaknessHeader) {
                    out.append("isolation landlock (no namespaces): every known weakness, closed or open\n");
                    weaknessHeader = true;
                }
                out.append(String.format("  %-6s %-34s %s%n", f.available() ? "closed" : "OPEN",
                        f.name().substring(WEAKNESS_PREFIX.length()), f.detail()));
                continue;
            }
            out.append(String.format("  %-4s %-28s %s%n", f.available() ? "yes" : "NO", f.name(), f.detail()));
            if (!f.available() && !f.fix().isEmpty()) {
                out.append(String.format("       %-28s fix: %s%n", "", f.fix()));
            }
        }
        return out.toString();
    }

    String toJson() throws JsonProcessingException {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(check) + "\n";
    }
}
