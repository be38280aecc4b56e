//! Builds the patrol page's WebAssembly (`crates/phone` for
//! wasm32-unknown-unknown, optimised for size) so that `office serve` and
//! `badgegate patrol bundle` carry it. The page's own files are watched
//! for the same reason. It is built by a second cargo in
//! its own target folder (`target/phone`), from the same sources and lock
//! file. `BADGEGATE_PHONE_WASM=FILE` takes a file built elsewhere instead.
//! Without the wasm32 target (`rustup target add wasm32-unknown-unknown`)
//! the office still builds, and its patrol page says what is missing.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let target = out.join("phone.wasm");
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let root = manifest.join("../..");
    println!("cargo:rerun-if-env-changed=BADGEGATE_PHONE_WASM");
    for watched in [
        "crates/phone/src",
        "crates/phone/Cargo.toml",
        "crates/phone/web",
        "crates/core/src",
        "crates/core/Cargo.toml",
        "crates/read/src",
        "crates/read/Cargo.toml",
        "Cargo.lock",
        "Cargo.toml",
    ] {
        println!("cargo:rerun-if-changed={}", root.join(watched).display());
    }
    if let Some(given) = std::env::var_os("BADGEGATE_PHONE_WASM") {
        println!("cargo:rerun-if-changed={}", Path::new(&given).display());
        std::fs::copy(&given, &target).expect("BADGEGATE_PHONE_WASM names a readable file");
        return;
    }
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
        .join("phone");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args([
        "build",
        "--quiet",
        "--release",
        "--locked",
        "--package",
        "badgegate-phone",
        "--target",
        "wasm32-unknown-unknown",
    ])
    .arg("--manifest-path")
    .arg(root.join("Cargo.toml"))
    .arg("--target-dir")
    .arg(&target_dir)
    // Small over fast: the page is downloaded by phones.
    .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "s")
    .env("CARGO_PROFILE_RELEASE_LTO", "true")
    .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "1")
    .env("CARGO_PROFILE_RELEASE_PANIC", "abort")
    .env("CARGO_PROFILE_RELEASE_STRIP", "true")
    .env("CARGO_PROFILE_RELEASE_DEBUG", "false");
    // The host build's flags and wrappers (clippy's, coverage) are not the
    // phone's.
    for var in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTC_WORKSPACE_WRAPPER",
        "RUSTC_WRAPPER",
        "CARGO_BUILD_TARGET",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_RUSTFLAGS",
    ] {
        cmd.env_remove(var);
    }
    let built = target_dir.join("wasm32-unknown-unknown/release/badgegate_phone.wasm");
    match cmd.status() {
        Ok(s) if s.success() && built.is_file() => {
            std::fs::copy(&built, &target).expect("OUT_DIR is writable");
        }
        other => {
            println!(
                "cargo:warning=the patrol page's WebAssembly was not built ({}): run `rustup target add wasm32-unknown-unknown` and build again; until then /patrol and `patrol bundle` say so",
                match other {
                    Ok(s) => format!("cargo exited with {s}"),
                    Err(e) => e.to_string(),
                }
            );
            std::fs::write(&target, b"").expect("OUT_DIR is writable");
        }
    }
}
