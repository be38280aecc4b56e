//! Drawing the guard's screen from the model's state: the live picture, the
//! verdict field and the status bar. Sizes and colours come from `theme`.

use crate::screen::{Card, Shown, SourceState, Tone, View};
use badgegate_core::clock::format_clock;
use badgegate_core::text::printable_short;
use badgegate_gate::gate::engine::Outcome;
use eframe::egui::{self, Align2, Color32, FontFamily, FontId, Pos2, Rect, Stroke, Vec2};

use super::app::App;
use super::theme::{self, rgb};

pub fn bold(size: f32) -> FontId {
    FontId::new(size, FontFamily::Name("bold".into()))
}

pub fn regular(size: f32) -> FontId {
    FontId::proportional(size)
}

thread_local! {
    /// The language of the frame being drawn (set by [`draw`]).
    static LANG: std::cell::Cell<crate::screen::Lang> = const { std::cell::Cell::new(crate::screen::Lang::En) };
}

/// The words of the frame being drawn, in the screen's language.
fn words() -> &'static crate::screen::Words {
    LANG.with(|l| l.get()).words()
}

/// The whole screen.
pub fn draw(app: &App, p: &egui::Painter, area: Rect, now_ms: u64) {
    LANG.with(|l| l.set(app.model.config().lang));
    let bar_h = (area.height() * theme::STATUS_BAR_SHARE).max(theme::STATUS_BAR_MIN);
    let main = Rect::from_min_max(area.min, Pos2::new(area.max.x, area.max.y - bar_h));
    let bar = Rect::from_min_max(Pos2::new(area.min.x, main.max.y), area.max);
    draw_status(app, p, bar, now_ms);
    if let View::OutOfService { why } = app.model.view() {
        draw_out_of_service(p, main, why, app.model.config().lang.words().admits_no_one);
        return;
    }
    let split = main.min.x + main.width() * theme::CAMERA_SHARE;
    let cam = Rect::from_min_max(main.min, Pos2::new(split, main.max.y)).shrink(theme::PANEL_GAP);
    let whole = Rect::from_min_max(Pos2::new(split, main.min.y), main.max).shrink(theme::PANEL_GAP);
    // A notice takes the field's bottom strip: the cards stay above it.
    let notice = app.model.notice(now_ms);
    let field = if notice.is_some() {
        Rect::from_min_max(
            whole.min,
            Pos2::new(whole.max.x, whole.max.y - theme::NOTICE_HEIGHT),
        )
    } else {
        whole
    };
    draw_camera(app, p, cam);
    let reconnecting = match app.model.source() {
        SourceState::Reconnecting { why, attempt } => Some(crate::screen::lang::fill(
            words().camera_lost,
            &[
                ("why", &printable_short(why, 80)),
                ("n", &attempt.to_string()),
            ],
        )),
        _ => None,
    };
    let shown = app.model.verdicts();
    match app.model.view() {
        View::Ready if shown.is_empty() => match &reconnecting {
            Some(why) => draw_out_of_service(p, field, why, words().scanner_still),
            None => draw_ready(app, p, field),
        },
        View::Ready => draw_verdicts(app, p, field, shown),
        View::Confirm { card, outcome, .. } => {
            let top = with_verdicts_below(p, field, shown);
            // Other ID checks queued behind this one are said, not hidden.
            let waiting = app.model.queued();
            if waiting > 0 {
                let mut card = card.clone();
                let more = app.model.config().lang.words().more_waiting;
                card.hint = format!(
                    "{} · {}",
                    card.hint,
                    crate::screen::lang::fill(more, &[("n", &waiting.to_string())])
                );
                draw_card(p, top, &card, app.photos.get(&outcome.entry.seq));
            } else {
                draw_card(p, top, card, app.photos.get(&outcome.entry.seq));
            }
        }
        View::Note {
            admit,
            about,
            text,
            error,
            ..
        } => {
            let top = with_verdicts_below(p, field, shown);
            draw_note(p, top, *admit, about.as_ref(), text, error.as_deref());
        }
        View::SignIn { .. } => {
            let top = with_verdicts_below(p, field, shown);
            draw_sign_in(p, top);
        }
        View::OutOfService { .. } => {}
    }
    if let Some(notice) = notice {
        let r = Rect::from_min_size(
            Pos2::new(whole.min.x, whole.max.y - theme::NOTICE_HEIGHT),
            Vec2::new(whole.width(), theme::NOTICE_HEIGHT),
        );
        p.rect_filled(r, 0.0, theme::NOTICE_BACKGROUND);
        // Whole, however long: smaller type rather than cut off.
        let font = regular(theme::NOTICE_SIZE);
        let size = p
            .layout_no_wrap(notice.to_owned(), font.clone(), theme::NOTICE_TEXT)
            .size();
        fit_text(
            p,
            Pos2::new(r.min.x + theme::NOTICE_INDENT, r.center().y - size.y / 2.0),
            notice,
            font,
            theme::NOTICE_TEXT,
            r.width() - 2.0 * theme::NOTICE_INDENT,
        );
    }
}

