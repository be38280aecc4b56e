//! Badge categories as people see them: the colour band and the words
//! printed on the card and shown on the guard's screen.

/// The colour band of a category: well-known categories have fixed colours,
/// any other gets a stable colour from its name.
pub fn category_colour(category: &str) -> [u8; 3] {
    match category {
        "hos" | "hod" | "head-of-state" | "head-of-delegation" | "vip" => [128, 0, 32],
        "delegate" | "delegation" => [0, 82, 155],
        "press" | "media" => [230, 126, 0],
        "staff" | "organiser" => [0, 128, 80],
        "security" | "protection" => [30, 30, 30],
        "interpreter" => [110, 60, 160],
        "contractor" | "technical" => [120, 100, 60],
        "visitor" | "guest" => [0, 140, 160],
        other => {
            // FNV-1a of the name, folded into a dark-enough colour for white text.
            let mut h: u32 = 0x811c_9dc5;
            for b in other.bytes() {
                h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
            }
            let c = |shift: u32| 40 + ((h >> shift) & 0x7f) as u8;
            [c(0), c(8), c(16)]
        }
    }
}

/// The words printed in the colour band: short codes spelled out.
pub fn category_label(category: &str) -> String {
    match category {
        "hod" => "HEAD OF DELEGATION".into(),
        "hos" => "HEAD OF STATE".into(),
        other => other.to_uppercase().replace('-', " "),
    }
}
