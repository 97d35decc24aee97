//! govai-python: the native part of the Python package `govai` (module `govai._native`).
//!
//! The pure-Python package (`python/govai/`) re-exports what is defined here and defines the
//! exception hierarchy (`govai.exceptions`); errors of govai are turned into those exceptions
//! by their stable `ErrorKind` name only (see `to_py_err`).
//!
//! Arguments are converted to owned Rust values first; the pipeline, scanning and audit
//! verification then run with the GIL released (`Python::detach`), so other Python threads
//! keep running and several threads may use one `Deployment` in parallel.
//!
//! `Deployment.stream` runs `Deployment::handle_stream` on a Rust thread of its own (see
//! `PyResponseStream`): reviewed chunks cross to Python over a bounded channel, and the
//! Python side waits for them with the GIL released.

use std::collections::HashMap;
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use govai::answer_review::ReviewRequest;
use govai::documents::{CheckDocuments, Checklists, Submission};
use govai::recognize::GuardClassifier;
use govai::recognize::operators::Operator;
use govai::{Classification, Deployment, Error, Message, Request, Response, Role};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyList, PyString};
use serde_json::Value;

/// Built once (it compiles its recognizers), shared by all threads.
static CLASSIFIER: LazyLock<Arc<GuardClassifier>> = LazyLock::new(govai::default_classifier);

/// The Python exception for a govai error: `govai.exceptions._from_kind(kind, message)` picks
/// the subclass of `GovaiError` for the `ErrorKind` name.
fn to_py_err(py: Python<'_>, e: &Error) -> PyErr {
    let message = govai::error::message_with_sources(e);
    let kind = e.kind().as_str();
    let made = py
        .import("govai.exceptions")
        .and_then(|m| m.getattr("_from_kind"))
        .and_then(|f| f.call1((kind, message.as_str())));
    match made {
        Ok(exc) => PyErr::from_value(exc),
        Err(import_error) => {
            let err = PyRuntimeError::new_err(format!("govai error ({kind}): {message}"));
            err.set_cause(py, Some(import_error));
            err
        }
    }
}

/// Invalid input raised from this module itself (not from govai), as `InvalidInputError`.
fn invalid_input(py: Python<'_>, message: String) -> PyErr {
    to_py_err(py, &Error::InvalidInput(message))
}

/// A JSON value as plain Python objects (dict, list, str, int, float, bool, None).
fn to_py<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, item) in map {
                dict.set_item(k, to_py(py, item)?)?;
            }
            dict.into_any()
        }
    })
}

/// Serialise a result and convert it to plain Python objects. Goes through JSON text so that
/// numbers are exactly those of the JSON form (the CLI and C API print), e.g. an `f32` score
/// 0.85 stays 0.85 instead of becoming 0.8500000238418579.
fn to_py_value<'py>(py: Python<'py>, value: &impl serde::Serialize) -> PyResult<Bound<'py, PyAny>> {
    let v = serde_json::to_string(value)
        .and_then(|s| serde_json::from_str::<Value>(&s))
        .map_err(|e| to_py_err(py, &Error::Internal(format!("cannot serialise the result: {e}"))))?;
    to_py(py, &v)
}

/// A govai deployment: scenarios bound to models, classifiers, reviewers, policy, labels and
/// an audit log, built from a TOML configuration. Immutable and thread-safe: share one
/// instance between threads.
#[pyclass(module = "govai", name = "Deployment", frozen)]
struct PyDeployment {
    inner: Arc<Deployment>,
    /// The config's `[[checklists]]`, for `check_documents`.
    checklists: Arc<Checklists>,
}

impl PyDeployment {
    fn from_parts((deployment, checklists): (Deployment, Checklists)) -> Self {
        Self { inner: Arc::new(deployment), checklists: Arc::new(checklists) }
    }
}

#[pymethods]
impl PyDeployment {
    /// Load a deployment from a TOML config file; relative paths in it are relative to the
    /// file's directory.
    #[new]
    fn new(py: Python<'_>, config_path: PathBuf) -> PyResult<Self> {
        let loaded = py.detach(|| govai::documents::load(&config_path));
        loaded.map(Self::from_parts).map_err(|e| to_py_err(py, &e))
    }

