//! Any bytes -> `govai_core::io::BoundedLines` (the JSON Lines reader of `govai scan --jsonl`,
//! `govai review --jsonl`): the first two bytes pick the line limit (0..=63) and the reader's
//! buffer size (1..=16, so lines cross buffer boundaries). No panic; the items are exactly the
//! reference split of the input on `\n` (one trailing `\r` dropped), in order, numbered 1, 2, ...:
//! a line longer than the limit is an `invalid_input` error naming its number and the limit, a
//! line that is not UTF-8 an error naming its number, any other line its text.
#![no_main]

use govai_core::ErrorKind;
use govai_core::io::BoundedLines;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [a, b, rest @ ..] = data else { return };
    let limit = usize::from(*a % 64);
    let capacity = usize::from(*b % 16) + 1;
    let mut expected: Vec<&[u8]> = rest.split(|&c| c == b'\n').collect();
    if expected.last().is_some_and(|l| l.is_empty()) {
        expected.pop();
    }
    let reader = std::io::BufReader::with_capacity(capacity, rest);
    let mut lines = BoundedLines::new(reader, limit, "fuzz");
    let mut n = 0;
    while let Some(item) = lines.next() {
        let raw = expected.get(n).copied().unwrap_or_else(|| panic!("more items than lines: {n}"));
        n += 1;
        assert_eq!(lines.line_number(), n, "line numbers count up by one");
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        match item {
            Ok(l) => {
                assert_eq!(l.number, n);
                assert!(line.len() <= limit, "a line over the limit was returned: {l:?}");
                assert_eq!(l.text.as_bytes(), line);
            }
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
                let msg = e.to_string();
                assert!(msg.contains(&format!("line {n} ")), "error does not name line {n}: {msg}");
                if line.len() > limit {
                    assert!(msg.contains(&format!("limit of {limit} bytes")), "{msg}");
                } else {
                    assert!(std::str::from_utf8(line).is_err() && msg.contains("not UTF-8"), "{msg}");
                }
            }
        }
    }
    assert_eq!(n, expected.len(), "every line yields one item");
});
