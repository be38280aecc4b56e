//! Text lines as a USB keyboard-wedge scanner types them (one badge a
//! line), from stdin or any reader.

use std::io::BufRead;

use super::{Frame, FrameSource, Payload, SourceError};
use badgegate_core::format::constants::MAX_STDIN_LINE;

/// Lines of text, as a USB keyboard-wedge scanner types them.
pub struct TextLines<R: BufRead> {
    reader: R,
    line: u64,
    name: String,
}

/// One line read, at most [`MAX_STDIN_LINE`] bytes of it kept.
enum Line {
    /// The stream ended.
    End,
    /// A line (line end stripped).
    Text(Vec<u8>),
    /// A line longer than the limit: read to its end and thrown away.
    TooLong,
}

impl<R: BufRead> TextLines<R> {
    pub fn new(reader: R, name: &str) -> TextLines<R> {
        TextLines {
            reader,
            line: 0,
            name: name.to_owned(),
        }
    }

    /// The number of the line last read (1 for the first).
    pub fn line(&self) -> u64 {
        self.line
    }

    /// Reads up to the next newline, keeping at most the limit: the rest of
    /// an over-long line is consumed as it streams by, never held in
    /// memory.
    fn read_line(&mut self) -> std::io::Result<Line> {
        let mut kept = Vec::new();
        let mut too_long = false;
        let mut any = false;
        loop {
            let chunk = match self.reader.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if chunk.is_empty() {
                break;
            }
            any = true;
            let (part, done) = match chunk.iter().position(|b| *b == b'\n') {
                Some(i) => (&chunk[..=i], true),
                None => (chunk, false),
            };
            let used = part.len();
            if !too_long {
                if kept.len() + used > MAX_STDIN_LINE + 1 {
                    too_long = true;
                    kept = Vec::new();
                } else {
                    kept.extend_from_slice(part);
                }
            }
            self.reader.consume(used);
            if done {
                break;
            }
        }
        if !any {
            return Ok(Line::End);
        }
        // The LF that ends the line; a CR before it is left for the badge
        // reader, which strips exactly one line ending (`\r\n`, `\n` or
        // `\r`) as the format says: `BG1:…\r\r\n` is then malformed, not
        // read as a badge.
        if kept.last() == Some(&b'\n') {
            kept.pop();
        }
        if too_long || kept.len() > MAX_STDIN_LINE {
            return Ok(Line::TooLong);
        }
        Ok(Line::Text(kept))
    }
}

impl<R: BufRead> FrameSource for TextLines<R> {
    fn next_frame(&mut self) -> Result<Option<Frame>, SourceError> {
        loop {
            let line = self
                .read_line()
                .map_err(|e| SourceError::Lost(format!("reading {}: {e}", self.name)))?;
            let text = match line {
                Line::End => return Ok(None),
                Line::TooLong => {
                    self.line += 1;
                    return Err(SourceError::BadFrame(format!(
                        "{}:{}: line longer than {MAX_STDIN_LINE} bytes, ignored",
                        self.name, self.line
                    )));
                }
                Line::Text(t) => t,
            };
            self.line += 1;
            if text.is_empty() || text == b"\r" {
                continue;
            }
            return Ok(Some(Frame {
                payload: Payload::Text(text),
                label: format!("{}:{}", self.name, self.line),
            }));
        }
    }

    fn replay_interval_ms(&self) -> Option<u64> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out a long run of one byte in small pieces, as
    /// a pipe does, and counts how much was asked of it.
    struct Endless {
        left: u64,
        buf: [u8; 4096],
    }

    impl std::io::Read for Endless {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = out.len().min(self.left as usize);
            out[..n].fill(b'x');
            self.left -= n as u64;
            Ok(n)
        }
    }

    impl BufRead for Endless {
        fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
            let n = self.buf.len().min(self.left as usize);
            self.buf[..n].fill(b'x');
            Ok(&self.buf[..n])
        }
        fn consume(&mut self, n: usize) {
            self.left -= n as u64;
        }
    }

    #[test]
    fn an_over_long_line_streams_past_without_being_held() {
        // 200 MB without a newline: skipped, and the reader ends cleanly.
        let mut src = TextLines::new(
            Endless {
                left: 200 << 20,
                buf: [0; 4096],
            },
            "stdin",
        );
        assert!(matches!(src.next_frame(), Err(SourceError::BadFrame(_))));
        assert!(src.next_frame().unwrap().is_none());
    }

    #[test]
    fn text_lines_strip_line_ends_skip_blanks_and_cap_length() {
        let long = "x".repeat(MAX_STDIN_LINE + 10);
        let input = format!("BG1:A\r\n\r\n\n{long}\nBG1:B\r\r\nBG1:C");
        let mut src = TextLines::new(std::io::Cursor::new(input.into_bytes()), "stdin");
        // The CR of a CR LF is left for the badge reader's one line ending.
        let f = src.next_frame().unwrap().unwrap();
        assert!(matches!(&f.payload, Payload::Text(t) if t == b"BG1:A\r"));
        assert_eq!(f.label, "stdin:1");
        assert!(matches!(src.next_frame(), Err(SourceError::BadFrame(_))));
        let f = src.next_frame().unwrap().unwrap();
        assert!(matches!(&f.payload, Payload::Text(t) if t == b"BG1:B\r\r"));
        assert_eq!(f.label, "stdin:5");
        let f = src.next_frame().unwrap().unwrap();
        assert!(matches!(&f.payload, Payload::Text(t) if t == b"BG1:C"));
        assert!(src.next_frame().unwrap().is_none());
    }
}
