package dev.mcpcontain.registry;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * {@code add npm:PACKAGE@VERSION} (or {@code npm:FILE.tgz}, a tarball made by {@code npm pack}): the package is
 * installed once, at add time, into the server's own folder in the store, never running its lifecycle scripts; a
 * registry package's signatures are then checked with {@code npm audit signatures} and a failure refuses the add.
 * At run time nothing is fetched: the run is {@code node} on the installed package's bin, and its tree is hashed.
 *
 * @param prefix   the npm prefix: {@code code/} with {@code node_modules}
 * @param packageName the installed package's name
 * @param command  {@code node BIN}
 * @param signed   registry signatures verified (a local tarball has none)
 */
public record NpmInstall(Path prefix, String packageName, List<String> command, boolean signed) {

    public static boolean isSource(String source) {
        return source.startsWith("npm:");
    }

    /** @param spec what follows {@code npm:}: {@code PACKAGE@VERSION} or a path to a {@code .tgz} */
    public static NpmInstall install(Path prefix, String spec, PrintStream log) {
        boolean tarball = spec.endsWith(".tgz") || spec.endsWith(".tar.gz");
        String target = spec;
        if (tarball) {
            Path file = Path.of(spec).toAbsolutePath();
            if (!Files.isRegularFile(file)) {
                throw new RegistryException("npm:" + spec + ": no such tarball");
            }
            target = file.toString();
        } else if (!spec.matches("(@[a-z0-9][a-z0-9._-]*/)?[a-z0-9][a-z0-9._-]*@[0-9][0-9A-Za-z.+-]*")) {
            throw new RegistryException("npm:" + spec + ": expected npm:PACKAGE@VERSION with an exact version (a"
                    + " range or tag would run whatever is newest), or npm:FILE.tgz");
        }
        try {
            Files.writeString(prefix.resolve("package.json"),
                    "{\"name\":\"mcp-contain-server\",\"private\":true}\n");
        } catch (IOException e) {
            throw new RegistryException(prefix + ": cannot write package.json: " + e.getMessage(), e);
        }
        npm(log, "npm install of " + spec, "install", "--prefix", prefix.toString(), "--ignore-scripts",
                "--no-audit", "--no-fund", "--save-exact", "--loglevel=error", target);
        boolean signed = false;
        if (!tarball) {
            // Registry signatures and provenance attestations of every installed package, as npm checks them.
            npm(log, "npm audit signatures (registry signatures of " + spec + " and its dependencies)",
                    "audit", "signatures", "--prefix", prefix.toString());
            signed = true;
        } else {
            log.println("mcp-contain: warning: " + spec + " is a local tarball: no registry signature to verify");
        }
        String name = installedName(prefix);
        Path packageDir = prefix.resolve("node_modules").resolve(name);
        return new NpmInstall(prefix, name, List.of("node", bin(packageDir, name).toString()), signed);
    }

    private static String installedName(Path prefix) {
        JsonNode deps = readJson(prefix.resolve("package.json")).path("dependencies");
        List<String> names = new ArrayList<>();
        deps.fieldNames().forEachRemaining(names::add);
        if (names.size() != 1) {
            throw new RegistryException(prefix.resolve("package.json") + ": expected one installed package, found "
                    + names);
        }
        return names.get(0);
    }

    /** The package's executable: its only {@code bin}, or the one named like the package. */
    private static Path bin(Path packageDir, String name) {
        JsonNode bin = readJson(packageDir.resolve("package.json")).get("bin");
        String relative = null;
        if (bin != null && bin.isTextual()) {
            relative = bin.textValue();
        } else if (bin != null && bin.isObject()) {
            String plain = name.contains("/") ? name.substring(name.indexOf('/') + 1) : name;
            if (bin.size() == 1) {
                relative = bin.elements().next().textValue();
            } else if (bin.has(plain)) {
                relative = bin.get(plain).textValue();
            } else {
                List<String> names = new ArrayList<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = bin.fields(); it.hasNext();) {
                    names.add(it.next().getKey());
                }
                throw new RegistryException(name + ": several executables (" + String.join(", ", names)
                        + "); add it with '-- node PATH' instead");
            }
        }
        if (relative == null) {
            throw new RegistryException(name + ": its package.json declares no bin to run");
        }
        Path file = packageDir.resolve(relative).normalize();
        if (!file.startsWith(packageDir) || !Files.isRegularFile(file)) {
            throw new RegistryException(name + ": bin '" + relative + "' is not a file inside the package");
        }
        return file;
    }

    private static JsonNode readJson(Path file) {
        try {
            return RegistryStore.JSON.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new RegistryException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Runs npm with its output on our stderr (stdout stays clean); a failure refuses, naming the step. */
    private static void npm(PrintStream log, String step, String... args) {
        List<String> command = new ArrayList<>();
        command.add("npm");
        command.addAll(List.of(args));
        try {
            Process npm = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            try (InputStream out = npm.getInputStream()) {
                log.print(new String(out.readAllBytes(), StandardCharsets.UTF_8));
            }
            int code = npm.waitFor();
            if (code != 0) {
                throw new RegistryException(step + " failed (exit " + code + "); nothing was registered");
            }
        } catch (IOException e) {
            throw new RegistryException(step + ": cannot run npm (" + e.getMessage() + "); install node and npm", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(step + ": interrupted", e);
        }
    }
}
