//! `ConvertToBase64(source)` and `ConvertToUTF8Hex(source)`.

use super::convert::{ensure_fits, map_text};
use super::{Args, FnResult};

const BASE64_ALPHABET: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// "converts a string to a Unicode base64 string" (ref §6.3): base64 of the UTF-16LE bytes
/// (.NET `Encoding.Unicode`), e.g. "Hello world!" → "SABlAGwAbABvACAAdwBvAHIAbABkACEA".
pub(super) fn to_base64(args: &Args) -> FnResult {
    map_text(args.get(0), |s| {
        let bytes: Vec<u8> = s.encode_utf16().flat_map(u16::to_le_bytes).collect();
        ensure_fits(bytes.len().saturating_mul(4) / 3)?;
        Ok(base64(&bytes))
    })
}

fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity((bytes.len() / 3).saturating_add(1).saturating_mul(4));
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let sextet = |shift: u32| {
            let index = ((n >> shift) & 0x3F) as usize;
            char::from(BASE64_ALPHABET.get(index).copied().unwrap_or(b'='))
        };
        out.push(sextet(18));
        out.push(sextet(12));
        out.push(if chunk.len() > 1 { sextet(6) } else { '=' });
        out.push(if chunk.len() > 2 { sextet(0) } else { '=' });
    }
    out
}

/// "converts a string to a UTF8 Hex encoded value" (ref §6.3), upper-case digits:
/// "Hello world!" → "48656C6C6F20776F726C6421".
pub(super) fn to_utf8_hex(args: &Args) -> FnResult {
    map_text(args.get(0), |s| {
        ensure_fits(s.len().saturating_mul(2))?;
        Ok(s.bytes().map(|b| format!("{b:02X}")).collect())
    })
}
