//! RFC 8949 §4.2.1 core deterministic CBOR for JSON-shaped values: the encoder, and a decoder that
//! accepts that encoding and nothing else.
//!
//! Written by hand because the case bundle and the signed directory are JSON-shaped (the vault
//! stores JSON), must encode identically on every device, and must be *refused* when encoded any
//! other way: the CBOR crates decode non-shortest integers, unsorted keys and longer floats without
//! complaint, which would give one value two encodings. The rules: definite lengths; integers and
//! lengths in their shortest form; floats in the shortest of binary16/32/64 that keeps the value;
//! map keys ordered bytewise by their encoded form (for text: shorter first, then bytewise); no tags,
//! no undefined, no byte strings (JSON has none); bounded depth and size; no trailing bytes.

use serde_json::{Map, Number, Value};

/// The most containers nested in one another (the outermost counts as one).
pub const MAX_DEPTH: usize = 32;
/// The most items (array elements or map entries) in one container.
pub const MAX_ITEMS: u64 = 100_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CborError {
    #[error("the data is not valid CBOR of the expected shape")]
    Malformed,
    #[error("the data is CBOR but not in its one deterministic encoding (RFC 8949 §4.2.1)")]
    NotDeterministic,
    #[error("the data nests deeper than {MAX_DEPTH} levels")]
    TooDeep,
    #[error("a container holds more than {MAX_ITEMS} items")]
    TooLarge,
    #[error("trailing bytes after the value")]
    Trailing,
}

/// Encodes a JSON value as deterministic CBOR.
pub fn encode(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    write(&mut out, value);
    out
}

fn head(out: &mut Vec<u8>, major: u8, n: u64) {
    let m = major << 5;
    match n {
        0..=23 => out.push(m | n as u8),
        24..=0xff => out.extend_from_slice(&[m | 24, n as u8]),
        0x100..=0xffff => {
            out.push(m | 25);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        0x1_0000..=0xffff_ffff => {
            out.push(m | 26);
            out.extend_from_slice(&(n as u32).to_be_bytes());
        }
        _ => {
            out.push(m | 27);
            out.extend_from_slice(&n.to_be_bytes());
        }
    }
}

fn float(out: &mut Vec<u8>, f: f64) {
    let h = half::f16::from_f64(f);
    if h.to_f64() == f && h.is_sign_negative() == f.is_sign_negative() {
        out.push(0xf9);
        out.extend_from_slice(&h.to_bits().to_be_bytes());
    } else if f64::from(f as f32) == f {
        out.push(0xfa);
        out.extend_from_slice(&(f as f32).to_be_bytes());
    } else {
        out.push(0xfb);
        out.extend_from_slice(&f.to_be_bytes());
    }
}

/// The bytewise order of encoded text keys: shorter first, then bytewise.
fn key_order(a: &str, b: &str) -> std::cmp::Ordering {
    a.len()
        .cmp(&b.len())
        .then_with(|| a.as_bytes().cmp(b.as_bytes()))
}

fn write(out: &mut Vec<u8>, v: &Value) {
    match v {
        Value::Null => out.push(0xf6),
        Value::Bool(false) => out.push(0xf4),
        Value::Bool(true) => out.push(0xf5),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                head(out, 0, u);
            } else if let Some(i) = n.as_i64() {
                // Negative: major type 1 carries -1 - i.
                head(out, 1, (-1 - i) as u64);
            } else {
                // serde_json holds no NaN or infinity.
                float(out, n.as_f64().unwrap_or(0.0));
            }
        }
        Value::String(s) => {
            head(out, 3, s.len() as u64);
            out.extend_from_slice(s.as_bytes());
        }
        Value::Array(items) => {
            head(out, 4, items.len() as u64);
            for item in items {
                write(out, item);
            }
        }
        Value::Object(map) => {
            head(out, 5, map.len() as u64);
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by(|a, b| key_order(a, b));
            for k in keys {
                head(out, 3, k.len() as u64);
                out.extend_from_slice(k.as_bytes());
                write(out, &map[k]);
            }
        }
    }
}

