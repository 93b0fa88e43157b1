//! CloudFront's URL-safe base64, and the plain base64 inside PEM files.
//!
//! CloudFront's alphabet is MIME base64 (RFC 2045 §6.8) on one line with three characters
//! replaced: `+` → `-`, `=` → `_`, `/` → `~`, the padding kept. It is not RFC 4648 base64url,
//! which uses `_` for `/` and drops the padding (Developer Guide, "Using a Linux command and
//! OpenSSL for base64 encoding and encryption"; shell equivalent `tr -- '+=/' '-_~'`).

const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const CLOUDFRONT: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-~";
const CLOUDFRONT_PAD: u8 = b'_';
const INVALID: u8 = 0xff;

/// The decode table for an alphabet: byte -> 6-bit value, or `INVALID`.
const fn decode_table(alphabet: &[u8; 64]) -> [u8; 256] {
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < 64 {
        table[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    table
}

const STANDARD_DECODE: [u8; 256] = decode_table(STANDARD);
const CLOUDFRONT_DECODE: [u8; 256] = decode_table(CLOUDFRONT);

/// Encodes `data` in CloudFront's alphabet, with `_` padding, as the `Signature`, `Policy`,
/// `CloudFront-Signature` and `CloudFront-Policy` values are written.
pub fn encode(data: &[u8]) -> String {
    encode_with(data, CLOUDFRONT, CLOUDFRONT_PAD)
}

/// Encodes `data` in standard base64 (RFC 4648 §4) with `=` padding, as `data:` URIs take it.
pub fn encode_standard(data: &[u8]) -> String {
    encode_with(data, STANDARD, b'=')
}

fn encode_with(data: &[u8], alphabet: &[u8; 64], pad: u8) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let symbols = [(n >> 18) & 63, (n >> 12) & 63, (n >> 6) & 63, n & 63];
        for (i, &s) in symbols.iter().enumerate() {
            // A chunk of k bytes carries k + 1 symbols; the rest is padding.
            let c = if i <= chunk.len() { alphabet[s as usize] } else { pad };
            out.push(char::from(c));
        }
    }
    out
}

/// Decodes a value in CloudFront's alphabet. The `_` padding may be present (as CloudFront and
/// the SDKs write it) or left off; anything outside the alphabet, including the standard `+`,
/// `/` and `=`, is an error, which CloudFront reports as `MalformedSignature` (reference §1.6).
/// Returns `None` on any malformed input; never panics.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let unpadded = bytes.len() - bytes.iter().rev().take_while(|&&b| b == CLOUDFRONT_PAD).count();
    let padding = bytes.len() - unpadded;
    if padding > 2 || (padding > 0 && !bytes.len().is_multiple_of(4)) {
        return None;
    }
    decode_symbols(&bytes[..unpadded], &CLOUDFRONT_DECODE)
}

/// Decodes standard base64 as found between PEM armour lines: whitespace is skipped and `=`
/// padding is optional. Returns `None` on any malformed input.
pub fn decode_standard(text: &str) -> Option<Vec<u8>> {
    let symbols: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    let unpadded = symbols.len() - symbols.iter().rev().take_while(|&&b| b == b'=').count();
    if symbols.len() - unpadded > 2 {
        return None;
    }
    decode_symbols(&symbols[..unpadded], &STANDARD_DECODE)
}

/// Decodes unpadded symbols with `table`. A lone trailing symbol (length 1 mod 4) cannot encode
/// a byte and is rejected; unused low bits in the last symbol are ignored, as most decoders do.
fn decode_symbols(symbols: &[u8], table: &[u8; 256]) -> Option<Vec<u8>> {
    if symbols.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(symbols.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for &symbol in symbols {
        let value = table[usize::from(symbol)];
        if value == INVALID {
            return None;
        }
        acc = (acc << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_encoding_for_data_uris() {
        // RFC 4648 §10 test vectors, and the two symbols CloudFront replaces.
        assert_eq!(encode_standard(b"fo"), "Zm8=");
        assert_eq!(encode_standard(b"foobar"), "Zm9vYmFy");
        assert_eq!(encode_standard(&[0xfb, 0xff]), "+/8=");
        assert_eq!(decode_standard(&encode_standard(&[0, 1, 254, 255])), Some(vec![0, 1, 254, 255]));
    }

    #[test]
    fn encodes_with_cloudfront_alphabet_and_padding() {
        assert_eq!(encode(b""), "");
        assert_eq!(encode(b"f"), "Zg__");
        assert_eq!(encode(b"fo"), "Zm8_");
        assert_eq!(encode(b"foo"), "Zm9v");
        // 0xfb 0xff 0xbf is "+/+/" in standard base64: both replaced characters appear.
        assert_eq!(encode(&[0xfb, 0xff, 0xbf]), "-~-~");
    }

    #[test]
    fn decodes_padded_and_unpadded() {
        assert_eq!(decode("Zg__").unwrap(), b"f");
        assert_eq!(decode("Zg").unwrap(), b"f");
        assert_eq!(decode("Zm8_").unwrap(), b"fo");
        assert_eq!(decode("-~-~").unwrap(), [0xfb, 0xff, 0xbf]);
        assert_eq!(decode("").unwrap(), b"");
    }

    #[test]
    fn rejects_standard_alphabet_and_bad_lengths() {
        assert_eq!(decode("+/+/"), None);
        assert_eq!(decode("Zg=="), None);
        assert_eq!(decode("Z"), None);
        assert_eq!(decode("Zg___"), None);
        assert_eq!(decode("Zm9v Zg"), None);
        assert_eq!(decode("Z_g_"), None);
    }

    #[test]
    fn round_trips_every_length() {
        let data: Vec<u8> = (0..=255u8).collect();
        for n in 0..data.len() {
            assert_eq!(decode(&encode(&data[..n])).unwrap(), &data[..n]);
        }
    }

    #[test]
    fn standard_decoder_skips_whitespace() {
        assert_eq!(decode_standard("Zm9v\r\nZg==\n").unwrap(), b"foof");
        assert_eq!(decode_standard("Zm9vZg").unwrap(), b"foof");
        assert_eq!(decode_standard("Zm9v-g=="), None);
    }
}
