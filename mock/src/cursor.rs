//! Opaque pagination cursors.
//!
//! A cursor is the position of the last item of a page plus a fingerprint of the request that
//! produced it (filters and order), sealed with a checksum and written in unpadded base64url.
//! The position is a sort key, not an offset, so a page starts right after the last item
//! served even when items were added or removed in between. A cursor whose checksum fails is
//! garbage; one whose fingerprint differs was made for another query. Both are refused with a
//! 422 on `["query", "cursor"]`.

/// The format version, the first byte of every cursor.
const VERSION: u8 = 1;

/// What a cursor pages through, so that a cursor of one list is refused by another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum CursorKind {
    Deployments = b'd',
    Workers = b'w',
    Logs = b'l',
}

/// A decoded cursor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Cursor {
    pub(crate) kind: CursorKind,
    pub(crate) fingerprint: u64,
    pub(crate) position: Vec<u8>,
}

/// Why a cursor was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CursorError {
    /// Not a cursor of this server at all.
    Invalid,
    /// A cursor of this server, made for other filters or another list.
    Mismatch,
}

impl Cursor {
    pub(crate) fn new(kind: CursorKind, fingerprint: u64, position: Vec<u8>) -> Self {
        Self { kind, fingerprint, position }
    }

    pub(crate) fn encode(&self) -> String {
        let mut bytes = Vec::with_capacity(self.position.len() + 18);
        bytes.push(VERSION);
        bytes.push(self.kind as u8);
        bytes.extend_from_slice(&self.fingerprint.to_be_bytes());
        bytes.extend_from_slice(&self.position);
        let check = fnv1a(&bytes);
        bytes.extend_from_slice(&check.to_be_bytes());
        base64url_encode(&bytes)
    }

    /// Decodes `text` and checks that it belongs to a list of `kind` with `fingerprint`.
    pub(crate) fn decode(
        text: &str,
        kind: CursorKind,
        fingerprint: u64,
    ) -> Result<Self, CursorError> {
        let bytes = base64url_decode(text).ok_or(CursorError::Invalid)?;
        if bytes.len() < 18 {
            return Err(CursorError::Invalid);
        }
        let (body, check) = bytes.split_at(bytes.len() - 8);
        if fnv1a(body).to_be_bytes() != check || body[0] != VERSION {
            return Err(CursorError::Invalid);
        }
        if body[1] != kind as u8 {
            return Err(CursorError::Mismatch);
        }
        let mut fp = [0u8; 8];
        fp.copy_from_slice(&body[2..10]);
        if u64::from_be_bytes(fp) != fingerprint {
            return Err(CursorError::Mismatch);
        }
        Ok(Self { kind, fingerprint, position: body[10..].to_vec() })
    }
}

/// FNV-1a, 64 bits: a stable hash (the same on every run and platform) for fingerprints and
/// checksums. Not a defence against forgery; cursors only need to catch mistakes.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn base64url_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            let index = (n >> (18 - 6 * i)) & 0x3f;
            out.push(char::from(ALPHABET[index as usize]));
        }
    }
    out
}

fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let digits: Vec<u32> = text
        .bytes()
        .map(|c| ALPHABET.iter().position(|a| *a == c).map(|p| p as u32))
        .collect::<Option<_>>()?;
    for chunk in digits.chunks(4) {
        if chunk.len() == 1 {
            return None;
        }
        let mut n = 0u32;
        for (i, digit) in chunk.iter().enumerate() {
            n |= digit << (18 - 6 * i);
        }
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_round_trips_every_length() {
        for len in 0..40u8 {
            let bytes: Vec<u8> = (0..len).map(|i| i.wrapping_mul(37).wrapping_add(250)).collect();
            let text = base64url_encode(&bytes);
            assert!(text.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
            assert_eq!(base64url_decode(&text), Some(bytes));
        }
    }

    #[test]
    fn cursor_round_trips() {
        let cursor = Cursor::new(CursorKind::Deployments, 42, vec![1, 2, 3]);
        let text = cursor.encode();
        assert_eq!(Cursor::decode(&text, CursorKind::Deployments, 42), Ok(cursor));
    }

    #[test]
    fn other_filters_or_lists_are_a_mismatch() {
        let text = Cursor::new(CursorKind::Deployments, 42, vec![9]).encode();
        assert_eq!(Cursor::decode(&text, CursorKind::Deployments, 43), Err(CursorError::Mismatch));
        assert_eq!(Cursor::decode(&text, CursorKind::Workers, 42), Err(CursorError::Mismatch));
    }

    #[test]
    fn garbage_is_invalid() {
        for text in ["", "x", "not a cursor", "AAAAAAAAAAAAAAAAAAAAAAAAAAAA", "é", "====", "A"] {
            assert_eq!(
                Cursor::decode(text, CursorKind::Deployments, 0),
                Err(CursorError::Invalid),
                "{text:?}"
            );
        }
        let mut text = Cursor::new(CursorKind::Deployments, 1, vec![5; 20]).encode();
        text.replace_range(4..5, if &text[4..5] == "A" { "B" } else { "A" });
        assert_eq!(Cursor::decode(&text, CursorKind::Deployments, 1), Err(CursorError::Invalid));
    }
}