/// Decodes deterministic CBOR back to JSON, refusing every other encoding.
pub fn decode(bytes: &[u8]) -> Result<Value, CborError> {
    let mut r = Reader { bytes, at: 0 };
    let v = r.value(0)?;
    if r.at != bytes.len() {
        return Err(CborError::Trailing);
    }
    Ok(v)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], CborError> {
        let end = self.at.checked_add(n).ok_or(CborError::Malformed)?;
        let s = self.bytes.get(self.at..end).ok_or(CborError::Malformed)?;
        self.at = end;
        Ok(s)
    }

    fn uint(&mut self, n: usize) -> Result<u64, CborError> {
        Ok(self
            .take(n)?
            .iter()
            .fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
    }

    /// The major type and argument of the next item, the argument in its shortest form.
    fn head(&mut self) -> Result<(u8, u8, u64), CborError> {
        let first = self.take(1)?[0];
        let (major, info) = (first >> 5, first & 0x1f);
        if major == 7 {
            return Ok((7, info, 0));
        }
        let (n, least) = match info {
            0..=23 => return Ok((major, info, u64::from(info))),
            24 => (self.uint(1)?, 24),
            25 => (self.uint(2)?, 0x100),
            26 => (self.uint(4)?, 0x1_0000),
            27 => (self.uint(8)?, 0x1_0000_0000),
            // 31: indefinite length; 28–30: reserved.
            _ => return Err(CborError::Malformed),
        };
        if n < least {
            return Err(CborError::NotDeterministic);
        }
        Ok((major, info, n))
    }

    fn count(n: u64) -> Result<usize, CborError> {
        if n > MAX_ITEMS {
            return Err(CborError::TooLarge);
        }
        usize::try_from(n).map_err(|_| CborError::TooLarge)
    }

    fn text(&mut self, n: u64) -> Result<String, CborError> {
        let n = usize::try_from(n).map_err(|_| CborError::Malformed)?;
        let s = self.take(n)?;
        std::str::from_utf8(s)
            .map(str::to_string)
            .map_err(|_| CborError::Malformed)
    }

    fn value(&mut self, depth: usize) -> Result<Value, CborError> {
        if depth > MAX_DEPTH {
            return Err(CborError::TooDeep);
        }
        let (major, info, n) = self.head()?;
        // At most MAX_DEPTH containers nested, the outermost counted as one.
        if matches!(major, 4 | 5) && depth >= MAX_DEPTH {
            return Err(CborError::TooDeep);
        }
        match major {
            0 => Ok(Value::from(n)),
            1 => i64::try_from(n)
                .map(|n| Value::from(-1 - n))
                .map_err(|_| CborError::Malformed),
            3 => self.text(n).map(Value::String),
            4 => {
                let n = Self::count(n)?;
                let mut items = Vec::with_capacity(n.min(1024));
                for _ in 0..n {
                    items.push(self.value(depth + 1)?);
                }
                Ok(Value::Array(items))
            }
            5 => {
                let n = Self::count(n)?;
                let mut map = Map::new();
                let mut last: Option<String> = None;
                for _ in 0..n {
                    let (kmajor, _, klen) = self.head()?;
                    if kmajor != 3 {
                        return Err(CborError::Malformed);
                    }
                    let key = self.text(klen)?;
                    // Keys strictly increasing in encoded order: sorted, no duplicates.
                    if last
                        .as_ref()
                        .is_some_and(|l| key_order(l, &key) != std::cmp::Ordering::Less)
                    {
                        return Err(CborError::NotDeterministic);
                    }
                    let value = self.value(depth + 1)?;
                    map.insert(key.clone(), value);
                    last = Some(key);
                }
                Ok(Value::Object(map))
            }
            7 => self.simple(info),
            // 2: byte strings (JSON has none); 6: tags.
            _ => Err(CborError::Malformed),
        }
    }

    fn simple(&mut self, info: u8) -> Result<Value, CborError> {
        let f = match info {
            20 => return Ok(Value::Bool(false)),
            21 => return Ok(Value::Bool(true)),
            22 => return Ok(Value::Null),
            25 => {
                let bits = self.uint(2)? as u16;
                half::f16::from_bits(bits).to_f64()
            }
            26 => {
                let f = f64::from(f32::from_bits(self.uint(4)? as u32));
                let mut shorter = Vec::new();
                float(&mut shorter, f);
                if shorter.len() != 5 {
                    return Err(CborError::NotDeterministic);
                }
                f
            }
            27 => {
                let f = f64::from_bits(self.uint(8)?);
                let mut shorter = Vec::new();
                float(&mut shorter, f);
                if shorter.len() != 9 {
                    return Err(CborError::NotDeterministic);
                }
                f
            }
            // undefined, simple values, break.
            _ => return Err(CborError::Malformed),
        };
        Number::from_f64(f)
            .map(Value::Number)
            .ok_or(CborError::Malformed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn round_trip_and_determinism() {
        let v = json!({"b": [1, -2, 3.5, "x", null, true], "a": {"z": 1, "y": [{}]}, "n": 18446744073709551615u64});
        let bytes = encode(&v);
        assert_eq!(decode(&bytes).unwrap(), v);
        let w: Value = serde_json::from_str(
            r#"{"n":18446744073709551615,"a":{"y":[{}],"z":1},"b":[1,-2,3.5,"x",null,true]}"#,
        )
        .unwrap();
        assert_eq!(encode(&w), bytes);
    }

    #[test]
    fn rfc_8949_examples() {
        // Appendix A of RFC 8949, and §4.2.1's key order.
        for (value, expected) in [
            (json!(0), "00"),
            (json!(23), "17"),
            (json!(24), "1818"),
            (json!(1000), "1903e8"),
            (json!(1000000000000u64), "1b000000e8d4a51000"),
            (json!(-1), "20"),
            (json!(-1000), "3903e7"),
            (json!(1.5), "f93e00"),
            (json!(100000.0), "fa47c35000"),
            (json!(1.1), "fb3ff199999999999a"),
            (json!(-4.0), "f9c400"),
            (json!("ü"), "62c3bc"),
            (json!({"b": 1, "aa": 2, "a": 3}), "a3616103616201626161 02"),
        ] {
            let expected = hex(&expected.replace(' ', ""));
            assert_eq!(encode(&value), expected, "{value}");
            assert_eq!(decode(&expected).unwrap(), value);
        }
    }

    #[test]
    fn every_other_encoding_is_refused() {
        use CborError::*;
        for (bytes, why) in [
            ("1817", NotDeterministic),               // 23 in two bytes
            ("190017", NotDeterministic),             // 23 in three
            ("7800", NotDeterministic),               // empty text, long length
            ("a2626161016162 02", NotDeterministic),  // "aa" before "b"
            ("a2616101616102", NotDeterministic),     // duplicate key
            ("fb3ff8000000000000", NotDeterministic), // 1.5 as f64
            ("fa3fc00000", NotDeterministic),         // 1.5 as f32
            ("f97e00", Malformed),                    // NaN
            ("f7", Malformed),                        // undefined
            ("9f01ff", Malformed),                    // indefinite array
            ("c101", Malformed),                      // tag
            ("4100", Malformed),                      // byte string
            ("a10101", Malformed),                    // integer key
            ("3bffffffffffffffff", Malformed),        // below i64
            ("0102", Trailing),
            ("8201", Malformed),
            ("", Malformed),
        ] {
            assert_eq!(decode(&hex(&bytes.replace(' ', ""))), Err(why), "{bytes}");
        }
        let mut deep = vec![0x81u8; 100];
        deep.push(0x00);
        assert_eq!(decode(&deep), Err(TooDeep));
        assert_eq!(decode(&[0x9a, 0xff, 0xff, 0xff, 0xff]), Err(TooLarge));
    }
}
