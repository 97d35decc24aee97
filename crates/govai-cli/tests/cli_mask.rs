//! `govai mask`: the operator and hash-key rule shared with the C and Python bindings
//! (`govai::operator_from_spec`), as the command line applies it.

use std::process::{Command, Output};

const TEXT: &str = "手机13800138000";

fn mask(args: &[&str], env_key: Option<&str>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_govai"));
    c.arg("mask").args(args).arg(TEXT).env_remove(govai::HASH_KEY_ENV);
    if let Some(k) = env_key {
        c.env(govai::HASH_KEY_ENV, k);
    }
    c.output().expect("runs")
}

fn ok(args: &[&str], env_key: Option<&str>) -> String {
    let out = mask(args, env_key);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8").trim_end().to_owned()
}

fn fails(args: &[&str], env_key: Option<&str>) -> String {
    let out = mask(args, env_key);
    assert_eq!(out.status.code(), Some(2), "{args:?} should fail: {}", String::from_utf8_lossy(&out.stdout));
    String::from_utf8(out.stderr).expect("UTF-8")
}

#[test]
fn plain_operators() {
    assert_eq!(ok(&[], None), "手机138****8000");
    assert_eq!(ok(&["--operator", "replace"], None), "手机<cn_mobile>");
}

#[test]
fn hash_key_from_the_operator_the_flag_or_the_environment_all_hex() {
    let inline = ok(&["--operator", "hash:6b6579"], None);
    assert_eq!(inline.chars().count(), 2 + 64, "{inline}");
    assert_eq!(ok(&["--operator", "hash", "--key", "6b6579"], None), inline);
    assert_eq!(ok(&["--operator", "hash"], Some("6b6579")), inline);
    // The flag wins over the environment; the operator's own key is not overridden by it either.
    assert_eq!(ok(&["--operator", "hash", "--key", "6b6579"], Some("00")), inline);
    assert_eq!(ok(&["--operator", "hash:6b6579"], Some("00")), inline);
}

#[test]
fn empty_missing_non_hex_or_doubled_keys_fail_naming_the_key() {
    let e = fails(&["--operator", "hash", "--key", ""], None);
    assert!(e.contains("--key") && e.contains("empty"), "{e}");
    let e = fails(&["--operator", "hash"], Some(""));
    assert!(e.contains("GOVAI_HASH_KEY") && e.contains("empty"), "{e}");
    let e = fails(&["--operator", "hash"], None);
    assert!(e.contains("needs a key") && e.contains("GOVAI_HASH_KEY"), "{e}");
    let e = fails(&["--operator", "hash", "--key", "not-a-secret-in-hex"], None);
    assert!(e.contains("--key") && e.contains("not hex") && !e.contains("not-a-secret"), "{e}");
    let e = fails(&["--operator", "hash:6b6579", "--key", "6b6579"], None);
    assert!(e.contains("not both"), "{e}");
    let e = fails(&["--operator", "mask", "--key", "6b6579"], None);
    assert!(e.contains("only for the `hash` operator"), "{e}");
}
