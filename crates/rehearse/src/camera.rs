//! Camera gates: each showing of a badge is a camera frame of its printed
//! card (the desk's own card, photo included, held up in a dim room with
//! sensor noise), sent as a JPEG on the gate's stdin as an IP camera's
//! stream reaches `kiosk --frames-stdin`. The gate reads the code from
//! the pixels; a frame it cannot read is followed by another, as the
//! next frames of a real camera would be.

use std::path::PathBuf;

use badgegate_core::clock::VenueTime;
use badgegate_core::format::badge::{photo_file_name, SignedBadge};
use badgegate_core::format::policy::PolicyBody;
use badgegate_desk::issue::card::{self, Look};
use badgegate_desk::synth;
use image::{DynamicImage, GrayImage};

use crate::RehearseError;

/// The frame size a gate's camera gives, and how tall a card shows in it.
const WIDTH: u32 = 1280;
const HEIGHT: u32 = 720;
const CARD_HEIGHT: u32 = 600;

/// What a gate's camera is shown.
#[derive(Clone, Debug)]
pub struct Camera {
    /// The venue policy the cards were printed under (their colours).
    pub policy: Option<PolicyBody>,
    pub time: VenueTime,
    /// The desk's photos (a card carries its holder's face).
    pub photos: Option<PathBuf>,
    /// Frames made so far: each one's noise and place differ (a gate's
    /// count starts apart from every other's).
    pub made: u64,
    /// Frames shown to the gate.
    pub shown: u64,
}

impl Camera {
    /// One camera frame of the card that carries `text`, JPEG-encoded: the
    /// desk's card for a badge (a forgery's too: it prints the same), the
    /// bare code for anything else shown.
    pub fn frame(&mut self, text: &str) -> Result<Vec<u8>, RehearseError> {
        self.made += 1;
        let code = badgegate_read::read::encode(text)
            .map_err(|e| RehearseError::Gate(format!("no QR code for what is shown: {e}")))?;
        let card: GrayImage = match SignedBadge::parse(text) {
            Ok(signed) => {
                let photo = self.photos.as_ref().and_then(|dir| {
                    std::fs::read(dir.join(photo_file_name(&signed.badge.serial))).ok()
                });
                let look = Look {
                    policy: self.policy.as_ref(),
                    time: &self.time,
                };
                DynamicImage::ImageRgb8(card::render(&signed.badge, &code, look, photo.as_deref()))
                    .into_luma8()
            }
            Err(_) => badgegate_read::read::render(&code, 8),
        };
        let frame = synth::camera_frame(&[&card], WIDTH, HEIGHT, CARD_HEIGHT, self.made);
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85)
            .encode_image(&frame)
            .map_err(|e| RehearseError::Gate(format!("a camera frame: {e}")))?;
        Ok(jpeg)
    }
}
