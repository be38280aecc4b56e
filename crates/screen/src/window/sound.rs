//! The screen's admit/deny cues on the machine's sound device (feature
//! `sound`). Where there is no device, or the feature is off, the screen is
//! silent and nothing else changes.

use std::sync::mpsc::{self, Sender};

use badgegate_core::notice::Notices;

use crate::screen::Cue;

/// Plays cues on a thread of its own, so a slow device never holds the screen.
pub struct Speaker {
    cues: Sender<Cue>,
}

impl Speaker {
    /// The speaker, or `None` (silently) where no sound device exists.
    /// Why it stays silent goes to `notices`.
    pub fn open(notices: &Notices) -> Option<Speaker> {
        if !has_playback_device() {
            return None;
        }
        let (cues, rx) = mpsc::channel::<Cue>();
        let (ready_tx, ready) = mpsc::channel::<bool>();
        std::thread::Builder::new()
            .name("sound".into())
            .spawn({
                let notices = notices.clone();
                move || play_loop(rx, ready_tx, notices)
            })
            .ok()?;
        ready.recv().ok()?.then_some(Speaker { cues })
    }

    pub fn play(&self, cue: Cue) {
        let _ = self.cues.send(cue);
    }
}

/// ALSA playback devices (`/dev/snd/pcmC0D0p`); without one there is
/// nothing to open (and ALSA would only print errors trying).
fn has_playback_device() -> bool {
    std::fs::read_dir("/dev/snd")
        .map(|d| {
            d.flatten().any(|e| {
                let n = e.file_name();
                let n = n.to_string_lossy();
                n.starts_with("pcm") && n.ends_with('p')
            })
        })
        .unwrap_or(false)
}

#[cfg(feature = "sound")]
fn play_loop(rx: mpsc::Receiver<Cue>, ready: Sender<bool>, notices: Notices) {
    use crate::screen::{cue_samples, CUE_RATE};
    let mut stream = match rodio::OutputStreamBuilder::open_default_stream() {
        Ok(s) => s,
        Err(e) => {
            notices.say(format!("warning: no sound ({e}); the screen stays silent"));
            let _ = ready.send(false);
            return;
        }
    };
    stream.log_on_drop(false);
    let _ = ready.send(true);
    for cue in rx {
        let buffer = rodio::buffer::SamplesBuffer::new(1, CUE_RATE, cue_samples(cue));
        stream.mixer().add(buffer);
    }
}

#[cfg(not(feature = "sound"))]
fn play_loop(_rx: mpsc::Receiver<Cue>, ready: Sender<bool>, _notices: Notices) {
    let _ = ready.send(false);
}
