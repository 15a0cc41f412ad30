package dev.mcpcontain.state;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes the user's decisions (pins, consents): owner-only, and replaced atomically so that a crash or a second
 * launcher never leaves a half-written file that would then have to be treated as "no decision".
 */
public final class PrivateFiles {

    private PrivateFiles() {}

    public static void createDirectories(Path dir) throws IOException {
        refuseLinks(dir);
        if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (posix()) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } else {
            Files.createDirectories(dir);
        }
    }

    public static void writeAtomically(Path file, byte[] content) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        createDirectories(dir);
        Path temp = posix()
                ? Files.createTempFile(dir, "." + file.getFileName(), ".tmp",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                : Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            Files.write(temp, content);
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Our own directories ({@code .../mcp-contain} and below) are never symbolic links: a server with a writable
     * grant of the user's config folder could otherwise point them elsewhere and have the launcher (maybe root)
     * create files there. Above {@code mcp-contain} links are the user's own layout (dotfile managers) and stay.
     */
    static void refuseLinks(Path dir) throws IOException {
        for (Path p = dir.toAbsolutePath(); p != null && p.getFileName() != null; p = p.getParent()) {
            if (Files.isSymbolicLink(p)) {
                throw new IOException("refusing to use " + p + ": it is a symbolic link (remove it; mcp-contain"
                        + " creates its own directories)");
            }
            if (p.getFileName().toString().equals("mcp-contain")) {
                return;
            }
        }
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }
}
