//! Key files and the trust store: Ed25519 keys as OpenSSL-compatible PEM,
//! short key ids, and the folder of public keys a kiosk trusts.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::spki::{DecodePublicKey, EncodePublicKey};
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use ed25519_dalek::{SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

#[cfg(feature = "host")]
use crate::files::write_atomic;
use crate::format::constants::KEY_ID_LEN;
#[cfg(feature = "host")]
use crate::format::keylist::looks_like_keylist;
use crate::format::keylist::{Grant, KeyList, Withdrawal};

/// Largest key file read (bytes); real Ed25519 PEM files are under 200.
const MAX_KEY_FILE_BYTES: u64 = 64 * 1024;

/// Failures reading, writing or trusting keys.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    #[error("cannot read key file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not an Ed25519 secret key in PKCS#8 PEM form (make one with `badgegate keygen` or `openssl genpkey -algorithm ed25519`)")]
    BadSecretKey { path: PathBuf },
    #[error("{path} is an encrypted secret key; decrypt a copy for signing with `openssl pkey -in {path} -out PLAIN.pem` (it asks for the passphrase) and keep that copy on the desk machine only")]
    EncryptedSecretKey { path: PathBuf },
    #[error("{path} is not an Ed25519 public key in SPKI PEM form (make one with `openssl pkey -in SECRET.pem -pubout`)")]
    BadPublicKey { path: PathBuf },
    #[error("{path} is a small-order (weak) Ed25519 public key: signatures under it prove nothing; remove it and copy the real registration public key")]
    WeakPublicKey { path: PathBuf },
    #[error("{path} already exists; pass --force to replace it")]
    Exists { path: PathBuf },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[cfg(feature = "host")]
    #[error(transparent)]
    WriteFile(#[from] crate::files::WriteError),
    #[error("cannot read trust folder {path}: {source}")]
    TrustDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "trust folder {path} holds no public key (*.pem); copy the registration public key there"
    )]
    NoTrustedKeys { path: PathBuf },
    #[error(
        "key id {id} is shared by {first} and {second}; remove one of them from the trust folder"
    )]
    DuplicateKeyId {
        id: KeyId,
        first: PathBuf,
        second: PathBuf,
    },
    #[error("cannot encode key: {0}")]
    Encode(String),
    #[error("key list {path} in the trust folder cannot be used: {why}")]
    KeyList { path: PathBuf, why: String },
    #[error("root key {id} is also in the trust folder as a badge key; a root key signs key lists only: remove its copy outside root/")]
    RootAsBadgeKey { id: KeyId },
    #[error("the trust folder {path} holds a key list but no root key to check it with; copy the root public key into {path}/root/")]
    NoRootKey { path: PathBuf },
}

/// Short public identifier of a key: the first [`KEY_ID_LEN`] bytes of
/// SHA-256 over the raw 32-byte Ed25519 public key, shown as lowercase hex.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyId(pub [u8; KEY_ID_LEN]);

impl KeyId {
    /// The key id of a public key.
    pub fn of(key: &VerifyingKey) -> KeyId {
        let digest = Sha256::digest(key.as_bytes());
        let mut id = [0u8; KEY_ID_LEN];
        id.copy_from_slice(&digest[..KEY_ID_LEN]);
        KeyId(id)
    }

    /// Parses the hex form (as printed by `keygen`).
    pub fn from_hex(s: &str) -> Option<KeyId> {
        let s = s.trim();
        if s.len() != KEY_ID_LEN * 2 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let mut id = [0u8; KEY_ID_LEN];
        for (i, byte) in id.iter_mut().enumerate() {
            *byte = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
        }
        Some(KeyId(id))
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({self})")
    }
}

/// The registration signing key. Never printed or `Debug`-ed.
pub struct SecretKey {
    key: SigningKey,
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretKey(id {}, secret withheld)", self.key_id())
    }
}

impl SecretKey {
    /// A fresh key from the operating system's random source.
    pub fn generate() -> SecretKey {
        SecretKey {
            key: SigningKey::generate(&mut rand_core::OsRng),
        }
    }

