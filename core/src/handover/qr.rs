//! QR rendering and decoding for the animated-QR handover channel.
//!
//! Frames are text in the QR alphanumeric set (`0-9 A-Z space $ % * + - . / :`, e.g. `"RL1:"`
//! followed by Base45). [`encode`] turns any text into a [`QrMatrix`], using the densest legal
//! segmentation: text made only of alphanumeric-set characters never falls back to byte mode
//! (long digit runs may use numeric segments, which are denser still). Other text is encoded in
//! byte mode; non-ASCII text carries a UTF-8 ECI designator so decoders don't guess the charset.
//!
//! Rendering: [`to_png`], [`to_svg`], [`to_terminal`] (Unicode half blocks with explicit ANSI
//! colours), [`to_terminal_plain`] and [`to_gif`] (animated, looping forever).
//!
//! Decoding uses `rxing` (a ZXing port) in try-harder mode with its multi-symbol readers:
//! [`decode_luma`] takes a raw 8-bit grayscale camera frame (what phone camera APIs deliver),
//! [`decode_image`] takes PNG, JPEG or GIF bytes (first frame of a GIF).
//!
//! Capacity reminder (ISO 18004, ECC M, alphanumeric mode): version 25 (117×117 modules) holds at
//! most 1,451 characters; a 1,540-character frame needs version 26 (121×121).
//!
//! Untrusted input never panics and never allocates without bound: encoded images are limited to
//! [`MAX_INPUT_BYTES`], decoded and rendered images to [`MAX_IMAGE_DIMENSION`] pixels per side.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};

use image::codecs::gif::{GifEncoder, Repeat};
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{Delay, ExtendedColorType, Frame, ImageEncoder, ImageReader, Limits, RgbaImage};
use qrcode::bits::Bits;
use qrcode::types::{Mode, QrError as EncodeError};
use qrcode::{EcLevel, QrCode, Version};
use rxing::common::HybridBinarizer;
use rxing::multi::MultipleBarcodeReader;
use rxing::multi::qrcode::QRCodeMultiReader;
use rxing::qrcode::cpp_port::QrReader;
use rxing::{BarcodeFormat, BinaryBitmap, DecodeHints, Luma8Source, RXingResult};

/// Largest width or height, in pixels, of an image we decode or render.
pub const MAX_IMAGE_DIMENSION: u32 = 8192;

/// Largest encoded image (PNG, JPEG, GIF) accepted by [`decode_image`], in bytes.
pub const MAX_INPUT_BYTES: usize = 32 * 1024 * 1024;

/// Quiet zone, in modules, used by [`to_terminal`] and [`to_gif`] (the ISO 18004 minimum).
pub const DEFAULT_QUIET_MODULES: u32 = 4;

/// Memory budget handed to the image decoders (an 8192×8192 RGBA image plus slack).
const MAX_DECODE_ALLOC: u64 = 300 * 1024 * 1024;

/// Smallest GIF frame delay honoured by common players (shorter delays are slowed to 100 ms).
const MIN_GIF_DELAY_MS: u16 = 20;

/// UTF-8 ECI designator (ISO 18004 / AIM ECI 26).
const ECI_UTF8: u32 = 26;

