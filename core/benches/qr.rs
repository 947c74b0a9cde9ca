//! QR channel benchmark: encode one 1,540-character alphanumeric frame ("RL1:" + Base45-like
//! text, ECC M), render it as PNG, decode a synthetic 1280×720 camera frame holding that code at
//! 80 % of the frame height (grey background, nearest-neighbour scaling, 3×3 box blur), and
//! decode from PNG bytes. Target from docs: decode of one 1280×720 frame ≤ 30 ms.
//!
//! Run: `cargo bench -p relais-core --bench qr -- --warm-up-time 1 --measurement-time 3`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // benchmark set-up

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use relais_core::handover::qr::{Ecc, QrMatrix, decode_image, decode_luma, encode, to_png};

const BASE45: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
const FRAME_CHARS: usize = 1540;

fn frame_text(len: usize, seed: u64) -> String {
    let mut state = seed | 1;
    let mut s = String::from("RL1:");
    while s.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        s.push(char::from(BASE45[(state % 45) as usize]));
    }
    s.truncate(len);
    s
}

/// Grey frame with the code (plus 4-module quiet zone) scaled to `fraction` of the height.
fn camera_frame(m: &QrMatrix, width: usize, height: usize, fraction: f64, blur: bool) -> Vec<u8> {
    let mut frame = vec![128u8; width * height];
    let modules = m.size + 8;
    let target = (height as f64 * fraction) as usize;
    let (x0, y0) = ((width - target) / 2, (height - target) / 2);
    for py in 0..target {
        let my = py * modules / target;
        for px in 0..target {
            let mx = px * modules / target;
            let dark = mx >= 4 && my >= 4 && m.get(mx - 4, my - 4);
            frame[(y0 + py) * width + x0 + px] = if dark { 35 } else { 225 };
        }
    }
    if blur {
        let src = frame.clone();
        for y in 1..height - 1 {
            for x in 1..width - 1 {
                let mut sum = 0u32;
                for dy in 0..3 {
                    for dx in 0..3 {
                        sum += u32::from(src[(y + dy - 1) * width + x + dx - 1]);
                    }
                }
                frame[y * width + x] = (sum / 9) as u8;
            }
        }
    }
    frame
}

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
