//! The patrol page as shipped (docs/patrol.md): `phone.wasm`, which
//! `build.rs` builds from `crates/phone` for wasm32 (empty when the target
//! is missing), and the page's own files from `crates/phone/web`. The
//! office serves them (`office::patrol`) and `patrol bundle` writes them.

/// The verifier (empty: this build had no wasm32 target).
pub const WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/phone.wasm"));

/// The page's own files, by their names under `/patrol/`.
pub const FILES: &[(&str, &[u8])] = &[
    ("index.html", include_bytes!("../../phone/web/index.html")),
    ("phone.js", include_bytes!("../../phone/web/phone.js")),
    ("patrol.js", include_bytes!("../../phone/web/patrol.js")),
    ("patrol.css", include_bytes!("../../phone/web/patrol.css")),
    ("sw.js", include_bytes!("../../phone/web/sw.js")),
    (
        "manifest.webmanifest",
        include_bytes!("../../phone/web/manifest.webmanifest"),
    ),
    ("icon.svg", include_bytes!("../../phone/web/icon.svg")),
    (
        "words/en.json",
        include_bytes!("../../phone/web/words/en.json"),
    ),
    (
        "words/ru.json",
        include_bytes!("../../phone/web/words/ru.json"),
    ),
    (
        "words/tg.json",
        include_bytes!("../../phone/web/words/tg.json"),
    ),
];
