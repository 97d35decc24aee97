//! govai (being written).