/// Errors from QR encoding, rendering and decoding.
#[derive(Debug, thiserror::Error)]
pub enum QrError {
    /// The text does not fit a version-40 symbol at the requested error-correction level.
    #[error("text of {len} bytes is too long for a QR code at error correction {ecc:?}")]
    DataTooLong {
        /// Length of the text in bytes.
        len: usize,
        /// Requested error-correction level.
        ecc: Ecc,
    },
    /// The QR encoder rejected the input for another reason.
    #[error("QR encoding failed: {0}")]
    Encode(String),
    /// A [`QrMatrix`] whose `modules` length is not `size × size` (or whose size is zero).
    #[error("invalid QR matrix: size {size} but {modules} modules")]
    InvalidMatrix {
        /// Declared side length.
        size: usize,
        /// Actual number of modules.
        modules: usize,
    },
    /// A rendering parameter is out of range.
    #[error("invalid parameter: {0}")]
    InvalidParameter(&'static str),
    /// A rendered or decoded image would exceed [`MAX_IMAGE_DIMENSION`] pixels on a side.
    #[error("image of {width}×{height} pixels exceeds the {max}×{max} limit")]
    ImageTooLarge {
        /// Width in pixels (saturated at `u64::MAX`).
        width: u64,
        /// Height in pixels (saturated at `u64::MAX`).
        height: u64,
        /// The per-side limit.
        max: u32,
    },
    /// Width or height is zero.
    #[error("image dimensions {width}×{height} are invalid: both must be at least 1")]
    EmptyImage {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// The encoded image exceeds [`MAX_INPUT_BYTES`].
    #[error("image file of {len} bytes exceeds the {max}-byte limit")]
    InputTooLarge {
        /// Input length in bytes.
        len: usize,
        /// The limit in bytes.
        max: usize,
    },
    /// A luma buffer whose length is not `width × height`.
    #[error("luma buffer has {actual} bytes but {width}×{height} needs {expected}")]
    LumaLength {
        /// Frame width.
        width: u32,
        /// Frame height.
        height: u32,
        /// `width × height`.
        expected: u64,
        /// Actual buffer length.
        actual: usize,
    },
    /// The bytes are not a readable PNG, JPEG or GIF image (corrupt, truncated, unsupported or
    /// over the memory limits).
    #[error("cannot read image: {0}")]
    ImageDecode(#[source] image::ImageError),
    /// Writing the PNG or GIF failed.
    #[error("cannot write image: {0}")]
    ImageEncode(#[source] image::ImageError),
    /// The QR decoder failed internally (not merely "no code found").
    #[error("QR decoder failed: {0}")]
    Decoder(String),
}

/// QR error-correction level: share of codewords that may be damaged and still recovered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Ecc {
    /// About 7 % recovery, most capacity.
    L,
    /// About 15 % recovery (default: the usual trade-off for screen-to-camera transfer).
    #[default]
    M,
    /// About 25 % recovery.
    Q,
    /// About 30 % recovery, least capacity.
    H,
}

impl Ecc {
    fn level(self) -> EcLevel {
        match self {
            Ecc::L => EcLevel::L,
            Ecc::M => EcLevel::M,
            Ecc::Q => EcLevel::Q,
            Ecc::H => EcLevel::H,
        }
    }
}

/// A QR symbol as a square grid of modules, without quiet zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrMatrix {
    /// Side length in modules (`17 + 4 × version`).
    pub size: usize,
    /// QR version, 1–40.
    pub version: u8,
    /// `size × size` modules, row-major, `true` = dark.
    pub modules: Vec<bool>,
}

impl QrMatrix {
    /// Whether the module at column `x`, row `y` is dark. Coordinates outside the symbol (the
    /// quiet zone) are light.
    pub fn get(&self, x: usize, y: usize) -> bool {
        if x >= self.size || y >= self.size {
            return false;
        }
        y.checked_mul(self.size)
            .and_then(|row| row.checked_add(x))
            .and_then(|i| self.modules.get(i))
            .copied()
            .unwrap_or(false)
    }

    /// Checks that `modules` holds exactly `size × size` entries and `size` is non-zero (the
    /// fields are public, so a matrix may have been built by hand).
    pub fn validate(&self) -> Result<(), QrError> {
        if self.size == 0 || self.size.checked_mul(self.size) != Some(self.modules.len()) {
            return Err(QrError::InvalidMatrix {
                size: self.size,
                modules: self.modules.len(),
            });
        }
        Ok(())
    }

    /// Side length to draw: `size` when consistent, else 0 (an inconsistent matrix renders as
    /// a blank quiet zone in the infallible text renderers).
    fn drawable_size(&self) -> usize {
        if self.validate().is_ok() {
            self.size
        } else {
            0
        }
    }
}

/// Whether every character of `text` is in the QR alphanumeric set
/// (`0-9 A-Z space $ % * + - . / :`).
pub fn is_alphanumeric(text: &str) -> bool {
    text.bytes().all(|b| {
        b.is_ascii_digit()
            || b.is_ascii_uppercase()
            || matches!(
                b,
                b' ' | b'$' | b'%' | b'*' | b'+' | b'-' | b'.' | b'/' | b':'
            )
    })
}

/// Encodes `text` into the smallest QR symbol (versions 1–40) at error-correction level `ecc`.
///
/// ASCII text uses the optimal mix of numeric, alphanumeric and byte segments, so text made
/// only of alphanumeric-set characters is never encoded in byte mode. Non-ASCII text is one
/// byte-mode segment preceded by a UTF-8 ECI designator.
///
/// # Errors
/// [`QrError::DataTooLong`] if the text does not fit version 40; [`QrError::Encode`] for any
/// other encoder failure.
pub fn encode(text: &str, ecc: Ecc) -> Result<QrMatrix, QrError> {
    let level = ecc.level();
    let map_err = |e: EncodeError| match e {
        EncodeError::DataTooLong => QrError::DataTooLong {
            len: text.len(),
            ecc,
        },
        other => QrError::Encode(other.to_string()),
    };
    let code = if text.is_ascii() {
        // The segment optimiser only picks Kanji for Shift-JIS byte pairs (>= 0x81), which
        // ASCII never contains.
        QrCode::with_error_correction_level(text.as_bytes(), level).map_err(map_err)?
    } else {
        encode_utf8_with_eci(text, level).map_err(map_err)?
    };
    let version = match code.version() {
        Version::Normal(v) => {
            u8::try_from(v).map_err(|_| QrError::Encode(format!("unexpected QR version {v}")))?
        }
        Version::Micro(v) => {
            return Err(QrError::Encode(format!("unexpected Micro QR version M{v}")));
        }
    };
    let size = code.width();
    let modules = code
        .to_colors()
        .into_iter()
        .map(|c| c == qrcode::Color::Dark)
        .collect();
    let matrix = QrMatrix {
        size,
        version,
        modules,
    };
    matrix.validate()?;
    Ok(matrix)
}

/// Byte mode with a UTF-8 ECI, in the smallest version that fits. (The automatic segmenter
/// could mistake UTF-8 byte pairs for Shift-JIS Kanji, so it is not used for non-ASCII text.)
fn encode_utf8_with_eci(text: &str, level: EcLevel) -> Result<QrCode, EncodeError> {
    let data = text.as_bytes();
    // Bits needed: ECI (4 + 8) + mode (4) + count (8/16/16) + 8 per byte.
    for v in 1..=40i16 {
        let version = Version::Normal(v);
        let capacity = bits_capacity(version, level)?;
        let count_bits = Mode::Byte.length_bits_count(version);
        let needed = data
            .len()
            .checked_mul(8)
            .and_then(|n| n.checked_add(12 + 4 + count_bits));
        if needed.is_none_or(|n| n > capacity) {
            continue;
        }
        let mut bits = Bits::new(version);
        bits.push_eci_designator(ECI_UTF8)?;
        bits.push_byte_data(data)?;
        bits.push_terminator(level)?;
        return QrCode::with_bits(bits, level);
    }
    Err(EncodeError::DataTooLong)
}

fn bits_capacity(version: Version, level: EcLevel) -> Result<usize, EncodeError> {
    Bits::new(version).max_len(level)
}

/// Side of the rendered image in pixels: `(size + 2 × quiet) × module_px`, capped.
fn pixel_side(size: usize, module_px: u32, quiet_modules: u32) -> Result<u32, QrError> {
    if module_px == 0 {
        return Err(QrError::InvalidParameter("module_px must be at least 1"));
    }
    let side = u64::try_from(size)
        .ok()
        .and_then(|s| s.checked_add(2 * u64::from(quiet_modules)))
        .and_then(|m| m.checked_mul(u64::from(module_px)))
        .unwrap_or(u64::MAX);
    match u32::try_from(side) {
        Ok(s) if s <= MAX_IMAGE_DIMENSION => Ok(s),
        _ => Err(QrError::ImageTooLarge {
            width: side,
            height: side,
            max: MAX_IMAGE_DIMENSION,
        }),
    }
}

/// Renders the matrix as 8-bit grayscale pixels (`dark`/`light` values), centred in a square
/// of `side` pixels, each module `module_px` pixels wide. `side` must be at least
/// `(size + 2 × quiet) × module_px`; extra space is light.
fn render_luma(m: &QrMatrix, module_px: u32, side: u32, dark: u8, light: u8) -> Vec<u8> {
    let side = side as usize;
    let px = module_px as usize;
    let code_px = m.size * px;
    let offset = side.saturating_sub(code_px) / 2;
    let mut buf = vec![light; side * side];
    let mut row = vec![light; side];
    for y in 0..m.size {
        row.fill(light);
        for x in 0..m.size {
            if m.get(x, y) {
                let start = offset + x * px;
                if let Some(cells) = row.get_mut(start..start + px) {
                    cells.fill(dark);
                }
            }
        }
        for dy in 0..px {
            let start = (offset + y * px + dy) * side;
            if let Some(dst) = buf.get_mut(start..start + side) {
                dst.copy_from_slice(&row);
            }
        }
    }
    buf
}

/// Renders `m` as a grayscale PNG: black modules of `module_px` × `module_px` pixels on white,
/// with a quiet zone of `quiet_modules` modules (4 recommended) on every side.
///
/// # Errors
/// [`QrError::InvalidMatrix`], [`QrError::InvalidParameter`] (`module_px == 0`),
/// [`QrError::ImageTooLarge`] beyond [`MAX_IMAGE_DIMENSION`], [`QrError::ImageEncode`].
pub fn to_png(m: &QrMatrix, module_px: u32, quiet_modules: u32) -> Result<Vec<u8>, QrError> {
    m.validate()?;
    let side = pixel_side(m.size, module_px, quiet_modules)?;
    let pixels = render_luma(m, module_px, side, 0, 255);
    let mut out = Vec::new();
    // Fast deflate with the Up filter: QR images are long runs, this compresses well and quickly.
    PngEncoder::new_with_quality(&mut out, CompressionType::Fast, FilterType::Up)
        .write_image(&pixels, side, side, ExtendedColorType::L8)
        .map_err(QrError::ImageEncode)?;
    Ok(out)
}

/// Renders `m` as a standalone SVG document, one user unit per module, with a white background
/// including a quiet zone of `quiet_modules` modules. Width and height are set in modules; scale
/// it with CSS. Dark modules are merged into horizontal runs in a single `<path>`.
///
/// An inconsistent matrix (see [`QrMatrix::validate`]) renders as a blank square.
pub fn to_svg(m: &QrMatrix, quiet_modules: u32) -> String {
    let size = m.drawable_size();
    let quiet = quiet_modules as usize;
    let side = size.saturating_add(quiet.saturating_mul(2));
    let mut svg = String::with_capacity(200 + size * size);
    let _ = write!(
        svg,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{side}\" \
         height=\"{side}\" viewBox=\"0 0 {side} {side}\" shape-rendering=\"crispEdges\">\n\
         <rect width=\"{side}\" height=\"{side}\" fill=\"#ffffff\"/>\n<path fill=\"#000000\" d=\""
    );
    for y in 0..size {
        let mut x = 0;
        while x < size {
            if !m.get(x, y) {
                x += 1;
                continue;
            }
            let start = x;
            while x < size && m.get(x, y) {
                x += 1;
            }
            let run = x - start;
            let _ = write!(svg, "M{} {}h{run}v1h-{run}z", start + quiet, y + quiet);
        }
    }
    svg.push_str("\"/>\n</svg>\n");
    svg
}

/// Renders `m` for a terminal with Unicode half blocks (two module rows per text line, one
/// column per module) and a 4-module quiet zone, forcing bright-white-on-black ANSI colours so
/// the code has the right polarity (dark modules dark) on both dark and light terminal themes.
/// Each line is `size + 8` columns wide; there are `ceil((size + 8) / 2)` lines, each ending
/// with a colour reset and `\n`. Terminal cells are about twice as tall as wide, so modules
/// come out square. The terminal must be at least `size + 8` columns wide (129 for version 26).
///
/// An inconsistent matrix (see [`QrMatrix::validate`]) renders as a blank square.
pub fn to_terminal(m: &QrMatrix) -> String {
    render_terminal(m, true)
}

/// Like [`to_terminal`] but without escape codes: draws the *light* modules with block
/// characters, which is correct only on a dark-background terminal (the common default). Use
/// it where ANSI colours are unavailable.
pub fn to_terminal_plain(m: &QrMatrix) -> String {
    render_terminal(m, false)
}

fn render_terminal(m: &QrMatrix, ansi: bool) -> String {
    let size = m.drawable_size();
    let quiet = DEFAULT_QUIET_MODULES as usize;
    let side = size + 2 * quiet;
    // Light module at (x, y) of the quiet-zone-including grid; rows beyond the grid are dark
    // (terminal background), which only happens for the bottom half of the last line.
    let light = |x: usize, y: usize| -> bool {
        if y >= side {
            return false;
        }
        if x < quiet || y < quiet || x >= quiet + size || y >= quiet + size {
            return true;
        }
        !m.get(x - quiet, y - quiet)
    };
    let lines = side.div_ceil(2);
    let mut out = String::with_capacity(lines * (side * 3 + 16));
    for line in 0..lines {
        if ansi {
            // Bright white foreground (light modules), black background (dark modules).
            out.push_str("\x1b[97;40m");
        }
        for x in 0..side {
            let top = light(x, 2 * line);
            let bottom = light(x, 2 * line + 1);
            out.push(match (top, bottom) {
                (true, true) => '█',
                (true, false) => '▀',
                (false, true) => '▄',
                (false, false) => ' ',
            });
        }
        if ansi {
            out.push_str("\x1b[0m");
        }
        out.push('\n');
    }
    out
}

/// Renders `frames` as an animated GIF that loops forever, each frame shown for `delay_ms`
/// milliseconds (GIF stores hundredths of a second, so the delay is rounded down to 10 ms).
/// Every frame has the same pixel size: smaller codes are centred in extra white space so
/// that the largest code has a 4-module quiet zone.
///
/// # Errors
/// [`QrError::InvalidParameter`] for no frames, `module_px == 0` or `delay_ms < 20` (players
/// slow shorter delays to 100 ms); [`QrError::InvalidMatrix`]; [`QrError::ImageTooLarge`];
/// [`QrError::ImageEncode`].
pub fn to_gif(frames: &[QrMatrix], module_px: u32, delay_ms: u16) -> Result<Vec<u8>, QrError> {
    if frames.is_empty() {
        return Err(QrError::InvalidParameter("a GIF needs at least one frame"));
    }
    if delay_ms < MIN_GIF_DELAY_MS {
        return Err(QrError::InvalidParameter(
            "delay_ms must be at least 20 (GIF players slow shorter delays to 100 ms)",
        ));
    }
    for m in frames {
        m.validate()?;
    }
    let max_size = frames.iter().map(|m| m.size).max().unwrap_or(0);
    let side = pixel_side(max_size, module_px, DEFAULT_QUIET_MODULES)?;
    let mut out = Vec::new();
    {
        // Speed only matters for > 256 colours; two-colour frames get an exact palette.
        let mut encoder = GifEncoder::new_with_speed(&mut out, 30);
        encoder
            .set_repeat(Repeat::Infinite)
            .map_err(QrError::ImageEncode)?;
        let delay = Delay::from_numer_denom_ms(u32::from(delay_ms), 1);
        for m in frames {
            let luma = render_luma(m, module_px, side, 0, 255);
            let rgba: Vec<u8> = luma.iter().flat_map(|&v| [v, v, v, 255]).collect();
            let buffer = RgbaImage::from_raw(side, side, rgba).ok_or(QrError::InvalidParameter(
                "internal error: GIF frame buffer size mismatch",
            ))?;
            encoder
                .encode_frame(Frame::from_parts(buffer, 0, 0, delay))
                .map_err(QrError::ImageEncode)?;
        }
    }
    Ok(out)
}

/// Decodes every QR code in a PNG, JPEG or GIF image (the first frame of an animated GIF).
/// Returns the texts found, without duplicates, in detection order; an image without a
/// readable code gives an empty vector.
///
/// # Errors
/// [`QrError::InputTooLarge`] beyond [`MAX_INPUT_BYTES`]; [`QrError::ImageDecode`] for corrupt,
/// truncated or unsupported data and for images over [`MAX_IMAGE_DIMENSION`] pixels a side;
/// [`QrError::Decoder`] if the QR decoder fails internally.
pub fn decode_image(bytes: &[u8]) -> Result<Vec<String>, QrError> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(QrError::InputTooLarge {
            len: bytes.len(),
            max: MAX_INPUT_BYTES,
        });
    }
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| QrError::ImageDecode(image::ImageError::IoError(e)))?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_DIMENSION);
    limits.max_image_height = Some(MAX_IMAGE_DIMENSION);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    reader.limits(limits);
    let image = reader.decode().map_err(QrError::ImageDecode)?;
    let luma = image.into_luma8();
    let (width, height) = luma.dimensions();
    decode_luma(width, height, luma.as_raw())
}

