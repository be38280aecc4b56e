//! Drawing the guard's screen from the model's state: the live picture, the
//! verdict field and the status bar. Sizes and colours come from `theme`.

use badgegate::clock::format_clock;
use badgegate::gate::engine::Outcome;
use badgegate::screen::{Card, SourceState, Tone, View};
use badgegate::text::printable_short;
use eframe::egui::{self, Align2, Color32, FontFamily, FontId, Pos2, Rect, Stroke, Vec2};

use super::app::App;
use super::theme::{self, rgb};

pub fn bold(size: f32) -> FontId {
    FontId::new(size, FontFamily::Name("bold".into()))
}

pub fn regular(size: f32) -> FontId {
    FontId::proportional(size)
}

/// The whole screen.
pub fn draw(app: &App, p: &egui::Painter, area: Rect, now_ms: u64) {
    let bar_h = (area.height() * theme::STATUS_BAR_SHARE).max(theme::STATUS_BAR_MIN);
    let main = Rect::from_min_max(area.min, Pos2::new(area.max.x, area.max.y - bar_h));
    let bar = Rect::from_min_max(Pos2::new(area.min.x, main.max.y), area.max);
    draw_status(app, p, bar, now_ms);
    if let View::OutOfService { why } = app.model.view() {
        draw_out_of_service(
            p,
            main,
            why,
            "this kiosk admits no one: call the security office",
        );
        return;
    }
    let split = main.min.x + main.width() * theme::CAMERA_SHARE;
    let cam = Rect::from_min_max(main.min, Pos2::new(split, main.max.y)).shrink(theme::PANEL_GAP);
    let field = Rect::from_min_max(Pos2::new(split, main.min.y), main.max).shrink(theme::PANEL_GAP);
    draw_camera(app, p, cam);
    let reconnecting = match app.model.source() {
        SourceState::Reconnecting { why, attempt } => Some(format!(
            "camera lost ({}); reconnecting, attempt {attempt}",
            printable_short(why, 80)
        )),
        _ => None,
    };
    match app.model.view() {
        View::Ready => match &reconnecting {
            Some(why) => {
                draw_out_of_service(p, field, why, "badges from a USB scanner are still decided")
            }
            None => draw_ready(app, p, field),
        },
        View::Verdict { card, .. } | View::Confirm { card, .. } => draw_card(p, field, card),
        View::Note {
            admit,
            about,
            text,
            error,
        } => draw_note(p, field, *admit, about.as_ref(), text, error.as_deref()),
        View::OutOfService { .. } => {}
    }
    if let Some(notice) = app.model.notice(now_ms) {
        let r = Rect::from_min_size(
            Pos2::new(field.min.x, field.max.y - theme::NOTICE_HEIGHT),
            Vec2::new(field.width(), theme::NOTICE_HEIGHT),
        );
        p.rect_filled(r, 0.0, theme::NOTICE_BACKGROUND);
        p.text(
            r.left_center() + Vec2::new(theme::NOTICE_INDENT, 0.0),
            Align2::LEFT_CENTER,
            notice,
            regular(theme::NOTICE_SIZE),
            theme::NOTICE_TEXT,
        );
    }
}

fn draw_camera(app: &App, p: &egui::Painter, r: Rect) {
    p.rect_filled(r, theme::CAMERA_CORNER, theme::CAMERA_BACKGROUND);
    let Some(tex) = &app.texture else {
        let what = if app.model.source() == &SourceState::Ended {
            "no picture: the frame source ended"
        } else {
            "no camera picture: badges come from the scanner"
        };
        p.text(
            r.center(),
            Align2::CENTER_CENTER,
            what,
            regular(theme::CAMERA_NOTE_SIZE),
            theme::CAMERA_NOTE,
        );
        return;
    };
    let [w, h] = tex.size();
    let scale = (r.width() / w as f32).min(r.height() / h as f32);
    let size = Vec2::new(w as f32 * scale, h as f32 * scale);
    let img = Rect::from_center_size(r.center(), size);
    p.image(
        tex.id(),
        img,
        Rect::from_min_max(Pos2::ZERO, Pos2::new(1.0, 1.0)),
        Color32::WHITE,
    );
    if let Some(seen) = &app.seen {
        let [fw, fh] = seen.size;
        // Drawn for a moment, or for as long as no newer picture replaced
        // the one the codes were found in.
        let current = app.pictures <= seen.pictures + 1;
        if (current || seen.at.elapsed().as_millis() < theme::OUTLINE_MS) && fw > 0 && fh > 0 {
            let sx = size.x / fw as f32;
            let sy = size.y / fh as f32;
            for quad in &seen.corners {
                let pts: Vec<Pos2> = quad
                    .iter()
                    .map(|[x, y]| Pos2::new(img.min.x + *x as f32 * sx, img.min.y + *y as f32 * sy))
                    .collect();
                p.add(egui::Shape::closed_line(
                    pts,
                    Stroke::new(theme::OUTLINE_WIDTH, theme::OUTLINE),
                ));
            }
        }
    }
}

