package dev.mcpcontain.profile;

/** How a granted folder may be used. Read-only is the default everywhere a grant is written. */
public enum Access {
    READ_ONLY("ro"),
    READ_WRITE("rw");

    private final String suffix;

    Access(String suffix) {
        this.suffix = suffix;
    }

    public String suffix() {
        return suffix;
    }
}
