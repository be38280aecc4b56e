//! The badgegate binary as a user meets it: exit codes, reasons, files.

use crate::common;

use std::fs;
use std::os::unix::fs::PermissionsExt;

use badgegate::format::badge::SignedBadge;
use common::{bg, tool, Desk};

const AT: &str = "2026-12-01T09:00:00Z";

fn issue_window(desk: &Desk, serial: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "--valid-from",
        "2026-12-01T07:00:00+01:00",
        "--valid-until",
        "2026-12-02T22:00:00+01:00",
    ];
    args.extend_from_slice(extra);
    desk.issue("badges", serial, &args)
}

/// `verify --json -` at the plenary gate at [`AT`]; `extra` may replace
/// `--zone` or `--at`.
fn verify_json(desk: &Desk, extra: &[&str], input: &str) -> common::Run {
    let mut args = vec!["verify", "--trust", "trust", "--json"];
    if !extra.contains(&"--zone") {
        args.extend(["--zone", "plenary"]);
    }
    if !extra.contains(&"--at") {
        args.extend(["--at", AT]);
    }
    args.extend_from_slice(extra);
    args.push("-");
    desk.run_stdin(&args, input)
}

// ---- keys ----------------------------------------------------------------

#[test]
fn keygen_writes_0600_secret_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let r = bg(dir.path(), &["keygen", "--dir", "k", "--name", "desk"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let id_line = r.stdout.lines().next().unwrap();
    let id = id_line.strip_prefix("key id").unwrap().trim();
    assert_eq!(id.len(), 8);
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
    let secret = dir.path().join("k/desk.key.pem");
    let mode = fs::metadata(&secret).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let before = fs::read(&secret).unwrap();
    assert!(String::from_utf8_lossy(&before).starts_with("-----BEGIN PRIVATE KEY-----"));
    assert!(fs::read_to_string(dir.path().join("k/desk.pub.pem"))
        .unwrap()
        .starts_with("-----BEGIN PUBLIC KEY-----"));
    // The secret key is never printed.
    assert!(!r.stdout.contains("PRIVATE"));

    let again = bg(dir.path(), &["keygen", "--dir", "k", "--name", "desk"]);
    assert_ne!(again.code, 0);
    assert!(again.stderr.contains("--force"), "{}", again.stderr);
    assert_eq!(again.stderr.lines().count(), 1);
    assert_eq!(
        fs::read(&secret).unwrap(),
        before,
        "secret key must be untouched"
    );

    // Each half's place is said: the registration key's public half goes
    // into every trust folder; a kiosk's never does.
    assert!(
        r.stdout.contains("copy it into every kiosk's trust folder"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("accreditation desk machine only"),
        "{}",
        r.stdout
    );
    let kiosk = bg(dir.path(), &["keygen", "--kiosk", "north-1"]);
    assert_eq!(kiosk.code, 0, "{}", kiosk.stderr);
    assert!(dir.path().join("kiosk-keys/north-1.key.pem").exists());
    assert!(
        !kiosk
            .stdout
            .contains("copy it into every kiosk's trust folder"),
        "{}",
        kiosk.stdout
    );
    assert!(
        kiosk
            .stdout
            .contains("never copy this public key into a trust folder"),
        "{}",
        kiosk.stdout
    );
    assert!(
        kiosk
            .stdout
            .contains("--kiosk-id north-1 --kiosk-key kiosk-keys/north-1.pub.pem"),
        "{}",
        kiosk.stdout
    );
    assert!(
        kiosk
            .stdout
            .contains("--signing-key kiosk-keys/north-1.key.pem"),
        "{}",
        kiosk.stdout
    );
    let both = bg(dir.path(), &["keygen", "--kiosk", "a", "--name", "b"]);
    assert_eq!(both.code, 2, "one or the other");

    let forced = bg(
        dir.path(),
        &["keygen", "--dir", "k", "--name", "desk", "--force"],
    );
    assert_eq!(forced.code, 0);
    assert_ne!(fs::read(&secret).unwrap(), before);
    assert_eq!(
        fs::metadata(&secret).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

#[test]
fn malformed_pem_is_a_one_line_error_that_does_not_echo_the_file() {
    let desk = Desk::new();
    let secret_looking = "-----BEGIN PRIVATE KEY-----\nTOPSECRETMATERIAL0123456789abcdef\n-----END PRIVATE KEY-----\n";
    fs::write(desk.p("bad.pem"), secret_looking).unwrap();
    let r = desk.run(&[
        "issue", "--key", "bad.pem", "--name", "X", "--zones", "a", "--out", "o",
    ]);
    assert_eq!(r.code, 2);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains("bad.pem") && r.stderr.contains("PKCS#8"));
    assert!(!r.stderr.contains("TOPSECRET"));
    assert!(!desk.p("o").exists());

    // A broken public key in the trust folder: named, not echoed, exit 2.
    fs::write(
        desk.p("trust/broken.pem"),
        "-----BEGIN PUBLIC KEY-----\nSECRETISH\n",
    )
    .unwrap();
    let r = desk.run_stdin(&["verify", "--trust", "trust", "-"], "x\n");
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("broken.pem") && !r.stderr.contains("SECRETISH"));
}

#[test]
fn openssl_keys_work_here_and_ours_work_in_openssl() {
    let Some(openssl) = tool("openssl") else {
        return;
    };
    let desk = Desk::new();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(&openssl)
            .args(args)
            .current_dir(desk.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    // OpenSSL's key signs badges that verify against OpenSSL's public key.
    run(&["genpkey", "-algorithm", "ed25519", "-out", "ossl.key.pem"]);
    run(&[
        "pkey",
        "-in",
        "ossl.key.pem",
        "-pubout",
        "-out",
        "ossl.pub.pem",
    ]);
    fs::create_dir(desk.p("ossl-trust")).unwrap();
    fs::copy(desk.p("ossl.pub.pem"), desk.p("ossl-trust/ossl.pub.pem")).unwrap();
    let r = desk.run(&[
        "issue",
        "--key",
        "ossl.key.pem",
        "--name",
        "Open Ssl",
        "--zones",
        "plenary",
        "--serial",
        "OS-1",
        "--out",
        "ob",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = desk.run(&["verify", "--trust", "ossl-trust", "--json", "ob/OS-1.png"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.reasons(), ["ok"]);

    // Our secret key opens in OpenSSL and yields our public key, byte for byte.
    let derived = run(&["pkey", "-in", "keys/registration.key.pem", "-pubout"]);
    assert_eq!(
        derived,
        fs::read(desk.p("keys/registration.pub.pem")).unwrap()
    );

    // OpenSSL verifies our badge signature over the documented message.
    let text = desk.issue("b", "SIG-1", &[]);
    let signed = SignedBadge::parse(&text).unwrap();
    fs::write(
        desk.p("msg.bin"),
        badgegate::format::badge::signed_message(signed.payload()),
    )
    .unwrap();
    fs::write(desk.p("sig.bin"), signed.signature()).unwrap();
    let out = run(&[
        "pkeyutl",
        "-verify",
        "-pubin",
        "-inkey",
        "keys/registration.pub.pem",
        "-rawin",
        "-in",
        "msg.bin",
        "-sigfile",
        "sig.bin",
    ]);
    assert!(String::from_utf8_lossy(&out).contains("Signature Verified Successfully"));
}

// ---- one test per reason code, through the CLI -----------------------------

#[test]
fn reason_ok_exit_0() {
    let desk = Desk::new();
    let text = issue_window(&desk, "OK-1", &[]);
    let r = verify_json(&desk, &[], &format!("{text}\n"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = &r.json_lines()[0];
    assert_eq!(j["decision"], "admit");
    assert_eq!(j["reason"], "ok");
    assert_eq!(j["serial"], "OK-1");
    assert_eq!(j["name"], "Test Holder");
    assert_eq!(j["zones"], serde_json::json!(["plenary"]));
    assert_eq!(j["input"], "stdin:1");
    for field in ["org", "category", "key_id"] {
        assert!(j.get(field).is_some(), "missing {field}");
    }
}

#[test]
fn reason_not_a_badge() {
    let desk = Desk::new();
    let r = verify_json(&desk, &[], "https://example.org/menu\n");
    assert_eq!(r.code, 1);
    assert_eq!(r.reasons(), ["not_a_badge"]);
    assert_eq!(r.json_lines()[0]["decision"], "deny");
}

#[test]
fn reason_malformed() {
    let desk = Desk::new();
    let r = verify_json(&desk, &[], "BG1:THIS IS NOT A BADGE\n");
    assert_eq!(r.code, 1);
    assert_eq!(r.reasons(), ["malformed"]);
}

#[test]
fn reason_unsupported_version() {
    let desk = Desk::new();
    let text = issue_window(&desk, "V-1", &[]);
    let r = verify_json(&desk, &[], &text.replacen("BG1:", "BG7:", 1));
    assert_eq!(r.code, 1);
    assert_eq!(r.reasons(), ["unsupported_version"]);
}

#[test]
fn reason_unknown_key() {
    let desk = Desk::new();
    let r = desk.run(&["keygen", "--dir", "stranger"]);
    assert_eq!(r.code, 0);
    let r = desk.run(&[
        "issue",
        "--key",
        "stranger/registration.key.pem",
        "--name",
        "Eve",
        "--zones",
        "plenary",
        "--serial",
        "U-1",
        "--out",
        "sb",
        "--valid-from",
        "2026-12-01T00:00:00Z",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = desk.run(&[
        "verify",
        "--trust",
        "trust",
        "--at",
        AT,
        "--json",
        "sb/U-1.png",
    ]);
    assert_eq!(r.code, 1);
    assert_eq!(r.reasons(), ["unknown_key"]);
    assert_eq!(r.json_lines()[0]["authentic"], false);
}

#[test]
fn reason_retired_key() {
    let desk = Desk::new();
    let text = issue_window(&desk, "R-1", &[]);
    fs::create_dir(desk.p("trust/retired")).unwrap();
    fs::rename(
        desk.p("trust/registration.pub.pem"),
        desk.p("trust/retired/registration.pub.pem"),
    )
    .unwrap();
    let r = verify_json(&desk, &[], &text);
    assert_eq!(r.code, 1);
    assert_eq!(r.reasons(), ["retired_key"]);
}

#[test]
fn reason_bad_signature() {
    let desk = Desk::new();
    let text = issue_window(&desk, "B-1", &[]);
    let signed = SignedBadge::parse(&text).unwrap();
    let mut badge = signed.badge.clone();
    badge.zones = vec!["*".into()];
    let mut raw = badge.to_payload();
    raw.extend_from_slice(signed.signature());
    let forged = format!("BG1:{}", base45::encode(&raw));
    let r = verify_json(&desk, &[], &forged);
    assert_eq!(r.code, 1);
    assert_eq!(r.reasons(), ["bad_signature"]);
}

#[test]
fn reason_not_yet_valid() {
    let desk = Desk::new();
    let text = issue_window(&desk, "N-1", &[]);
    let r = verify_json(&desk, &["--at", "2026-12-01T05:00:00Z"], &text);
    assert_eq!(r.code, 1);
    assert_eq!(r.reasons(), ["not_yet_valid"]);
}

#[test]
fn reason_expired() {
    let desk = Desk::new();
    let text = issue_window(&desk, "E-1", &[]);
    let r = verify_json(&desk, &["--at", "2026-12-03T09:00:00+01:00"], &text);
    assert_eq!(r.code, 1);
    assert_eq!(r.reasons(), ["expired"]);
    assert!(r.json_lines()[0]["detail"]
        .as_str()
        .unwrap()
        .contains("expired"));
}

#[test]
fn reason_revoked() {
    let desk = Desk::new();
    let text = issue_window(&desk, "L-1", &[]);
    let r = desk.run(&[
        "revoke",
        "--key",
        "keys/registration.key.pem",
        "--list",
        "revoked.txt",
        "L-1",
        "--reason",
        "reported lost",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = verify_json(&desk, &["--revocations", "revoked.txt"], &text);
    assert_eq!(r.code, 1);
    assert_eq!(r.reasons(), ["revoked"]);
    assert!(r.json_lines()[0]["detail"]
        .as_str()
        .unwrap()
        .contains("reported lost"));
}

#[test]
fn reason_wrong_zone() {
    let desk = Desk::new();
    let text = issue_window(&desk, "Z-1", &[]);
    let r = verify_json(&desk, &["--zone", "press"], &text);
    assert_eq!(r.code, 1);
    assert_eq!(r.reasons(), ["wrong_zone"]);
}

#[test]
fn mixed_inputs_exit_1_and_every_input_is_reported() {
    let desk = Desk::new();
    let text = issue_window(&desk, "M-1", &[]);
    let r = verify_json(&desk, &[], &format!("{text}\r\nnonsense\n\n{text}\n"));
    assert_eq!(r.code, 1);
    assert_eq!(r.reasons(), ["ok", "not_a_badge", "ok"]);
    assert_eq!(r.json_lines()[2]["input"], "stdin:4");
}

#[test]
fn an_overlong_scanner_line_is_refused_and_the_next_line_still_decided() {
    let desk = Desk::new();
    let text = issue_window(&desk, "LONG-1", &[]);
    let long = format!("BG1:{}", "A".repeat(20_000));
    let r = verify_json(&desk, &[], &format!("{long}\n{text}\n"));
    assert_eq!(r.code, 1);
    assert_eq!(r.reasons(), ["not_a_badge", "ok"]);
    assert_eq!(r.json_lines()[1]["input"], "stdin:2");
}

// ---- images ----------------------------------------------------------------

#[test]
fn verify_reads_qr_png_card_and_folder() {
    let desk = Desk::new();
    issue_window(&desk, "IMG-1", &["--org", "Test Org"]);
    let r = desk.run(&["verify", "--trust", "trust", "--at", AT, "--json", "badges"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let lines = r.json_lines();
    let inputs: Vec<&str> = lines.iter().map(|j| j["input"].as_str().unwrap()).collect();
    // A batch folder holds each badge as its card and its QR picture: one
    // decision per badge, at its first picture.
    assert_eq!(inputs, ["badges/IMG-1-card.png"]);
    assert!(lines.iter().all(|j| j["reason"] == "ok"));
    let r = desk.run(&["verify", "--trust", "trust", "--at", AT, "badges"]);
    assert_eq!(r.stdout.lines().count(), 1, "{}", r.stdout);
    assert!(
        r.stderr
            .contains("1 badge(s) found both on a card and in its QR picture"),
        "{}",
        r.stderr
    );
    // Files named one by one are each reported.
    let r = desk.run(&[
        "verify",
        "--trust",
        "trust",
        "--at",
        AT,
        "--json",
        "badges/IMG-1.png",
        "badges/IMG-1-card.png",
    ]);
    assert_eq!(r.reasons(), ["ok", "ok"]);
}

#[test]
fn bad_images_are_one_line_errors_exit_2_and_good_ones_still_decided() {
    let desk = Desk::new();
    issue_window(&desk, "G-1", &[]);
    let png = fs::read(desk.p("badges/G-1.png")).unwrap();
    fs::write(desk.p("truncated.png"), &png[..png.len() / 2]).unwrap();
    fs::write(
        desk.p("random.png"),
        (0..5000u32)
            .map(|i| (i * 7919 % 251) as u8)
            .collect::<Vec<_>>(),
    )
    .unwrap();
    fs::write(desk.p("empty.jpg"), b"").unwrap();
    // A PNG whose (valid, checksummed) header claims 20000 x 20000 pixels.
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&20_000u32.to_be_bytes());
    ihdr.extend_from_slice(&20_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    let mut giant = png[..8].to_vec();
    giant.extend_from_slice(&13u32.to_be_bytes());
    giant.extend_from_slice(&ihdr);
    giant.extend_from_slice(&crc32(&ihdr).to_be_bytes());
    giant.extend_from_slice(&png[33..]);
    fs::write(desk.p("giant.png"), giant).unwrap();
    let r = desk.run(&[
        "verify",
        "--trust",
        "trust",
        "--at",
        AT,
        "--json",
        "truncated.png",
        "random.png",
        "empty.jpg",
        "giant.png",
        "missing.png",
        "badges/G-1.png",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(r.reasons(), ["ok"], "the good input is still decided");
    for name in [
        "truncated.png",
        "random.png",
        "empty.jpg",
        "giant.png",
        "missing.png",
    ] {
        let lines: Vec<&str> = r.stderr.lines().filter(|l| l.contains(name)).collect();
        assert_eq!(lines.len(), 1, "one error line for {name}: {}", r.stderr);
        assert!(lines[0].starts_with("error: "));
    }
    assert!(r.stderr.contains("larger than this reader accepts"));
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn image_without_code_is_denied_not_a_badge() {
    let desk = Desk::new();
    image::GrayImage::from_pixel(640, 480, image::Luma([200]))
        .save(desk.p("blank.png"))
        .unwrap();
    let r = desk.run(&["verify", "--trust", "trust", "--json", "blank.png"]);
    assert_eq!(r.code, 1);
    assert_eq!(r.reasons(), ["not_a_badge"]);
}

#[test]
fn zbarimg_reads_our_png_and_card_exactly() {
    let Some(zbarimg) = tool("zbarimg") else {
        return;
    };
    let desk = Desk::new();
    let text = issue_window(&desk, "ZB-1", &["--org", "Ҷумҳурии Тоҷикистон"]);
    for file in ["badges/ZB-1.png", "badges/ZB-1-card.png"] {
        let out = std::process::Command::new(&zbarimg)
            .args(["--quiet", "--raw", "-Sdisable", "-Sqrcode.enable"])
            .arg(desk.p(file))
            .output()
            .unwrap();
        assert!(out.status.success(), "zbarimg {file}");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim_end_matches('\n'),
            text,
            "{file}"
        );
    }
}

#[test]
fn we_read_a_qrencode_png_of_our_text() {
    let Some(qrencode) = tool("qrencode") else {
        return;
    };
    let desk = Desk::new();
    let text = issue_window(&desk, "QE-1", &[]);
    let status = std::process::Command::new(qrencode)
        .args(["-l", "M", "-s", "6", "-o"])
        .arg(desk.p("qe.png"))
        .arg(&text)
        .status()
        .unwrap();
    assert!(status.success());
    let r = desk.run(&["verify", "--trust", "trust", "--at", AT, "--json", "qe.png"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.reasons(), ["ok"]);
    let r = desk.run(&["decode", "--json", "qe.png"]);
    assert_eq!(r.code, 0);
    let j = &r.json_lines()[0];
    assert_eq!(j["text"], text.as_str());
    assert_eq!(j["input"], "qe.png");
    assert_eq!(j["corners"].as_array().unwrap().len(), 4);
}

#[test]
fn decode_escapes_control_characters_from_foreign_codes() {
    let Some(qrencode) = tool("qrencode") else {
        return;
    };
    let desk = Desk::new();
    let status = std::process::Command::new(qrencode)
        .args(["-s", "6", "-o"])
        .arg(desk.p("evil.png"))
        .arg("hello\x1b[2Jworld")
        .status()
        .unwrap();
    assert!(status.success());
    let r = desk.run(&["decode", "evil.png"]);
    assert_eq!(r.code, 0);
    assert!(!r.stdout.contains('\x1b'));
    assert!(r.stdout.contains("hello\\u{001B}[2Jworld"), "{}", r.stdout);
    let r = desk.run(&["verify", "--trust", "trust", "evil.png"]);
    assert_eq!(r.code, 1);
    assert!(!r.stdout.contains('\x1b'));
}

// ---- issuing ---------------------------------------------------------------

#[test]
fn issue_refuses_control_characters_and_overlong_fields() {
    let desk = Desk::new();
    let long = "x".repeat(65);
    for (flag, value, expect) in [
        ("--name", "Eve\x1b[31m", "control"),
        ("--name", long.as_str(), "too long"),
        ("--org", "Org\u{202E}gro", "control"),
        ("--org", long.as_str(), "too long"),
    ] {
        let mut args = vec![
            "issue",
            "--key",
            "keys/registration.key.pem",
            "--zones",
            "plenary",
            "--out",
            "o",
        ];
        if flag == "--org" {
            args.extend(["--name", "Fine Name"]);
        }
        args.extend([flag, value]);
        let r = desk.run(&args);
        assert_eq!(r.code, 2, "{flag} {value:?}");
        assert!(r.stderr.contains(expect), "{}", r.stderr);
        assert!(!r.stderr.contains('\x1b') && !r.stderr.contains('\u{202E}'));
        assert!(!desk.p("o").exists(), "nothing written");
    }
    let r = desk.run(&[
        "issue",
        "--key",
        "keys/registration.key.pem",
        "--name",
        "A",
        "--zones",
        "plenary",
        "--serial",
        "bad serial!",
        "--out",
        "o",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("serial"));
}

#[test]
fn issue_never_overwrites_without_force() {
    let desk = Desk::new();
    desk.issue("o", "DUP-1", &[]);
    let before = fs::read(desk.p("o/DUP-1.txt")).unwrap();
    let r = desk.run(&[
        "issue",
        "--key",
        "keys/registration.key.pem",
        "--name",
        "Other",
        "--zones",
        "plenary",
        "--serial",
        "DUP-1",
        "--out",
        "o",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--force"));
    assert_eq!(fs::read(desk.p("o/DUP-1.txt")).unwrap(), before);
    let r = desk.run(&[
        "issue",
        "--key",
        "keys/registration.key.pem",
        "--name",
        "Other",
        "--zones",
        "plenary",
        "--serial",
        "DUP-1",
        "--out",
        "o",
        "--force",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_ne!(fs::read(desk.p("o/DUP-1.txt")).unwrap(), before);
}

#[test]
fn csv_with_bad_rows_writes_nothing_and_names_every_bad_line() {
    let desk = Desk::new();
    let csv = "name,org,zones,valid_from,serial\n\
               Good One,Org,plenary,,G-1\n\
               ,Nameless,plenary,,G-2\n\
               Bad Time,Org,plenary,tomorrow,G-3\n\
               Good Two,Org,plenary,,G-4\n\
               Too,Many,Fields,here,G-5,extra\n\
               Bad Zone,Org,Press Room!,,G-6\n\
               Dup,Org,plenary,,G-1\n";
    fs::write(desk.p("reg.csv"), csv).unwrap();
    let r = desk.run(&[
        "issue",
        "--key",
        "keys/registration.key.pem",
        "--csv",
        "reg.csv",
        "--out",
        "batch",
    ]);
    assert_eq!(r.code, 2);
    for line in [3, 4, 6, 7, 8] {
        assert!(
            r.stderr.contains(&format!("line {line}:")),
            "line {line} missing in:\n{}",
            r.stderr
        );
    }
    for line in [2, 5] {
        assert!(
            !r.stderr.contains(&format!("line {line}:")),
            "good line {line} reported"
        );
    }
    assert!(r.stderr.contains("nothing was written"));
    assert!(!desk.p("batch").exists() || fs::read_dir(desk.p("batch")).unwrap().next().is_none());
    // One bad row a line, with real line breaks, not escapes.
    assert!(!r.stderr.contains("\\u{"), "{}", r.stderr);
    assert!(
        r.stderr
            .lines()
            .filter(|l| l.starts_with("  line "))
            .count()
            >= 5,
        "{}",
        r.stderr
    );
}

#[test]
fn every_flag_of_every_command_has_a_word_in_help() {
    let dir = tempfile::tempdir().unwrap();
    let commands: &[&[&str]] = &[
        &["keygen"],
        &["issue"],
        &["verify"],
        &["kiosk"],
        &["policy"],
        &["revoke"],
        &["decode"],
        &["demo"],
        &["audit", "verify"],
        &["audit", "head"],
        &["audit", "log"],
        &["audit", "export"],
        &["audit", "stats"],
        &["audit", "inside"],
        &["audit", "merge"],
        &["audit", "report"],
        &["audit", "snapshot"],
    ];
    for c in commands {
        let mut args = c.to_vec();
        args.push("--help");
        let r = common::bg(dir.path(), &args);
        assert_eq!(r.code, 0, "{c:?}: {}", r.stderr);
        let options = r
            .stdout
            .split("Options:")
            .nth(1)
            .expect("an Options section");
        let lines: Vec<&str> = options
            .lines()
            .take_while(|l| !l.starts_with(|c: char| c.is_alphabetic()))
            .collect();
        for (i, l) in lines.iter().enumerate() {
            let t = l.trim_start();
            // Flags, not the `- value: words` lines of a flag's values.
            if !t.starts_with('-') || t.starts_with("- ") {
                continue;
            }
            // `--flag <V>   words`, or the words on the next line.
            let words = t
                .split("  ")
                .map(str::trim)
                .filter(|w| !w.is_empty())
                .nth(1);
            let next = lines
                .get(i + 1)
                .map(|n| n.trim())
                .filter(|n| !n.is_empty() && !n.starts_with('-'));
            assert!(
                words.is_some() || next.is_some(),
                "{c:?}: {l} has no description"
            );
        }
    }
}

#[test]
fn csv_names_in_any_script_round_trip_to_verify_json() {
    let desk = Desk::new();
    let people = [
        ("Фарҳод Раҳимов", "Тоҷикистон"),
        ("李明", "中国"),
        ("فاطمة الزهراء", "العربية"),
        ("Zoë \"Zee\" O'Neil, Jr.", "Commas, \"quotes\" & Co"),
        ("=HYPERLINK(\"x\")", "+Formula Org"),
    ];
    let people: Vec<_> = people
        .into_iter()
        .filter(|(name, org)| common::fonts_draw(name) && common::fonts_draw(org))
        .collect();
    let mut csv = String::from("serial,name,org,category,zones\n");
    for (i, (name, org)) in people.iter().enumerate() {
        let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        csv.push_str(&format!(
            "I-{i},{},{},Delegate,\"plenary, press\"\n",
            q(name),
            q(org)
        ));
    }
    fs::write(desk.p("reg.csv"), format!("\u{feff}{csv}")).unwrap();
    let r = desk.run(&[
        "issue",
        "--key",
        "keys/registration.key.pem",
        "--csv",
        "reg.csv",
        "--out",
        "batch",
        "--valid-from",
        "2026-12-01T00:00:00Z",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let manifest = fs::read_to_string(desk.p("batch/manifest.csv")).unwrap();
    assert_eq!(manifest.lines().count(), 1 + people.len());
    assert!(
        manifest.contains("'=HYPERLINK"),
        "formula cells are escaped in the manifest"
    );
    let pngs: Vec<String> = (0..people.len())
        .map(|i| format!("batch/I-{i}.png"))
        .collect();
    let mut args = vec!["verify", "--trust", "trust", "--at", AT, "--json"];
    args.extend(pngs.iter().map(String::as_str));
    let r = desk.run(&args);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    for (j, (name, org)) in r.json_lines().iter().zip(people) {
        assert_eq!(j["name"], name);
        assert_eq!(j["org"], org);
        assert_eq!(j["category"], "delegate");
        assert_eq!(j["zones"], serde_json::json!(["plenary", "press"]));
    }
}

#[test]
fn csv_that_is_not_utf8_names_the_line() {
    let desk = Desk::new();
    let mut bytes = b"name,zones\nGood,plenary\n".to_vec();
    bytes.extend_from_slice(b"Jos\xe9 Latin1,plenary\n");
    fs::write(desk.p("latin1.csv"), bytes).unwrap();
    let r = desk.run(&[
        "issue",
        "--key",
        "keys/registration.key.pem",
        "--csv",
        "latin1.csv",
        "--out",
        "b",
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("line 3:") && r.stderr.contains("UTF-8"),
        "{}",
        r.stderr
    );
}

#[test]
fn csv_unknown_column_and_missing_name_column_are_refused() {
    let desk = Desk::new();
    fs::write(desk.p("a.csv"), "name,shoe size\nA,42\n").unwrap();
    let r = desk.run(&[
        "issue",
        "--key",
        "keys/registration.key.pem",
        "--csv",
        "a.csv",
        "--out",
        "b",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("unknown column"));
    fs::write(desk.p("b.csv"), "org,zones\nA,plenary\n").unwrap();
    let r = desk.run(&[
        "issue",
        "--key",
        "keys/registration.key.pem",
        "--csv",
        "b.csv",
        "--out",
        "b",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no `name` column"));
}

// ---- revocation lists ----------------------------------------------------

#[test]
fn revoke_extends_the_list_and_bumps_the_sequence() {
    let desk = Desk::new();
    let rv = |serials: &[&str]| {
        let mut a = vec![
            "revoke",
            "--key",
            "keys/registration.key.pem",
            "--list",
            "rl.txt",
        ];
        a.extend_from_slice(serials);
        desk.run(&a)
    };
    assert_eq!(rv(&["A-1"]).code, 0);
    let r = rv(&["A-1", "B-2"]);
    assert_eq!(r.code, 0);
    assert!(r.stderr.contains("A-1 was already revoked"));
    let list = fs::read_to_string(desk.p("rl.txt")).unwrap();
    assert!(list.contains("sequence: 2\n"));
    assert_eq!(list.matches("revoke: ").count(), 2);
    // --revocations, as the kiosk and verify name the file, works too.
    let r = desk.run(&[
        "revoke",
        "--key",
        "keys/registration.key.pem",
        "--revocations",
        "rl.txt",
        "C-3",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(fs::read_to_string(desk.p("rl.txt"))
        .unwrap()
        .contains("sequence: 3\n"));
}

/// A mistyped serial revokes nobody and leaves the real badge valid: the
/// desk's register of issued badges (beside its key) catches it.
#[test]
fn revoking_a_serial_never_issued_is_refused_with_the_nearest_one() {
    let desk = Desk::new();
    desk.issue("badges", "HD-0001", &[]);
    let register = fs::read_to_string(desk.p("keys/registration.issued.csv")).unwrap();
    assert!(
        register.starts_with("serial,name,org,category,issued_at,out\nHD-0001,"),
        "{register}"
    );
    let rv = |extra: &[&str]| {
        let mut a = vec![
            "revoke",
            "--key",
            "keys/registration.key.pem",
            "--list",
            "rl.txt",
        ];
        a.extend_from_slice(extra);
        desk.run(&a)
    };
    let r = rv(&["HD-001"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("HD-001 was never issued with this key; did you mean HD-0001?"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("nothing was revoked"), "{}", r.stderr);
    assert!(!desk.p("rl.txt").exists(), "no list written");
    // The right one, in any case.
    let r = rv(&["hd-0001"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // A badge from another desk: on purpose, with --force, said.
    let r = rv(&["OTHER-7", "--force"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("OTHER-7 was never issued with this key"),
        "{}",
        r.stderr
    );
    assert!(fs::read_to_string(desk.p("rl.txt"))
        .unwrap()
        .contains("revoke: OTHER-7 "));
}

#[test]
fn forged_or_foreign_revocation_list_is_refused_exit_2() {
    let desk = Desk::new();
    let text = issue_window(&desk, "F-1", &[]);
    let r = desk.run(&[
        "revoke",
        "--key",
        "keys/registration.key.pem",
        "--list",
        "rl.txt",
        "F-1",
    ]);
    assert_eq!(r.code, 0);
    // Someone deletes the revocation line to let the badge back in.
    let list = fs::read_to_string(desk.p("rl.txt")).unwrap();
    let edited: String = list
        .lines()
        .filter(|l| !l.starts_with("revoke:"))
        .map(|l| format!("{l}\n"))
        .collect();
    fs::write(desk.p("edited.txt"), edited).unwrap();
    let r = verify_json(&desk, &["--revocations", "edited.txt"], &text);
    assert_eq!(r.code, 2);
    assert!(r.stdout.is_empty(), "no decision on a forged list");
    assert!(
        r.stderr.contains("signature does not verify"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stderr.lines().count(), 1);

    // A list signed by a key the kiosk does not trust.
    assert_eq!(desk.run(&["keygen", "--dir", "other"]).code, 0);
    let r = desk.run(&[
        "revoke",
        "--key",
        "other/registration.key.pem",
        "--list",
        "foreign.txt",
        "X-1",
    ]);
    assert_eq!(r.code, 0);
    let r = verify_json(&desk, &["--revocations", "foreign.txt"], &text);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not in the trust folder"));

    // Extending someone else's list with our key is refused.
    let r = desk.run(&[
        "revoke",
        "--key",
        "keys/registration.key.pem",
        "--list",
        "foreign.txt",
        "Y-1",
    ]);
    assert_ne!(r.code, 0);

    // Garbage instead of a list.
    fs::write(desk.p("junk.txt"), [0xffu8, 0, 1, 2]).unwrap();
    let r = verify_json(&desk, &["--revocations", "junk.txt"], &text);
    assert_eq!(r.code, 2);
}

// ---- usage -----------------------------------------------------------------

#[test]
fn usage_errors_exit_2_with_help() {
    let dir = tempfile::tempdir().unwrap();
    let r = bg(dir.path(), &["verify"]);
    assert_eq!(r.code, 2);
    let r = bg(dir.path(), &["verify", "--trust", "nowhere", "x.png"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("nowhere"));
    let r = bg(dir.path(), &["--help"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("Examples"));
    let r = bg(
        dir.path(),
        &["verify", "--trust", "t", "--at", "yesterday", "-"],
    );
    assert_eq!(r.code, 2);
}

#[test]
fn secret_key_in_the_trust_folder_is_ignored_with_a_warning() {
    let desk = Desk::new();
    let text = issue_window(&desk, "W-1", &[]);
    fs::copy(
        desk.p("keys/registration.key.pem"),
        desk.p("trust/registration.key.pem"),
    )
    .unwrap();
    let r = verify_json(&desk, &[], &text);
    assert_eq!(r.code, 0);
    assert!(r.stderr.contains("warning:") && r.stderr.contains("secret key"));
}

#[test]
fn demo_runs_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let r = bg(dir.path(), &["demo"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    for reason in [
        "ok",
        "wrong_zone",
        "revoked",
        "expired",
        "not_yet_valid",
        "unknown_key",
        "bad_signature",
        "not_a_badge",
    ] {
        assert!(r.stdout.contains(reason), "demo shows {reason}");
    }
    assert!(!r.stdout.contains("UNEXPECTED"));
    assert!(r.stdout.contains("already_inside"), "the kiosk part ran");
    assert!(r.stdout.contains("hash chain intact"));
    assert!(
        r.stdout
            .contains("content does not match its hash (edited)"),
        "the audit caught the edit"
    );
    // Its temporary folder is gone when it ends: no path into it is
    // offered as if it stayed, only the way to keep one.
    let root = r
        .stdout
        .lines()
        .next()
        .unwrap()
        .trim_start_matches("badgegate demo in ")
        .to_owned();
    assert!(!std::path::Path::new(&root).exists(), "{root}");
    assert!(r.stdout.contains("report with charts and the muster list written (the demo's temporary folder is removed"), "{}", r.stdout);
    assert!(
        !r.stdout.contains(&format!("{root}/audit-report.html")),
        "{}",
        r.stdout
    );
    // Its verify step speaks the venue policy's time, as its kiosk does.
    let line = r.stdout.lines().find(|l| l.contains("lost badge")).unwrap();
    assert!(!line.contains(" UTC"), "{line}");
}