    /// A key from its 32 secret bytes (test vectors).
    pub fn from_seed(seed: &[u8; 32]) -> SecretKey {
        SecretKey {
            key: SigningKey::from_bytes(seed),
        }
    }

    /// Reads a PKCS#8 PEM secret key (ours or OpenSSL's). The file's content is
    /// never echoed in an error.
    pub fn load(path: &Path) -> Result<SecretKey, KeyError> {
        let text = read_small(path)?;
        if text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
            return Err(KeyError::EncryptedSecretKey {
                path: path.to_owned(),
            });
        }
        let key = SigningKey::from_pkcs8_pem(text.trim()).map_err(|_| KeyError::BadSecretKey {
            path: path.to_owned(),
        })?;
        Ok(SecretKey { key })
    }

    #[cfg(feature = "host")]
    /// The permission bits of a secret key file that others than its owner
    /// may read (group or world), if any: a key that should be 0600.
    pub fn exposed_mode(path: &Path) -> Option<u32> {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
        (mode & 0o077 != 0).then_some(mode)
    }

    /// The matching public key.
    pub fn public(&self) -> PublicKey {
        PublicKey::new(self.key.verifying_key())
    }

    pub fn key_id(&self) -> KeyId {
        KeyId::of(&self.key.verifying_key())
    }

    /// Ed25519 signature of `message`.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        use ed25519_dalek::Signer;
        self.key.sign(message).to_bytes()
    }

    /// PKCS#8 v1 PEM text of the key: exactly what `openssl genpkey
    /// -algorithm ed25519` writes (seed only, no public key attribute).
    pub fn to_pem(&self) -> Result<zeroize::Zeroizing<String>, KeyError> {
        let bytes = ed25519_dalek::pkcs8::KeypairBytes {
            secret_key: self.key.to_bytes(),
            public_key: None,
        };
        bytes
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| KeyError::Encode(e.to_string()))
    }
}

/// A trusted (or candidate) public key with its id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKey {
    pub key: VerifyingKey,
    pub id: KeyId,
}

impl PublicKey {
    pub fn new(key: VerifyingKey) -> PublicKey {
        PublicKey {
            id: KeyId::of(&key),
            key,
        }
    }

    /// Reads an SPKI PEM public key (ours or `openssl pkey -pubout`'s);
    /// refuses a small-order key.
    pub fn load(path: &Path) -> Result<PublicKey, KeyError> {
        let text = read_small(path)?;
        Self::checked(path, text.trim())
    }

    /// A key from PEM text read from `path`: well-formed and not weak.
    fn checked(path: &Path, text: &str) -> Result<PublicKey, KeyError> {
        let key = Self::from_pem(text).ok_or_else(|| KeyError::BadPublicKey {
            path: path.to_owned(),
        })?;
        if key.key.is_weak() {
            return Err(KeyError::WeakPublicKey {
                path: path.to_owned(),
            });
        }
        Ok(key)
    }

    /// A key from its 32 raw bytes (as journals and the office store it);
    /// `None` for anything else or a weak key.
    pub fn from_raw(bytes: &[u8]) -> Option<PublicKey> {
        let raw: [u8; 32] = bytes.try_into().ok()?;
        let key = VerifyingKey::from_bytes(&raw).ok()?;
        (!key.is_weak()).then(|| PublicKey::new(key))
    }

    pub fn from_pem(text: &str) -> Option<PublicKey> {
        VerifyingKey::from_public_key_pem(text)
            .ok()
            .map(PublicKey::new)
    }

    /// SPKI PEM text of the key.
    pub fn to_pem(&self) -> Result<String, KeyError> {
        self.key
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| KeyError::Encode(e.to_string()))
    }

    /// Strict Ed25519 verification (`verify_strict`: no malleable or
    /// small-order forms).
    pub fn verify(&self, message: &[u8], signature: &[u8; 64]) -> bool {
        let sig = ed25519_dalek::Signature::from_bytes(signature);
        self.key.verify_strict(message, &sig).is_ok()
    }
}

