package dev.mcpcontain.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpcontain.hosts.EntryImport;
import dev.mcpcontain.hosts.NpxPackage;
import dev.mcpcontain.policy.ProgramLocator;
import dev.mcpcontain.registry.CodeCheck;
import dev.mcpcontain.registry.NpmInstall;
import dev.mcpcontain.registry.RegistryException;
import dev.mcpcontain.registry.ServerEntry;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How {@code import} registers one entry, as {@code add} would: a command with its program or script pinned, or an
 * npx package installed into the store. Secrets go through the registry's secret store.
 */
final class ImportedServers {

    private ImportedServers() {}

    static void register(Registration registration, EntryImport entry, List<String> command, String profile,
            String now, PrintWriter err) {
        ProgramLocator.Located located = ProgramLocator.forHost(registration.host()).locate(command,
                entry.cwd().orElse(registration.host().workingDirectory()));
        // The code is the main file, as for an ad-hoc command: the binary itself, or an interpreter's script.
        Path program = located.mainPath();
        registration.store.ensureServerDirectory(entry.name());
        String sha = CodeCheck.pin(registration.store, entry.name(), program);
        registration.saveSecrets(entry.name(), entry.secrets(), err);
        registration.store.save(new ServerEntry(entry.name(), "command", String.join(" ", entry.command()), command,
                null, program.toString(), sha, false, profile, entry.grants(), List.of(), entry.env(), Map.of(),
                new ArrayList<>(entry.secrets().keySet()), now, now));
    }

    /**
     * {@code npx PACKAGE}: installed into the store as {@code add npm:PACKAGE@VERSION} does (no lifecycle scripts,
     * registry signatures verified), at the exact version given or, for a tag or range, the one npm resolves it to
     * now; the server's arguments follow the package's executable.
     */
    static void registerPackage(Registration registration, EntryImport entry, NpxPackage npx, String profile,
            String now, PrintWriter err) {
        String spec = npx.exactSpec().orElseGet(() -> npx.name() + "@" + resolve(npx.query()));
        registration.store.ensureServerDirectory(entry.name());
        Path prefix = registration.store.ensureCodeDirectory(entry.name());
        err.flush();
        NpmInstall installed = NpmInstall.install(prefix, spec, new PrintStream(System.err, true,
                StandardCharsets.UTF_8));
        List<String> command = new ArrayList<>(installed.command());
        command.addAll(npx.args());
        String sha = CodeCheck.pin(registration.store, entry.name(), prefix);
        registration.saveSecrets(entry.name(), entry.secrets(), err);
        registration.store.save(new ServerEntry(entry.name(), "npm", "npm:" + spec, command, null, prefix.toString(),
                sha, installed.signed(), profile, entry.grants(), List.of(), entry.env(), Map.of(),
                new ArrayList<>(entry.secrets().keySet()), now, now));
        err.println("mcp-contain:   installed npm:" + spec + " for '" + entry.name() + "' (pinned; runs need no network)");
    }

    /** The exact version npm resolves a tag or range to now ({@code npm view QUERY version --json}). */
    private static String resolve(String query) {
        try {
            Process npm = new ProcessBuilder("npm", "view", query, "version", "--json")
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            byte[] out = npm.getInputStream().readAllBytes();
            if (npm.waitFor() != 0) {
                throw new RegistryException("npm view " + query + " failed (exit " + npm.exitValue() + "): cannot"
                        + " resolve the version npx would run");
            }
            JsonNode versions = new ObjectMapper().readTree(out);
            JsonNode last = versions.isArray() ? versions.get(versions.size() - 1) : versions;
            if (last == null || !last.isTextual()) {
                throw new RegistryException("npm view " + query + ": no version");
            }
            return last.textValue();
        } catch (java.io.IOException e) {
            throw new RegistryException("npm view " + query + ": cannot run npm (" + e.getMessage() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("npm view " + query + ": interrupted", e);
        }
    }

}
