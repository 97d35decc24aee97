//! Rule-based reviewers (being written).