/// Decodes every QR code in a raw 8-bit grayscale frame (`width × height` bytes, row-major,
/// no padding — the Y plane of a camera frame). Returns the texts found, without duplicates,
/// in detection order; a frame without a readable code gives an empty vector.
///
/// Tries rxing's port of the zxing-cpp QR reader first, then the classic ZXing multi-code
/// reader, both in try-harder mode.
///
/// # Errors
/// [`QrError::EmptyImage`], [`QrError::ImageTooLarge`] beyond [`MAX_IMAGE_DIMENSION`],
/// [`QrError::LumaLength`] when `luma.len() != width × height`, [`QrError::Decoder`] if the
/// decoder fails internally.
pub fn decode_luma(width: u32, height: u32, luma: &[u8]) -> Result<Vec<String>, QrError> {
    if width == 0 || height == 0 {
        return Err(QrError::EmptyImage { width, height });
    }
    if width > MAX_IMAGE_DIMENSION || height > MAX_IMAGE_DIMENSION {
        return Err(QrError::ImageTooLarge {
            width: u64::from(width),
            height: u64::from(height),
            max: MAX_IMAGE_DIMENSION,
        });
    }
    let expected = u64::from(width) * u64::from(height);
    if u64::try_from(luma.len()).ok() != Some(expected) {
        return Err(QrError::LumaLength {
            width,
            height,
            expected,
            actual: luma.len(),
        });
    }
    // rxing is a large port of C++/Java code; a panic on some adversarial frame must not take
    // the app down, so it is contained here and reported as an error.
    let results = catch_unwind(AssertUnwindSafe(|| run_rxing(width, height, luma)))
        .map_err(|_| QrError::Decoder("rxing panicked while decoding".to_owned()))??;
    let mut seen = HashSet::new();
    Ok(results
        .into_iter()
        .map(|r| r.getText().to_owned())
        .filter(|t| seen.insert(t.clone()))
        .collect())
}

