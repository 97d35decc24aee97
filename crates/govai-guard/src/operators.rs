//! De-identification operators (being written).
