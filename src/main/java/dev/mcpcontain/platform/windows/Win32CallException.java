package dev.mcpcontain.platform.windows;

/** A Windows call failed: which call, GetLastError (or the HRESULT) and the system's text for it. */
public final class Win32CallException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public static final int ERROR_ACCESS_DENIED = 5;
    public static final int ERROR_FILE_NOT_FOUND = 2;
    public static final int ERROR_PATH_NOT_FOUND = 3;
    public static final int ERROR_BROKEN_PIPE = 109;
    public static final int ERROR_INVALID_PARAMETER = 87;

    private final String function;
    private final int code;

    public Win32CallException(String function, int code, String systemText) {
        super(function + " failed: error " + code + (systemText == null || systemText.isBlank() ? ""
                : " (" + systemText.strip() + ")"));
        this.function = function;
        this.code = code;
    }

    public String function() {
        return function;
    }

    public int code() {
        return code;
    }
}