fn draw_camera(app: &App, p: &egui::Painter, r: Rect) {
    p.rect_filled(r, theme::CAMERA_CORNER, theme::CAMERA_BACKGROUND);
    let Some(tex) = &app.texture else {
        let what = if app.model.source() == &SourceState::Ended {
            words().no_picture_ended
        } else {
            words().no_picture_scanner
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
            for code in &seen.codes {
                let pts: Vec<Pos2> = code
                    .corners
                    .iter()
                    .map(|[x, y]| Pos2::new(img.min.x + *x as f32 * sx, img.min.y + *y as f32 * sy))
                    .collect();
                // Each code in its own verdict's colour, with its holder.
                let colour = code.tone.map_or(theme::OUTLINE, |t| rgb(t.rgb()));
                let top_left = pts
                    .iter()
                    .copied()
                    .fold(Pos2::new(f32::MAX, f32::MAX), |a, b| {
                        Pos2::new(a.x.min(b.x), a.y.min(b.y))
                    });
                p.add(egui::Shape::closed_line(
                    pts,
                    Stroke::new(theme::OUTLINE_WIDTH, colour),
                ));
                if let (Some(tone), false) = (code.tone, code.label.is_empty()) {
                    // The holder's name, shaped like the verdict's.
                    let text = shaped::size(p, &code.label, theme::OUTLINE_LABEL, true);
                    let size = text + Vec2::splat(2.0 * theme::OUTLINE_LABEL_PAD);
                    let at = Pos2::new(top_left.x, (top_left.y - size.y).max(img.min.y));
                    p.rect_filled(Rect::from_min_size(at, size), 3.0, colour);
                    shaped::fit(
                        p,
                        at + Vec2::splat(theme::OUTLINE_LABEL_PAD),
                        &code.label,
                        theme::OUTLINE_LABEL,
                        true,
                        rgb(tone.ink()),
                        f32::MAX,
                    );
                }
            }
        }
    }
}

/// Text is laid out, measured and (unless dry) painted through these; a
/// dry run finds how much room a card's content takes before it is drawn,
/// and a test records every text's box.
mod pen {
    use std::cell::RefCell;

    use eframe::egui::Rect;

    #[derive(Default)]
    struct Mode {
        dry: bool,
        boxes: Option<Vec<(String, Rect)>>,
    }

    thread_local! {
        static MODE: RefCell<Mode> = RefCell::default();
    }

    /// True while measuring only.
    pub fn dry() -> bool {
        MODE.with(|m| m.borrow().dry)
    }

    /// Runs `f` measuring only: nothing is painted or recorded.
    pub fn measuring<T>(f: impl FnOnce() -> T) -> T {
        let was = MODE.with(|m| std::mem::replace(&mut m.borrow_mut().dry, true));
        let out = f();
        MODE.with(|m| m.borrow_mut().dry = was);
        out
    }

    /// Notes a painted text's box, when a test records them.
    pub fn record(what: &str, r: Rect) {
        MODE.with(|m| {
            let mut m = m.borrow_mut();
            if !m.dry {
                if let Some(b) = m.boxes.as_mut() {
                    b.push((what.to_owned(), r));
                }
            }
        });
    }