fn read_small(path: &Path) -> Result<String, KeyError> {
    let read_err = |source| KeyError::Read {
        path: path.to_owned(),
        source,
    };
    let meta = fs::metadata(path).map_err(read_err)?;
    if meta.len() > MAX_KEY_FILE_BYTES {
        return Err(KeyError::BadPublicKey {
            path: path.to_owned(),
        });
    }
    let bytes = fs::read(path).map_err(read_err)?;
    // A binary or non-UTF-8 file is simply "not a PEM key"; say so without echoing it.
    String::from_utf8(bytes).map_err(|_| KeyError::BadPublicKey {
        path: path.to_owned(),
    })
}

/// Where `keygen` put the two files.
#[derive(Debug)]
pub struct GeneratedKey {
    pub secret_path: PathBuf,
    pub public_path: PathBuf,
    pub id: KeyId,
}

/// File names `keygen` uses for a key called `name`.
pub fn key_file_names(name: &str) -> (String, String) {
    (format!("{name}.key.pem"), format!("{name}.pub.pem"))
}

#[cfg(feature = "host")]
/// Makes a new key pair in `dir`: secret key PKCS#8 PEM with mode 0600
/// (created exclusively unless `force`), public key SPKI PEM.
pub fn generate_files(dir: &Path, name: &str, force: bool) -> Result<GeneratedKey, KeyError> {
    fs::create_dir_all(dir).map_err(|source| KeyError::Write {
        path: dir.to_owned(),
        source,
    })?;
    let (secret_name, public_name) = key_file_names(name);
    let secret_path = dir.join(secret_name);
    let public_path = dir.join(public_name);
    if !force {
        for p in [&secret_path, &public_path] {
            if p.exists() {
                return Err(KeyError::Exists { path: p.clone() });
            }
        }
    }
    let key = SecretKey::generate();
    let secret_pem = key.to_pem()?;
    let public_pem = key.public().to_pem()?;
    write_atomic(&secret_path, secret_pem.as_bytes(), 0o600, force)?;
    write_atomic(&public_path, public_pem.as_bytes(), 0o644, force)?;
    Ok(GeneratedKey {
        secret_path,
        public_path,
        id: key.key_id(),
    })
}

/// Status of a key in the trust store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyStatus {
    Active,
    Retired,
}

/// A trusted key and where it came from.
#[derive(Clone, Debug)]
pub struct TrustedKey {
    pub key: PublicKey,
    pub status: KeyStatus,
    pub path: PathBuf,
    /// What the root's key list lets this key sign (`None`: a key of the
    /// trust folder itself, trusted for everything).
    pub grant: Option<Grant>,
}

/// The public keys a kiosk trusts: every `*.pem` public key in a folder
/// (active), and every one in its `retired/` subfolder (retired: badges it
/// signed are denied `retired_key`); and the root keys of its `root/`
/// subfolder, which sign the key list of issuing keys (each with its
/// validity and scope) and of keys withdrawn. The key list's word on a key
/// outranks the folder's, except that a key retired here stays retired.
#[derive(Clone, Debug, Default)]
pub struct TrustStore {
    /// The keys badges may be signed with, as decided.
    keys: BTreeMap<KeyId, TrustedKey>,
    /// The trust folder's own keys (before any key list).
    plain: BTreeMap<KeyId, TrustedKey>,
    roots: Vec<PublicKey>,
    keylist: Option<KeyList>,
    withdrawn: BTreeMap<KeyId, Withdrawal>,
    /// Things the operator should know (e.g. a secret key found in the folder).
    pub warnings: Vec<String>,
}

/// Name of the subfolder of retired keys.
pub const RETIRED_DIR: &str = "retired";
/// Name of the subfolder of root keys (they sign key lists, never badges).
pub const ROOT_DIR: &str = "root";

