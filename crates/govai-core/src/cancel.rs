//! [`Cancel`]: a request's cancellation handle, set from any thread, seen by the pipeline at
//! the model's next token.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// A cancellation handle for one request: give it to
/// [`Deployment::handle_stream_with_cancel`](crate::Deployment::handle_stream_with_cancel)
/// and call [`cancel`](Self::cancel) from anywhere (another thread, a timer, a dropped
/// connection). Clones share one flag.
///
/// The pipeline looks at the handle before it calls the model (a request cancelled before then
/// never reaches a model) and at every piece of text the model produces, before doing any
/// work on it, so generation stops within a token: a remote model's connection is closed, a
/// local model stops generating. Either way the request ends with outcome `cancelled` and its
/// audit record. Cancelling a request that has already finished does nothing.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// A handle not yet cancelled.
    pub fn new() -> Self {
        Self::default()
    }

    /// Ask the request to stop. Idempotent; takes effect at the model's next token.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether [`cancel`](Self::cancel) has been called on this handle or a clone of it.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::Cancel;

    #[test]
    fn clones_share_the_flag() {
        let a = Cancel::new();
        let b = a.clone();
        assert!(!a.is_cancelled() && !b.is_cancelled());
        b.cancel();
        assert!(a.is_cancelled() && b.is_cancelled());
        a.cancel();
        assert!(a.is_cancelled());
    }

    #[test]
    fn works_across_threads() {
        let a = Cancel::new();
        let b = a.clone();
        std::thread::spawn(move || b.cancel()).join().ok();
        assert!(a.is_cancelled());
    }
}