/// Draws `text` in `font`, shrunk until it fits `max_w`; returns its height.
fn fit_text(
    p: &egui::Painter,
    pos: Pos2,
    text: &str,
    font: FontId,
    colour: Color32,
    max_w: f32,
) -> f32 {
    let mut font = font;
    loop {
        let g = p.layout_no_wrap(text.to_owned(), font.clone(), colour);
        if g.size().x <= max_w || font.size <= theme::MIN_TEXT {
            let h = g.size().y;
            p.galley(pos, g, colour);
            return h;
        }
        font.size *= theme::SHRINK;
    }
}

/// Draws `text` wrapped at `max_w`; returns its height.
fn wrapped(
    p: &egui::Painter,
    pos: Pos2,
    text: &str,
    font: FontId,
    colour: Color32,
    max_w: f32,
) -> f32 {
    let g = p.layout(text.to_owned(), font, colour, max_w);
    let h = g.size().y;
    p.galley(pos, g, colour);
    h
}

/// A verdict: headline, reason, who, category band, serial, key hints.
fn draw_card(p: &egui::Painter, r: Rect, card: &Card) {
    use theme::card as c;
    let tone = card.tone;
    p.rect_filled(r, theme::FIELD_CORNER, rgb(tone.rgb()));
    let ink = rgb(tone.ink());
    let h = r.height();
    let pad = r.width() * c::PAD;
    let w = r.width() - 2.0 * pad;
    let mut y = r.min.y + h * c::TOP;
    let x = r.min.x + pad;
    y += fit_text(
        p,
        Pos2::new(x, y),
        &card.headline,
        bold(h * c::HEADLINE),
        ink,
        w,
    );
    y += wrapped(
        p,
        Pos2::new(x, y),
        &card.reason,
        bold(h * c::REASON),
        ink,
        w,
    ) + h * c::AFTER_REASON;
    if !card.name.is_empty() {
        y += fit_text(p, Pos2::new(x, y), &card.name, bold(h * c::NAME), ink, w);
        if !card.org.is_empty() {
            y += fit_text(p, Pos2::new(x, y), &card.org, regular(h * c::ORG), ink, w);
        }
        y += h * c::BEFORE_BAND;
        let band = Rect::from_min_size(Pos2::new(r.min.x, y), Vec2::new(r.width(), h * c::BAND));
        p.rect_filled(band, 0.0, rgb(card.category_colour));
        p.rect_stroke(
            band,
            0.0,
            Stroke::new(c::BAND_EDGE, theme::CATEGORY_EDGE),
            egui::StrokeKind::Inside,
        );
        fit_text(
            p,
            Pos2::new(x, y + h * c::BAND_TEXT_TOP),
            &card.category,
            bold(h * c::CATEGORY),
            theme::CATEGORY_TEXT,
            w,
        );
        y += band.height() + h * c::AFTER_BAND;
        let serial = if card.verified {
            format!("badge {}", card.serial)
        } else {
            format!(
                "badge {} — NOT VERIFIED: do not trust the name",
                card.serial
            )
        };
        fit_text(p, Pos2::new(x, y), &serial, regular(h * c::SERIAL), ink, w);
    }
    let small = regular((h * c::HINT).max(c::HINT_MIN));
    let seq = p.layout_no_wrap(format!("#{}", card.seq), small.clone(), ink);
    let seq_w = seq.size().x;
    let hint_y = r.max.y - h * c::BOTTOM - seq.size().y;
    p.galley(Pos2::new(r.max.x - pad - seq_w, hint_y), seq, ink);
    fit_text(
        p,
        Pos2::new(x, hint_y),
        &card.hint,
        small,
        ink,
        w - seq_w - c::HINT_GAP,
    );
}

