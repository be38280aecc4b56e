//! `badgegate decode`: every QR code in images, ours or not.

use std::process::ExitCode;

use badgegate::read;
use badgegate::text::{json_line, printable, shown_path};

use super::Exit;
use crate::cli::DecodeArgs;

pub fn run(a: DecodeArgs) -> anyhow::Result<ExitCode> {
    let mut failed = false;
    let mut found_any = false;
    for input in &a.inputs {
        let paths = match read::image_paths(input) {
            Ok(p) => p,
            Err(e) => {
                say!("error: {}: {e}", shown_path(input));
                failed = true;
                continue;
            }
        };
        if paths.is_empty() {
            say!(
                "error: {}: no .png or .jpg pictures in this folder or the folders in it",
                shown_path(input)
            );
            failed = true;
        }
        for path in paths {
            let img = match read::load_gray(&path) {
                Ok(img) => img,
                Err(e) => {
                    say!("error: {}", printable(&e.to_string()));
                    failed = true;
                    continue;
                }
            };
            let codes = read::decode_picture(&img);
            if codes.is_empty() && !a.json {
                println!("{}: no QR code found", shown_path(&path));
            }
            for code in codes {
                found_any = true;
                if a.json {
                    let line = serde_json::json!({
                        "input": path.display().to_string(),
                        "text": code.text(),
                        "corners": code.corners,
                    });
                    println!("{}", json_line(&line));
                } else {
                    let c = code.corners;
                    println!(
                        "{}: ({},{}) ({},{}) ({},{}) ({},{})  {}",
                        shown_path(&path),
                        c[0][0],
                        c[0][1],
                        c[1][0],
                        c[1][1],
                        c[2][0],
                        c[2][1],
                        c[3][0],
                        c[3][1],
                        printable(&code.text())
                    );
                }
            }
        }
    }
    Ok(if failed {
        Exit::Error.into()
    } else if found_any {
        Exit::Ok.into()
    } else {
        Exit::Problem.into()
    })
}
