package dev.mcpcontain.manifest;

/** Builds JSON paths the way users read them: {@code $.a.b[2]}, {@code $._meta["com.microsoft.windows"]}. */
final class JsonPath {

    private JsonPath() {}

    static String member(String parent, String name) {
        if (name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            return parent + "." + name;
        }
        return parent + "[\"" + name.replace("\\", "\\\\").replace("\"", "\\\"") + "\"]";
    }

    static String index(String parent, int index) {
        return parent + "[" + index + "]";
    }
}
