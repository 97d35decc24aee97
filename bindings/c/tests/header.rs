//! include/govai.h is generated from this crate by the pinned cbindgen (a dev-dependency) and
//! checked in. This test regenerates it in memory and fails when the checked-in file differs;
//! with `GOVAI_BLESS=1` it rewrites the file instead:
//!
//! ```sh
//! GOVAI_BLESS=1 cargo test -p govai-c --test header
//! ```

#![allow(clippy::unwrap_used, reason = "test code")]

use std::path::PathBuf;

const MAJOR: &str = env!("CARGO_PKG_VERSION_MAJOR");
const MINOR: &str = env!("CARGO_PKG_VERSION_MINOR");
const PATCH: &str = env!("CARGO_PKG_VERSION_PATCH");

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn header_path() -> PathBuf {
    crate_dir().parent().and_then(|p| p.parent()).unwrap().join("include/govai.h")
}

/// The version macros, from the crate version. GOVAI_VERSION_NUMBER packs the version as
/// MAJOR * 1000000 + MINOR * 1000 + PATCH, for `#if GOVAI_VERSION_NUMBER >= ...` checks.
fn version_macros() -> String {
    format!(
        "\n#define GOVAI_VERSION_MAJOR {MAJOR}\n\
         #define GOVAI_VERSION_MINOR {MINOR}\n\
         #define GOVAI_VERSION_PATCH {PATCH}\n\
         /* The version as one number: MAJOR * 1000000 + MINOR * 1000 + PATCH. */\n\
         #define GOVAI_VERSION_NUMBER \\\n    \
         ((GOVAI_VERSION_MAJOR * 1000000L) + (GOVAI_VERSION_MINOR * 1000L) + GOVAI_VERSION_PATCH)\n\
         /* The version as a string, e.g. \"0.1.0\"; compare with govai_version() at run time. */\n\
         #define GOVAI_VERSION_STRING \"{MAJOR}.{MINOR}.{PATCH}\"\n"
    )
}

fn generate() -> String {
    let dir = crate_dir();
    let mut config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).unwrap();
    config.after_includes = Some(version_macros());
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(dir.join("src/lib.rs"))
        .generate()
        .expect("cbindgen failed to generate the header");
    let mut out = Vec::new();
    bindings.write(&mut out);
    String::from_utf8(out).unwrap()
}

#[test]
fn header_is_up_to_date() {
    let generated = generate();
    let path = header_path();
    if std::env::var_os("GOVAI_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &generated).unwrap();
        eprintln!("wrote {}", path.display());
        return;
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    if current != generated {
        let first_diff = current
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| current.lines().count().min(generated.lines().count()));
        let line = first_diff + 1;
        panic!(
            "{path} is stale (first difference at line {line}): the C API in bindings/c/src changed.\n\
             Regenerate it with:\n\n    GOVAI_BLESS=1 cargo test -p govai-c --test header\n\n\
             and commit the result.\n--- checked in, line {line}: {:?}\n+++ generated,  line {line}: {:?}",
            current.lines().nth(first_diff).unwrap_or("<end of file>"),
            generated.lines().nth(first_diff).unwrap_or("<end of file>"),
            path = path.display(),
        );
    }
}

/// The macro values equal the crate version, and the packed number is consistent with them
/// (rustls-ffi once shipped a version macro that shifted MINOR twice).
#[test]
fn version_macros_match_the_crate_version() {
    let header = generate();
    let value = |name: &str| -> u64 {
        let prefix = format!("#define {name} ");
        let line = header.lines().find(|l| l.starts_with(&prefix)).unwrap_or_else(|| panic!("no {name} in header"));
        line[prefix.len()..].trim().parse().unwrap()
    };
    let (major, minor, patch) =
        (value("GOVAI_VERSION_MAJOR"), value("GOVAI_VERSION_MINOR"), value("GOVAI_VERSION_PATCH"));
    assert_eq!(major, MAJOR.parse::<u64>().unwrap());
    assert_eq!(minor, MINOR.parse::<u64>().unwrap());
    assert_eq!(patch, PATCH.parse::<u64>().unwrap());
    assert!(minor < 1000 && patch < 1000, "GOVAI_VERSION_NUMBER packs MINOR and PATCH into 3 decimal digits each");
    assert!(header.contains(&format!("#define GOVAI_VERSION_STRING \"{}\"", env!("CARGO_PKG_VERSION"))));
    // The packed number, evaluated the way the C preprocessor would.
    let expr = header.split("#define GOVAI_VERSION_NUMBER").nth(1).unwrap().lines().nth(1).unwrap().trim();
    let expr = expr
        .replace("GOVAI_VERSION_MAJOR", &major.to_string())
        .replace("GOVAI_VERSION_MINOR", &minor.to_string())
        .replace("GOVAI_VERSION_PATCH", &patch.to_string())
        .replace('L', "");
    assert_eq!(eval(&expr), major * 1_000_000 + minor * 1000 + patch, "{expr}");
}

