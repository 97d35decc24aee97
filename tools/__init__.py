"""govai Python tools (model importer). Not part of the Rust library."""