fn run_rxing(width: u32, height: u32, luma: &[u8]) -> Result<Vec<RXingResult>, QrError> {
    let source = Luma8Source::new_with_slice(luma, width, height)
        .map_err(|e| QrError::Decoder(e.to_string()))?;
    let mut bitmap = BinaryBitmap::new(HybridBinarizer::new(source));
    let hints = DecodeHints {
        TryHarder: Some(true),
        PossibleFormats: Some(HashSet::from([BarcodeFormat::QR_CODE])),
        ..DecodeHints::default()
    };
    // "Not found" and checksum failures come back as errors; they just mean "no code here".
    if let Ok(found) = QrReader.decode_multiple_with_hints(&mut bitmap, &hints)
        && !found.is_empty()
    {
        return Ok(found);
    }
    Ok(QRCodeMultiReader::default()
        .decode_multiple_with_hints(&mut bitmap, &hints)
        .unwrap_or_default())
}

/// Synthetic inputs for tests and benchmarks (here, in the integration tests and in the QR
/// benchmark): frame-like texts and camera frames. Not for real decoding work.
pub mod synthetic {
    use super::QrMatrix;

    const BASE45: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

    /// Deterministic "RL1:" + Base45-like text of exactly `len` characters.
    pub fn frame_text(len: usize, seed: u64) -> String {
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

    /// A grey 8-bit camera frame with the code (and a 4-module quiet zone) scaled with nearest
    /// neighbour to `fraction` of the height and centred; optionally a 3×3 box blur.
    pub fn camera_frame(
        m: &QrMatrix,
        width: u32,
        height: u32,
        fraction: f64,
        blur: bool,
    ) -> Vec<u8> {
        let (w, h) = (width as usize, height as usize);
        let mut frame = vec![128u8; w * h];
        let modules = m.size + 8;
        let target = ((h as f64 * fraction) as usize).min(w).min(h);
        let (x0, y0) = ((w - target) / 2, (h - target) / 2);
        for py in 0..target {
            let my = py * modules / target;
            for px in 0..target {
                let mx = px * modules / target;
                let dark = mx >= 4 && my >= 4 && m.get(mx - 4, my - 4);
                frame[(y0 + py) * w + x0 + px] = if dark { 35 } else { 225 };
            }
        }
        if blur && w > 2 && h > 2 {
            let src = frame.clone();
            for y in 1..h - 1 {
                for x in 1..w - 1 {
                    let mut sum = 0u32;
                    for dy in 0..3 {
                        for dx in 0..3 {
                            sum += u32::from(src[(y + dy - 1) * w + x + dx - 1]);
                        }
                    }
                    frame[y * w + x] = (sum / 9) as u8;
                }
            }
        }
        frame
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::AnimationDecoder;
    use image::codecs::gif::GifDecoder;

    use super::synthetic::{camera_frame, frame_text};

    fn roundtrip_png(text: &str, ecc: Ecc, module_px: u32) {
        let m = encode(text, ecc).unwrap();
        let png = to_png(&m, module_px, 4).unwrap();
        assert_eq!(decode_image(&png).unwrap(), vec![text.to_owned()]);
    }

    #[test]
    fn round_trip_short_text() {
        roundtrip_png("RL1:HELLO WORLD", Ecc::M, 4);
    }

    #[test]
    fn round_trip_every_ecc_level() {
        for ecc in [Ecc::L, Ecc::M, Ecc::Q, Ecc::H] {
            roundtrip_png("RL1:0123456789 $%*+-./:ABCXYZ", ecc, 3);
        }
    }

    #[test]
    fn round_trip_1500_char_alphanumeric_frame() {
        let text = frame_text(1500, 7);
        assert!(is_alphanumeric(&text));
        roundtrip_png(&text, Ecc::M, 4);
    }

    #[test]
    fn round_trip_non_alphanumeric_text() {
        roundtrip_png("lower case, punctuation! {json: true}", Ecc::M, 4);
        roundtrip_png("Überweisung — 案件 №42 ✓", Ecc::M, 4);
        roundtrip_png("", Ecc::M, 4);
    }

    #[test]
    fn alphanumeric_text_uses_alphanumeric_mode() {
        // ISO 18004 capacity at ECC M in alphanumeric mode: v25 holds 1,451 characters, v26
        // 1,542. Byte mode would need v30 (1,370 bytes) or more for these lengths.
        let m = encode(&frame_text(1451, 3), Ecc::M).unwrap();
        assert_eq!((m.version, m.size), (25, 117));
        let m = encode(&frame_text(1452, 3), Ecc::M).unwrap();
        assert_eq!((m.version, m.size), (26, 121));
        let m = encode(&frame_text(1540, 3), Ecc::M).unwrap();
        assert_eq!((m.version, m.size), (26, 121));
        assert_eq!(m.modules.len(), 121 * 121);
        // Lower-case forces byte mode, which is much larger.
        let bytes = encode(&frame_text(1540, 3).to_lowercase(), Ecc::M).unwrap();
        assert!(bytes.version >= 32, "byte mode version {}", bytes.version);
    }

    #[test]
    fn too_long_text_is_an_error() {
        let err = encode(&frame_text(5000, 1), Ecc::H).unwrap_err();
        assert!(matches!(
            err,
            QrError::DataTooLong {
                len: 5000,
                ecc: Ecc::H
            }
        ));
        assert!(err.to_string().contains("too long"));
    }

    #[test]
    fn matrix_get_is_bounds_checked() {
        let m = encode("HELLO", Ecc::M).unwrap();
        assert_eq!(m.size, 21);
        assert!(m.get(0, 0)); // finder pattern corner
        assert!(!m.get(21, 0));
        assert!(!m.get(usize::MAX, usize::MAX));
        let bad = QrMatrix {
            size: 5,
            version: 1,
            modules: vec![true; 3],
        };
        assert!(!bad.get(4, 4));
        assert!(matches!(bad.validate(), Err(QrError::InvalidMatrix { .. })));
    }

    #[test]
    fn svg_has_right_dimensions_and_modules() {
        let m = encode(&frame_text(300, 5), Ecc::M).unwrap();
        let svg = to_svg(&m, 4);
        let side = m.size + 8;
        assert!(svg.starts_with("<?xml"));
        assert!(svg.contains(&format!("viewBox=\"0 0 {side} {side}\"")));
        assert!(svg.contains(&format!("width=\"{side}\" height=\"{side}\"")));
        assert!(svg.trim_end().ends_with("</svg>"));
        // Sum of the horizontal runs equals the number of dark modules.
        let dark: usize = svg
            .split('h')
            .skip(1)
            .filter_map(|s| s.split('v').next()?.parse::<usize>().ok())
            .sum();
        assert_eq!(dark, m.modules.iter().filter(|&&d| d).count());
        // An inconsistent matrix gives a blank (but valid) document.
        let bad = QrMatrix {
            size: 3,
            version: 1,
            modules: vec![],
        };
        assert!(to_svg(&bad, 4).contains("viewBox=\"0 0 8 8\""));
    }

    /// Rasterises terminal output back into pixels (4 px per module), treating block glyph
    /// halves as `glyph_luma` and the rest as the other shade.
    fn raster_terminal(text: &str, glyph_is_light: bool) -> (u32, u32, Vec<u8>) {
        let lines: Vec<Vec<char>> = text
            .lines()
            .map(|l| l.replace("\x1b[97;40m", "").replace("\x1b[0m", ""))
            .map(|l| l.chars().collect())
            .collect();
        let cols = lines[0].len();
        let px = 4;
        let (w, h) = (cols * px, lines.len() * 2 * px);
        let (on, off) = if glyph_is_light { (255, 0) } else { (0, 255) };
        let mut buf = vec![off; w * h];
        for (ly, line) in lines.iter().enumerate() {
            assert_eq!(line.len(), cols);
            for (x, c) in line.iter().enumerate() {
                let (top, bottom) = match c {
                    '█' => (true, true),
                    '▀' => (true, false),
                    '▄' => (false, true),
                    ' ' => (false, false),
                    other => panic!("unexpected char {other:?}"),
                };
                for (half, set) in [(0, top), (1, bottom)] {
                    if set {
                        for dy in 0..px {
                            let y = (ly * 2 + half) * px + dy;
                            buf[y * w + x * px..y * w + (x + 1) * px].fill(on);
                        }
                    }
                }
            }
        }
        (w as u32, h as u32, buf)
    }

    #[test]
    fn terminal_output_has_right_dimensions_and_decodes() {
        let text = frame_text(200, 11);
        let m = encode(&text, Ecc::M).unwrap();
        let side = m.size + 8;
        for (out, ansi) in [(to_terminal(&m), true), (to_terminal_plain(&m), false)] {
            let lines: Vec<&str> = out.lines().collect();
            assert_eq!(lines.len(), side.div_ceil(2));
            for line in &lines {
                assert_eq!(line.starts_with("\x1b[97;40m"), ansi);
                let visible = line.replace("\x1b[97;40m", "").replace("\x1b[0m", "");
                assert_eq!(visible.chars().count(), side);
            }
            // Block glyphs are drawn in the (white) foreground, i.e. they are the light modules.
            let (w, h, luma) = raster_terminal(&out, true);
            assert_eq!(decode_luma(w, h, &luma).unwrap(), vec![text.clone()]);
        }
    }

    #[test]
    fn gif_has_one_decodable_frame_per_code() {
        let texts = [
            "RL1:SHORT".to_owned(),
            frame_text(800, 21),
            frame_text(1500, 22),
        ];
        let frames: Vec<QrMatrix> = texts.iter().map(|t| encode(t, Ecc::M).unwrap()).collect();
        let gif = to_gif(&frames, 3, 200).unwrap();
        // Loops forever: NETSCAPE2.0 application extension with loop count 0.
        let pos = gif.windows(11).position(|w| w == b"NETSCAPE2.0").unwrap();
        assert_eq!(&gif[pos + 11..pos + 15], &[3, 1, 0, 0]);
        let decoded = GifDecoder::new(Cursor::new(&gif))
            .unwrap()
            .into_frames()
            .collect_frames()
            .unwrap();
        assert_eq!(decoded.len(), texts.len());
        let side = (frames[2].size as u32 + 8) * 3;
        for (frame, text) in decoded.iter().zip(&texts) {
            assert_eq!(frame.delay().numer_denom_ms(), (200, 1));
            let luma = image::DynamicImage::ImageRgba8(frame.buffer().clone()).into_luma8();
            assert_eq!(luma.dimensions(), (side, side));
            assert_eq!(
                decode_luma(side, side, luma.as_raw()).unwrap(),
                vec![text.clone()]
            );
        }
        // decode_image reads the first frame.
        assert_eq!(decode_image(&gif).unwrap(), vec![texts[0].clone()]);
    }

    #[test]
    fn decode_luma_reads_synthetic_camera_frames() {
        let text = frame_text(1540, 99);
        let m = encode(&text, Ecc::M).unwrap();
        for blur in [false, true] {
            let frame = camera_frame(&m, 1280, 720, 0.8, blur);
            assert_eq!(
                decode_luma(1280, 720, &frame).unwrap(),
                vec![text.clone()],
                "blur {blur}"
            );
        }
        let frame = camera_frame(&m, 1920, 1080, 0.8, true);
        assert_eq!(decode_luma(1920, 1080, &frame).unwrap(), vec![text]);
    }

    #[test]
    fn decode_image_reads_jpeg() {
        let text = frame_text(600, 5);
        let m = encode(&text, Ecc::M).unwrap();
        let side = (m.size as u32 + 8) * 4;
        let img = image::GrayImage::from_raw(side, side, render_luma(&m, 4, side, 0, 255)).unwrap();
        let mut jpeg = Vec::new();
        img.write_to(&mut Cursor::new(&mut jpeg), image::ImageFormat::Jpeg)
            .unwrap();
        assert_eq!(decode_image(&jpeg).unwrap(), vec![text]);
    }

    #[test]
    fn frames_without_codes_decode_to_nothing() {
        assert!(
            decode_luma(1280, 720, &vec![128; 1280 * 720])
                .unwrap()
                .is_empty()
        );
        for (w, h) in [(1, 1), (2, 3), (21, 21), (1, 500), (500, 1)] {
            let luma: Vec<u8> = (0..w * h).map(|i| (i * 37 % 256) as u8).collect();
            assert!(decode_luma(w, h, &luma).unwrap().is_empty());
        }
        // Noise frames: no panic, no code.
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let noise: Vec<u8> = (0..640 * 480)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        assert!(decode_luma(640, 480, &noise).unwrap().is_empty());
    }

    #[test]
    fn bad_luma_input_is_an_error() {
        assert!(matches!(
            decode_luma(0, 720, &[]),
            Err(QrError::EmptyImage { .. })
        ));
        assert!(matches!(
            decode_luma(1280, 0, &[]),
            Err(QrError::EmptyImage { .. })
        ));
        assert!(matches!(
            decode_luma(u32::MAX, u32::MAX, &[0; 16]),
            Err(QrError::ImageTooLarge { .. })
        ));
        assert!(matches!(
            decode_luma(8193, 1, &[0; 8193]),
            Err(QrError::ImageTooLarge { .. })
        ));
        let err = decode_luma(1280, 720, &[0; 1280 * 719]).unwrap_err();
        assert!(matches!(
            err,
            QrError::LumaLength {
                expected: 921_600,
                actual: 920_320,
                ..
            }
        ));
        assert!(err.to_string().contains("921600"));
    }

    /// A PNG whose IHDR claims `width × height` (valid CRC, tiny body).
    fn png_claiming(width: u32, height: u32) -> Vec<u8> {
        let m = encode("X", Ecc::M).unwrap();
        let mut png = to_png(&m, 1, 0).unwrap();
        // IHDR data starts at byte 16 (8 signature + 4 length + 4 type).
        png[16..20].copy_from_slice(&width.to_be_bytes());
        png[20..24].copy_from_slice(&height.to_be_bytes());
        let crc = crc32fast::hash(&png[12..29]);
        png[29..33].copy_from_slice(&crc.to_be_bytes());
        png
    }

    #[test]
    fn bad_image_input_is_an_error() {
        let png = to_png(&encode("RL1:ABC", Ecc::M).unwrap(), 4, 4).unwrap();
        // Truncated, corrupted body, random bytes, empty input.
        assert!(matches!(
            decode_image(&png[..png.len() / 2]),
            Err(QrError::ImageDecode(_))
        ));
        let mut corrupt = png.clone();
        for b in corrupt.iter_mut().skip(40).step_by(7) {
            *b ^= 0x5A;
        }
        assert!(decode_image(&corrupt).is_err());
        let mut state = 12345u64;
        let random: Vec<u8> = (0..4096)
            .map(|_| {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1);
                (state >> 33) as u8
            })
            .collect();
        assert!(matches!(
            decode_image(&random),
            Err(QrError::ImageDecode(_))
        ));
        assert!(matches!(decode_image(&[]), Err(QrError::ImageDecode(_))));
        // Zero and huge declared dimensions are rejected before any pixel allocation.
        assert!(decode_image(&png_claiming(0, 10)).is_err());
        assert!(matches!(
            decode_image(&png_claiming(100_000, 100_000)),
            Err(QrError::ImageDecode(_))
        ));
        assert!(matches!(
            decode_image(&png_claiming(8193, 1)),
            Err(QrError::ImageDecode(_))
        ));
        // Oversized input is refused before decoding.
        let big = vec![0u8; MAX_INPUT_BYTES + 1];
        assert!(matches!(
            decode_image(&big),
            Err(QrError::InputTooLarge { .. })
        ));
    }

    #[test]
    fn bad_render_parameters_are_errors() {
        let m = encode("RL1:ABC", Ecc::M).unwrap();
        assert!(matches!(
            to_png(&m, 0, 4),
            Err(QrError::InvalidParameter(_))
        ));
        assert!(matches!(
            to_png(&m, 1000, 4),
            Err(QrError::ImageTooLarge { .. })
        ));
        assert!(matches!(
            to_png(&m, u32::MAX, u32::MAX),
            Err(QrError::ImageTooLarge { .. })
        ));
        let bad = QrMatrix {
            size: usize::MAX,
            version: 1,
            modules: vec![],
        };
        assert!(matches!(
            to_png(&bad, 1, 0),
            Err(QrError::InvalidMatrix { .. })
        ));
        assert!(to_terminal(&bad).lines().count() == 4);
        assert!(matches!(
            to_gif(&[], 4, 100),
            Err(QrError::InvalidParameter(_))
        ));
        assert!(matches!(
            to_gif(std::slice::from_ref(&m), 4, 10),
            Err(QrError::InvalidParameter(_))
        ));
        assert!(matches!(
            to_gif(&[m.clone(), bad], 4, 100),
            Err(QrError::InvalidMatrix { .. })
        ));
        assert!(matches!(
            to_gif(&[m], 400, 100),
            Err(QrError::ImageTooLarge { .. })
        ));
    }

    #[test]
    fn png_has_expected_size() {
        let m = encode("RL1:ABC", Ecc::M).unwrap();
        let png = to_png(&m, 5, 4).unwrap();
        let img = image::load_from_memory(&png).unwrap();
        assert_eq!((img.width(), img.height()), (145, 145));
        assert_eq!(img.color(), image::ColorType::L8);
    }
}