    /// Starts (or, with `false`, stops and returns) recording boxes.
    #[cfg(test)]
    pub fn recording(on: bool) -> Vec<(String, Rect)> {
        MODE.with(|m| {
            let mut m = m.borrow_mut();
            let had = m.boxes.take().unwrap_or_default();
            if on {
                m.boxes = Some(Vec::new());
            }
            had
        })
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
            if !pen::dry() {
                pen::record(text, Rect::from_min_size(pos, g.size()));
                p.galley(pos, g, colour);
            }
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
    if !pen::dry() {
        pen::record(text, Rect::from_min_size(pos, g.size()));
        p.galley(pos, g, colour);
    }
    h
}

/// The verdicts held, newest first: one fills the field; with more, the
/// newest takes the top and each other keeps a row of its own below, in
/// its colour, until its own hold ends.
fn draw_verdicts(app: &App, p: &egui::Painter, r: Rect, shown: &[Shown]) {
    let Some((newest, older)) = shown.split_first() else {
        return;
    };
    let photo = app.photos.get(&newest.outcome.entry.seq);
    if older.is_empty() {
        draw_card(p, r, &newest.card, photo);
        return;
    }
    let split = r.min.y + r.height() * theme::stack::NEWEST;
    let top = Rect::from_min_max(r.min, Pos2::new(r.max.x, split));
    draw_card(p, top, &newest.card, photo);
    draw_rows(
        p,
        Rect::from_min_max(Pos2::new(r.min.x, split), r.max),
        older,
    );
}

/// Leaves the lower part of `r` to the verdicts held (if any) and returns
/// the part above for what the guard is asked.
fn with_verdicts_below(p: &egui::Painter, r: Rect, shown: &[Shown]) -> Rect {
    if shown.is_empty() {
        return r;
    }
    let split = r.min.y + r.height() * theme::stack::ASKING;
    draw_rows(
        p,
        Rect::from_min_max(Pos2::new(r.min.x, split), r.max),
        shown,
    );
    Rect::from_min_max(r.min, Pos2::new(r.max.x, split))
}

/// One row a verdict, stacked in `r`.
fn draw_rows(p: &egui::Painter, r: Rect, shown: &[Shown]) {
    let row_h = r.height() / shown.len() as f32;
    for (i, s) in shown.iter().enumerate() {
        let y = r.min.y + row_h * i as f32;
        let row = Rect::from_min_max(Pos2::new(r.min.x, y), Pos2::new(r.max.x, y + row_h))
            .shrink2(Vec2::new(0.0, theme::stack::GAP));
        draw_row(p, row, &s.card);
    }
}

/// A verdict in one row: headline, name, and reason.
fn draw_row(p: &egui::Painter, r: Rect, card: &Card) {
    use theme::stack as c;
    let tone = card.tone;
    p.rect_filled(r, theme::FIELD_CORNER, rgb(tone.rgb()));
    let ink = rgb(tone.ink());
    let h = r.height();
    let pad = r.width() * theme::card::PAD;
    let x = r.min.x + pad;
    let w = r.width() - 2.0 * pad;
    let head_size = (h * c::ROW_HEADLINE).min(c::ROW_HEADLINE_MAX);
    let head = p.layout_no_wrap(card.headline.clone(), bold(head_size), ink);
    let head_w = head.size().x;
    p.galley(Pos2::new(x, r.center().y - head.size().y / 2.0), head, ink);
    let tx = x + head_w + c::ROW_GAP;
    let tw = (w - head_w - c::ROW_GAP).max(10.0);
    let line = (h * c::ROW_TEXT).min(c::ROW_TEXT_MAX);
    let who = if card.name.is_empty() {
        words().no_badge_read.to_owned()
    } else {
        card.name.clone()
    };
    let top = r.center().y - line * 1.15;
    shaped::fit(p, Pos2::new(tx, top), &who, line, true, ink, tw);
    fit_text(
        p,
        Pos2::new(tx, top + line * 1.25),
        &card.reason,
        regular(line * 0.9),
        ink,
        tw,
    );
}

/// A badge whose signature did not check out: NAME NOT VERIFIED, what it
/// claims in small type, its serial — never the claimed name as fact.
fn draw_claim(p: &egui::Painter, at: Pos2, h: f32, w: f32, card: &Card) -> f32 {
    use theme::card as c;
    let ink = rgb(card.tone.ink());
    let mut y = at.y;
    y += fit_text(p, Pos2::new(at.x, y), &card.name, bold(h * c::NAME), ink, w);
    y += shaped::fit(
        p,
        Pos2::new(at.x, y),
        &card.claimed,
        h * c::ORG,
        false,
        ink,
        w,
    );
    y += h * c::AFTER_BAND;
    y + fit_text(
        p,
        Pos2::new(at.x, y),
        &card.serial_line,
        regular(h * c::SERIAL),
        ink,
        w,
    )
}

/// A verdict: headline, reason, who, category band, serial, key hints;
/// the holder's photo (one whose digest matched the badge) large on the
/// right when there is one. The content takes the room above the hints,
/// made smaller as a whole when long texts would run into them.
fn draw_card(p: &egui::Painter, r: Rect, card: &Card, photo: Option<&egui::TextureHandle>) {
    use theme::card as c;
    let tone = card.tone;
    p.rect_filled(r, theme::FIELD_CORNER, rgb(tone.rgb()));
    let ink = rgb(tone.ink());
    let h = r.height();
    let pad = r.width() * c::PAD;
    let mut w = r.width() - 2.0 * pad;
    if let Some(t) = photo {
        // 3:4, as tall as fits beside the text.
        let ph = (h * c::PHOTO_HEIGHT).min(r.width() * c::PHOTO_WIDTH_MAX * 4.0 / 3.0);
        let pw = ph * 3.0 / 4.0;
        let at = Rect::from_min_size(
            Pos2::new(r.max.x - pad - pw, r.min.y + h * c::TOP),
            Vec2::new(pw, ph),
        );
        p.rect_filled(at.expand(c::PHOTO_FRAME), 0.0, theme::PHOTO_FRAME);
        p.image(
            t.id(),
            at,
            Rect::from_min_max(Pos2::ZERO, Pos2::new(1.0, 1.0)),
            egui::Color32::WHITE,
        );
        w -= pw + pad;
    }
    let x = r.min.x + pad;
    let small = regular((h * c::HINT).max(c::HINT_MIN));
    let seq = p.layout_no_wrap(format!("#{}", card.seq), small.clone(), ink);
    let seq_w = seq.size().x;
    let hint_y = r.max.y - h * c::BOTTOM - seq.size().y;
    // As large as fits above the hints: measured first, then drawn.
    let room = hint_y - c::HINT_GAP;
    let mut scale = 1.0;
    while scale > c::SMALLEST_SCALE
        && pen::measuring(|| card_content(p, r, x, w, h * scale, card)) > room
    {
        scale *= theme::SHRINK;
    }
    card_content(p, r, x, w, h * scale, card);
    let seq_at = Pos2::new(r.max.x - pad - seq_w, hint_y);
    pen::record(
        &format!("#{}", card.seq),
        Rect::from_min_size(seq_at, seq.size()),
    );
    p.galley(seq_at, seq, ink);
    fit_text(
        p,
        Pos2::new(x, hint_y),
        &card.hint,
        small,
        ink,
        w - seq_w - c::HINT_GAP,
    );
}

/// A card's content from its top: headline, reason, and who (with the
/// category band) at sizes proportional to `h`; returns where it ends.
fn card_content(p: &egui::Painter, r: Rect, x: f32, w: f32, h: f32, card: &Card) -> f32 {
    use theme::card as c;
    let ink = rgb(card.tone.ink());
    let mut y = r.min.y + r.height() * c::TOP;
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
    if !card.verified && !card.name.is_empty() {
        y = draw_claim(p, Pos2::new(x, y), h, w, card);
    } else if !card.name.is_empty() {
        y += shaped::fit(p, Pos2::new(x, y), &card.name, h * c::NAME, true, ink, w);
        if !card.org.is_empty() {
            y += shaped::fit(p, Pos2::new(x, y), &card.org, h * c::ORG, false, ink, w);
        }
        y += h * c::BEFORE_BAND;
        // The band runs from the card's left edge to the text's right
        // edge, the category's name inside it with room on both sides.
        let band = Rect::from_min_max(Pos2::new(r.min.x, y), Pos2::new(x + w, y + h * c::BAND));
        if !pen::dry() {
            p.rect_filled(band, 0.0, rgb(card.category_colour));
            p.rect_stroke(
                band,
                0.0,
                Stroke::new(c::BAND_EDGE, theme::CATEGORY_EDGE),
                egui::StrokeKind::Inside,
            );
            pen::record("band", band);
        }
        fit_text(
            p,
            Pos2::new(x, y + h * c::BAND_TEXT_TOP),
            &card.category,
            bold(h * c::CATEGORY),
            theme::CATEGORY_TEXT,
            w - c::BAND_INSET,
        );
        y += band.height() + h * c::AFTER_BAND;
        y += fit_text(
            p,
            Pos2::new(x, y),
            &card.serial_line,
            regular(h * c::SERIAL),
            ink,
            w,
        );
    }
    y
}

/// Waiting for the guard's staff badge.
fn draw_sign_in(p: &egui::Painter, r: Rect) {
    use theme::ready as c;
    p.rect_filled(r, theme::FIELD_CORNER, rgb(Tone::Ask.rgb()));
    let h = r.height();
    let x = r.min.x + r.width() * c::PAD;
    let w = r.width() * (1.0 - 2.0 * c::PAD);
    let mut y = r.min.y + h * c::TOP;
    y += fit_text(
        p,
        Pos2::new(x, y),
        words().sign_in,
        bold(h * c::HEADLINE),
        theme::READY_TEXT,
        w,
    );
    wrapped(
        p,
        Pos2::new(x, y),
        words().sign_in_help,
        regular(h * c::LINE),
        theme::READY_TEXT,
        w,
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
    let words = app.model.config().lang.words();
    y += fit_text(
        p,
        Pos2::new(x, y),
        // Nothing more will be read: READY would invite a badge in vain.
        if ended {
            words.no_more_frames
        } else {
            words.ready
        },
        bold(h * c::HEADLINE),
        theme::READY_TEXT,
        w,
    );
    let line = match app.model.source() {
        SourceState::Ended => words.no_more_frames_help,
        _ => words.show_badge,
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
        words.ready_keys,
        regular((h * theme::card::HINT).max(theme::card::HINT_MIN)),
        theme::KEY_HINTS,
    );
}

/// What a hand decision is about, for the note screen: the badge and
/// holder (a name only when verified), and why it was refused.
fn note_subject(about: Option<&Outcome>) -> String {
    match about.and_then(|o| o.decision.badge.as_ref().map(|b| (o, b))) {
        Some((o, b)) => {
            let name = if o.decision.authentic {
                printable_short(&b.name, 50)
            } else {
                words().name_not_verified.into()
            };
            let fill = crate::screen::lang::fill;
            let refused = if o.entry.body.decision == badgegate_core::vocab::EntryDecision::Deny {
                format!(
                    "\n{}",
                    fill(
                        words().refused_detail,
                        &[("detail", &printable_short(&o.decision.detail, 120))]
                    )
                )
            } else {
                String::new()
            };
            format!(
                "{} · {name}{refused}",
                fill(
                    words().badge,
                    &[("serial", &printable_short(&b.serial, 30))]
                )
            )
        }
        None => match about {
            Some(o) => format!(
                "{}\n{}",
                words().no_badge_read,
                crate::screen::lang::fill(
                    words().refused_detail,
                    &[("detail", &printable_short(&o.decision.detail, 120))]
                )
            ),
            None => words().no_badge_note.into(),
        },
    }
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
        words().admit_by_hand
    } else {
        words().deny_by_hand
    };
    y += fit_text(
        p,
        Pos2::new(x, y),
        title,
        bold(h * c::TITLE),
        theme::NOTE_TITLE,
        w,
    );
    // The badge and holder (shaped: the name may be in any script), then
    // why it was refused.
    let who = note_subject(about);
    let (first, rest) = who.split_once('\n').unwrap_or((&who, ""));
    y += shaped::fit(
        p,
        Pos2::new(x, y),
        first,
        h * c::WHO,
        false,
        theme::NOTE_TITLE,
        w,
    );
    if !rest.is_empty() {
        y += wrapped(
            p,
            Pos2::new(x, y),
            rest,
            regular(h * c::WHO),
            theme::NOTE_TITLE,
            w,
        );
    }
    y += h * c::AFTER_WHO;
    y += wrapped(
        p,
        Pos2::new(x, y),
        words().why_prompt,
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
        words().note_keys,
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
    let clock = format_clock(now_ms, app.model.config().offset_at(now_ms / 1000));
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
    // The event's name first, as its signed policy gives it.
    let venue = app
        .model
        .config()
        .policy
        .as_ref()
        .map(|p| format!("{} · ", printable_short(&p.venue, 60)))
        .unwrap_or_default();
    let words = app.model.config().lang.words();
    let fill = crate::screen::lang::fill;
    let top = format!(
        "{venue}{} · {} · {} · {} {}{} · {}",
        f.gate,
        f.zone,
        f.direction,
        words.kiosk,
        f.kiosk_id,
        if f.signed {
            String::new()
        } else {
            format!(" · {}", words.journal_unsigned)
        },
        match app.model.guard() {
            Some(g) => fill(words.guard, &[("guard", &printable_short(g, 40))]),
            None => words.nobody_signed_in.into(),
        }
    );
    fit_text(
        p,
        Pos2::new(r.min.x + c::PAD, r.min.y + row * c::TOP_ROW),
        &top,
        bold(size),
        theme::STATUS_TEXT,
        w * c::LEFT_SHARE,
    );
    let mut today = fill(
        words.counts,
        &[
            ("admitted", &counts.admitted.to_string()),
            ("denied", &counts.denied.to_string()),
            ("inside", &counts.inside.to_string()),
        ],
    );
    if let Some(office) = app
        .office
        .as_ref()
        .and_then(|o| o.lock().ok().map(|s| s.clone()))
    {
        let offset = app.model.config().offset_at(now_ms / 1000);
        let backlog = office.backlog.to_string();
        today.push_str(" · ");
        today.push_str(&if office.stopped {
            fill(words.office_not_pushing, &[("n", &backlog)])
        } else if office.online {
            fill(words.office_online, &[("n", &backlog)])
        } else if office.switching {
            fill(
                words.office_switching,
                &[("since", &format_clock(office.since_ms, offset))],
            )
        } else {
            fill(
                words.office_offline,
                &[("since", &format_clock(office.since_ms, offset))],
            )
        });
    }
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

/// Names and organisations, shaped in any script (`badgegate_shape::shape`) and
/// kept as textures while they are on screen.
mod shaped {
    use std::cell::RefCell;
    use std::collections::HashMap;
    use std::time::{Duration, Instant};

    use badgegate_shape::shape;
    use eframe::egui::{self, Color32, Pos2, Rect, TextureHandle, TextureOptions, Vec2};

    struct Entry {
        texture: TextureHandle,
        /// Size in screen pixels, and the room around the line.
        size: [u32; 2],
        left: u32,
        top: u32,
        line_height: u32,
        used: Instant,
    }

    thread_local! {
        static CACHE: RefCell<HashMap<(String, u32, bool), Entry>> = RefCell::new(HashMap::new());
    }

    /// The size `text` takes at `size` points (characters no font draws
    /// counted as their code points).
    pub fn size(p: &egui::Painter, text: &str, size: f32, bold: bool) -> Vec2 {
        let ppp = p.ctx().pixels_per_point();
        let px = (size * ppp).max(1.0);
        let (_, width) = drawable(text, px, bold);
        Vec2::new(width / ppp, (px * 1.3).ceil() / ppp)
    }

    /// `text` as it will be drawn (a character no font draws as its code
    /// point), and its width at `px` pixels.
    fn drawable(text: &str, px: f32, bold: bool) -> (String, f32) {
        shape::with_shaper(|s| {
            let m = s.measure(text, px, bold);
            if m.missing.is_empty() {
                (text.to_owned(), m.width)
            } else {
                let shown = shape::with_code_points(text, &m.missing);
                let width = s.measure(&shown, px, bold).width;
                (shown, width)
            }
        })
    }

    /// A texture not drawn for this long is let go.
    const KEEP: Duration = Duration::from_secs(30);

    /// Draws `text` at `size` points (shrunk until it fits `max_w`, never
    /// below the smallest text size) with its line's top at `pos`; returns the line's
    /// height. A character no font draws shows as its code point.
    pub fn fit(
        p: &egui::Painter,
        pos: Pos2,
        text: &str,
        size: f32,
        bold: bool,
        colour: Color32,
        max_w: f32,
    ) -> f32 {
        let min = super::theme::MIN_TEXT;
        let ppp = p.ctx().pixels_per_point();
        let px = (size * ppp).max(1.0);
        let max_px = max_w * ppp;
        let (text, width) = drawable(text, px, bold);
        let px = if width > max_px {
            (px * max_px / width).max(min * ppp)
        } else {
            px
        };
        let key = (text.clone(), (px * 4.0).round() as u32, bold);
        CACHE.with(|cache| {
            let mut cache = cache.borrow_mut();
            let now = Instant::now();
            cache.retain(|_, e| now.duration_since(e.used) < KEEP);
            let e = cache.entry(key).or_insert_with(|| {
                let mask = shape::with_shaper(|s| s.render(&text, px, bold));
                let rgba: Vec<u8> = mask
                    .alpha
                    .iter()
                    .flat_map(|a| [255, 255, 255, *a])
                    .collect();
                let image = egui::ColorImage::from_rgba_unmultiplied(
                    [mask.width as usize, mask.height as usize],
                    &rgba,
                );
                Entry {
                    texture: p
                        .ctx()
                        .load_texture("shaped-text", image, TextureOptions::LINEAR),
                    size: [mask.width, mask.height],
                    left: mask.left,
                    top: mask.top,
                    line_height: mask.line_height,
                    used: now,
                }
            });
            e.used = now;
            let min = Pos2::new(pos.x - e.left as f32 / ppp, pos.y - e.top as f32 / ppp);
            let rect = Rect::from_min_size(
                min,
                Vec2::new(e.size[0] as f32 / ppp, e.size[1] as f32 / ppp),
            );
            if !super::pen::dry() {
                // Its line's box (the mask may reach past it a little).
                let line = Rect::from_min_size(
                    pos,
                    Vec2::new(rect.max.x - pos.x, e.line_height as f32 / ppp),
                );
                super::pen::record(&text, line);
                p.image(
                    e.texture.id(),
                    rect,
                    Rect::from_min_max(Pos2::ZERO, Pos2::new(1.0, 1.0)),
                    colour,
                );
            }
            e.line_height as f32 / ppp
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::screen::Tone;

    /// The field a card is drawn in on a `w`×`h` screen: alone, as the
    /// newest of several, or asked above verdicts held.
    fn fields(w: f32, h: f32) -> Vec<Rect> {
        let area = Rect::from_min_size(Pos2::ZERO, Vec2::new(w, h));
        let bar_h = (area.height() * theme::STATUS_BAR_SHARE).max(theme::STATUS_BAR_MIN);
        let main = Rect::from_min_max(area.min, Pos2::new(area.max.x, area.max.y - bar_h));
        let split = main.min.x + main.width() * theme::CAMERA_SHARE;
        let field =
            Rect::from_min_max(Pos2::new(split, main.min.y), main.max).shrink(theme::PANEL_GAP);
        let part = |share: f32| {
            Rect::from_min_max(
                field.min,
                Pos2::new(field.max.x, field.min.y + field.height() * share),
            )
        };
        let with_notice = Rect::from_min_max(
            field.min,
            Pos2::new(field.max.x, field.max.y - theme::NOTICE_HEIGHT),
        );
        vec![
            field,
            part(theme::stack::NEWEST),
            part(theme::stack::ASKING),
            with_notice,
        ]
    }

    /// Every kind of card with the longest texts the wording allows.
    fn cards() -> Vec<Card> {
        let long = |n: usize, word: &str| {
            let mut s = String::new();
            while s.chars().count() + word.len() < n {
                s.push_str(word);
            }
            s
        };
        let base = Card {
            tone: Tone::Admit,
            headline: "ADMIT".into(),
            reason: "valid until tomorrow 21:00".into(),
            name: long(60, "Hohenberg "),
            org: long(60, "Ministry "),
            claimed: String::new(),
            category: "HEAD OF DELEGATION".into(),
            category_colour: [128, 16, 32],
            serial: "HD-0001".into(),
            serial_line: "badge HD-0001".into(),
            verified: true,
            hint: "F2: admit by hand · F3: deny by hand · Esc: clear".into(),
            seq: 123_456,
        };
        vec![
            base.clone(),
            Card {
                tone: Tone::Ask,
                headline: "CHECK ID".into(),
                reason: "valid badge; this category needs an ID check (valid until tomorrow 22:00)"
                    .into(),
                category: long(40, "DELEGATION "),
                serial: long(40, "S"),
                serial_line: format!("badge {}", long(40, "S")),
                hint:
                    "check the ID · Enter: admit · Esc: refuse · refused in 120 s · 3 more waiting"
                        .into(),
                ..base.clone()
            },
            Card {
                tone: Tone::Warn,
                headline: "ADMIT — CHECK".into(),
                reason: long(160, "already inside: entered at gate north-2 "),
                ..base.clone()
            },
            Card {
                tone: Tone::Deny,
                headline: "DENY".into(),
                reason: long(160, "not signed by this venue's key "),
                name: "NAME NOT VERIFIED".into(),
                org: String::new(),
                claimed: format!(
                    "badge claims “{}” ({}): do not trust it",
                    long(40, "Amina "),
                    long(30, "Senegal ")
                ),
                verified: false,
                category: String::new(),
                ..base.clone()
            },
            Card {
                tone: Tone::Deny,
                headline: "DENY".into(),
                reason: "this code is not a badgegate badge".into(),
                name: String::new(),
                org: String::new(),
                category: String::new(),
                serial: String::new(),
                serial_line: String::new(),
                ..base
            },
        ]
    }

    /// No two texts of any card overlap, none leaves its card, and the
    /// category's name stays inside its band, at 1920×1080 and 1366×768,
    /// whether the card fills the field or shares it.
    #[test]
    fn no_text_on_a_card_overlaps_another_or_leaves_its_card() {
        let ctx = egui::Context::default();
        ctx.set_fonts(crate::window::fonts());
        let input = |w: f32, h: f32| egui::RawInput {
            screen_rect: Some(Rect::from_min_size(Pos2::ZERO, Vec2::new(w, h))),
            ..Default::default()
        };
        let _ = ctx.run(input(1920.0, 1080.0), |_| {});
        let photo = ctx.load_texture(
            "photo",
            egui::ColorImage::new([3, 4], vec![egui::Color32::GRAY; 12]),
            egui::TextureOptions::LINEAR,
        );
        let mut checked = 0;
        for (w, h) in [(1920.0, 1080.0), (1366.0, 768.0), (1280.0, 720.0)] {
            for field in fields(w, h) {
                for (card, with_photo) in cards()
                    .into_iter()
                    .flat_map(|c| [(c.clone(), false), (c, true)])
                {
                    pen::recording(true);
                    let _ = ctx.run(input(w, h), |ctx| {
                        let p = ctx.layer_painter(egui::LayerId::background());
                        draw_card(&p, field, &card, with_photo.then_some(&photo));
                    });
                    let boxes = pen::recording(false);
                    assert!(boxes.len() >= 3, "{boxes:?}");
                    let band = boxes.iter().find(|(t, _)| t == "band").map(|(_, r)| *r);
                    let texts: Vec<&(String, Rect)> =
                        boxes.iter().filter(|(t, _)| t != "band").collect();
                    let at = format!(
                        "{w}x{h} field {field:?} card {:?} photo {with_photo}",
                        card.headline
                    );
                    for (t, r) in &texts {
                        assert!(
                            field.expand(0.5).contains_rect(*r),
                            "{at}: {t:?} {r:?} leaves the card"
                        );
                    }
                    for (i, (a, ra)) in texts.iter().enumerate() {
                        for (b, rb) in &texts[i + 1..] {
                            assert!(
                                !ra.shrink(0.5).intersects(rb.shrink(0.5)),
                                "{at}: {a:?} {ra:?} overlaps {b:?} {rb:?}"
                            );
                        }
                    }
                    if let (Some(band), false) = (band, card.category.is_empty()) {
                        let (_, cat) = texts.iter().find(|(t, _)| *t == card.category).unwrap();
                        assert!(
                            band.contains_rect(cat.shrink(0.5)) && cat.max.x <= band.max.x - 4.0,
                            "{at}: the category {cat:?} runs into its band's edge {band:?}"
                        );
                    }
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 3 * 4 * 5 * 2);
    }
}