/// A tiny evaluator for `+`, `*` and parentheses over unsigned integers.
fn eval(expr: &str) -> u64 {
    fn sum(t: &[char], i: &mut usize) -> u64 {
        let mut v = product(t, i);
        while t.get(*i) == Some(&'+') {
            *i += 1;
            v += product(t, i);
        }
        v
    }
    fn product(t: &[char], i: &mut usize) -> u64 {
        let mut v = atom(t, i);
        while t.get(*i) == Some(&'*') {
            *i += 1;
            v *= atom(t, i);
        }
        v
    }
    fn atom(t: &[char], i: &mut usize) -> u64 {
        if t[*i] == '(' {
            *i += 1;
            let v = sum(t, i);
            assert_eq!(t[*i], ')');
            *i += 1;
            return v;
        }
        let start = *i;
        while *i < t.len() && t[*i].is_ascii_digit() {
            *i += 1;
        }
        t[start..*i].iter().collect::<String>().parse().unwrap()
    }
    let t: Vec<char> = expr.chars().filter(|c| !c.is_whitespace()).collect();
    let mut i = 0;
    let v = sum(&t, &mut i);
    assert_eq!(i, t.len(), "trailing input in {expr}");
    v
}

/// Every function the library exports is declared in the header (except the test hook), and
/// the error codes carry their stable numbers.
#[test]
fn header_declares_the_api() {
    let header = generate();
    for f in [
        "govai_version",
        "govai_error_code",
        "govai_error_message",
        "govai_error_kind",
        "govai_error_free",
        "govai_string_free",
        "govai_deployment_new_from_file",
        "govai_deployment_new_from_toml",
        "govai_deployment_handle_json",
        "govai_deployment_free",
        "govai_scan_json",
        "govai_scan",
        "govai_scan_result_level",
        "govai_scan_result_count",
        "govai_scan_result_finding",
        "govai_scan_result_reason_count",
        "govai_scan_result_reason",
        "govai_scan_result_free",
        "govai_mask",
        "govai_data_level_name",
        "govai_data_level_name_zh",
        "govai_review_json",
        "govai_audit_verify_json",
    ] {
        assert!(header.contains(&format!("{f}(")), "{f} missing from the header");
    }
    assert!(!header.contains("govai_test_panic"), "the test hook must stay out of the header");
    for (name, n) in [
        ("GOVAI_ERROR_INVALID_INPUT", 1),
        ("GOVAI_ERROR_CONFIG", 2),
        ("GOVAI_ERROR_NOT_FOUND", 3),
        ("GOVAI_ERROR_MODEL", 4),
        ("GOVAI_ERROR_CLASSIFICATION", 5),
        ("GOVAI_ERROR_REVIEW", 6),
        ("GOVAI_ERROR_AUDIT", 7),
        ("GOVAI_ERROR_IO", 8),
        ("GOVAI_ERROR_CANCELLED", 9),
        ("GOVAI_ERROR_INTERNAL", 10),
        ("GOVAI_ERROR_NULL_ARGUMENT", 100),
        ("GOVAI_ERROR_INVALID_UTF8", 101),
        ("GOVAI_ERROR_PANIC", 102),
    ] {
        assert!(header.contains(&format!("{name} = {n},")), "{name} = {n} missing");
    }
    for (name, n) in [
        ("GOVAI_DATA_LEVEL_PUBLIC", 0),
        ("GOVAI_DATA_LEVEL_INTERNAL", 1),
        ("GOVAI_DATA_LEVEL_SENSITIVE", 2),
        ("GOVAI_DATA_LEVEL_IMPORTANT", 3),
        ("GOVAI_DATA_LEVEL_CORE", 4),
        ("GOVAI_DATA_LEVEL_SECRET", 5),
    ] {
        assert!(header.contains(&format!("{name} = {n},")), "{name} = {n} missing");
    }
    assert!(header.contains("#ifdef __cplusplus\nextern \"C\" {"), "cpp_compat");
    assert!(header.starts_with("/*") && header.contains("#ifndef GOVAI_H"), "include guard");
}
