package govai;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.ByteByReference;
import com.sun.jna.ptr.PointerByReference;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Functions of govai that need no deployment: version, scanning, masking, audit verification.
 * All are thread-safe. Errors throw {@link GovaiException}.
 */
public final class Govai {
    /** The six data levels, lowest first; the index is the C {@code govai_data_level_t} value. */
    public static final List<String> LEVELS =
            List.of("public", "internal", "sensitive", "important", "core", "secret");

    private Govai() {}

    /** The version of the loaded libgovai, e.g. "0.1.0". */
    public static String version() {
        return Ffi.LIB.govai_version();
    }

    /** Classify text with the built-in classifier: {@code {"level", "findings", "reasons"}} as JSON. */
    public static String scanJson(String text) {
        byte[] t = Ffi.utf8(text);
        PointerByReference out = new PointerByReference();
        Ffi.check(Ffi.LIB.govai_scan_json(t, Ffi.len(t, 1), out));
        return Ffi.take(out);
    }

    /** One finding of {@link #scan}: offsets in characters (code points) and UTF-8 bytes. */
    public record Finding(String type, String text, long start, long end, long byteStart, long byteEnd,
            double score, Boolean checksum) {}

    /** The result of {@link #scan}: the level id ("public" ... "secret"), findings and reasons. */
    public record ScanResult(String level, List<Finding> findings, List<String> reasons) {
        /** The level as its number, 0 (public) to 5 (secret). */
        public int levelRank() {
            return LEVELS.indexOf(level);
        }
    }

    /** Classify text with the built-in classifier, through the typed C API. */
    public static ScanResult scan(String text) {
        byte[] t = Ffi.utf8(text);
        PointerByReference out = new PointerByReference();
        Ffi.check(Ffi.LIB.govai_scan(t, Ffi.len(t, 1), out));
        Pointer res = out.getValue();
        try {
            String level = Ffi.LIB.govai_data_level_name(Ffi.LIB.govai_scan_result_level(res));
            long n = Ffi.LIB.govai_scan_result_count(res).longValue();
            List<Finding> findings = new ArrayList<>();
            for (long i = 0; i < n; i++) {
                GovaiLibrary.FindingStruct f = new GovaiLibrary.FindingStruct();
                Ffi.check(Ffi.LIB.govai_scan_result_finding(res, new GovaiLibrary.SizeT(i), f));
                f.read();
                Boolean checksum = f.checksum < 0 ? null : f.checksum == 1;
                findings.add(new Finding(Ffi.borrowed(f.type), Ffi.borrowed(f.text), f.start.longValue(),
                        f.end.longValue(), f.byte_start.longValue(), f.byte_end.longValue(), f.score, checksum));
            }
            long r = Ffi.LIB.govai_scan_result_reason_count(res).longValue();
            List<String> reasons = new ArrayList<>();
            for (long i = 0; i < r; i++) {
                reasons.add(Ffi.borrowed(Ffi.LIB.govai_scan_result_reason(res, new GovaiLibrary.SizeT(i))));
            }
            return new ScanResult(level, List.copyOf(findings), List.copyOf(reasons));
        } finally {
            Ffi.LIB.govai_scan_result_free(res);
        }
    }

    /**
     * De-identify text: every finding of the built-in classifier rewritten with {@code operator}:
     * {@code mask}, {@code mask:F:L}, {@code mask:F:L:C}, {@code replace}, {@code redact},
     * {@code hash:HEXKEY} or {@code pseudonymize}. A bad operator throws code 1 (invalid_input).
     */
    public static String mask(String text, String operator) {
        byte[] t = Ffi.utf8(text);
        byte[] o = Ffi.utf8(operator);
        PointerByReference out = new PointerByReference();
        Ffi.check(Ffi.LIB.govai_mask(t, Ffi.len(t, 1), o, Ffi.len(o, 1), out));
        return Ffi.take(out);
    }

    /** {@link #mask(String, String)} with the default operator {@code mask}. */
    public static String mask(String text) {
        return mask(text, "mask");
    }

    /**
     * Review an answer with the built-in reviewers its scenario requires (as
     * {@code govai review --json}). {@code requestJson} is {@code {"scenario", "answer",
     * "request", "sources": [{"title", "text"}...], "documents": [...]}}; returns
     * {@code {"verdict": "pass"|"revise"|"block"|"escalate", "findings": [...]}}. An unknown
     * scenario throws code 3 (not_found), bad JSON code 1.
     */
    public static String reviewJson(String requestJson) {
        byte[] r = Ffi.utf8(requestJson);
        PointerByReference out = new PointerByReference();
        Ffi.check(Ffi.LIB.govai_review_json(r, Ffi.len(r, 1), out));
        return Ffi.take(out);
    }

    /** The outcome of {@link #verifyAudit}: whether the log is intact, and the full report as JSON. */
    public record AuditReport(boolean intact, String json) {}

    /** Verify an audit log's hash chain and anchor. A tampered log is a report with intact == false. */
    public static AuditReport verifyAudit(String path) {
        byte[] p = Ffi.utf8(path);
        PointerByReference out = new PointerByReference();
        ByteByReference intact = new ByteByReference();
        Ffi.check(Ffi.LIB.govai_audit_verify_json(p, Ffi.len(p, 1), out, intact));
        String json = Ffi.take(out);
        return new AuditReport(intact.getValue() != 0, json);
    }

    /** {@link #verifyAudit(String)} for a path. */
    public static AuditReport verifyAudit(Path path) {
        return verifyAudit(path.toString());
    }

    /** The verification report as JSON ({@code intact}, {@code records}, {@code anchor}, ...). */
    public static String verifyAuditJson(String path) {
        return verifyAudit(path).json();
    }
}
