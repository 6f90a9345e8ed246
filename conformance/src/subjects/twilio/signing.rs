//! Signing Twilio webhooks the way Twilio does, without the adapter's code.
//!
//! The suite must be able to forge and re-sign webhooks on its own: reusing
//! the adapter's signer would make a wrong algorithm agree with itself. This
//! crate has no SHA-1 dependency, so SHA-1 (FIPS 180-4) and HMAC (RFC 2104)
//! are written out here; the unit tests hold them to the FIPS and RFC 2202
//! test values and to Twilio's published signature vectors.

use crate::recording::OwnedWebhook;
use base64::Engine as _;
use std::collections::{BTreeMap, BTreeSet};

/// The header Twilio signs with.
pub(super) const HEADER: &str = "X-Twilio-Signature";

const BLOCK: usize = 64;

fn sha1(data: &[u8]) -> [u8; 20] {
    let mut state: [u32; 5] = [
        0x6745_2301,
        0xEFCD_AB89,
        0x98BA_DCFE,
        0x1032_5476,
        0xC3D2_E1F0,
    ];
    let mut message = data.to_vec();
    let bit_len = (data.len() as u64).wrapping_mul(8);
    message.push(0x80);
    while message.len() % BLOCK != BLOCK - 8 {
        message.push(0);
    }
    message.extend_from_slice(&bit_len.to_be_bytes());
    for block in message.chunks_exact(BLOCK) {
        let mut w = [0u32; 80];
        for (slot, word) in w.iter_mut().zip(block.chunks_exact(4)) {
            let bytes: [u8; 4] = word.try_into().unwrap_or_default();
            *slot = u32::from_be_bytes(bytes);
        }
        for t in 16..80 {
            w[t] = (w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = state;
        for (t, word) in w.iter().enumerate() {
            let (f, k) = match t {
                0..=19 => ((b & c) | (!b & d), 0x5A82_7999),
                20..=39 => (b ^ c ^ d, 0x6ED9_EBA1),
                40..=59 => ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC),
                _ => (b ^ c ^ d, 0xCA62_C1D6),
            };
            let temp = a
                .rotate_left(5)
                .wrapping_add(f)
                .wrapping_add(e)
                .wrapping_add(k)
                .wrapping_add(*word);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = temp;
        }
        for (h, v) in state.iter_mut().zip([a, b, c, d, e]) {
            *h = h.wrapping_add(v);
        }
    }
    let mut out = [0u8; 20];
    for (chunk, h) in out.chunks_exact_mut(4).zip(state) {
        chunk.copy_from_slice(&h.to_be_bytes());
    }
    out
}

fn hmac_sha1(key: &[u8], message: &[u8]) -> [u8; 20] {
    let digest;
    let key: &[u8] = if key.len() > BLOCK {
        digest = sha1(key);
        &digest
    } else {
        key
    };
    let mut padded = [0u8; BLOCK];
    for (slot, byte) in padded.iter_mut().zip(key) {
        *slot = *byte;
    }
    let mut inner: Vec<u8> = padded.iter().map(|b| b ^ 0x36).collect();
    inner.extend_from_slice(message);
    let mut outer: Vec<u8> = padded.iter().map(|b| b ^ 0x5c).collect();
    outer.extend_from_slice(&sha1(&inner));
    sha1(&outer)
}

/// `base64(HMAC-SHA1(token, url + name1 + value1 + …))`, names sorted, each
/// name's values sorted and de-duplicated: Twilio's algorithm as its SDK
/// validators describe it.
pub(super) fn signature(token: &str, url: &str, pairs: &[(String, String)]) -> String {
    let mut params: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (name, value) in pairs {
        params.entry(name).or_default().insert(value);
    }
    let mut signed = url.to_owned();
    for (name, values) in params {
        for value in values {
            signed.push_str(name);
            signed.push_str(value);
        }
    }
    base64::engine::general_purpose::STANDARD.encode(hmac_sha1(token.as_bytes(), signed.as_bytes()))
}

/// The decoded fields of a form body (`+` is a space, `%XY` a byte).
pub(super) fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// A form body from `pairs`, in the order given.
pub(super) fn form_body(pairs: &[(&str, &str)]) -> Vec<u8> {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        out.append_pair(name, value);
    }
    out.finish().into_bytes()
}

/// Sets the signature header of a form-encoded webhook to what Twilio would
/// send with `token`.
pub(super) fn sign_form(token: &str, webhook: &mut OwnedWebhook) -> Result<(), String> {
    let signature = signature(token, &webhook.url, &form_pairs(&webhook.body));
    let value = http::HeaderValue::from_str(&signature).map_err(|e| e.to_string())?;
    webhook.headers.insert(HEADER, value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn sha1_matches_the_fips_180_example_digests() {
        assert_eq!(
            hex(&sha1(b"abc")),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(hex(&sha1(b"")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_eq!(
            hex(&sha1(
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            )),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
        );
        let million = vec![b'a'; 1_000_000];
        assert_eq!(
            hex(&sha1(&million)),
            "34aa973cd4c4daa4f61eeb2bdbad27316534016f"
        );
    }

    #[test]
    fn hmac_sha1_matches_rfc_2202_including_a_key_longer_than_a_block() {
        assert_eq!(
            hex(&hmac_sha1(&[0x0b; 20], b"Hi There")),
            "b617318655057264e28bc0b6fb378c8ef146be00"
        );
        assert_eq!(
            hex(&hmac_sha1(b"Jefe", b"what do ya want for nothing?")),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"
        );
        assert_eq!(
            hex(&hmac_sha1(
                &[0xaa; 80],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "aa4ae5e15272d00e95705637ce8a3b55ed402112"
        );
    }

    #[test]
    fn twilio_reference_request_signs_to_the_published_value() {
        let pairs: Vec<(String, String)> = [
            ("To", "+18005551212"),
            ("CallSid", "CA1234567890ABCDE"),
            ("From", "+14158675309"),
            ("Digits", "1234"),
            ("Caller", "+14158675309"),
        ]
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect();
        assert_eq!(
            signature(
                "12345",
                "https://mycompany.com/myapp.php?foo=1&bar=2",
                &pairs
            ),
            "RSOYDt4T1cUTdK1PDd93/VVr8B8="
        );
    }

    #[test]
    fn repeated_values_are_sorted_and_counted_once() {
        let pairs = form_pairs(b"Sid=CA123&SidAccount=AC123&Digits=5678&Digits=1234&Digits=1234");
        assert_eq!(
            signature(
                "12345",
                "https://mycompany.com/myapp.php?foo=1&bar=2",
                &pairs
            ),
            "IK+Dwps556ElfBT0I3Rgjkr1wJU="
        );
    }
}