    /// Build a deployment from TOML text; relative paths resolve against `base_dir`.
    #[staticmethod]
    #[pyo3(signature = (text, base_dir = None))]
    fn from_toml(py: Python<'_>, text: String, base_dir: Option<PathBuf>) -> PyResult<Self> {
        let base_dir = base_dir.unwrap_or_else(|| PathBuf::from("."));
        let built = py.detach(|| govai::documents::from_toml_str(&text, &base_dir));
        built.map(Self::from_parts).map_err(|e| to_py_err(py, &e))
    }

    /// Handle one request through the whole pipeline and return the response as a dict.
    #[pyo3(signature = (scenario, text, documents = None, user = None, request_id = None))]
    fn handle<'py>(
        &self,
        py: Python<'py>,
        scenario: String,
        text: String,
        documents: Option<Vec<String>>,
        user: Option<String>,
        request_id: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let request =
            Request { documents: documents.unwrap_or_default(), user, request_id, ..Request::new(scenario, text) };
        self.handle_request(py, request)
    }

    /// Record a citizen's rating (1 bad .. 5 good) of the answer whose audit id is `audit_id`
    /// (the response's `audit_id`), with an optional comment (only its SHA-256 is written) and
    /// who reports it. An audit record of kind `feedback`; returns its audit id. Raises
    /// `InvalidInputError` (rating outside 1-5, comment over 64 KiB) or `NotFoundError` (no
    /// record with that audit id).
    #[pyo3(signature = (audit_id, rating, comment = None, *, user = None))]
    fn feedback(
        &self,
        py: Python<'_>,
        audit_id: u64,
        rating: u8,
        comment: Option<String>,
        user: Option<String>,
    ) -> PyResult<u64> {
        let feedback = govai::Feedback { audit_id, rating, comment: comment.unwrap_or_default(), user };
        let inner = self.inner.clone();
        let receipt = py.detach(move || inner.record_feedback(&feedback));
        receipt.map(|r| r.seq).map_err(|e| to_py_err(py, &e))
    }

    /// Handle a conversation: `messages` is a list of `{"role": "system"|"user"|"assistant",
    /// "content": str}` dicts, oldest first, ending with the user's question. Every user turn
    /// is screened, one pseudonym vault covers all turns, system turns are kept only for caller
    /// roles the policy allows. The response's `conversation_id` continues the conversation
    /// (pass it back with only the new turns).
    #[pyo3(signature = (scenario, messages, *, documents = None, user = None, user_role = None, request_id = None, conversation_id = None))]
    #[allow(clippy::too_many_arguments, reason = "Python keyword arguments")]
    fn chat<'py>(
        &self,
        py: Python<'py>,
        scenario: String,
        messages: Vec<HashMap<String, String>>,
        documents: Option<Vec<String>>,
        user: Option<String>,
        user_role: Option<String>,
        request_id: Option<String>,
        conversation_id: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let messages = to_messages(messages).map_err(|e| to_py_err(py, &e))?;
        let request = Request {
            documents: documents.unwrap_or_default(),
            user,
            user_role,
            request_id,
            conversation_id,
            ..Request::chat(scenario, messages)
        };
        self.handle_request(py, request)
    }

    /// Handle a request, streaming the answer: returns a `ResponseStream` that yields the
    /// reviewed text in chunks as the model generates it (run on a background thread; errors
    /// are raised by the iteration); its `response` is the final response dict. Give `text`, or
    /// `messages` (a conversation, as for `chat`), not both.
    #[pyo3(signature = (scenario, text = None, *, messages = None, documents = None, user = None, user_role = None, request_id = None, conversation_id = None))]
    #[allow(clippy::too_many_arguments, reason = "Python keyword arguments")]
    fn stream(
        &self,
        py: Python<'_>,
        scenario: String,
        text: Option<String>,
        messages: Option<Vec<HashMap<String, String>>>,
        documents: Option<Vec<String>>,
        user: Option<String>,
        user_role: Option<String>,
        request_id: Option<String>,
        conversation_id: Option<String>,
    ) -> PyResult<PyResponseStream> {
        let messages = to_messages(messages.unwrap_or_default()).map_err(|e| to_py_err(py, &e))?;
        let request = Request {
            text: text.unwrap_or_default(),
            messages,
            documents: documents.unwrap_or_default(),
            user,
            user_role,
            request_id,
            conversation_id,
            ..Request::new(scenario, "")
        };
        PyResponseStream::start(Arc::clone(&self.inner), request).map_err(|e| to_py_err(py, &e))
    }

    /// Handle a request given as a JSON string (the C API's form); returns the response JSON.
    fn handle_json(&self, py: Python<'_>, request_json: &str) -> PyResult<String> {
        let request: Request =
            serde_json::from_str(request_json).map_err(|e| invalid_input(py, format!("request JSON: {e}")))?;
        let deployment = &self.inner;
        let response = py.detach(|| deployment.handle(request)).map_err(|e| to_py_err(py, &e))?;
        serde_json::to_string(&response).map_err(|e| to_py_err(py, &Error::Internal(e.to_string())))
    }

    /// Check an applicant's recognised pages (OCR output) against a checklist of the
    /// deployment (`[[checklists]]`; assisted handling, 辅助办理) and return the result as a
    /// dict: per material `status` (present / missing / unreadable / invalid / incomplete /
    /// not_needed), per field `status`, `page`, `line` and masked `value`, `personal_data`,
    /// masked `pages`, `gate`, `audit_id`, and always `decision == "clerk"`: it prepares a
    /// clerk's review and decides nothing. `pages` is a list of `{"file": str, "lines":
    /// [{"text": str, "confidence": float, "bbox": [[x, y]] * 4 (optional)}], "file_sha256":
    /// str (optional)}` dicts in scan order; `as_of` (`"YYYY-MM-DD"` or a `datetime.date`) is
    /// the date validity periods are judged on (default today, UTC+8). Writes a
    /// `document_check` audit record.
    #[pyo3(signature = (scenario, pages, *, checklist = None, as_of = None, user = None, request_id = None))]
    #[allow(clippy::too_many_arguments, reason = "Python keyword arguments")]
    fn check_documents<'py>(
        &self,
        py: Python<'py>,
        scenario: String,
        pages: Bound<'py, PyAny>,
        checklist: Option<String>,
        as_of: Option<Bound<'py, PyAny>>,
        user: Option<String>,
        request_id: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let pages_json: String = py.import("json")?.call_method1("dumps", (pages,))?.extract()?;
        let pages: Value = serde_json::from_str(&pages_json).map_err(|e| invalid_input(py, format!("pages: {e}")))?;
        let as_of = as_of.map(|d| d.str().map(|s| s.to_string())).transpose()?;
        let submission: Submission = serde_json::from_value(serde_json::json!({
            "pages": pages,
            "checklist": checklist,
            "as_of": as_of,
            "user": user,
            "request_id": request_id,
        }))
        .map_err(|e| invalid_input(py, format!("check_documents: {e}")))?;
        let (deployment, checklists) = (&self.inner, &self.checklists);
        let result = py
            .detach(|| deployment.check_documents(checklists, &scenario, &submission))
            .map_err(|e| to_py_err(py, &e))?;
        to_py_value(py, &result)
    }

    /// The name of the deployment (`[deployment] name`).
    #[getter]
    fn name(&self) -> &str {
        self.inner.name()
    }

    /// The ids of the enabled scenarios.
    #[getter]
    fn scenarios(&self) -> Vec<String> {
        self.inner.scenario_ids().map(str::to_owned).collect()
    }

    /// The path of the audit log.
    #[getter]
    fn audit_path(&self) -> PathBuf {
        self.inner.audit_log().path().to_owned()
    }

    fn __repr__(&self) -> String {
        format!("<govai.Deployment {:?} scenarios={:?}>", self.inner.name(), self.scenarios())
    }
}

