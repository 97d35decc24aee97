//! govai-retrieval (being written).
