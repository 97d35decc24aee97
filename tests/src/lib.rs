//! govai-integration-tests (being written).
