/**
 * The seccomp filter: a deny-list compiled in pure Java into the classic-BPF program the Linux helper loads
 * verbatim as its last step before execve. Entry point: {@link SeccompCompiler}.
 *
 * <p>Program layout, in order: the architecture check (foreign ABI: KILL_PROCESS), the x32 guard on x86_64
 * (ENOSYS), one two-instruction block per unconditionally denied syscall, one short block per argument-checked
 * syscall (clone, personality, ioctl, socket, socketpair; the mode of the chmod family and of every call that
 * creates an inode; in landlock isolation utimensat's path and the "self only" process calls) that always ends in a
 * return, and ALLOW. {@link SeccompOptions.Isolation} says which mode gets which rules. Every jump
 * stays inside its own block, so no jump ever approaches the 255-instruction limit of jt/jf.
 *
 * <p>The syscall numbers are hard-coded per architecture and checked against the installed kernel headers by the
 * tests; the policy names syscalls, never numbers.
 */
package dev.mcpcontain.platform.linux.seccomp;
