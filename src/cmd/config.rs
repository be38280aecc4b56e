//! `kiosk --config FILE` and `doctor --config FILE`: a gate configured by a
//! TOML file an operator can read and diff. Every key is a kiosk flag
//! (`gate = "north"`, `anti-passback = "hard"` or `anti_passback`,
//! `revocations = ["a.txt", "b.txt"]`, `headless = true`); a flag given on
//! the command line wins over the file. Unknown keys, tables and values of
//! the wrong kind are refused with their line number. Relative paths in the
//! file are relative to the file's folder.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::{ArgAction, CommandFactory};

use crate::cli::Cli;

/// Flags whose values are paths (resolved against the file's folder).
const PATH_FLAGS: &[&str] = &[
    "trust",
    "journal",
    "photos",
    "revocations",
    "policy",
    "office",
    "signing-key",
    "images",
];

/// `args` with `--config FILE` (for `kiosk` and `doctor`) replaced by the
/// file's flags, placed before the command line's own, leaving out any flag
/// the command line gives itself.
pub fn expand(args: Vec<OsString>) -> Result<Vec<OsString>, String> {
    let Some(sub) = args.get(1).and_then(|a| a.to_str()) else {
        return Ok(args);
    };
    if !matches!(sub, "kiosk" | "doctor") {
        return Ok(args);
    }
    let mut path = None;
    let mut rest = Vec::new();
    let mut i = 2;
    while i < args.len() {
        let a = args[i].to_string_lossy();
        if a == "--config" {
            path = Some(PathBuf::from(
                args.get(i + 1).ok_or("--config needs a FILE")?,
            ));
            i += 2;
            continue;
        }
        if let Some(v) = a.strip_prefix("--config=") {
            path = Some(PathBuf::from(v));
            i += 1;
            continue;
        }
        rest.push(args[i].clone());
        i += 1;
    }
    let Some(path) = path else {
        return Ok(args);
    };
    let given: Vec<String> = rest
        .iter()
        .filter_map(|a| a.to_str())
        .filter_map(|a| a.strip_prefix("--"))
        .map(|a| a.split('=').next().unwrap_or(a).to_owned())
        .collect();
    let mut out = args[..2].to_vec();
    let cli = Cli::command();
    let kiosk = cli.find_subcommand("kiosk");
    let mut from_file = Vec::new();
    for (flag, values, at) in read(&path)? {
        // The command line's flag wins, and so does one that cannot be
        // given with the file's (a frame source replaces the file's).
        if given.contains(&flag) || kiosk.is_some_and(|k| replaced(k, &flag, &given)) {
            continue;
        }
        from_file.push((flag.clone(), at));
        for v in values {
            out.push(format!("--{flag}").into());
            if let Some(v) = v {
                out.push(v);
            }
        }
    }
    out.extend(rest);
    let _ = FROM_FILE.set(from_file);
    Ok(out)
}

/// True when a flag `given` on the command line cannot go with the file's
/// `flag`: one conflicts with the other, or both are in one exclusive
/// group.
fn replaced(kiosk: &clap::Command, flag: &str, given: &[String]) -> bool {
    let by_long = |l: &str| kiosk.get_arguments().find(|a| a.get_long() == Some(l));
    let Some(arg) = by_long(flag) else {
        return false;
    };
    given.iter().filter_map(|g| by_long(g)).any(|other| {
        let clash = |a: &clap::Arg, b: &clap::Arg| {
            kiosk
                .get_arg_conflicts_with(a)
                .iter()
                .any(|c| c.get_id() == b.get_id())
        };
        clash(arg, other)
            || clash(other, arg)
            || kiosk.get_groups().any(|g| {
                let ids: Vec<_> = g.get_args().collect();
                !g.clone().is_multiple()
                    && ids.contains(&arg.get_id())
                    && ids.contains(&other.get_id())
                    && arg.get_id() != other.get_id()
            })
    })
}

/// One kiosk flag as clap knows it.
struct FlagInfo {
    long: String,
    /// Takes a value (not a switch).
    takes: bool,
    /// May be given several times.
    many: bool,
    /// The values it accepts, where it has a fixed set.
    choices: Vec<String>,
}

/// The kiosk's flags.
fn kiosk_flags() -> Vec<FlagInfo> {
    let cmd = Cli::command();
    let Some(kiosk) = cmd.find_subcommand("kiosk") else {
        return Vec::new();
    };
    kiosk
        .get_arguments()
        .filter_map(|a| {
            Some(FlagInfo {
                long: a.get_long()?.to_owned(),
                takes: !matches!(a.get_action(), ArgAction::SetTrue | ArgAction::SetFalse),
                many: matches!(a.get_action(), ArgAction::Append),
                choices: a
                    .get_possible_values()
                    .iter()
                    .map(|v| v.get_name().to_owned())
                    .collect(),
            })
        })
        .filter(|f| !matches!(f.long.as_str(), "config" | "help"))
        .collect()
}

