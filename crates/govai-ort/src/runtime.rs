//! Finding and loading the ONNX Runtime library, the process-wide environment, execution
//! providers and the session pool that lets `&self` models serve concurrent requests.

use std::ffi::CStr;
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock};

use govai_core::{Error, Result};
use ort::session::Session;
use ort::session::builder::{AutoDevicePolicy, GraphOptimizationLevel, SessionBuilder};
use serde::{Deserialize, Serialize};

/// Name used in errors about the runtime itself (not a particular model).
const RUNTIME: &str = "onnxruntime";

/// How to find and drive ONNX Runtime. All fields have defaults, so `RuntimeConfig::default()`
/// finds the library through `ORT_DYLIB_PATH` or the project's `.venv`, on the CPU.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RuntimeConfig {
    /// Explicit path of `libonnxruntime.so*` / `.dylib` / `onnxruntime.dll`; looked at first.
    pub library_path: Option<PathBuf>,
    /// Execution providers by name, in order of preference (`cpu`, `cuda`, `tensorrt`,
    /// `openvino`, `cann`, `directml`, `coreml`, `rocm`, `xnnpack`). Empty means `["cpu"]`.
    /// A provider that the build or the loaded library lacks is an error, never a silent
    /// fallback.
    pub execution_providers: Vec<String>,
    /// Threads inside one operator (ORT default: one per physical core).
    pub intra_op_threads: Option<usize>,
    /// Threads across independent operators (ORT default).
    pub inter_op_threads: Option<usize>,
    /// Sessions per model in the pool: the number of requests one model serves at once
    /// (default 1). Each session holds its own copy of the weights.
    pub sessions: Option<usize>,
}

impl RuntimeConfig {
    fn session_count(&self) -> usize {
        self.sessions.unwrap_or(1).max(1)
    }
}

/// The loaded runtime: one per process.
#[derive(Debug)]
pub(crate) struct Runtime {
    library: PathBuf,
    env: ort::environment::Environment,
}

static RUNTIME_CELL: OnceLock<Runtime> = OnceLock::new();
static INIT_LOCK: Mutex<()> = Mutex::new(());