impl TrustStore {
    /// A trust store from keys in memory (tests, demo).
    pub fn from_keys(active: &[PublicKey], retired: &[PublicKey]) -> TrustStore {
        let mut store = TrustStore::default();
        for (keys, status) in [(active, KeyStatus::Active), (retired, KeyStatus::Retired)] {
            for k in keys {
                store.keys.insert(
                    k.id,
                    TrustedKey {
                        key: k.clone(),
                        status,
                        path: PathBuf::new(),
                        grant: None,
                    },
                );
            }
        }
        store.plain = store.keys.clone();
        store
    }

    /// This store with `roots` as its root keys (a trust folder sent over
    /// the network: the patrol phone's). The caller applies a key list
    /// verified under them with [`TrustStore::with_keylist`].
    pub fn with_roots(mut self, roots: &[PublicKey]) -> TrustStore {
        self.roots = roots.to_vec();
        self
    }

    /// A trust store of root keys only, with this key list (tests, demo).
    pub fn from_roots(roots: &[PublicKey], list: Option<KeyList>) -> TrustStore {
        let mut store = TrustStore {
            roots: roots.to_vec(),
            ..TrustStore::default()
        };
        if let Some(l) = list {
            store.apply(l);
        }
        store
    }

    #[cfg(feature = "host")]
    /// Loads the trust folder. Any `.pem` that is not an Ed25519 public key is
    /// an error, except a secret key, which is skipped with a warning (a
    /// kiosk must never hold the signing key).
    pub fn load(dir: &Path) -> Result<TrustStore, KeyError> {
        let mut store = TrustStore::default();
        store.load_dir(dir, KeyStatus::Active)?;
        let retired = dir.join(RETIRED_DIR);
        if retired.is_dir() {
            store.load_dir(&retired, KeyStatus::Retired)?;
        }
        store.plain = store.keys.clone();
        let root = dir.join(ROOT_DIR);
        if root.is_dir() {
            let mut roots = TrustStore::default();
            roots.load_dir(&root, KeyStatus::Active)?;
            store.warnings.append(&mut roots.warnings);
            store.roots = roots.keys.into_values().map(|k| k.key).collect();
            if let Some(r) = store.roots.iter().find(|r| store.plain.contains_key(&r.id)) {
                return Err(KeyError::RootAsBadgeKey { id: r.id });
            }
        }
        let lists = keylist_files(dir);
        if !lists.is_empty() && store.roots.is_empty() {
            return Err(KeyError::NoRootKey {
                path: dir.to_owned(),
            });
        }
        let mut newest: Option<KeyList> = None;
        for path in lists {
            let list =
                KeyList::load_verified(&path, &store.roots).map_err(|e| KeyError::KeyList {
                    path: path.clone(),
                    why: e.to_string(),
                })?;
            if newest.as_ref().is_none_or(|n| list.sequence > n.sequence) {
                newest = Some(list);
            }
        }
        if let Some(list) = newest {
            store.apply(list);
        } else if !store.roots.is_empty() && store.plain.is_empty() {
            store.warnings.push(format!(
                "{} holds a root key but no key list yet: every badge is refused until one arrives (from the office, or copied into the folder)",
                dir.display()
            ));
        }
        if store.keys.is_empty() && store.roots.is_empty() {
            return Err(KeyError::NoTrustedKeys {
                path: dir.to_owned(),
            });
        }
        Ok(store)
    }

    /// This store with `list` as its key list in place of the one it had
    /// (the caller has verified it under [`TrustStore::roots`] and checked
    /// it is newer).
    pub fn with_keylist(&self, list: KeyList) -> TrustStore {
        let mut store = self.clone();
        store.apply(list);
        store
    }

