package dev.mcpcontain.mediation;

/**
 * Some bytes of a larger buffer: one message as it was read, forwarded without a copy. Valid only as long as the
 * buffer it views (for a line from {@link LineReader}, until the reader's next call).
 */
record Slice(byte[] bytes, int offset, int length) {

    static Slice of(byte[] bytes) {
        return new Slice(bytes, 0, bytes.length);
    }

    /** Only spaces, tabs and carriage returns: a line the relay ignores. */
    boolean blank() {
        for (int i = offset; i < offset + length; i++) {
            byte c = bytes[i];
            if (c != ' ' && c != '\t' && c != '\r') {
                return false;
            }
        }
        return true;
    }
}
