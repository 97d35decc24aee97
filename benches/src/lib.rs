//! govai-benches (being written).
