package govai;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.nio.charset.StandardCharsets;

/** Helpers for the (ptr, len) strings, returned strings and error objects of the C API. */
final class Ffi {
    static final GovaiLibrary LIB = GovaiLibrary.INSTANCE;

    private Ffi() {}

    /** UTF-8 bytes of a string argument; a Java {@code null} becomes a C NULL. */
    static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    /** The length of a string argument (its byte count; {@code len} for a C NULL). */
    static GovaiLibrary.SizeT len(byte[] b, int nullLen) {
        return new GovaiLibrary.SizeT(b == null ? nullLen : b.length);
    }

    /** Throw the error govai returned (and free it); do nothing on success (NULL). */
    static void check(Pointer error) {
        if (error == null) {
            return;
        }
        try {
            throw new GovaiException(LIB.govai_error_code(error), LIB.govai_error_kind(error),
                    LIB.govai_error_message(error));
        } finally {
            LIB.govai_error_free(error);
        }
    }

    /** Take a string govai returned through {@code char **}: copy it and free the original. */
    static String take(PointerByReference out) {
        Pointer p = out.getValue();
        if (p == null) {
            return null;
        }
        try {
            return p.getString(0, "UTF-8");
        } finally {
            LIB.govai_string_free(p);
        }
    }

    /** A NUL-terminated UTF-8 string owned by govai (not freed here). */
    static String borrowed(Pointer p) {
        return p == null ? null : p.getString(0, "UTF-8");
    }
}