impl PyDeployment {
    /// Run a request with the GIL released and convert the response to a dict.
    fn handle_request<'py>(&self, py: Python<'py>, request: Request) -> PyResult<Bound<'py, PyAny>> {
        let deployment = &self.inner;
        let response = py.detach(|| deployment.handle(request)).map_err(|e| to_py_err(py, &e))?;
        to_py_value(py, &response)
    }
}

/// A list of `{"role", "content"}` dicts as messages (see [`to_message`]).
fn to_messages(messages: Vec<HashMap<String, String>>) -> govai::Result<Vec<Message>> {
    messages.into_iter().map(to_message).collect()
}

/// One `{"role", "content"}` dict as a message; other keys and unknown roles are refused by name.
fn to_message(mut m: HashMap<String, String>) -> govai::Result<Message> {
    let role = m.remove("role").ok_or_else(|| Error::InvalidInput("message has no `role`".into()))?;
    let content = m.remove("content").ok_or_else(|| Error::InvalidInput("message has no `content`".into()))?;
    if let Some(key) = m.keys().next() {
        return Err(Error::InvalidInput(format!("message has an unknown key `{key}` (expected role, content)")));
    }
    let role: Role = serde_json::from_value(serde_json::Value::String(role.clone()))
        .map_err(|_| Error::InvalidInput(format!("message role `{role}` is not one of system, user, assistant")))?;
    Ok(Message { role, content })
}

