//! govai-c (being written).
