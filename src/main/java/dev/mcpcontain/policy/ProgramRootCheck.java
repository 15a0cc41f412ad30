package dev.mcpcontain.policy;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Whether a directory that the program heuristics of {@link ProgramLocator} found (an install prefix, a package
 * root, a virtual environment, a node_modules tree) may be mounted read-only as a whole. The user never named that
 * directory, so it must not be a place that holds anything but the program: never a home directory or anything
 * holding one, never a shared temporary or runtime directory (other users' files and pathname sockets live there),
 * never a configuration or credential store, never a directory with credential files at its top level. When the
 * answer is no, only the program's own file is mounted and the user can grant more explicitly.
 *
 * <p>Pure decision: the host's facts come in as {@link HostPlaces}, the candidate's contents as its top-level names.
 */
public final class ProgramRootCheck {

    /**
     * Dot-directories of a home that are stores of configuration, keys or tokens as a whole: nothing below them is
     * mounted automatically, however package-like it looks.
     */
    static final Set<String> CREDENTIAL_STORES = Set.of(".ssh", ".gnupg", ".aws", ".azure", ".gcloud", ".kube",
            ".docker", ".config", ".password-store", ".pki", ".mozilla", ".thunderbird", ".vault-token", ".terraform.d",
            ".gem", ".m2", ".gradle", ".ivy2", ".sbt", ".cargo", ".netrc", ".oci");

    /** Files that hold credentials when found at a directory's top level. */
    static final Set<String> CREDENTIAL_FILES = Set.of("credentials", "credentials.toml", "credentials.json",
            ".credentials", ".npmrc", ".yarnrc", ".yarnrc.yml", ".netrc", "_netrc", ".pypirc", ".git-credentials",
            ".pgpass", ".my.cnf", ".env", ".envrc", ".htpasswd", "auth.json", "token", ".token", "secrets.json",
            "service-account.json", "known_hosts", "authorized_keys", ".dockercfg", "kubeconfig", ".vault-token", ".boto",
            ".s3cfg", ".secrets", "htpasswd", ".gitconfig", ".terraformrc",
            "terraform.rc", ".wgetrc", ".curlrc");

    /**
     * Suffixes that make a dotenv-style name a template checked into a repository ({@code .env.example}), not a file
     * of secrets.
     */
    static final List<String> TEMPLATE_SUFFIXES = List.of(".example", ".sample", ".template", ".tmpl", ".dist",
            ".defaults", ".default");

    /**
     * Whether a file's name says it holds credentials, wherever it lies: a name of {@link #CREDENTIAL_FILES}, a store's
     * file a store may also be ({@code .vault-token}), an ssh private or public key ({@code id_*}), a
     * shell or REPL history ({@code .bash_history}, {@code .psql_history}: commands with passwords), and the whole
     * dotenv family, not only {@code .env}: {@code .env.local}, {@code .env.production}, {@code prod.env} (templates
     * such as {@code .env.example} aside). One list for the top level and below it; a name that differs from a listed
     * one only by a suffix was the way around a list of exact names.
     */
    static boolean credentialFile(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (CREDENTIAL_FILES.contains(lower)) {
            return true;
        }
        if (lower.startsWith("id_rsa") || lower.startsWith("id_ed25519") || lower.startsWith("id_ecdsa")
                || lower.startsWith("id_dsa") || lower.startsWith("client_secret")) {
            return true;
        }
        if (lower.endsWith("_history") || lower.endsWith(".tfstate") || lower.endsWith(".tfstate.backup")) {
            return true;
        }
        boolean dotenv = lower.startsWith(".env.") || lower.endsWith(".env") || lower.startsWith("secrets.")
                || lower.startsWith("credentials.") || lower.startsWith(".secrets");
        return dotenv && TEMPLATE_SUFFIXES.stream().noneMatch(lower::endsWith);
    }

    /** Extensions of key and certificate-store files. */
    static final List<String> KEY_EXTENSIONS = List.of(".pem", ".key", ".p12", ".pfx", ".jks", ".keystore", ".kdbx",
            ".gpg", ".asc", ".ppk", ".keyring");

    /** Names that mark a home directory even when no account lists it as one. */
    static final Set<String> HOME_MARKERS = Set.of(".bashrc", ".bash_profile", ".bash_history", ".profile", ".zshrc",
            ".zprofile", ".zsh_history", ".cshrc", ".login", ".xsession", ".Xauthority", ".ICEauthority");

    /**
     * The host's places no automatic mount may expose.
     *
     * @param homes       every account's home, the launcher's $HOME, /root, each /home/X, mcp-contain's own state
     * @param sharedTemps /tmp, /var/tmp, /dev/shm, /run, $TMPDIR, $XDG_RUNTIME_DIR and the like
     */
    public record HostPlaces(Set<Path> homes, Set<Path> sharedTemps) {

        public HostPlaces {
            homes = Set.copyOf(homes);
            sharedTemps = Set.copyOf(sharedTemps);
        }

        /** Read from the real host: /etc/passwd, /home, the launcher's environment. */
        public static HostPlaces of(HostEnvironment host) {
            Set<Path> homes = new LinkedHashSet<>();
            Set<Path> temps = new LinkedHashSet<>();
            homes.add(host.home());
            homes.add(host.dataDirectory());
            if (host.windows()) {
                host.variable("USERPROFILE").map(Path::of).ifPresent(homes::add);
                Path users = host.home().getParent();
                if (users != null) {
                    homes.add(users);
                    homes.addAll(children(users));
                }
                host.variable("TEMP").map(Path::of).ifPresent(temps::add);
                host.variable("TMP").map(Path::of).ifPresent(temps::add);
                return new HostPlaces(canonical(homes), canonical(temps));
            }
            // Plain code, no Optional chains: this runs on every launch, where each lambda call site costs
            // start-up time.
            Optional<String> home = host.variable("HOME");
            if (home.isPresent()) {
                homes.add(Path.of(home.get()));
            }
            homes.add(Path.of("/root"));
            homes.add(Path.of("/home"));
            homes.addAll(children(Path.of("/home")));
            homes.addAll(passwdHomes(Path.of("/etc/passwd")));
            for (String t : List.of("/tmp", "/var/tmp", "/dev/shm", "/run", "/var/run", "/var/lock", "/run/user")) {
                temps.add(Path.of(t));
            }
            addIfAbsolute(temps, host.variable("TMPDIR"));
            addIfAbsolute(temps, host.variable("XDG_RUNTIME_DIR"));
            return new HostPlaces(canonical(homes), canonical(temps));
        }

        private static void addIfAbsolute(Set<Path> paths, Optional<String> value) {
            if (value.isPresent()) {
                Path path = Path.of(value.get());
                if (path.isAbsolute()) {
                    paths.add(path);
                }
            }
        }

        /** Each path as given and, if it exists, as its real path (a symlinked /home must match either way). */
        private static Set<Path> canonical(Set<Path> paths) {
            Set<Path> out = new LinkedHashSet<>();
            for (Path p : paths) {
                if (!p.isAbsolute()) {
                    continue;
                }
                out.add(p.normalize());
                out.add(ProgramLocator.canonical(p));
            }
            return out;
        }
    }

    private ProgramRootCheck() {}

    /**
     * Why {@code candidate} must not be mounted as a whole, or empty when it may.
     *
     * @param candidate     canonical absolute directory
     * @param topLevelNames the names directly inside it
     */
    public static Optional<String> refusal(Path candidate, HostPlaces places, Set<String> topLevelNames) {
        if (candidate.getParent() == null) {
            return Optional.of(candidate + " is the root of the filesystem");
        }
        for (Path home : places.homes()) {
            if (home.getParent() == null) {
                continue; // an account whose home is "/" says nothing about "/"'s children
            }
            if (candidate.equals(home)) {
                return Optional.of(candidate + " is a home directory");
            }
            if (home.startsWith(candidate)) {
                return Optional.of(candidate + " contains the home directory " + home);
            }
        }
        for (Path temp : places.sharedTemps()) {
            if (candidate.equals(temp)) {
                return Optional.of(candidate + " is a shared temporary directory (other files and sockets live there)");
            }
            if (temp.startsWith(candidate)) {
                return Optional.of(candidate + " contains the shared temporary directory " + temp);
            }
        }
        for (Path home : places.homes()) {
            if (home.getParent() == null || !candidate.startsWith(home) || candidate.equals(home)) {
                continue;
            }
            Path first = candidate.getName(home.getNameCount());
            String name = first.toString();
            if (CREDENTIAL_STORES.contains(name)) {
                return Optional.of(candidate + " is inside " + home.resolve(first) + ", a store of configuration and"
                        + " credentials");
            }
            if (name.startsWith(".") && candidate.getNameCount() - home.getNameCount() <= 2) {
                return Optional.of(candidate + " is a dot-directory of the home " + home + " (such directories hold"
                        + " configuration and credentials beside programs)");
            }
        }
        for (String name : topLevelNames) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (credentialFile(name) || KEY_EXTENSIONS.stream().anyMatch(lower::endsWith)) {
                return Optional.of(candidate + " holds the credential file " + name);
            }
            if (CREDENTIAL_STORES.contains(name)) {
                return Optional.of(candidate + " holds " + name + ", a store of configuration and credentials");
            }
            if (HOME_MARKERS.contains(name)) {
                return Optional.of(candidate + " looks like a home directory (it holds " + name + ")");
            }
        }
        return Optional.empty();
    }

    /** {@link #refusal(Path, HostPlaces, Set)} reading the candidate's top level; an unreadable one is refused. */
    static Optional<String> refusal(Path candidate, HostPlaces places) {
        Set<String> names = new LinkedHashSet<>();
        try (Stream<Path> entries = Files.list(candidate)) {
            entries.forEach(p -> names.add(p.getFileName().toString()));
        } catch (IOException e) {
            return Optional.of(candidate + " cannot be listed (" + e.getMessage() + ")");
        }
        Optional<String> top = refusal(candidate, places, names);
        return top.isPresent() ? top : deepRefusal(candidate, DEEP_LIMIT);
    }

    /** Entries a search below the top level may look at; a larger tree is not mounted as a whole. */
    static final int DEEP_LIMIT = 20_000;

    /** Trees of published third-party packages: searched by nobody, since their files are not the user's. */
    static final Set<String> THIRD_PARTY = Set.of("node_modules", "site-packages", "dist-packages", ".git");

    /**
     * A credential file, key or credential store anywhere below the top level (a {@code config/.env}, a
     * {@code deploy/id_ed25519}), not inside third-party package trees; at most LIMIT entries, beyond which the
     * tree is refused as too large to search. Key and certificate extensions count only at the top level: below
     * it they are mostly public certificates and test fixtures.
     */
    static Optional<String> deepRefusal(Path candidate, int limit) {
        for (Path part : candidate) {
            if (THIRD_PARTY.contains(part.toString())) {
                return Optional.empty();
            }
        }
        String[] found = {null};
        int[] seen = {0};
        try {
            java.nio.file.Files.walkFileTree(candidate, java.util.EnumSet.noneOf(java.nio.file.FileVisitOption.class),
                    Integer.MAX_VALUE, new java.nio.file.SimpleFileVisitor<>() {
                        @Override
                        public java.nio.file.FileVisitResult preVisitDirectory(Path dir,
                                java.nio.file.attribute.BasicFileAttributes attrs) {
                            String name = dir.equals(candidate) ? "" : dir.getFileName().toString();
                            if (name.equals(".git") && gitConfigHoldsCredentials(dir)) {
                                found[0] = "the credential in " + candidate.relativize(dir) + "/config (a remote URL"
                                        + " with a password or token, or an http extraheader)";
                                return java.nio.file.FileVisitResult.TERMINATE;
                            }
                            if (THIRD_PARTY.contains(name)) {
                                return java.nio.file.FileVisitResult.SKIP_SUBTREE;
                            }
                            if (CREDENTIAL_STORES.contains(name)) {
                                found[0] = candidate.relativize(dir) + ", a store of configuration and credentials";
                                return java.nio.file.FileVisitResult.TERMINATE;
                            }
                            return count(seen, limit, found);
                        }

                        @Override
                        public java.nio.file.FileVisitResult visitFile(Path file,
                                java.nio.file.attribute.BasicFileAttributes attrs) {
                            if (credentialFile(file.getFileName().toString())) {
                                found[0] = "the credential file " + candidate.relativize(file);
                                return java.nio.file.FileVisitResult.TERMINATE;
                            }
                            return count(seen, limit, found);
                        }

                        @Override
                        public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException e) {
                            return java.nio.file.FileVisitResult.CONTINUE;
                        }
                    });
        } catch (IOException e) {
            return Optional.of(candidate + " cannot be searched (" + e.getMessage() + ")");
        }
        return found[0] == null ? Optional.empty() : Optional.of(candidate + " holds " + found[0]);
    }

    /** A remote URL with user:password@, a password entry or an http extraheader (CI checkouts store a token there). */
    private static final java.util.regex.Pattern GIT_CREDENTIAL = java.util.regex.Pattern.compile(
            "(?im)^\\s*(url\\s*=\\s*\\S*://[^/\\s@]*:[^/\\s@]*@|extraheader\\s*=|password\\s*=)");

    /**
     * Whether a {@code .git} folder's {@code config} holds a credential. {@code .git} is not searched by name (its
     * objects are not the user's files), but its config is: a clone made with a token in its URL, or a CI checkout's
     * {@code http.extraheader}, would otherwise go to the server with the program. Read up to 256 KiB, no link followed.
     */
    static boolean gitConfigHoldsCredentials(Path gitDir) {
        Path config = gitDir.resolve("config");
        try {
            if (!Files.isRegularFile(config, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                return false;
            }
            byte[] head;
            try (java.io.InputStream in = Files.newInputStream(config, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                head = in.readNBytes(256 * 1024);
            }
            return GIT_CREDENTIAL.matcher(new String(head, java.nio.charset.StandardCharsets.UTF_8)).find();
        } catch (IOException e) {
            return false;
        }
    }

    private static java.nio.file.FileVisitResult count(int[] seen, int limit, String[] found) {
        if (++seen[0] > limit) {
            found[0] = "more than " + limit + " entries, too many to search for credentials";
            return java.nio.file.FileVisitResult.TERMINATE;
        }
        return java.nio.file.FileVisitResult.CONTINUE;
    }

    private static List<Path> children(Path dir) {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                if (Files.isDirectory(p)) {
                    out.add(p);
                }
            }
        } catch (IOException e) {
            // no such directory: nothing to add
        }
        return out;
    }

    static List<Path> passwdHomes(Path passwd) {
        List<Path> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(passwd)) {
                String[] fields = line.split(":", -1);
                if (fields.length >= 7 && fields[5].startsWith("/")) {
                    out.add(Path.of(fields[5]));
                }
            }
        } catch (IOException | RuntimeException e) {
            // unreadable passwd: /home and $HOME are still known
        }
        return out;
    }
}