/// One flag from the file, its values (`None` for a flag without one),
/// and where in the file it is (`--config FILE line N`).
type Flag = (String, Vec<Option<OsString>>, String);

/// The flags `expand` took from a gate file, and where each was written:
/// a command-line error about one of them names the file and line.
static FROM_FILE: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();

/// Where the gate file gave `--flag` (`--config FILE line N`), if it did.
pub fn written_at(flag: &str) -> Option<&'static str> {
    FROM_FILE
        .get()?
        .iter()
        .find(|(f, _)| f == flag)
        .map(|(_, at)| at.as_str())
}

/// Reads a configuration file into flags, refusing anything that is not
/// one.
pub fn read(path: &Path) -> Result<Vec<Flag>, String> {
    let shown = badgegate::text::shown_path(path);
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("--config {shown}: cannot read it ({e})"))?;
    let doc = toml_edit::Document::parse(text.as_str()).map_err(|e| {
        let line = e
            .span()
            .map(|s| line_of(&text, s.start))
            .map_or_else(String::new, |l| format!(" line {l}:"));
        format!(
            "--config {shown}:{line} not valid TOML ({})",
            e.message().trim()
        )
    })?;
    let base = badgegate::files::folder_of(path).to_owned();
    let flags = kiosk_flags();
    let mut out = Vec::new();
    for (key, item) in doc.as_table().iter() {
        let line = doc
            .as_table()
            .key(key)
            .and_then(|k| k.span())
            .map_or(0, |s| line_of(&text, s.start));
        let at = format!("--config {shown} line {line}");
        let flag = key.replace('_', "-");
        let Some(FlagInfo {
            takes,
            many,
            choices,
            ..
        }) = flags.iter().find(|f| f.long == flag)
        else {
            let known: Vec<&str> = flags.iter().map(|f| f.long.as_str()).collect();
            let near = known
                .iter()
                .map(|k| (strsim::damerau_levenshtein(k, &flag), *k))
                .min()
                .filter(|(d, _)| *d <= 3)
                .map(|(_, k)| format!("; did you mean {k:?}?"))
                .unwrap_or_default();
            return Err(format!("{at}: unknown key {key:?}{near}"));
        };
        let resolve = |v: String| -> OsString {
            if PATH_FLAGS.contains(&flag.as_str()) && Path::new(&v).is_relative() {
                base.join(v).into_os_string()
            } else {
                v.into()
            }
        };
        let value = |v: &toml_edit::Value| -> Result<String, String> {
            match v {
                toml_edit::Value::String(s) => Ok(s.value().clone()),
                toml_edit::Value::Integer(i) => Ok(i.value().to_string()),
                toml_edit::Value::Float(f) => Ok(f.value().to_string()),
                _ => Err(format!("{at}: {key} takes a string or a number")),
            }
        };
        let Some(v) = item.as_value() else {
            return Err(format!("{at}: {key} must be a value, not a table"));
        };
        let values = match (v, takes, many) {
            (toml_edit::Value::Boolean(b), false, _) => {
                if *b.value() {
                    vec![None]
                } else {
                    Vec::new()
                }
            }
            (_, false, _) => return Err(format!("{at}: {key} is a switch: write {key} = true")),
            (toml_edit::Value::Array(a), true, true) => a
                .iter()
                .map(|x| value(x).map(|s| Some(resolve(s))))
                .collect::<Result<_, _>>()?,
            (toml_edit::Value::Array(_), true, false) => {
                return Err(format!("{at}: {key} takes one value, not a list"))
            }
            (v, true, _) => vec![Some(resolve(value(v)?))],
        };
        for v in values.iter().flatten() {
            let v = v.to_string_lossy();
            if !choices.is_empty() && !choices.iter().any(|c| *c == v) {
                return Err(format!(
                    "{at}: {key} must be one of {} (not {v:?})",
                    choices.join(", ")
                ));
            }
        }
        out.push((flag, values, at));
    }
    Ok(out)
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// For a command-line error about a flag the gate file gave, where the
/// file gave it.
pub fn blame(e: &clap::Error) -> Option<&'static str> {
    use clap::error::{ContextKind, ContextValue};
    if matches!(
        e.kind(),
        clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion
    ) {
        return None;
    }
    let named = |v: &ContextValue| -> Vec<String> {
        let one = |s: &str| {
            s.strip_prefix("--")
                .map(|s| s.split([' ', '=', '<']).next().unwrap_or(s).to_owned())
        };
        match v {
            ContextValue::String(s) => one(s).into_iter().collect(),
            ContextValue::Strings(v) => v.iter().filter_map(|s| one(s)).collect(),
            _ => Vec::new(),
        }
    };
    [ContextKind::InvalidArg, ContextKind::PriorArg]
        .into_iter()
        .filter_map(|k| e.get(k))
        .flat_map(named)
        .find_map(|f| written_at(&f))
}
