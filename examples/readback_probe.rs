//! Probe: how often does a cleanly rendered badge QR fail to read back?
//! `cargo run --release --example readback_probe [N]`
use badgegate::qr;
fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2000);
    let mut fails = [0usize; 8];
    for i in 0..n {
        let text = format!(
            "BG1:{}",
            base45::encode(
                format!("{i:08} probe badge with a forty character name and org {i}").repeat(3)
            )
        );
        let code = qr::encode(&text).unwrap();
        for (k, px) in [1u32, 2, 3, 4, 5, 6, 8, 10].into_iter().enumerate() {
            let f = qr::decode(&qr::render(&code, px));
            if !(f.len() == 1 && f[0].bytes == text.as_bytes()) {
                fails[k] += 1;
            }
        }
    }
    println!("{n} codes; failures at 1,2,3,4,5,6,8,10 px/module: {fails:?}");
}
