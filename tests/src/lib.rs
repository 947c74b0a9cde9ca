//! Helpers for the golden-vector tests.
