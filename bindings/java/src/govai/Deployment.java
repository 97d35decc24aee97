package govai;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A govai deployment ({@code govai_deployment_t}): scenarios bound to models, classifiers,
 * reviewers, policy, labels and an audit log, built from a TOML configuration.
 *
 * <p>Thread-safe: any number of threads may call {@link #handleJson} at once. {@link #close}
 * waits for running requests and frees the native handle; using a closed deployment throws
 * {@link IllegalStateException}.
 */
public final class Deployment implements AutoCloseable {
    private Pointer handle;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

    private Deployment(Pointer handle) {
        this.handle = handle;
    }

    /** Load a deployment from a TOML config file; relative paths in it are relative to its directory. */
    public static Deployment fromFile(Path path) {
        return fromFile(path.toString());
    }

    /** Load a deployment from a TOML config file. */
    public static Deployment fromFile(String path) {
        byte[] p = Ffi.utf8(path);
        PointerByReference out = new PointerByReference();
        Ffi.check(Ffi.LIB.govai_deployment_new_from_file(p, Ffi.len(p, 1), out));
        return new Deployment(out.getValue());
    }

    /** Build a deployment from TOML text; relative paths resolve against {@code baseDir} (null: the current directory). */
    public static Deployment fromToml(String toml, Path baseDir) {
        return fromToml(toml, baseDir == null ? null : baseDir.toString());
    }

    /** Build a deployment from TOML text; relative paths resolve against {@code baseDir} (null: the current directory). */
    public static Deployment fromToml(String toml, String baseDir) {
        byte[] t = Ffi.utf8(toml);
        byte[] b = Ffi.utf8(baseDir);
        PointerByReference out = new PointerByReference();
        Ffi.check(Ffi.LIB.govai_deployment_new_from_toml(t, Ffi.len(t, 1), b, Ffi.len(b, 0), out));
        return new Deployment(out.getValue());
    }

    /**
     * Handle one request through the whole pipeline. {@code requestJson} is
     * {@code {"scenario": ..., "text": ..., "documents": [...], "user": ..., "request_id": ...}}
     * (scenario and text required; a conversation gives {@code "messages"} instead of text, see
     * {@link #chatJson}); returns the response JSON ({@code outcome}, {@code output},
     * {@code data_level}, {@code audit_id}, ...), as {@code govai run --json} prints it. A refusal
     * or escalation is a normal response; errors throw {@link GovaiException} (e.g. code 3,
     * not_found, for an unknown scenario).
     */
    public String handleJson(String requestJson) {
        byte[] r = Ffi.utf8(requestJson);
        PointerByReference out = new PointerByReference();
        lock.readLock().lock();
        try {
            Ffi.check(Ffi.LIB.govai_deployment_handle_json(live(), r, Ffi.len(r, 1), out));
        } finally {
            lock.readLock().unlock();
        }
        return Ffi.take(out);
    }

    /**
     * Record a citizen's rating of an answer: {@code rating} 1 (bad) to 5 (good) of the answer
     * whose audit id (the response's {@code audit_id}) is {@code auditId}, with an optional
     * comment (only its SHA-256 is written) and an optional {@code user} (a channel or desk id;
     * may be {@code null}). The rating is an audit record of kind {@code feedback}; returns its
     * audit id. Errors: {@link GovaiException} with code 1 (invalid_input: rating outside 1-5,
     * comment over 64 KiB) or 3 (not_found: no record with that audit id).
     */
    public long feedback(long auditId, int rating, String comment, String user) {
        byte[] c = Ffi.utf8(comment == null ? "" : comment);
        byte[] u = user == null ? null : Ffi.utf8(user + "\0");
        com.sun.jna.ptr.LongByReference out = new com.sun.jna.ptr.LongByReference();
        lock.readLock().lock();
        try {
            Ffi.check(Ffi.LIB.govai_deployment_feedback(live(), auditId, rating, c, Ffi.len(c, 0), u, out));
        } finally {
            lock.readLock().unlock();
        }
        return out.getValue();
    }

    /**
     * Check an applicant's recognised pages (OCR output) against a checklist of the deployment
     * ({@code [[checklists]]}; assisted handling, 辅助办理). {@code requestJson} is
     * {@code {"scenario": ..., "pages": [{"file": ..., "lines": [{"text": ..., "confidence": ...}]}],
     * "checklist": ..., "as_of": "YYYY-MM-DD", "user": ...}}; returns the result JSON (as
     * {@code govai documents check} prints it: per material and field status, masked values,
     * {@code "decision": "clerk"}). The result prepares a clerk's review and decides nothing.
     * Errors throw {@link GovaiException} (invalid_input, not_found, ...).
     */
    public String checkDocumentsJson(String requestJson) {
        byte[] r = Ffi.utf8(requestJson);
        PointerByReference out = new PointerByReference();
        lock.readLock().lock();
        try {
            Ffi.check(Ffi.LIB.govai_deployment_check_documents_json(live(), r, Ffi.len(r, 1), out));
        } finally {
            lock.readLock().unlock();
        }
        return Ffi.take(out);
    }

    /** One turn of a conversation: {@code role} is {@code system}, {@code user} or {@code assistant}. */
    public record Message(String role, String content) {
        /** A user turn. */
        public static Message user(String content) {
            return new Message("user", content);
        }

        /** An assistant turn (an earlier answer). */
        public static Message assistant(String content) {
            return new Message("assistant", content);
        }

        /** A system turn (kept only for caller roles the deployment's policy allows). */
        public static Message system(String content) {
            return new Message("system", content);
        }
    }

    /**
     * Handle a conversation: {@code messages} oldest first, ending with the user's question.
     * Every user turn is classified and screened; one value keeps one placeholder across turns.
     * {@code user} (the caller, may be null) and {@code conversationId} (null, or the
     * {@code conversation_id} of an earlier response, to continue it with only the new turns).
     * Returns the response JSON, as {@link #handleJson}.
     */
    public String chatJson(String scenario, java.util.List<Message> messages, String user, String conversationId) {
        StringBuilder b = new StringBuilder("{\"scenario\":").append(Json.quote(scenario)).append(",\"messages\":[");
        for (int k = 0; k < messages.size(); k++) {
            Message m = messages.get(k);
            b.append(k == 0 ? "" : ",").append("{\"role\":").append(Json.quote(m.role()))
                    .append(",\"content\":").append(Json.quote(m.content())).append('}');
        }
        b.append(']');
        if (user != null) {
            b.append(",\"user\":").append(Json.quote(user));
        }
        if (conversationId != null) {
            b.append(",\"conversation_id\":").append(Json.quote(conversationId));
        }
        return handleJson(b.append('}').toString());
    }

    /** Receives the reviewed pieces of a streamed answer, on the thread that called {@link #handleStream}. */
    @FunctionalInterface
    public interface TextListener {
        /** Show {@code piece}; return {@code false} to cancel generation. */
        boolean onText(String piece);
    }

    /**
     * Handle one request like {@link #handleJson}, streaming the answer to {@code listener} as
     * the model generates it. Text reaches the listener only after it has passed review; the
     * pieces, concatenated, are what the user should see (for an answered request the
     * response's {@code labelled_output}; when review stops the answer, the part shown so far,
     * a line break and the refusal or hand-over message). Returning {@code false} cancels
     * generation: the response's {@code outcome} is then {@code "cancelled"}. An exception thrown
     * by the listener also cancels, and is rethrown here once govai has finished the request
     * (audited). Returns the response JSON, with {@code "stream": {"released_chars", ...}}.
     */
    public String handleStream(String requestJson, TextListener listener) {
        byte[] r = Ffi.utf8(requestJson);
        PointerByReference out = new PointerByReference();
        RuntimeException[] thrown = new RuntimeException[1];
        GovaiLibrary.TextCallback callback = listener == null ? null : (text, textLen, userData) -> {
            try {
                String piece = new String(text.getByteArray(0, (int) textLen.longValue()), StandardCharsets.UTF_8);
                return listener.onText(piece) ? 0 : 1;
            } catch (RuntimeException e) {
                thrown[0] = e;
                return 1;
            }
        };
        lock.readLock().lock();
        try {
            Ffi.check(Ffi.LIB.govai_deployment_handle_stream(live(), r, Ffi.len(r, 1), callback, null, out));
        } finally {
            lock.readLock().unlock();
        }
        String response = Ffi.take(out);
        if (thrown[0] != null) {
            throw thrown[0];
        }
        return response;
    }

    /** Whether {@link #close} has been called. */
    public boolean isClosed() {
        lock.readLock().lock();
        try {
            return handle == null;
        } finally {
            lock.readLock().unlock();
        }
    }

    private Pointer live() {
        if (handle == null) {
            throw new IllegalStateException("the deployment is closed");
        }
        return handle;
    }

    /** Free the native deployment (idempotent). */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (handle != null) {
                Ffi.LIB.govai_deployment_free(handle);
                handle = null;
            }
        } finally {
            lock.writeLock().unlock();
        }
    }
}