/// Chunks a stream's worker may send ahead of the reader before it waits: how far generation
/// runs ahead of a slow reader, and so about how many more chunks a cancelled stream generates.
const STREAM_AHEAD_CHUNKS: usize = 4;

/// How often a reader waiting for a chunk checks for signals (Ctrl-C).
const SIGNAL_CHECK: Duration = Duration::from_millis(100);

/// Locks a mutex; a panic while it was held cannot leave these simple values inconsistent.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A streamed request (`Deployment.stream`): iterate it for the reviewed text chunks, then
/// read `response`. `close()` (or leaving a `with` block, or garbage collection) cancels an
/// unfinished stream and joins its thread.
///
/// A worker thread runs `Deployment::handle_stream` (holding its own `Arc` of the deployment,
/// so dropping the Python `Deployment` meanwhile is safe) and sends each chunk over a bounded
/// channel; the reader waits with the GIL released. Cancelling sets a flag the worker's
/// callback checks and drops the receiver (waking a worker blocked on a full channel): the
/// callback then returns `Break`, the pipeline ends with outcome `cancelled` and the thread
/// ends. Every path that ends the stream joins the thread.
#[pyclass(module = "govai", name = "ResponseStream", frozen)]
struct PyResponseStream {
    /// Chunks from the worker; `None` once the stream is finished or closed.
    chunks: Mutex<Option<Receiver<String>>>,
    /// The worker, until joined; the lock is held while joining, so a second caller waits
    /// for the result instead of seeing none.
    worker: Mutex<Option<JoinHandle<govai::Result<Response>>>>,
    /// The pipeline's result, once the worker is joined.
    result: Mutex<Option<govai::Result<Response>>>,
    /// Asks the worker's callback to return `Break`.
    cancel: Arc<AtomicBool>,
    /// The pipeline's error was raised by `__next__` already (it is raised once).
    error_raised: AtomicBool,
}

impl PyResponseStream {
    fn start(deployment: Arc<Deployment>, request: Request) -> govai::Result<Self> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<String>(STREAM_AHEAD_CHUNKS);
        let cancel = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&cancel);
        let worker = std::thread::Builder::new()
            .name("govai-stream".into())
            .spawn(move || {
                let mut on_text = |chunk: &str| {
                    // A closed reader (dropped receiver) fails the send: stop too.
                    if flag.load(Ordering::Acquire) || tx.send(chunk.to_owned()).is_err() {
                        return ControlFlow::Break(());
                    }
                    if flag.load(Ordering::Acquire) { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
                };
                // `tx` is dropped when this closure returns: the reader then sees the end.
                deployment.handle_stream(request, &mut on_text)
            })
            .map_err(|e| Error::Internal(format!("cannot start the streaming thread: {e}")))?;
        Ok(Self {
            chunks: Mutex::new(Some(rx)),
            worker: Mutex::new(Some(worker)),
            result: Mutex::new(None),
            cancel,
            error_raised: AtomicBool::new(false),
        })
    }

    /// Ends the stream: with `cancel`, asks the worker to stop at its next chunk; drops the
    /// receiver (unsent chunks are discarded) and joins the thread, keeping its result.
    /// Blocks: call with the GIL released.
    fn join(&self, cancel: bool) {
        if cancel {
            self.cancel.store(true, Ordering::Release);
        }
        // A reader waiting in another thread holds this lock for at most `SIGNAL_CHECK`.
        drop(lock(&self.chunks).take());
        let mut worker = lock(&self.worker);
        if let Some(handle) = worker.take() {
            let result = handle.join().unwrap_or_else(|panic| {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".to_owned());
                Err(Error::Internal(format!("the streaming thread panicked: {what}")))
            });
            *lock(&self.result) = Some(result);
        }
    }
}

