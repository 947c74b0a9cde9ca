//! LT fountain code and frame text format (being written).
