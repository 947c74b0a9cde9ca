//! Cross-check the QR encoder against an independent decoder: PNG frames written by
//! `relais_core::handover::qr::to_png` must be read back exactly by ZBar's `zbarimg`.
//!
//! Needs `zbarimg` on PATH (Debian/Ubuntu: `apt-get install zbar-tools`; CI installs it). The
//! test fails, rather than skipping, when it is missing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

use std::path::Path;
use std::process::Command;

use relais_core::handover::qr::synthetic::frame_text;
use relais_core::handover::qr::{Ecc, encode, to_png};

fn zbarimg(path: &Path) -> String {
    let output = match Command::new("zbarimg")
        .args(["--quiet", "--raw"])
        .arg(path)
        .output()
    {
        Ok(o) => o,
        Err(e) => panic!(
            "cannot run `zbarimg` ({e}): install zbar-tools (`apt-get install -y zbar-tools`; \
             CI installs it) to run this cross-decoder test"
        ),
    };
    assert!(
        output.status.success(),
        "zbarimg failed on {} ({}): {}",
        path.display(),
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let mut text = String::from_utf8(output.stdout).expect("zbarimg printed non-UTF-8");
    // --raw prints the symbol data followed by a newline.
    assert!(text.ends_with('\n'), "unexpected zbarimg output {text:?}");
    text.pop();
    text
}

#[test]
fn zbarimg_reads_our_png_frames() {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(String, Ecc, u32)> = vec![
        ("RL1:HELLO".to_owned(), Ecc::M, 4),
        (frame_text(120, 1), Ecc::L, 4),
        (frame_text(400, 2), Ecc::H, 4),
        (frame_text(1500, 3), Ecc::M, 4),
        (frame_text(1540, 4), Ecc::M, 4),
        (frame_text(1540, 5), Ecc::M, 3),
        ("mixed case & bytes: {\"case\": 42}".to_owned(), Ecc::M, 4),
        ("Überweisung — 案件 №42 ✓".to_owned(), Ecc::M, 4),
    ];
    for (i, (text, ecc, module_px)) in cases.iter().enumerate() {
        let m = encode(text, *ecc).unwrap();
        let path = dir.path().join(format!("frame-{i}.png"));
        std::fs::write(&path, to_png(&m, *module_px, 4).unwrap()).unwrap();
        let got = zbarimg(&path);
        assert_eq!(
            &got,
            text,
            "frame {i}: {} chars, version {}, ECC {ecc:?}, {module_px} px/module",
            text.len(),
            m.version
        );
        eprintln!(
            "zbarimg ok: frame {i}, {} chars, v{} ({}×{}), ECC {ecc:?}, {module_px} px/module",
            text.len(),
            m.version,
            m.size,
            m.size
        );
    }
}
