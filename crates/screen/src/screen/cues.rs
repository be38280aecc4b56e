//! The short sounds the screen makes, synthesised (no sound files), and
//! which one a verdict gets.

use super::wording::Tone;

/// The short sounds the screen makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cue {
    /// Two rising notes.
    Admit,
    /// Three low buzzes.
    Deny,
    /// Two equal notes: look at the screen (ID check, warning).
    Attention,
}

impl Cue {
    /// The cue for a verdict of this colour: one choice for every caller.
    pub fn for_tone(tone: Tone) -> Cue {
        match tone {
            Tone::Admit => Cue::Admit,
            Tone::Warn | Tone::Ask => Cue::Attention,
            Tone::Deny | Tone::OutOfService => Cue::Deny,
        }
    }
}

/// Sample rate of [`cue_samples`].
pub const CUE_RATE: u32 = 44_100;

/// A cue as mono samples in -1..1 at [`CUE_RATE`]: each note has a short
/// fade in and out so it does not click.
pub fn cue_samples(cue: Cue) -> Vec<f32> {
    // (frequency Hz or 0 for silence, ms, square-ish)
    let notes: &[(f32, u32, bool)] = match cue {
        Cue::Admit => &[(880.0, 110, false), (0.0, 30, false), (1320.0, 160, false)],
        Cue::Deny => &[
            (196.0, 150, true),
            (0.0, 60, false),
            (196.0, 150, true),
            (0.0, 60, false),
            (196.0, 150, true),
        ],
        Cue::Attention => &[(660.0, 140, false), (0.0, 80, false), (660.0, 140, false)],
    };
    let mut out = Vec::new();
    for &(freq, ms, square) in notes {
        let n = (CUE_RATE * ms / 1000) as usize;
        let fade = (CUE_RATE as usize / 200).min(n / 2).max(1);
        for i in 0..n {
            if freq == 0.0 {
                out.push(0.0);
                continue;
            }
            let t = i as f32 / CUE_RATE as f32;
            let phase = (t * freq * std::f32::consts::TAU).sin();
            // A soft square (the deny buzz) cuts through a noisy hall.
            let wave = if square {
                (phase * 3.0).clamp(-1.0, 1.0)
            } else {
                phase
            };
            let envelope = (i.min(n - 1 - i) as f32 / fade as f32).min(1.0);
            out.push(0.5 * wave * envelope);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_cues_differ_and_are_short_and_quiet_enough() {
        let cues = [Cue::Admit, Cue::Deny, Cue::Attention].map(cue_samples);
        for c in &cues {
            let secs = c.len() as f32 / CUE_RATE as f32;
            assert!(secs > 0.2 && secs < 0.8, "{secs} s");
            assert!(c.iter().all(|s| s.abs() <= 0.5));
            assert_eq!(c.first().copied(), Some(0.0), "fades in: no click");
        }
        assert_ne!(cues[0], cues[1]);
        assert_ne!(cues[0], cues[2]);
        assert_ne!(cues[1], cues[2]);
    }
}