#[pymethods]
impl PyResponseStream {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    /// The next reviewed chunk; waits for it with the GIL released (checking for signals such
    /// as Ctrl-C every 0.1 s). At the end of the stream the thread is joined and a
    /// pipeline error is raised (once) as a `GovaiError`.
    fn __next__(&self, py: Python<'_>) -> PyResult<Option<String>> {
        loop {
            let next = py.detach(|| match lock(&self.chunks).as_ref() {
                Some(rx) => rx.recv_timeout(SIGNAL_CHECK),
                None => Err(RecvTimeoutError::Disconnected),
            });
            match next {
                Ok(chunk) => return Ok(Some(chunk)),
                // A KeyboardInterrupt leaves the stream open: `close()` or collection cancels it.
                Err(RecvTimeoutError::Timeout) => py.check_signals()?,
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        py.detach(|| self.join(false));
        if let Some(Err(e)) = lock(&self.result).as_ref()
            && !self.error_raised.swap(true, Ordering::AcqRel)
        {
            return Err(to_py_err(py, e));
        }
        Ok(None)
    }

    /// Cancel the stream if it is still running and wait for its thread to end. The response
    /// of a cancelled stream has outcome `cancelled`. Idempotent.
    fn close(&self, py: Python<'_>) {
        py.detach(|| self.join(true));
    }

    fn __enter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    /// Closes the stream (cancelling it if unfinished); exceptions propagate.
    #[pyo3(signature = (exc_type = None, exc_value = None, traceback = None))]
    #[allow(unused_variables)]
    fn __exit__(
        &self,
        py: Python<'_>,
        exc_type: Option<Bound<'_, PyAny>>,
        exc_value: Option<Bound<'_, PyAny>>,
        traceback: Option<Bound<'_, PyAny>>,
    ) -> bool {
        self.close(py);
        false
    }

    /// The final response (a dict, as `Deployment.handle` returns, with `stream` set:
    /// `released_chars`, `received_chars`, `stopped_by_review`, `cancelled`, `review_us`). Available once the
    /// stream is exhausted or closed; raises `RuntimeError` before, and the pipeline's
    /// `GovaiError` if the request failed.
    #[getter]
    fn response<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match lock(&self.result).as_ref() {
            Some(Ok(response)) => to_py_value(py, response),
            Some(Err(e)) => Err(to_py_err(py, e)),
            None => Err(PyRuntimeError::new_err(
                "the stream is not finished: iterate it to the end or close() it before reading `response`",
            )),
        }
    }

    /// True once the stream has ended (exhausted, failed or closed) and its thread is joined.
    #[getter]
    fn finished(&self) -> bool {
        lock(&self.result).is_some()
    }

    fn __repr__(&self) -> String {
        let state = match lock(&self.result).as_ref() {
            None => "running".to_owned(),
            Some(Ok(r)) => r.outcome.as_str().to_owned(),
            Some(Err(e)) => format!("error {}", e.kind().as_str()),
        };
        format!("<govai.ResponseStream {state}>")
    }
}

impl Drop for PyResponseStream {
    /// Garbage collection of an unfinished stream cancels it and joins the thread, with the
    /// GIL released while waiting when Python is still there to release it.
    fn drop(&mut self) {
        let running = lock(&self.worker).is_some();
        if running && Python::try_attach(|py| py.detach(|| self.join(true))).is_none() {
            self.join(true);
        }
    }
}

/// Classify text with the built-in classifier (what `govai scan` does):
/// `{"level": ..., "findings": [...], "reasons": [...]}`.
#[pyfunction]
fn scan<'py>(py: Python<'py>, text: String) -> PyResult<Bound<'py, PyAny>> {
    let classification = py.detach(|| CLASSIFIER.scan(&text));
    to_py_value(py, &classification)
}