impl Runtime {
    /// The process-wide runtime, loading the library on first use. A later call asking for a
    /// different explicit library than the one already loaded is an error (one runtime per
    /// process).
    pub(crate) fn get(config: &RuntimeConfig) -> Result<&'static Runtime> {
        if let Some(rt) = RUNTIME_CELL.get() {
            return rt.check_same(config).map(|()| rt);
        }
        let _guard = INIT_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(rt) = RUNTIME_CELL.get() {
            return rt.check_same(config).map(|()| rt);
        }
        let library = find_library(config.library_path.as_deref())?;
        let builder = ort::init_from(&library)
            .map_err(|e| Error::model(RUNTIME, format!("cannot load ONNX Runtime from {}: {e}", library.display())))?;
        let env = builder.with_name("govai").with_telemetry(false).build().map_err(ort_err(RUNTIME))?;
        let rt = Runtime { library, env };
        Ok(RUNTIME_CELL.get_or_init(|| rt))
    }

    fn check_same(&self, config: &RuntimeConfig) -> Result<()> {
        if let Some(p) = &config.library_path {
            let same = match (p.canonicalize(), self.library.canonicalize()) {
                (Ok(a), Ok(b)) => a == b,
                _ => *p == self.library,
            };
            if !same {
                return Err(Error::model(
                    RUNTIME,
                    format!(
                        "ONNX Runtime is already loaded from {} in this process; cannot also load {}",
                        self.library.display(),
                        p.display()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Open one session of `model` (the ONNX file) with `config`'s providers and threads.
    pub(crate) fn session(&self, model_id: &str, path: &Path, config: &RuntimeConfig) -> Result<Session> {
        let err = ort_err(model_id);
        let mut b: SessionBuilder = Session::builder(&self.env).map_err(&err)?;
        // `All` is ORT_ENABLE_ALL (Python's default); ort's `Level3` is only ORT_ENABLE_LAYOUT.
        b = b.with_optimization_level(GraphOptimizationLevel::All).map_err(|e| err(e.into()))?;
        // ort defaults to the MaxEfficiency auto-EP policy; govai chooses providers explicitly.
        b = b.with_auto_device(AutoDevicePolicy::PreferCPU).map_err(|e| err(e.into()))?;
        if let Some(n) = config.intra_op_threads {
            b = b.with_intra_threads(n).map_err(|e| err(e.into()))?;
        }
        if let Some(n) = config.inter_op_threads {
            b = b.with_inter_threads(n).map_err(|e| err(e.into()))?;
        }
        let eps = execution_providers(model_id, &config.execution_providers)?;
        if !eps.is_empty() {
            b = b.with_execution_providers(eps).map_err(|e| err(e.into()))?;
        }
        if !path.is_file() {
            return Err(Error::model(model_id, format!("model file {} not found", path.display())));
        }
        b.commit_from_file(path).map_err(|e| Error::model(model_id, format!("cannot load {}: {e}", path.display())))
    }

    /// A pool of `config.sessions` sessions of one model file.
    pub(crate) fn pool(&self, model_id: &str, path: &Path, config: &RuntimeConfig) -> Result<SessionPool> {
        let n = config.session_count();
        let mut sessions = Vec::with_capacity(n);
        for _ in 0..n {
            sessions.push(self.session(model_id, path, config)?);
        }
        Ok(SessionPool::new(sessions))
    }
}

pub(crate) fn ort_err(model: &str) -> impl Fn(ort::Error) -> Error + '_ {
    move |e| Error::model(model, e.to_string())
}

fn available_providers() -> Result<Vec<String>> {
    let api = ort::api();
    let mut ptr: *mut *mut std::ffi::c_char = std::ptr::null_mut();
    let mut len: std::ffi::c_int = 0;
    // SAFETY: the runtime is loaded (api() succeeded); out-pointers are valid locals.
    let status = unsafe { (api.GetAvailableProviders)(&mut ptr, &mut len) };
    if !status.0.is_null() {
        // SAFETY: a non-null status came from the runtime and is released exactly once.
        let msg = unsafe { CStr::from_ptr((api.GetErrorMessage)(status.0)) }.to_string_lossy().into_owned();
        // SAFETY: as above.
        unsafe { (api.ReleaseStatus)(status.0) };
        return Err(Error::model(RUNTIME, format!("GetAvailableProviders: {msg}")));
    }
    let mut out = Vec::new();
    if !ptr.is_null() {
        for i in 0..usize::try_from(len).unwrap_or(0) {
            // SAFETY: the runtime returned `len` valid NUL-terminated strings.
            let s = unsafe { CStr::from_ptr(*ptr.add(i)) };
            out.push(s.to_string_lossy().into_owned());
        }
        // SAFETY: releasing the array the runtime allocated, with its own length.
        let st = unsafe { (api.ReleaseAvailableProviders)(ptr, len) };
        if !st.0.is_null() {
            // SAFETY: release the error status.
            unsafe { (api.ReleaseStatus)(st.0) };
        }
    }
    Ok(out)
}

/// ORT's provider name for a config name, and the cargo feature that compiles it.
fn provider_name(name: &str) -> Option<(&'static str, &'static str)> {
    Some(match name.to_ascii_lowercase().as_str() {
        "cpu" => ("CPUExecutionProvider", ""),
        "cuda" => ("CUDAExecutionProvider", "cuda"),
        "tensorrt" => ("TensorrtExecutionProvider", "tensorrt"),
        "openvino" => ("OpenVINOExecutionProvider", "openvino"),
        "cann" => ("CANNExecutionProvider", "cann"),
        "directml" | "dml" => ("DmlExecutionProvider", "directml"),
        "coreml" => ("CoreMLExecutionProvider", "coreml"),
        "rocm" => ("ROCMExecutionProvider", "rocm"),
        "xnnpack" => ("XnnpackExecutionProvider", "xnnpack"),
        _ => return None,
    })
}

/// Resolve config names to registered providers; every failure names what is missing.
fn execution_providers(model_id: &str, names: &[String]) -> Result<Vec<ort::ep::ExecutionProviderDispatch>> {
    let mut out = Vec::new();
    let available = available_providers()?;
    for name in names {
        let Some((ort_name, feature)) = provider_name(name) else {
            return Err(Error::config(
                "",
                "runtime.execution_providers",
                format!(
                    "unknown execution provider `{name}` (known: cpu, cuda, tensorrt, openvino, cann, directml, coreml, rocm, xnnpack)"
                ),
            ));
        };
        if !available.iter().any(|a| a == ort_name) {
            return Err(Error::model(
                model_id,
                format!(
                    "execution provider `{name}` ({ort_name}) is not in the loaded ONNX Runtime (available: {}); install an onnxruntime build with it (e.g. onnxruntime-gpu for cuda)",
                    available.join(", ")
                ),
            ));
        }
        match dispatch(ort_name) {
            Some(ep) => out.push(ep.error_on_failure()),
            None => {
                return Err(Error::model(
                    model_id,
                    format!("execution provider `{name}` needs govai-ort built with the `{feature}` cargo feature"),
                ));
            }
        }
    }
    Ok(out)
}

fn dispatch(ort_name: &str) -> Option<ort::ep::ExecutionProviderDispatch> {
    use ort::ep;
    Some(match ort_name {
        "CPUExecutionProvider" => ep::CPU::default().build(),
        #[cfg(feature = "cuda")]
        "CUDAExecutionProvider" => ep::CUDA::default().build(),
        #[cfg(feature = "tensorrt")]
        "TensorrtExecutionProvider" => ep::TensorRT::default().build(),
        #[cfg(feature = "openvino")]
        "OpenVINOExecutionProvider" => ep::OpenVINO::default().build(),
        #[cfg(feature = "cann")]
        "CANNExecutionProvider" => ep::CANN::default().build(),
        #[cfg(feature = "directml")]
        "DmlExecutionProvider" => ep::DirectML::default().build(),
        #[cfg(feature = "coreml")]
        "CoreMLExecutionProvider" => ep::CoreML::default().build(),
        #[cfg(feature = "rocm")]
        "ROCMExecutionProvider" => ep::ROCm::default().build(),
        #[cfg(feature = "xnnpack")]
        "XnnpackExecutionProvider" => ep::XNNPACK::default().build(),
        _ => return None,
    })
}

/// Where the runtime library is looked for, in order. Public so that tools can print it.
pub(crate) fn library_candidates(explicit: Option<&Path>) -> Vec<(String, Option<PathBuf>)> {
    let mut out: Vec<(String, Option<PathBuf>)> = Vec::new();
    out.push(("config runtime.library_path".into(), explicit.map(Path::to_path_buf)));
    let env = std::env::var_os("ORT_DYLIB_PATH").filter(|v| !v.is_empty()).map(PathBuf::from);
    out.push(("ORT_DYLIB_PATH".into(), env));
    let mut roots: Vec<PathBuf> = Vec::new();
    if let Some(v) = std::env::var_os("VIRTUAL_ENV").filter(|v| !v.is_empty()) {
        let v = PathBuf::from(v);
        out.push((format!("VIRTUAL_ENV {}", v.display()), venv_library(&v)));
    }
    if let Ok(cwd) = std::env::current_dir() {
        roots.push(cwd);
    }
    if let Some(m) = std::env::var_os("CARGO_MANIFEST_DIR") {
        roots.push(PathBuf::from(m));
    }
    let mut seen = Vec::new();
    for root in roots {
        for dir in root.ancestors() {
            let venv = dir.join(".venv");
            if seen.contains(&venv) {
                continue;
            }
            seen.push(venv.clone());
            if venv.is_dir() {
                out.push((
                    format!("{}/lib/python3*/site-packages/onnxruntime/capi/", venv.display()),
                    venv_library(&venv),
                ));
            }
        }
    }
    out
}

fn venv_library(venv: &Path) -> Option<PathBuf> {
    let mut site_packages = Vec::new();
    if let Ok(rd) = std::fs::read_dir(venv.join("lib")) {
        let mut dirs: Vec<PathBuf> = rd
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with("python3"))
            .map(|e| e.path().join("site-packages"))
            .collect();
        dirs.sort();
        site_packages.extend(dirs.into_iter().rev());
    }
    site_packages.push(venv.join("Lib").join("site-packages"));
    for sp in site_packages {
        let capi = sp.join("onnxruntime").join("capi");
        let Ok(rd) = std::fs::read_dir(&capi) else { continue };
        let mut libs: Vec<PathBuf> = rd
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                let n = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                n.starts_with("libonnxruntime.so")
                    || (n.starts_with("libonnxruntime.") && n.ends_with(".dylib"))
                    || n == "onnxruntime.dll"
            })
            .collect();
        libs.sort();
        if let Some(l) = libs.pop() {
            return Some(l);
        }
    }
    None
}

/// Find the library: explicit path, `ORT_DYLIB_PATH`, `VIRTUAL_ENV`, then a `.venv` in the
/// current directory, the crate directory (`CARGO_MANIFEST_DIR`) or any of their ancestors.
/// An explicit path or `ORT_DYLIB_PATH` that does not exist is an error of its own.
pub fn find_library(explicit: Option<&Path>) -> Result<PathBuf> {
    let candidates = library_candidates(explicit);
    let mut looked = Vec::new();
    for (i, (place, found)) in candidates.iter().enumerate() {
        match found {
            Some(p) if p.is_file() => return Ok(p.clone()),
            Some(p) if i < 2 => {
                return Err(Error::model(RUNTIME, format!("{place} is {} but that file does not exist", p.display())));
            }
            Some(p) => looked.push(format!("{place} ({} missing)", p.display())),
            None if i < 2 => looked.push(format!("{place} (not set)")),
            None => looked.push(format!("{place}libonnxruntime.so* (no match)")),
        }
    }
    if candidates.len() == 2 {
        looked.push("no .venv in the current directory, CARGO_MANIFEST_DIR or their parents".into());
    }
    Err(Error::model(
        RUNTIME,
        format!(
            "ONNX Runtime library not found; looked at: {}. Install it with `python3 -m venv .venv && .venv/bin/pip install onnxruntime` in the project, or set ORT_DYLIB_PATH",
            looked.join("; ")
        ),
    ))
}

/// Open a pool of `config.sessions` sessions of the ONNX file `path` on the process runtime
/// (loaded on first use as described in [`find_library`]). For crates that run their own
/// models through govai's runtime (e.g. govai-ocr); `model_id` names the model in errors.
pub fn session_pool(model_id: &str, path: &Path, config: &RuntimeConfig) -> Result<SessionPool> {
    Runtime::get(config)?.pool(model_id, path, config)
}

/// A fixed set of sessions of one model. `get` hands out a free one, waiting if all are busy.
#[derive(Debug)]
pub struct SessionPool {
    free: Mutex<Vec<Session>>,
    ready: Condvar,
    /// Input and output names of the first session (all sessions are the same model).
    inputs: Vec<(String, Option<ort::value::TensorElementType>, Vec<i64>)>,
    outputs: Vec<String>,
}

impl SessionPool {
    fn new(sessions: Vec<Session>) -> Self {
        let (inputs, outputs) = sessions
            .first()
            .map(|s| {
                let ins = s
                    .inputs()
                    .iter()
                    .map(|i| {
                        let shape = i.dtype().tensor_shape().map(|sh| sh.iter().copied().collect()).unwrap_or_default();
                        (i.name().to_string(), i.dtype().tensor_type(), shape)
                    })
                    .collect();
                let outs = s.outputs().iter().map(|o| o.name().to_string()).collect();
                (ins, outs)
            })
            .unwrap_or_default();
        Self { free: Mutex::new(sessions), ready: Condvar::new(), inputs, outputs }
    }

    /// Input names, element types and declared shapes (-1 = dynamic).
    pub(crate) fn inputs(&self) -> &[(String, Option<ort::value::TensorElementType>, Vec<i64>)] {
        &self.inputs
    }

    /// Output names.
    pub(crate) fn outputs(&self) -> &[String] {
        &self.outputs
    }

    pub(crate) fn has_input(&self, name: &str) -> bool {
        self.inputs.iter().any(|(n, _, _)| n == name)
    }

    /// Take a session for the duration of the returned guard.
    pub fn get(&self) -> PooledSession<'_> {
        let mut free = lock(&self.free);
        loop {
            if let Some(s) = free.pop() {
                return PooledSession { pool: self, session: Some(s) };
            }
            free = self.ready.wait(free).unwrap_or_else(|e| e.into_inner());
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A session borrowed from a [`SessionPool`]; returned on drop.
#[derive(Debug)]
pub struct PooledSession<'p> {
    pool: &'p SessionPool,
    session: Option<Session>,
}

impl std::ops::Deref for PooledSession<'_> {
    type Target = Session;
    fn deref(&self) -> &Session {
        self.session.as_ref().expect("session present until drop")
    }
}

impl std::ops::DerefMut for PooledSession<'_> {
    fn deref_mut(&mut self) -> &mut Session {
        self.session.as_mut().expect("session present until drop")
    }
}

impl Drop for PooledSession<'_> {
    fn drop(&mut self) {
        if let Some(s) = self.session.take() {
            lock(&self.pool.free).push(s);
            self.pool.ready.notify_one();
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn library_search_lists_every_place() {
        let c = super::library_candidates(None);
        assert_eq!(c[0].0, "config runtime.library_path");
        assert_eq!(c[1].0, "ORT_DYLIB_PATH");
        // Running under cargo, the workspace .venv (if any) is found from CARGO_MANIFEST_DIR.
        let venv = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv");
        if venv.is_dir() {
            assert!(c.iter().any(|(p, _)| p.contains(".venv")), "{c:?}");
        }
    }
}
