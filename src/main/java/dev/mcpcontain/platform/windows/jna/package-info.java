/**
 * JNA bindings for the Windows backend: the structures and functions jna-platform lacks (or declares with
 * host-sized types), and {@link dev.mcpcontain.platform.windows.jna.JnaWin32}, the only class that calls them.
 *
 * <p>Structures use fixed-width Java types only ({@code int} for DWORD, {@code long} for SIZE_T, ULONG_PTR,
 * LARGE_INTEGER, {@code short} for WORD, {@link com.sun.jna.Pointer} for pointers and handles): {@code NativeLong}
 * and {@code WinDef.LONG/ULONG} take the size of the JVM's host, 8 bytes on Linux where the layout tests run and
 * 4 on Windows. Windows x64 layouts are asserted in the tests against the documented sizes and offsets and
 * against bytes produced by the mingw-w64 headers.
 */
package dev.mcpcontain.platform.windows.jna;

