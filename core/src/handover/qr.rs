//! QR rendering and decoding (being written).