/// Parse an operator in its string form (`mask`, `mask:F:L`, `mask:F:L:C`, `replace`, `redact`,
/// `hash:HEXKEY`, `pseudonymize`) by the rule shared with the CLI and C
/// (`govai::operator_from_spec`): `hash` needs a non-empty hex key (an unkeyed hash of a phone or
/// ID number is easily reversed by trying every value); no environment fallback.
fn parse_operator(py: Python<'_>, operator: &str) -> PyResult<Operator> {
    govai::operator_from_spec(operator, None, None).map_err(|e| to_py_err(py, &e))
}

fn mask_one(text: &str, op: &Operator) -> String {
    govai::mask_text(&CLASSIFIER, text, op)
}

/// Scan a batch of texts in one call, with the GIL released for the whole batch; returns one
/// dict per text, in order (each as `scan` returns it).
#[pyfunction]
fn scan_many<'py>(py: Python<'py>, texts: Vec<String>) -> PyResult<Bound<'py, PyList>> {
    let results: Vec<Classification> = py.detach(|| texts.iter().map(|t| CLASSIFIER.scan(t)).collect());
    let out = PyList::empty(py);
    for c in &results {
        out.append(to_py_value(py, c)?)?;
    }
    Ok(out)
}

/// De-identify `text`: every finding of the built-in classifier rewritten with `operator`.
#[pyfunction]
#[pyo3(signature = (text, operator = "mask"))]
fn mask(py: Python<'_>, text: String, operator: &str) -> PyResult<String> {
    let op = parse_operator(py, operator)?;
    Ok(py.detach(|| mask_one(&text, &op)))
}

/// `mask` over a batch of texts in one call, with the GIL released for the whole batch.
#[pyfunction]
#[pyo3(signature = (texts, operator = "mask"))]
fn mask_many(py: Python<'_>, texts: Vec<String>, operator: &str) -> PyResult<Vec<String>> {
    let op = parse_operator(py, operator)?;
    Ok(py.detach(|| texts.iter().map(|t| mask_one(t, &op)).collect()))
}

/// Review an answer with the built-in reviewers its scenario requires (as
/// `govai review --json`): request and result as JSON text (`govai.review` wraps it).
#[pyfunction]
fn review_json(py: Python<'_>, request_json: &str) -> PyResult<String> {
    let request: ReviewRequest =
        serde_json::from_str(request_json).map_err(|e| invalid_input(py, format!("review request JSON: {e}")))?;
    let result = py.detach(|| govai::answer_review::review(request)).map_err(|e| to_py_err(py, &e))?;
    serde_json::to_string(&serde_json::json!({"verdict": result.verdict, "findings": result.findings}))
        .map_err(|e| to_py_err(py, &Error::Internal(e.to_string())))
}

/// Verify an audit log's hash chain and anchor; returns the report (`intact` is the one bit a
/// caller needs). A tampered log is a report with `intact == False`, not an exception.
#[pyfunction]
#[pyo3(signature = (path, anchor = None))]
fn verify_audit<'py>(py: Python<'py>, path: PathBuf, anchor: Option<PathBuf>) -> PyResult<Bound<'py, PyAny>> {
    let report = py.detach(|| govai::audit::verify(&path, anchor.as_deref())).map_err(|e| to_py_err(py, &e))?;
    to_py_value(py, &report)
}

/// The native part of `govai` (import `govai`, not this module).
#[pymodule(gil_used = false)]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<PyDeployment>()?;
    m.add_class::<PyResponseStream>()?;
    m.add_function(wrap_pyfunction!(scan, m)?)?;
    m.add_function(wrap_pyfunction!(scan_many, m)?)?;
    m.add_function(wrap_pyfunction!(mask, m)?)?;
    m.add_function(wrap_pyfunction!(mask_many, m)?)?;
    m.add_function(wrap_pyfunction!(review_json, m)?)?;
    m.add_function(wrap_pyfunction!(verify_audit, m)?)?;
    Ok(())
}
