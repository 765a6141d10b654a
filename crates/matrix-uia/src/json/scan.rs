//! Scanning JSON text eight bytes at a time: where a string's plain run
//! ends (the loop both the reader and the writer spend most time in), and
//! where a run of whitespace (a pretty-printed body's indentation) ends.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The index of the first byte of `bytes` at or after `from` that is not
/// JSON whitespace, or the length. Runs of spaces (a pretty-printed body's
/// indentation) are passed eight at a time.
pub fn whitespace_end(bytes: &[u8], from: usize) -> usize {
    const SPACES: u64 = ONES * 0x20;
    let mut i = from;
    loop {
        match bytes.get(i) {
            // Every byte that ends the run but the rare control ones is above a space.
            Some(&b) if b > b' ' => return i,
            Some(b'\n' | b'\r' | b'\t') => i += 1,
            Some(b' ') => match bytes.get(i..i + 8) {
                // XOR zeroes the spaces: the trailing zero bytes are the run.
                Some(chunk) => {
                    let other = u64::from_le_bytes(chunk.try_into().unwrap_or_default()) ^ SPACES;
                    i += if other == 0 { 8 } else { (other.trailing_zeros() / 8) as usize };
                }
                None => i += 1,
            },
            _ => return i,
        }
    }
}

/// The bytes of `word` (little-endian) that are `"`, `\` or below 0x20: the
/// high bit of each is set in the result, and the lowest set bit is exact
/// (the SWAR test for a zero byte, applied to the word masked to its high
/// three bits and to its XORs with `"` and `\`; a borrow can only mark bytes
/// above a true match).
#[inline(always)]
pub fn special_bytes(word: u64) -> u64 {
    let zero = |w: u64| w.wrapping_sub(ONES) & !w & HIGH;
    zero(word & (ONES * 0xe0))
        | zero(word ^ (ONES * u64::from(b'"')))
        | zero(word ^ (ONES * u64::from(b'\\')))
}

/// The index of the first byte of `bytes` at or after `from` that is `"`,
/// `\` or below 0x20: where a JSON string's plain run ends.
#[inline(always)]
pub fn plain_run_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let found = special_bytes(u64::from_le_bytes(chunk.try_into().ok()?));
        if found != 0 {
            return Some(i + (found.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    bytes[i.min(bytes.len())..].iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20).map(|at| i + at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_first_special_byte_at_every_offset() {
        let naive = |bytes: &[u8], from: usize| {
            bytes[from..].iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20).map(|at| from + at)
        };
        let mut texts: Vec<Vec<u8>> = Vec::new();
        for special in [b'"', b'\\', 0x00, 0x1f, b'\n'] {
            for at in 0..20 {
                let mut text = "é日本 plain ascii 🙂".as_bytes().to_vec();
                text.insert(at.min(text.len()), special);
                texts.push(text);
            }
        }
        texts.push(b"no special byte at all, only text and \x7f and \x20".to_vec());
        texts.push((0x20u8..0x80).filter(|&b| b != b'"' && b != b'\\').collect());
        for text in &texts {
            for from in 0..=text.len() {
                assert_eq!(plain_run_end(text, from), naive(text, from), "{text:?} from {from}");
            }
        }
    }

    #[test]
    fn finds_the_end_of_whitespace_at_every_offset() {
        let naive = |bytes: &[u8], from: usize| {
            from + bytes[from..].iter().take_while(|b| matches!(b, b' ' | b'\n' | b'\r' | b'\t')).count()
        };
        let mut texts: Vec<Vec<u8>> =
            vec![b"\n        \"key\": 1".to_vec(), b" \t\r\n".repeat(5), b"x".to_vec()];
        for stop in [b'{', b'"', 0x00, 0x0b, 0x0c, 0x20 + 0x80, b'a', 0xc3] {
            for at in 0..20 {
                let mut text = b" \n\t\r".repeat(6);
                text.insert(at, stop);
                texts.push(text);
            }
        }
        for text in &texts {
            for from in 0..=text.len() {
                assert_eq!(whitespace_end(text, from), naive(text, from), "{text:?} from {from}");
            }
        }
    }
}
