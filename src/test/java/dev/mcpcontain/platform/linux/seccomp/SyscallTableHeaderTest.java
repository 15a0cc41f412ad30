package dev.mcpcontain.platform.linux.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Checks every hard-coded syscall number against the kernel uapi headers installed on this machine.
 *
 * <p>A name the header lacks is accepted only when its number is above the highest number the header defines,
 * i.e. the headers are older than the syscall (this host's are from Linux 6.1, open_tree_attr is 6.15). Any
 * other absence is a misspelling or a wrong table and fails. Names the tables declare absent on an architecture
 * must really be absent from its header.
 *
 * <p>A syscall newer than the header is not unchecked: since Linux 5.1 (io_uring_setup, 425) every new syscall gets
 * the same number on every architecture but alpha, so such a name must be at 424 or above and have the same number
 * in our x86_64 and arm64 tables. Which names were checked that way is reported, never silently skipped.
 */
class SyscallTableHeaderTest {

    private static final Pattern DEFINE = Pattern.compile("^#define\\s+__NR_(\\w+)\\s+(\\d+)\\s*$");

    /** The first syscall number shared by every architecture (pidfd_send_signal, Linux 5.1). */
    static final int UNIFIED_FROM = 424;

    @Test
    void x86_64NumbersMatchAsmUnistd64(org.junit.jupiter.api.TestReporter reporter) throws IOException {
        Path header = header(List.of("/usr/include/x86_64-linux-gnu/asm/unistd_64.h",
                "/usr/include/asm/unistd_64.h"), "x86_64 asm/unistd_64.h");
        verify(Arch.X86_64, parse(header), header, reporter);
    }

    /**
     * arm64 uses the asm-generic table. The header is architecture-independent text, so this runs on x86_64 hosts
     * too. It is read as plain #defines, ignoring #ifdef: of the names we use only clone3 is conditional there
     * (__ARCH_WANT_SYS_CLONE3), and arm64 wants it.
     */
    @Test
    void aarch64NumbersMatchAsmGenericUnistd(org.junit.jupiter.api.TestReporter reporter) throws IOException {
        Path header = header(List.of("/usr/include/asm-generic/unistd.h"), "asm-generic/unistd.h");
        verify(Arch.AARCH64, parse(header), header, reporter);
    }

    private static void verify(Arch arch, Map<String, Integer> header, Path path,
            org.junit.jupiter.api.TestReporter reporter) {
        int newest = header.entrySet().stream().filter(e -> !e.getKey().equals("syscalls"))
                .mapToInt(Map.Entry::getValue).max().orElseThrow();
        Map<String, Integer> ours = new TreeMap<>(SyscallTable.numbers(arch));
        ours.putAll(ExpectedPolicy.ORDINARY.get(arch));
        List<String> problems = new ArrayList<>();
        List<String> newerThanHeader = new ArrayList<>();
        ours.forEach((name, nr) -> {
            Integer expected = header.get(name);
            if (expected == null) {
                Arch other = arch == Arch.X86_64 ? Arch.AARCH64 : Arch.X86_64;
                Integer there = SyscallTable.numbers(other).get(name);
                if (nr > newest && nr >= UNIFIED_FROM && nr.equals(there)) {
                    newerThanHeader.add(name + "=" + nr);
                } else if (nr > newest) {
                    problems.add(name + "=" + nr + " is newer than the header but not a unified number (>= "
                            + UNIFIED_FROM + ", the same on " + other + ", which has " + there + ")");
                } else {
                    problems.add(name + "=" + nr + " is not in the header, which goes up to " + newest);
                }
            } else if (!expected.equals(nr)) {
                problems.add(name + "=" + nr + " but the header says " + expected);
            }
        });
        for (String name : SyscallTable.absent(arch)) {
            if (header.containsKey(name)) {
                problems.add(name + " is declared absent but the header defines it as " + header.get(name));
            }
        }
        assertEquals(List.of(), problems, arch + " table vs " + path);
        if (!newerThanHeader.isEmpty()) {
            String note = arch + ": newer than " + path + ", checked as unified numbers instead: " + newerThanHeader;
            reporter.publishEntry("newer-than-header", note);
            System.err.println(note);
        }
    }

    private static Map<String, Integer> parse(Path header) throws IOException {
        Map<String, Integer> numbers = new HashMap<>();
        try (Stream<String> lines = Files.lines(header)) {
            lines.forEach(line -> {
                Matcher matcher = DEFINE.matcher(line.strip());
                if (matcher.matches()) {
                    numbers.put(matcher.group(1), Integer.parseInt(matcher.group(2)));
                }
            });
        }
        if (numbers.size() < 200) {
            fail(header + " defines only " + numbers.size() + " syscalls: not a syscall table header?");
        }
        return numbers;
    }

    /** The first existing candidate; skipped when there is none, except on Linux CI where it must be there. */
    private static Path header(List<String> candidates, String what) {
        Optional<Path> found = candidates.stream().map(Path::of).filter(Files::isRegularFile).findFirst();
        boolean linux = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");
        if (found.isEmpty() && linux && "true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(what + " not found (tried " + candidates + ") and CI=true: install linux-libc-dev");
        }
        assumeTrue(found.isPresent(), what + " not found (tried " + candidates + "): install linux-libc-dev");
        return found.get();
    }
}