fn draw_ready(app: &App, p: &egui::Painter, r: Rect) {
    use theme::ready as c;
    p.rect_filled(r, theme::FIELD_CORNER, theme::READY_FIELD);
    let h = r.height();
    let x = r.min.x + r.width() * c::PAD;
    let w = r.width() * (1.0 - 2.0 * c::PAD);
    let mut y = r.min.y + h * c::TOP;
    let ended = app.model.source() == &SourceState::Ended;
    y += fit_text(
        p,
        Pos2::new(x, y),
        // Nothing more will be read: READY would invite a badge in vain.
        if ended { "NO MORE FRAMES" } else { "READY" },
        bold(h * c::HEADLINE),
        theme::READY_TEXT,
        w,
    );
    let line = match app.model.source() {
        SourceState::Ended => "no more frames from this source; Ctrl+Q closes the screen",
        _ => "show the badge's code to the camera",
    };
    wrapped(
        p,
        Pos2::new(x, y),
        line,
        regular(h * c::LINE),
        theme::READY_LINE,
        w,
    );
    p.text(
        Pos2::new(x, r.max.y - h * theme::card::BOTTOM),
        Align2::LEFT_BOTTOM,
        "F2: admit by hand · F3: deny by hand · Ctrl+Q: close",
        regular((h * theme::card::HINT).max(theme::card::HINT_MIN)),
        theme::KEY_HINTS,
    );
}

fn draw_note(
    p: &egui::Painter,
    r: Rect,
    admit: bool,
    about: Option<&Outcome>,
    text: &str,
    error: Option<&str>,
) {
    use theme::note as c;
    p.rect_filled(r, theme::FIELD_CORNER, rgb(Tone::Ask.rgb()));
    let h = r.height();
    let x = r.min.x + r.width() * theme::card::PAD;
    let w = r.width() * (1.0 - 2.0 * theme::card::PAD);
    let mut y = r.min.y + h * c::TOP;
    let title = if admit {
        "ADMIT BY HAND"
    } else {
        "DENY BY HAND"
    };
    y += fit_text(
        p,
        Pos2::new(x, y),
        title,
        bold(h * c::TITLE),
        theme::NOTE_TITLE,
        w,
    );
    let who = match about.and_then(|o| o.decision.badge.as_ref()) {
        Some(b) => format!(
            "badge {} · {}",
            printable_short(&b.serial, 30),
            printable_short(&b.name, 50)
        ),
        None => "no badge read: write the holder's name in the note".into(),
    };
    y += wrapped(
        p,
        Pos2::new(x, y),
        &who,
        regular(h * c::WHO),
        theme::NOTE_TITLE,
        w,
    ) + h * c::AFTER_WHO;
    y += wrapped(
        p,
        Pos2::new(x, y),
        "why? (saved in the journal)",
        regular(h * c::PROMPT),
        theme::NOTE_PROMPT,
        w,
    );
    let boxr = Rect::from_min_size(Pos2::new(x, y + c::BOX_GAP), Vec2::new(w, h * c::BOX));
    p.rect_filled(boxr, theme::CAMERA_CORNER, theme::NOTE_BOX);
    wrapped(
        p,
        boxr.min + Vec2::new(c::BOX_INSET[0], c::BOX_INSET[1]),
        &format!("{text}▏"),
        regular(h * c::TEXT),
        theme::NOTE_TEXT,
        w - 2.0 * c::BOX_INSET[0],
    );
    if let Some(e) = error {
        wrapped(
            p,
            Pos2::new(x, boxr.max.y + c::ERROR_GAP),
            e,
            bold(h * c::ERROR),
            theme::NOTE_ERROR,
            w,
        );
    }
    p.text(
        Pos2::new(x, r.max.y - h * theme::card::BOTTOM),
        Align2::LEFT_BOTTOM,
        "Enter: save to the journal · Esc: cancel",
        regular((h * theme::card::HINT).max(theme::card::HINT_MIN)),
        theme::NOTE_TITLE,
    );
}

