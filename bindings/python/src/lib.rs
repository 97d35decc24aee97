//! govai-python (being written).
