//! The day as planned: who the people are (names in the scripts a summit
//! sees, categories by weight), when each arrives (the morning peak), who
//! steps out and comes back, who leaves before the end. All from the
//! scenario's seed: the same seed, the same day.

use crate::scenario::{clock_secs, Scenario};
use crate::RehearseError;

/// A small, fast generator (SplitMix64): plenty for a plan, and the same
/// numbers on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// A number in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A number in `[a, b)`.
    pub fn between(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * self.unit()
    }
}

/// Given and family names in the scripts of an international summit:
/// Latin, Cyrillic, Arabic, Chinese, Devanagari, Greek.
const GIVEN: [&str; 16] = [
    "Amina",
    "Lars",
    "Ines",
    "Mateo",
    "Фарход",
    "Ольга",
    "Дилноза",
    "محمد",
    "فاطمة",
    "李",
    "王",
    "Ananya",
    "अर्जुन",
    "Νίκος",
    "Kwame",
    "Yuki",
];
const FAMILY: [&str; 16] = [
    "Diallo",
    "Eriksson",
    "Ferreira",
    "García",
    "Рахимов",
    "Иванова",
    "Саидова",
    "الرشيد",
    "حسيني",
    "明",
    "芳",
    "Sharma",
    "पटेल",
    "Παπαδόπουλος",
    "Mensah",
    "Tanaka",
];
const ORGS: [&str; 8] = [
    "Republic of Senegal",
    "Kingdom of Sweden",
    "Республика Таджикистан",
    "Portuguese Republic",
    "Press: Reuters",
    "Organising committee",
    "Republic of India",
    "Hellenic Republic",
];

/// One person of the day.
#[derive(Clone, Debug)]
pub struct Person {
    /// From 1, as events name them.
    pub number: usize,
    pub serial: String,
    pub name: String,
    pub org: String,
    pub category: String,
    /// The zone they spend the day in (their badge opens every zone).
    pub zone: String,
    /// Their movements in time order (scenario seconds since midnight):
    /// entries and exits, alternating, starting with an entry.
    pub moves: Vec<(f64, Move)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Move {
    Enter,
    Exit,
}

/// A category's serial prefix: its first three letters, upper case.
fn prefix(category: &str) -> String {
    let p: String = category
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(3)
        .collect::<String>()
        .to_ascii_uppercase();
    if p.is_empty() {
        "B".into()
    } else {
        p
    }
}

/// The people and their day.
pub fn people(s: &Scenario) -> Result<Vec<Person>, RehearseError> {
    let mut rng = Rng::new(s.seed);
    let start = clock_secs(&s.day.start)?;
    let opening = clock_secs(&s.day.opening)?;
    let end = clock_secs(&s.day.end)?;
    let peak_from = (opening - s.day.peak_minutes * 60.0).max(start);
    let total: u32 = s.people.categories.values().sum();
    let zones: Vec<&str> = s
        .zones
        .iter()
        .map(|z| z.code.as_str())
        .filter(|z| s.gates.iter().any(|g| g.zone == *z && g.direction == "in"))
        .collect();
    let mut out = Vec::with_capacity(s.people.count);
    for number in 1..=s.people.count {
        let mut pick = rng.below(total as usize) as u32;
        let category = s
            .people
            .categories
            .iter()
            .find(|(_, w)| {
                if pick < **w {
                    true
                } else {
                    pick -= **w;
                    false
                }
            })
            .map(|(c, _)| c.clone())
            .unwrap_or_else(|| "guest".into());
        let name = format!(
            "{} {}",
            GIVEN[rng.below(GIVEN.len())],
            FAMILY[rng.below(FAMILY.len())]
        );
        let org = ORGS[rng.below(ORGS.len())].to_owned();
        let zone = zones[rng.below(zones.len())].to_owned();
        let can_leave = s
            .gates
            .iter()
            .any(|g| g.zone == zone && g.direction == "out");
        // The morning peak, else any time until two hours before the end.
        let arrive = if rng.unit() < s.day.peak_share {
            rng.between(peak_from, opening)
        } else {
            rng.between(start, (end - 7200.0).max(start + 60.0))
        };
        let mut moves = vec![(arrive, Move::Enter)];
        let mut t = arrive;
        if can_leave && rng.unit() < s.day.step_out_share && end - t > 3.0 * 3600.0 {
            let out_at = rng.between(t + 1800.0, end - 5400.0);
            let back = rng.between(out_at + 600.0, out_at + 3600.0);
            moves.push((out_at, Move::Exit));
            moves.push((back, Move::Enter));
            t = back;
        }
        if can_leave && rng.unit() < s.day.leave_share && end - t > 1200.0 {
            moves.push((rng.between(t + 900.0, end), Move::Exit));
        }
        out.push(Person {
            number,
            serial: format!("{}-{number:04}", prefix(&category)),
            name,
            org,
            category,
            zone,
            moves,
        });
    }
    Ok(out)
}