/// Dark red with stripes: this is not a verdict; nobody is admitted.
pub fn draw_out_of_service(p: &egui::Painter, r: Rect, why: &str, then: &str) {
    use theme::out_of_service as c;
    p.rect_filled(r, theme::FIELD_CORNER, rgb(Tone::OutOfService.rgb()));
    let mut x = r.min.x - r.height();
    while x < r.max.x {
        let a = Pos2::new(x.max(r.min.x), r.max.y - (x.max(r.min.x) - x));
        let b_x = (x + r.height()).min(r.max.x);
        let b = Pos2::new(b_x, r.max.y - (b_x - x));
        p.line_segment(
            [a, b],
            Stroke::new(c::STRIPE_WIDTH, theme::OUT_OF_SERVICE_STRIPE),
        );
        x += c::STRIPE_STEP;
    }
    let h = r.height();
    let pad = r.width() * theme::card::PAD;
    let w = r.width() - 2.0 * pad;
    let mut y = r.min.y + h * c::TOP;
    y += fit_text(
        p,
        Pos2::new(r.min.x + pad, y),
        "OUT OF SERVICE",
        bold(h * c::HEADLINE),
        theme::OUT_OF_SERVICE_TEXT,
        w,
    );
    y += wrapped(
        p,
        Pos2::new(r.min.x + pad, y),
        why,
        bold(h * c::WHY),
        theme::OUT_OF_SERVICE_TEXT,
        w,
    ) + h * c::AFTER_WHY;
    wrapped(
        p,
        Pos2::new(r.min.x + pad, y),
        then,
        regular(h * c::THEN),
        theme::OUT_OF_SERVICE_LINE,
        w,
    );
}

/// Gate, zone, direction and kiosk; today's counts; the revocation list's
/// age; the clock.
fn draw_status(app: &App, p: &egui::Painter, r: Rect, now_ms: u64) {
    use theme::status as c;
    p.rect_filled(r, 0.0, theme::STATUS_BAR);
    let f = &app.fixed;
    let counts = app.model.counters();
    let row = r.height() / 2.0;
    let size = (row * c::TEXT).clamp(c::TEXT_MIN, c::TEXT_MAX);
    // The clock, large, on the right across both rows.
    let clock = format_clock(now_ms, app.model.config().utc_offset);
    let clock_g = p.layout_no_wrap(
        clock,
        bold((r.height() * c::CLOCK).clamp(c::CLOCK_MIN, c::CLOCK_MAX)),
        theme::STATUS_TEXT,
    );
    let clock_w = clock_g.size().x;
    p.galley(
        Pos2::new(
            r.max.x - c::PAD - clock_w,
            r.center().y - clock_g.size().y / 2.0,
        ),
        clock_g,
        theme::STATUS_TEXT,
    );
    let w = r.width() - clock_w - 3.0 * c::PAD;
    let top = format!(
        "{} · {} · {} · kiosk {}{}",
        f.gate,
        f.zone,
        f.direction,
        f.kiosk_id,
        if f.signed { "" } else { " · journal UNSIGNED" }
    );
    fit_text(
        p,
        Pos2::new(r.min.x + c::PAD, r.min.y + row * c::TOP_ROW),
        &top,
        bold(size),
        theme::STATUS_TEXT,
        w * c::LEFT_SHARE,
    );
    let today = format!(
        "today: admitted {} · denied {} · inside {}",
        counts.admitted, counts.denied, counts.inside
    );
    fit_text(
        p,
        Pos2::new(r.min.x + c::PAD, r.min.y + row * c::BOTTOM_ROW),
        &today,
        regular(size),
        theme::STATUS_TEXT,
        w * c::LEFT_SHARE,
    );
    let (revs, stale) = app.model.revocation_status(now_ms / 1000);
    let ink = if stale {
        theme::STATUS_WARN_TEXT
    } else {
        theme::STATUS_DIM
    };
    let mut font = regular(size);
    let mut g = p.layout_no_wrap(revs.clone(), font.clone(), ink);
    while g.size().x > w * c::RIGHT_SHARE && font.size > c::MIN_TEXT {
        font.size *= theme::SHRINK;
        g = p.layout_no_wrap(revs.clone(), font.clone(), ink);
    }
    let pos = Pos2::new(
        r.max.x - 2.0 * c::PAD - clock_w - g.size().x,
        r.center().y - g.size().y / 2.0,
    );
    if stale {
        let pad = Vec2::new(c::WARN_PAD[0], c::WARN_PAD[1]);
        p.rect_filled(
            Rect::from_min_size(pos - pad, g.size() + 2.0 * pad),
            c::WARN_CORNER,
            rgb(Tone::Warn.rgb()),
        );
    }
    p.galley(pos, g, ink);
}
