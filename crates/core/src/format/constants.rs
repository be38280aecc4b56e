//! Every magic value of the badge and revocation formats, in one place.

/// Text prefix of a version-1 badge: `BG` + format version + `:`.
pub const BADGE_PREFIX_V1: &str = "BG1:";
/// Text prefix of a version-2 badge (a version 1 badge that also carries
/// the digest of its holder's photo).
pub const BADGE_PREFIX_V2: &str = "BG2:";
/// Letters every badge text starts with, before the version number.
pub const BADGE_MAGIC: &str = "BG";
/// Domain separation: the Ed25519 signature of a version-1 badge covers
/// these bytes, then the payload. No other message this project signs
/// starts with them.
pub const BADGE_SIGNING_CONTEXT: &[u8] = b"badgegate/badge/v1\0";
/// Domain separation for version-2 badges (with a photo digest).
pub const BADGE_V2_SIGNING_CONTEXT: &[u8] = b"badgegate/badge/v2\0";
/// Bytes of the photo digest a version-2 badge carries: the first bytes of
/// SHA-256 over the photo file.
pub const PHOTO_DIGEST_LEN: usize = 16;
/// Domain separation for revocation lists.
pub const REVOCATION_SIGNING_CONTEXT: &[u8] = b"badgegate/revocations/v1\0";
/// First line of a revocation list file.
pub const REVOCATION_HEADER_V1: &str = "badgegate-revocations v1";

/// Badge times count minutes from this Unix time: 2020-01-01T00:00:00Z.
pub const BADGE_EPOCH: u64 = 1_577_836_800;

/// Bytes of a key id: the first bytes of SHA-256 of the raw 32-byte public key.
pub const KEY_ID_LEN: usize = 4;
/// Bytes of an Ed25519 signature.
pub const SIGNATURE_LEN: usize = 64;

/// Longest badge text a reader looks at (characters after stripping the line end).
pub const MAX_BADGE_TEXT_LEN: usize = 2048;
/// Serial: 1 to this many characters from `A-Z a-z 0-9 . _ -`.
pub const MAX_SERIAL_LEN: usize = 24;
/// Holder name: 1 to this many characters (Unicode scalar values).
pub const MAX_NAME_CHARS: usize = 64;
/// Organisation or delegation: 0 to this many characters.
pub const MAX_ORG_CHARS: usize = 64;
/// UTF-8 bytes allowed for a name or organisation (64 characters of most scripts).
pub const MAX_TEXT_FIELD_BYTES: usize = 192;
/// Category: 1 to this many characters from `a-z 0-9 -`.
pub const MAX_CATEGORY_LEN: usize = 20;
/// At most this many zones on one badge.
pub const MAX_ZONES: usize = 8;
/// Zone: 1 to this many characters from `a-z 0-9 _ -`, or the single `*` (every zone).
pub const MAX_ZONE_LEN: usize = 24;
/// The zone that admits to every zone.
pub const ALL_ZONES: &str = "*";
/// Longest validity window a badge may carry (seconds): 400 days.
pub const MAX_VALIDITY_SECS: u64 = 400 * 24 * 3600;
/// Largest QR version the issuer produces; bigger codes read badly on webcams.
pub const MAX_QR_VERSION: i16 = 15;

/// Revocation reason text: at most this many characters.
pub const MAX_REVOCATION_REASON_CHARS: usize = 200;
/// Largest sequence number of a signed list or policy: 2^63 − 1, so every
/// sequence a reader accepts is also a signed 64-bit integer (the venue
/// office's databases and SQLite store those).
pub const MAX_LIST_SEQUENCE: u64 = i64::MAX as u64;
/// Largest revocation list file a reader accepts.
pub const MAX_REVOCATION_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Largest image side the readers accept, in pixels.
pub const MAX_IMAGE_SIDE: u32 = 16_384;
/// Largest image, in pixels, the readers accept.
pub const MAX_IMAGE_PIXELS: u64 = 80_000_000;
/// Largest single stdin line read as a badge (bytes).
pub const MAX_STDIN_LINE: usize = 8192;

/// Default clock-skew tolerance around the validity window (seconds).
pub const DEFAULT_SKEW_SECS: u64 = 120;