    fn apply(&mut self, list: KeyList) {
        let mut keys = self.plain.clone();
        let from = PathBuf::from(format!("key list #{}", list.sequence));
        for g in &list.grants {
            let retired_here = self
                .plain
                .get(&g.key.id)
                .is_some_and(|k| k.status == KeyStatus::Retired && k.key == g.key);
            keys.insert(
                g.key.id,
                TrustedKey {
                    key: g.key.clone(),
                    status: if retired_here {
                        KeyStatus::Retired
                    } else {
                        KeyStatus::Active
                    },
                    path: from.clone(),
                    grant: Some(g.clone()),
                },
            );
        }
        self.withdrawn.clear();
        for w in &list.withdrawn {
            keys.remove(&w.key_id);
            self.withdrawn.insert(w.key_id, w.clone());
        }
        self.keys = keys;
        self.keylist = Some(list);
    }

    /// The root keys key lists are checked with.
    pub fn roots(&self) -> &[PublicKey] {
        &self.roots
    }

    /// The key list in use, if any.
    pub fn keylist(&self) -> Option<&KeyList> {
        self.keylist.as_ref()
    }

    /// The key list's withdrawal of key `id`, if it is withdrawn.
    pub fn withdrawal(&self, id: &KeyId) -> Option<&Withdrawal> {
        self.withdrawn.get(id)
    }

    #[cfg(feature = "host")]
    fn load_dir(&mut self, dir: &Path, status: KeyStatus) -> Result<(), KeyError> {
        let dir_err = |source| KeyError::TrustDir {
            path: dir.to_owned(),
            source,
        };
        let mut paths: Vec<PathBuf> = fs::read_dir(dir)
            .map_err(dir_err)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "pem"))
            .collect();
        paths.sort();
        for path in paths {
            let text = read_small(&path)?;
            if text.contains("PRIVATE KEY-----") {
                self.warnings.push(format!(
                    "{} is a secret key and was ignored; a kiosk must never hold the signing key, move it off this machine",
                    path.display()
                ));
                continue;
            }
            let key = PublicKey::checked(&path, text.trim())?;
            if let Some(existing) = self.keys.get(&key.id) {
                if existing.key == key {
                    // The same key twice (e.g. active and retired): retired wins.
                    if status == KeyStatus::Retired {
                        self.keys.insert(
                            key.id,
                            TrustedKey {
                                key,
                                status,
                                path,
                                grant: None,
                            },
                        );
                    }
                    continue;
                }
                return Err(KeyError::DuplicateKeyId {
                    id: key.id,
                    first: existing.path.clone(),
                    second: path,
                });
            }
            self.keys.insert(
                key.id,
                TrustedKey {
                    key,
                    status,
                    path,
                    grant: None,
                },
            );
        }
        Ok(())
    }

    pub fn get(&self, id: &KeyId) -> Option<&TrustedKey> {
        self.keys.get(id)
    }

    pub fn keys(&self) -> impl Iterator<Item = &TrustedKey> {
        self.keys.values()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

#[cfg(feature = "host")]
/// The key list files directly in the trust folder: every regular file
/// whose first line is a key list's.
fn keylist_files(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    paths.sort();
    paths.retain(|p| p.is_file() && looks_like_keylist(p));
    paths
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_id_hex_round_trip() {
        let k = SecretKey::from_seed(&[7u8; 32]);
        let id = k.key_id();
        assert_eq!(KeyId::from_hex(&id.to_string()), Some(id));
        assert_eq!(KeyId::from_hex("zz"), None);
    }

    #[test]
    fn secret_key_debug_withholds_secret() {
        let k = SecretKey::from_seed(&[7u8; 32]);
        let dbg = format!("{k:?}");
        assert!(dbg.contains("withheld"));
        assert!(!dbg.contains("0707"));
    }

    #[test]
    fn pem_round_trip() {
        let k = SecretKey::from_seed(&[9u8; 32]);
        let pem = k.to_pem().unwrap();
        let back = SigningKey::from_pkcs8_pem(&pem).unwrap();
        assert_eq!(back.to_bytes(), [9u8; 32]);
        let pub_pem = k.public().to_pem().unwrap();
        assert_eq!(PublicKey::from_pem(&pub_pem), Some(k.public()));
    }
}
