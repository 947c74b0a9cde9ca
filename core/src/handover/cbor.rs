//! Deterministic CBOR (RFC 8949 §4.2) for JSON-shaped values, and its strict decoder.
//!
//! Written by hand on minicbor's encoder/decoder because the case bundle is JSON-shaped (the vault
//! stores JSON) and must encode identically on every device: definite lengths, shortest integer
//! forms, map keys in sorted order (serde_json's maps are sorted), floats as f64. The decoder refuses
//! anything else that could hide a second meaning, and bounds depth and size.

use minicbor::data::Type;
use minicbor::{Decoder, Encoder};
use serde_json::{Map, Number, Value};

/// The deepest nesting accepted when decoding.
pub const MAX_DEPTH: usize = 32;
/// The most items (array elements or map entries) in one container.
pub const MAX_ITEMS: u64 = 100_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CborError {
    #[error("the data is not valid CBOR of the expected shape")]
    Malformed,
    #[error("the data nests deeper than {MAX_DEPTH} levels")]
    TooDeep,
    #[error("a container holds more than {MAX_ITEMS} items")]
    TooLarge,
    #[error("trailing bytes after the value")]
    Trailing,
}

/// Encodes a JSON value as deterministic CBOR.
pub fn encode(value: &Value) -> Vec<u8> {
    let mut e = Encoder::new(Vec::new());
    write(&mut e, value);
    e.into_writer()
}

fn write(e: &mut Encoder<Vec<u8>>, v: &Value) {
    // Writing into a Vec cannot fail.
    let _ = match v {
        Value::Null => e.null().map(|_| ()),
        Value::Bool(b) => e.bool(*b).map(|_| ()),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                e.u64(u).map(|_| ())
            } else if let Some(i) = n.as_i64() {
                e.i64(i).map(|_| ())
            } else {
                e.f64(n.as_f64().unwrap_or(0.0)).map(|_| ())
            }
        }
        Value::String(s) => e.str(s).map(|_| ()),
        Value::Array(items) => {
            let _ = e.array(items.len() as u64);
            for item in items {
                write(e, item);
            }
            Ok(())
        }
        Value::Object(map) => {
            // serde_json's Map is ordered by key (no `preserve_order` feature): deterministic.
            let _ = e.map(map.len() as u64);
            for (k, item) in map {
                let _ = e.str(k);
                write(e, item);
            }
            Ok(())
        }
    };
}

/// Decodes deterministic CBOR back to JSON, refusing indefinite lengths, tags, undefined values,
/// non-text map keys, excessive depth or size, and trailing bytes.
pub fn decode(bytes: &[u8]) -> Result<Value, CborError> {
    let mut d = Decoder::new(bytes);
    let v = read(&mut d, 0)?;
    if d.position() != bytes.len() {
        return Err(CborError::Trailing);
    }
    Ok(v)
}

fn read(d: &mut Decoder<'_>, depth: usize) -> Result<Value, CborError> {
    if depth > MAX_DEPTH {
        return Err(CborError::TooDeep);
    }
    let bad = |_| CborError::Malformed;
    match d.datatype().map_err(bad)? {
        Type::Null => d.null().map(|_| Value::Null).map_err(bad),
        Type::Bool => d.bool().map(Value::Bool).map_err(bad),
        Type::U8 | Type::U16 | Type::U32 | Type::U64 => d.u64().map(Value::from).map_err(bad),
        Type::I8 | Type::I16 | Type::I32 | Type::I64 => d.i64().map(Value::from).map_err(bad),
        Type::F64 => {
            let f = d.f64().map_err(bad)?;
            Number::from_f64(f)
                .map(Value::Number)
                .ok_or(CborError::Malformed)
        }
        Type::String => d.str().map(|s| Value::String(s.to_string())).map_err(bad),
        Type::Array => {
            let n = d.array().map_err(bad)?.ok_or(CborError::Malformed)?;
            if n > MAX_ITEMS {
                return Err(CborError::TooLarge);
            }
            let mut items = Vec::with_capacity((n as usize).min(1024));
            for _ in 0..n {
                items.push(read(d, depth + 1)?);
            }
            Ok(Value::Array(items))
        }
        Type::Map => {
            let n = d.map().map_err(bad)?.ok_or(CborError::Malformed)?;
            if n > MAX_ITEMS {
                return Err(CborError::TooLarge);
            }
            let mut map = Map::new();
            let mut last: Option<String> = None;
            for _ in 0..n {
                if d.datatype().map_err(bad)? != Type::String {
                    return Err(CborError::Malformed);
                }
                let key = d.str().map_err(bad)?.to_string();
                // Keys strictly increasing: one encoding per value.
                if last.as_ref().is_some_and(|l| *l >= key) {
                    return Err(CborError::Malformed);
                }
                let value = read(d, depth + 1)?;
                last = Some(key.clone());
                map.insert(key, value);
            }
            Ok(Value::Object(map))
        }
        _ => Err(CborError::Malformed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trip_and_determinism() {
        let v = json!({"b": [1, -2, 3.5, "x", null, true], "a": {"z": 1, "y": [{}]}, "n": 18446744073709551615u64});
        let bytes = encode(&v);
        assert_eq!(decode(&bytes).unwrap(), v);
        // The same value built in another order encodes identically.
        let w: Value = serde_json::from_str(
            r#"{"n":18446744073709551615,"a":{"y":[{}],"z":1},"b":[1,-2,3.5,"x",null,true]}"#,
        )
        .unwrap();
        assert_eq!(encode(&w), bytes);
    }

    #[test]
    fn hostile_input_is_refused() {
        // 100 nested arrays.
        let mut deep = vec![0x81u8; 100];
        deep.push(0x00);
        assert_eq!(decode(&deep), Err(CborError::TooDeep));
        // An array claiming 2^32 items.
        assert_eq!(
            decode(&[0x9a, 0xff, 0xff, 0xff, 0xff]),
            Err(CborError::TooLarge)
        );
        // Indefinite length, a tag, unsorted keys, trailing bytes, truncation.
        assert_eq!(decode(&[0x9f, 0x01, 0xff]), Err(CborError::Malformed));
        assert_eq!(decode(&[0xc1, 0x01]), Err(CborError::Malformed));
        assert_eq!(
            decode(&[0xa2, 0x61, b'b', 0x01, 0x61, b'a', 0x02]),
            Err(CborError::Malformed)
        );
        assert_eq!(decode(&[0x01, 0x02]), Err(CborError::Trailing));
        assert_eq!(decode(&[0x82, 0x01]), Err(CborError::Malformed));
        assert_eq!(decode(&[]), Err(CborError::Malformed));
    }
}
