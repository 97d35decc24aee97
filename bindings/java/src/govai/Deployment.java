package govai;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
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
     * (scenario and text required); returns the response JSON ({@code outcome}, {@code output},
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
