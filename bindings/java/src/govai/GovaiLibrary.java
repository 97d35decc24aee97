package govai;

import com.sun.jna.IntegerType;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.ptr.ByteByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * The C API of govai ({@code include/govai.h}) as seen by JNA. Package-private: use
 * {@link Govai} and {@link Deployment}. Strings cross as UTF-8 {@code (byte[], size_t)}
 * pairs; strings govai returns through {@code char **} are freed with
 * {@code govai_string_free}, errors with {@code govai_error_free}.
 */
interface GovaiLibrary extends Library {
    /** libgovai.so, found through {@code -Djna.library.path=...} (or the system paths). */
    GovaiLibrary INSTANCE = Native.load("govai", GovaiLibrary.class);

    /** C {@code size_t}. */
    final class SizeT extends IntegerType {
        private static final long serialVersionUID = 1L;

        public SizeT() {
            this(0);
        }

        public SizeT(long value) {
            super(Native.SIZE_T_SIZE, value, true);
        }
    }

    /** C {@code govai_finding_t}: filled in by {@code govai_scan_result_finding}. */
    @Structure.FieldOrder({"type", "text", "start", "end", "byte_start", "byte_end", "score", "checksum"})
    final class FindingStruct extends Structure {
        public Pointer type;
        public Pointer text;
        public SizeT start;
        public SizeT end;
        public SizeT byte_start;
        public SizeT byte_end;
        public double score;
        public byte checksum;
    }

    String govai_version();

    int govai_error_code(Pointer error);

    String govai_error_message(Pointer error);

    String govai_error_kind(Pointer error);

    void govai_error_free(Pointer error);

    void govai_string_free(Pointer s);

    Pointer govai_deployment_new_from_file(byte[] path, SizeT pathLen, PointerByReference out);

    Pointer govai_deployment_new_from_toml(byte[] toml, SizeT tomlLen, byte[] baseDir, SizeT baseDirLen,
            PointerByReference out);

    Pointer govai_deployment_handle_json(Pointer deployment, byte[] json, SizeT jsonLen, PointerByReference out);

    Pointer govai_deployment_feedback(Pointer deployment, long auditId, int rating, byte[] comment, SizeT commentLen,
            byte[] user, com.sun.jna.ptr.LongByReference outAuditId);

    Pointer govai_deployment_check_documents_json(Pointer deployment, byte[] json, SizeT jsonLen, PointerByReference out);

    /** {@code govai_text_callback_t}: one reviewed piece of a streamed answer; non-zero cancels. */
    interface TextCallback extends com.sun.jna.Callback {
        int invoke(Pointer text, SizeT textLen, Pointer userData);
    }

    Pointer govai_deployment_handle_stream(Pointer deployment, byte[] json, SizeT jsonLen, TextCallback onText,
            Pointer userData, PointerByReference out);

    void govai_deployment_free(Pointer deployment);

    Pointer govai_scan_json(byte[] text, SizeT textLen, PointerByReference out);

    Pointer govai_scan(byte[] text, SizeT textLen, PointerByReference out);

    int govai_scan_result_level(Pointer result);

    SizeT govai_scan_result_count(Pointer result);

    Pointer govai_scan_result_finding(Pointer result, SizeT index, FindingStruct out);

    SizeT govai_scan_result_reason_count(Pointer result);

    Pointer govai_scan_result_reason(Pointer result, SizeT index);

    void govai_scan_result_free(Pointer result);

    Pointer govai_mask(byte[] text, SizeT textLen, byte[] op, SizeT opLen, PointerByReference out);

    String govai_data_level_name(int level);

    Pointer govai_review_json(byte[] json, SizeT jsonLen, PointerByReference out);

    Pointer govai_audit_verify_json(byte[] path, SizeT pathLen, PointerByReference outJson, ByteByReference outIntact);
}
