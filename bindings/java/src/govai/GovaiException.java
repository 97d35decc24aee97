package govai;

/**
 * An error reported by govai: {@link #code()} is the stable {@code GOVAI_ERROR_*} number of the
 * C API (numbers never change and are never reused), {@link #kind()} its stable snake_case name
 * ({@code "config"}, {@code "not_found"}, ...), {@link #getMessage()} the message.
 */
public class GovaiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Malformed input: bad JSON, empty text, an unknown operator. */
    public static final int INVALID_INPUT = 1;
    /** A configuration file or value is wrong (the message names the file, key and reason). */
    public static final int CONFIG = 2;
    /** A named scenario, model or reviewer does not exist. */
    public static final int NOT_FOUND = 3;
    /** A model failed to load or to run. */
    public static final int MODEL = 4;
    /** A data classifier failed. */
    public static final int CLASSIFICATION = 5;
    /** A reviewer failed. */
    public static final int REVIEW = 6;
    /** The audit log could not be written or read, or is corrupt. */
    public static final int AUDIT = 7;
    /** An operating-system I/O error. */
    public static final int IO = 8;
    /** Cancelled by the caller. */
    public static final int CANCELLED = 9;
    /** A bug in govai. */
    public static final int INTERNAL = 10;
    /** A required argument was null. */
    public static final int NULL_ARGUMENT = 100;
    /** A string argument was not valid UTF-8. */
    public static final int INVALID_UTF8 = 101;
    /** govai panicked (a bug); the process is fine. */
    public static final int PANIC = 102;

    private final int code;
    private final String kind;

    public GovaiException(int code, String kind, String message) {
        super(message);
        this.code = code;
        this.kind = kind;
    }

    /** The stable {@code GOVAI_ERROR_*} number. */
    public int code() {
        return code;
    }

    /** The stable snake_case name of the code. */
    public String kind() {
        return kind;
    }

    @Override
    public String toString() {
        return "GovaiException[" + kind + " (" + code + ")]: " + getMessage();
    }
}
