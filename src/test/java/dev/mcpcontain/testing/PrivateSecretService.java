package dev.mcpcontain.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A private D-Bus session bus and a real Secret Service on it (gnome-keyring-daemon, its login keyring created and
 * unlocked with a password on stdin), both children of the test and stopped by {@link #close}. The bus has no
 * service directories, so nothing is activated behind the test's back: {@link #busOnly} is a bus where no Secret
 * Service exists. Needs dbus-daemon, gnome-keyring-daemon and secret-tool (scripts/test installs them as root);
 * missing tools skip the test, and FAIL it under {@code CI=true}.
 */
public final class PrivateSecretService implements AutoCloseable {

    private final Path dir;
    private final Process bus;
    private final Process keyring;
    private final String address;

    private PrivateSecretService(Path dir, Process bus, Process keyring, String address) {
        this.dir = dir;
        this.bus = bus;
        this.keyring = keyring;
        this.address = address;
    }

    public static void requireTools() {
        List<String> missing = new ArrayList<>();
        for (String tool : List.of("dbus-daemon", "dbus-send", "gnome-keyring-daemon", "secret-tool")) {
            if (!onPath(tool)) {
                missing.add(tool);
            }
        }
        if (!missing.isEmpty()) {
            String message = "missing " + missing + ": install dbus-daemon, gnome-keyring and libsecret-tools"
                    + " (scripts/test does, as root)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(message);
            }
            assumeTrue(false, message);
        }
    }

    /** A session bus with no Secret Service on it (and none activatable). */
    public static PrivateSecretService busOnly(Path dir) throws Exception {
        requireTools();
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Path config = dir.resolve("session.conf");
        Files.writeString(config, """
                <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
                 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
                <busconfig>
                  <type>session</type>
                  <listen>unix:path=%s</listen>
                  <auth>EXTERNAL</auth>
                  <policy context="default">
                    <allow send_destination="*" eavesdrop="true"/>
                    <allow eavesdrop="true"/>
                    <allow own="*"/>
                  </policy>
                </busconfig>
                """.formatted(dir.resolve("bus")));
        Process bus = new ProcessBuilder("dbus-daemon", "--config-file=" + config, "--nofork", "--nopidfile",
                "--print-address=1").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String address = new BufferedReader(new InputStreamReader(bus.getInputStream(), StandardCharsets.UTF_8))
                .readLine();
        if (address == null || !address.startsWith("unix:")) {
            bus.destroyForcibly();
            fail("dbus-daemon printed no address");
        }
        return new PrivateSecretService(dir, bus, null, address.strip());
    }

    /** A session bus with gnome-keyring-daemon's Secret Service on it, its login keyring unlocked. */
    public static PrivateSecretService start(Path dir) throws Exception {
        PrivateSecretService bare = busOnly(dir);
        Path data = Files.createDirectories(dir.resolve("data"));
        Path runtime = Files.createDirectories(dir.resolve("runtime"));
        Files.setPosixFilePermissions(runtime, PosixFilePermissions.fromString("rwx------"));
        ProcessBuilder builder = new ProcessBuilder("gnome-keyring-daemon", "--foreground", "--unlock",
                "--components=secrets").redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(dir.resolve("keyring.log").toFile());
        Map<String, String> env = builder.environment();
        env.put("DBUS_SESSION_BUS_ADDRESS", bare.address);
        env.put("HOME", dir.toString());
        env.put("XDG_DATA_HOME", data.toString());
        env.put("XDG_RUNTIME_DIR", runtime.toString());
        Process keyring = builder.start();
        try (OutputStream in = keyring.getOutputStream()) {
            in.write("test-keyring-password".getBytes(StandardCharsets.UTF_8));
        }
        PrivateSecretService service = new PrivateSecretService(dir, bare.bus, keyring, bare.address);
        // Ready once the default collection answers: secret-tool search exits 1 (nothing found), not with an error.
        long deadline = System.currentTimeMillis() + 20_000;
        while (true) {
            Result r = service.secretTool("search", "application", "mcp-contain-readiness");
            if (r.code() <= 1 && r.err().isBlank()) {
                return service;
            }
            if (!keyring.isAlive() || System.currentTimeMillis() > deadline) {
                service.close();
                fail("gnome-keyring-daemon did not come up: " + r.err() + " "
                        + Files.readString(dir.resolve("keyring.log")));
            }
            Thread.sleep(100);
        }
    }

    public String address() {
        return address;
    }

    public record Result(int code, String out, String err) {}

    /** secret-tool against this bus: an independent client (libsecret) to read back what mcp-contain stored. */
    public Result secretTool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("secret-tool"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("DBUS_SESSION_BUS_ADDRESS", address);
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        p.getOutputStream().close();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("secret-tool hung: " + command);
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** Locks the login (default) collection, as a screen lock would; unlocking it again needs a prompt. */
    public void lockDefaultCollection() throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("dbus-send", "--session", "--print-reply",
                "--dest=org.freedesktop.secrets", "/org/freedesktop/secrets", "org.freedesktop.Secret.Service.Lock",
                "array:objpath:/org/freedesktop/secrets/collection/login");
        builder.environment().put("DBUS_SESSION_BUS_ADDRESS", address);
        Process p = builder.redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            fail("could not lock the keyring: " + out);
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (Process p : new Process[] {keyring, bus}) {
            if (p != null) {
                p.destroy();
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }
}
