package dev.mcpcontain.bundle;

/**
 * One entry of a bundle's central directory, as written (nothing here is trusted until {@link BundleUnpacker}
 * has checked it).
 *
 * @param name             the entry's name, decoded as UTF-8
 * @param versionMadeBy    upper byte: the host that wrote it (3: Unix, whose mode bits are in {@code externalAttributes})
 * @param flags            general purpose flags (bit 0: encrypted)
 * @param method           0 stored, 8 deflated
 * @param crc32            the CRC-32 of the uncompressed data
 * @param compressedSize   bytes of data in the archive
 * @param size             uncompressed bytes, as declared
 * @param externalAttributes for Unix hosts the file mode in the upper 16 bits
 * @param localHeaderOffset where the entry's local header starts
 */
record ZipEntryRecord(String name, int versionMadeBy, int flags, int method, long crc32, long compressedSize,
        long size, long externalAttributes, long localHeaderOffset) {

    static final int UNIX_HOST = 3;

    boolean directory() {
        return name.endsWith("/");
    }

    /** The Unix mode, or 0 when the writer was not a Unix host (then only the name says what it is). */
    int unixMode() {
        return (versionMadeBy >> 8) == UNIX_HOST ? (int) (externalAttributes >>> 16) & 0xFFFF : 0;
    }
}
