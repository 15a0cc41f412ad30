package dev.mcpcontain.platform.windows.launch;

import java.nio.file.Path;
import java.util.List;

/** The JVM the inner launcher runs in, when an agent account is used (and the broker's server-side launcher). */
public record InnerRuntime(String javaExecutable, List<String> classpath) {

    public InnerRuntime {
        classpath = List.copyOf(classpath);
    }

    public static InnerRuntime current() {
        String javaExe = Path.of(System.getProperty("java.home"), "bin", "java.exe").toString();
        return new InnerRuntime(javaExe,
                List.of(System.getProperty("java.class.path", "").split(java.io.File.pathSeparator)));
    }
}
