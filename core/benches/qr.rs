//! QR channel benchmark: encode one 1,540-character alphanumeric frame ("RL1:" + Base45-like
//! text, ECC M), render it as PNG, decode a synthetic 1280×720 camera frame holding that code at
//! 80 % of the frame height (grey background, nearest-neighbour scaling, 3×3 box blur), and
//! decode from PNG bytes. Target from docs: decode of one 1280×720 frame ≤ 30 ms.
//!
//! Run: `cargo bench -p relais-core --bench qr -- --warm-up-time 1 --measurement-time 3`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // benchmark set-up

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use relais_core::handover::qr::synthetic::{camera_frame, frame_text};
use relais_core::handover::qr::{Ecc, decode_image, decode_luma, encode, to_png};

const FRAME_CHARS: usize = 1540;

fn bench_qr(c: &mut Criterion) {
    let text = frame_text(FRAME_CHARS, 42);
    let matrix = encode(&text, Ecc::M).unwrap();
    let png = to_png(&matrix, 4, 4).unwrap();
    eprintln!(
        "frame: {} chars -> version {} ({}×{} modules), PNG at 4 px/module: {} bytes",
        text.len(),
        matrix.version,
        matrix.size,
        matrix.size,
        png.len()
    );
    let clean = camera_frame(&matrix, 1280, 720, 0.8, false);
    let blurred = camera_frame(&matrix, 1280, 720, 0.8, true);
    let blurred_1080 = camera_frame(&matrix, 1920, 1080, 0.8, true);
    for (name, frame, w, h) in [
        ("720p clean", &clean, 1280, 720),
        ("720p blurred", &blurred, 1280, 720),
        ("1080p blurred", &blurred_1080, 1920, 1080),
    ] {
        assert_eq!(
            decode_luma(w, h, frame).unwrap(),
            vec![text.clone()],
            "{name}"
        );
    }
    assert_eq!(decode_image(&png).unwrap(), vec![text.clone()]);
    let empty = vec![128u8; 1280 * 720];

    let mut g = c.benchmark_group("qr");
    g.bench_function("encode_1540_alnum_M", |b| {
        b.iter(|| encode(black_box(&text), Ecc::M).unwrap())
    });
    g.bench_function("to_png_4px", |b| {
        b.iter(|| to_png(black_box(&matrix), 4, 4).unwrap())
    });
    g.bench_function("decode_luma_1280x720_clean", |b| {
        b.iter(|| decode_luma(1280, 720, black_box(&clean)).unwrap())
    });
    g.bench_function("decode_luma_1280x720_blurred", |b| {
        b.iter(|| decode_luma(1280, 720, black_box(&blurred)).unwrap())
    });
    g.bench_function("decode_luma_1920x1080_blurred", |b| {
        b.iter(|| decode_luma(1920, 1080, black_box(&blurred_1080)).unwrap())
    });
    g.bench_function("decode_luma_1280x720_no_code", |b| {
        b.iter(|| decode_luma(1280, 720, black_box(&empty)).unwrap())
    });
    g.bench_function("decode_image_png_4px", |b| {
        b.iter(|| decode_image(black_box(&png)).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench_qr);
criterion_main!(benches);
