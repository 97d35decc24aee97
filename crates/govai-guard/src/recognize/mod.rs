//! Recognizers and the classifier (being written).

/// The built-in rule-based classifier.
#[derive(Debug, Default)]
pub struct GuardClassifier;
