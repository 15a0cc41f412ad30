package dev.mcpcontain.cli;

import dev.mcpcontain.bundle.BundleSignature;
import dev.mcpcontain.bundle.BundleTrust;
import dev.mcpcontain.bundle.BundleUnpacker;
import dev.mcpcontain.bundle.SignatureStatus;
import dev.mcpcontain.manifest.Manifest;
import dev.mcpcontain.manifest.ManifestLaunch;
import dev.mcpcontain.manifest.ManifestLoader;
import dev.mcpcontain.registry.CodeCheck;
import dev.mcpcontain.registry.RegistryException;
import dev.mcpcontain.registry.ServerEntry;
import dev.mcpcontain.registry.UserConfigValues;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code add FILE.mcpb}: the bundle is copied into the store (so that what is verified is what is unpacked, whatever
 * happens to the file given), its signature verified, the admin policy asked, then unpacked into a temporary folder
 * beside the server's code folder, its manifest read for the name, and renamed into place. The unpacked tree is
 * the code hashed and pinned; the copy is kept beside the entry ({@code bundle.mcpb}) so that a run under
 * requireSignedBundles can check its signature against the trust anchors of the day. Any refusal removes
 * everything written.
 */
final class BundleAdd {

    private final Registration registration;
    private final ServerSettings settings;
    private final String name;
    private final PrintWriter err;

    BundleAdd(Registration registration, ServerSettings settings, String name, PrintWriter err) {
        this.registration = registration;
        this.settings = settings;
        this.name = name;
        this.err = err;
    }

    /**
     * A bundle larger than everything the unpacker would accept (its total, plus room for the directory and the
     * signature block) is refused before it is copied into the store: a sparse file of many GiB costs its maker no
     * disk, but its copy would fill the store's.
     */
    private static void refuseOversized(Path bundle) {
        long limit = BundleUnpacker.Limits.DEFAULT.maxTotalSize() + (128L << 20);
        try {
            long size = Files.size(bundle);
            if (size > limit) {
                throw new RegistryException(bundle + ": " + size + " bytes, more than a bundle may be (" + limit
                        + ": the unpacked limit plus room for the zip's directory and a signature); nothing was copied");
            }
        } catch (IOException e) {
            throw new RegistryException(bundle + ": cannot read: " + e.getMessage(), e);
        }
    }

    int add(Path bundle, String profile, String now) {
        if (!Files.isRegularFile(bundle)) {
            throw new RegistryException(bundle + ": no such bundle");
        }
        refuseOversized(bundle);
        if (name != null) {
            AddCommand.available(registration, name, name);
        }
        Path root = registration.store.ensureCodeRoot();
        String staging = "." + UUID.randomUUID();
        Path copy = root.resolve(staging + ".mcpb");
        Path unpacked = root.resolve(staging);
        String server = null;
        try {
            try {
                Files.copy(bundle, copy);
            } catch (IOException e) {
                throw new RegistryException(bundle + ": cannot copy into " + root + ": " + e.getMessage(), e);
            }
            BundleSignature.Block block = BundleSignature.locate(copy);
            SignatureStatus signature;
            try {
                signature = BundleSignature.verify(copy, block, BundleTrust.load(
                        registration.admin.bundleSignersFile(), true));
            } catch (RegistryException e) {
                throw new RegistryException(e.getMessage().replace(copy.toString(), bundle.toString()), e);
            }
            try {
                BundleUnpacker.unpack(copy, block.contentLength(), unpacked, BundleUnpacker.Limits.DEFAULT);
            } catch (RegistryException e) {
                throw new RegistryException(e.getMessage().replace(copy.toString(), bundle.toString()), e);
            }
            Path manifestFile = unpacked.resolve("manifest.json");
            if (!Files.isRegularFile(manifestFile, LinkOption.NOFOLLOW_LINKS)) {
                throw new RegistryException(bundle + ": has no manifest.json at its root; not an MCPB bundle");
            }
            Manifest staged = ManifestLoader.load(manifestFile, w -> err.println("mcp-contain: warning: " + bundle
                    + ": " + w));
            String chosen = AddCommand.available(registration, name, ManifestLaunch.serverName(staged.name()));
            registration.admin.checkServer(Optional.of(chosen), !signature.trusted());
            Path code = registration.store.codeDirectory(chosen);
            // Renamed first: if another add of this name got there, the rename fails and nothing of theirs is touched.
            Files.move(unpacked, code, StandardCopyOption.ATOMIC_MOVE);
            server = chosen;
            registration.store.ensureServerDirectory(chosen);
            Manifest manifest = ManifestLoader.load(code.resolve("manifest.json"));
            UserConfigValues values = registration.userConfig(manifest, settings.userConfig, Map.of(), Map.of());
            String sha = CodeCheck.pin(registration.store, server, code);
            ServerEntry entry = new ServerEntry(server, "mcpb", bundle.toString(), List.of(),
                    code.resolve("manifest.json").toString(), code.toString(), sha, signature.trusted(), profile,
                    settings.grants, settings.allowHosts, settings.env, values.plain(),
                    new ArrayList<>(values.secrets().keySet()), now, now, signature);
            Path kept = registration.store.bundleFile(server);
            Files.move(copy, kept, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(kept, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            registration.saveSecrets(server, values.secrets(), err);
            registration.store.save(entry);
            AddCommand.done(entry, err);
            report(server, signature);
            return ExitCodes.OK;
        } catch (IOException e) {
            cleanUp(server);
            throw new RegistryException(bundle + ": cannot place the unpacked bundle: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            cleanUp(server);
            throw e;
        } finally {
            deleteQuietly(copy);
            deleteTree(unpacked);
        }
    }

    private void report(String server, SignatureStatus signature) {
        if (signature.trusted()) {
            err.println("mcp-contain: '" + server + "' is " + signature.describe());
        } else {
            err.println("mcp-contain: warning: '" + server + "' is " + signature.describe() + "; an admin policy"
                    + " with requireSignedBundles refuses it");
        }
    }

    private void cleanUp(String server) {
        if (server != null && (registration.store.exists(server) || Files.exists(
                registration.store.serverDirectory(server), LinkOption.NOFOLLOW_LINKS))) {
            registration.store.remove(server);
        } else if (server != null) {
            deleteTree(registration.store.codeDirectory(server));
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a leftover staging copy is named with a dot and a random id; it is never read
        }
    }

    private static void deleteTree(Path dir) {
        try {
            dev.mcpcontain.state.FileTrees.delete(dir);
        } catch (IOException e) {
            throw new RegistryException(dir + ": cannot remove: " + e.getMessage(), e);
        }
    }
}
