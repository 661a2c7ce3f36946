//! Keys outside the database: the key-file format, [`Keys::load`] from a file or from the
//! `SHIJIAN_DATA_KEYS` environment variable, [`Keys::generate`] for `shijian keys init`,
//! and writing key files with mode 0600.
//!
//! # Key-file format
//!
//! UTF-8 text, one `name = value` entry per line (`;` may also separate entries, which helps
//! when the text is put in an environment variable). Blank lines and lines starting with `#`
//! are ignored; spaces around names and values are ignored.
//!
//! ```text
//! # shijian 密钥文件
//! index = <base64 of 32 bytes>      # blind-index key (HMAC-SHA256); exactly one
//! data.k1 = <base64 of 32 bytes>    # data keys (AES-256-GCM): one or more, each with an id
//! data.k2 = <base64 of 32 bytes>
//! current = k2                      # optional; default: the last data key
//! ```
//!
//! * Keys are standard base64 with `=` padding (44 characters) of exactly 32 random bytes.
//!   `openssl rand -base64 32` makes one; [`Keys::generate`] makes a whole file.
//! * Key ids are 1–16 ASCII letters, digits, `-` or `_`. Generated ids are `k1`, `k2`, ….
//! * Unknown names, duplicate ids, a second `index` or `current`, a `current` naming no data
//!   key, two equal data keys, and an index key equal to a data key are all errors.
//!   Error messages name the line, never its content.
//! * Comments must be whole lines: `#` after a value is not a comment.
//!
//! **Rotation of data keys**: add a `data.<new id>` line and point `current` at it (or let
//! [`Keys::rotate_data_key`] + [`replace_key_file`] do it), restart, run the re-encryption
//! job ([`crate::FieldCipher::reencrypt`] on every value where
//! [`needs_reencryption`](crate::FieldCipher::needs_reencryption)), and only then delete the
//! old `data.` line ([`Keys::retire_data_key`]). `shijian keys rotate`, `keys reencrypt` and
//! `keys retire` do these steps. **The index key does not rotate** this way: replacing it
//! ([`Keys::rotate_index_key`]) requires recomputing every blind index with all servers
//! stopped; see [`crate::blind_index`].
//!
//! # Where the file lives
//!
//! Outside the database, outside its backups and outside the repository, owned by the service
//! account with mode 0600 (on Unix a file readable or writable by group or others is
//! refused). Back it up offline, separately from the database: without it the personal data
//! cannot be decrypted. When a file is impractical (containers), the same text can be given
//! in the `SHIJIAN_DATA_KEYS` environment variable; prefer the file where possible, since the
//! environment can be read through `/proc/<pid>/environ` by the same user and is inherited by
//! child processes.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read as _, Write as _};
use std::path::{Path, PathBuf};

use rand::rngs::OsRng;
use rand::RngCore as _;
use zeroize::Zeroizing;

use crate::{Aes256GcmCipher, BlindIndex, CryptoError, KeyId, KeyRing, SecretKey};

/// The environment variable that may hold the key text instead of a file.
pub const KEYS_ENV_VAR: &str = "SHIJIAN_DATA_KEYS";

/// Largest key file read (64 KiB); a real one is well under 1 KiB.
const MAX_KEY_FILE_LEN: u64 = 64 * 1024;

const HEADER: &str = "\
# shijian 密钥文件（格式见 shijian-crypto 的 keyfile 模块文档）。
# 本文件须与数据库及其备份分开存放，属主为服务运行账号，权限 0600；不得提交到代码仓库。
# 请离线另行备份：丢失本文件后，已加密的个人信息将无法解密。
#
# index = 盲索引（HMAC-SHA256）密钥。更换它必须停机重算全部盲索引，切勿随意轮换
#   （shijian keys rotate --index-key --offline）。
# data.<标识> = 数据字段加密（AES-256-GCM）密钥，可有多把；轮换时追加新密钥并修改 current
#   （shijian keys rotate），重加密完成后（shijian keys reencrypt、keys status）才可删除旧密钥
#   （shijian keys retire）。
# current = 新数据使用的密钥标识（省略时为最后一把 data 密钥）。
";

/// Where [`Keys::load`] reads the key text from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// A key file; on Unix its mode must not grant any access to group or others.
    File(PathBuf),
    /// An environment variable holding the key-file text (normally [`KEYS_ENV_VAR`]).
    Env(String),
}

impl KeySource {
    /// The `SHIJIAN_DATA_KEYS` environment variable.
    #[must_use]
    pub fn env() -> Self {
        Self::Env(KEYS_ENV_VAR.to_owned())
    }
}

/// All keys of a deployment: the data key ring and the blind-index key. `Debug` shows key
/// ids only.
#[derive(Clone)]
pub struct Keys {
    data: KeyRing,
    index: SecretKey,
}

impl Keys {
    /// Combines a data key ring and an index key; the index key must differ from every data
    /// key ([`CryptoError::KeyReused`]).
    pub fn new(data: KeyRing, index: SecretKey) -> Result<Self, CryptoError> {
        if let Some((id, _)) = data.entries().find(|(_, key)| key.same_as(&index)) {
            return Err(CryptoError::KeyReused(id.as_str().to_owned()));
        }
        Ok(Self { data, index })
    }

    /// Loads the keys from a key file (permissions checked first) or an environment variable.
    pub fn load(source: &KeySource) -> Result<Self, CryptoError> {
        match source {
            KeySource::File(path) => Self::parse(&read_key_file(path)?),
            KeySource::Env(var) => {
                let missing = || CryptoError::KeyEnvMissing { var: var.clone() };
                let text = Zeroizing::new(std::env::var(var).map_err(|_| missing())?);
                if text.trim().is_empty() {
                    return Err(missing());
                }
                Self::parse(&text)
            }
        }
    }

    /// Parses key-file text (see the [module documentation](self) for the format).
    pub fn parse(text: &str) -> Result<Self, CryptoError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut data: Vec<(KeyId, SecretKey)> = Vec::new();
        let mut index: Option<SecretKey> = None;
        let mut current: Option<(usize, KeyId)> = None;

        for (n, line) in text.lines().enumerate() {
            let line_no = n + 1;
            let syntax = |reason: String| CryptoError::KeyFileSyntax {
                line: line_no,
                reason,
            };
            if line.trim_start().starts_with('#') {
                continue;
            }
            for entry in line.split(';').map(str::trim).filter(|e| !e.is_empty()) {
                let Some((name, value)) = entry.split_once('=') else {
                    return Err(syntax("应为“名称 = 值”的形式".to_owned()));
                };
                let (name, value) = (name.trim(), value.trim());
                let key =
                    || SecretKey::from_base64(value).map_err(|reason| syntax(reason.to_owned()));
                if name == "index" {
                    if index.is_some() {
                        return Err(syntax("index 重复：盲索引密钥只能有一把".to_owned()));
                    }
                    index = Some(key()?);
                } else if name == "current" {
                    if current.is_some() {
                        return Err(syntax("current 重复".to_owned()));
                    }
                    let id = KeyId::new(value)
                        .map_err(|_| syntax("current 的值不是有效的密钥标识".to_owned()))?;
                    current = Some((line_no, id));
                } else if let Some(id) = name.strip_prefix("data.") {
                    let id = KeyId::new(id).map_err(|_| {
                        syntax(
                            "data. 之后的密钥标识无效：须为 1–16 个 ASCII 字母、数字、“-”或“_”"
                                .to_owned(),
                        )
                    })?;
                    let key = key()?;
                    for (other_id, other) in &data {
                        if *other_id == id {
                            return Err(syntax(format!("数据密钥标识“{id}”重复")));
                        }
                        if other.same_as(&key) {
                            return Err(syntax(format!(
                                "数据密钥“{id}”与“{other_id}”的密钥相同：轮换须使用新生成的密钥"
                            )));
                        }
                    }
                    data.push((id, key));
                } else {
                    // The name is not echoed: a pasted key could sit on the wrong side of `=`.
                    return Err(syntax(
                        "未知的项：只允许 index、data.<标识> 和 current（为免泄露密钥，不显示该行内容）"
                            .to_owned(),
                    ));
                }
            }
        }

        let index = index.ok_or(CryptoError::KeyFileIncomplete {
            what: "盲索引密钥（index = ...）",
        })?;
        if let Some((line, id)) = &current {
            if !data.iter().any(|(key_id, _)| key_id == id) {
                return Err(CryptoError::KeyFileSyntax {
                    line: *line,
                    reason: format!("current 指向的数据密钥“{id}”不存在"),
                });
            }
        }
        let ring = KeyRing::new(data, current.as_ref().map(|(_, id)| id))?;
        Self::new(ring, index)
    }

    /// A fresh key file: one data key `k1` (current) and one index key, 256 bits each from
    /// `OsRng`. Write it with [`create_key_file`].
    ///
    /// # Panics
    /// If the operating system's random source fails.
    #[must_use]
    pub fn generate() -> Zeroizing<String> {
        let id = KeyId::new("k1").expect("k1 is a valid key id");
        let keys = Self::new(
            KeyRing::single(id, SecretKey::generate()),
            SecretKey::generate(),
        )
        .expect("two fresh random keys differ");
        keys.to_text()
    }

    /// These keys as key-file text (comments are regenerated, not preserved). The buffer is
    /// zeroized on drop.
    #[must_use]
    pub fn to_text(&self) -> Zeroizing<String> {
        let count = self.data.ids().count();
        // Sized up front so that growing never leaves a copy of a key behind.
        let mut out = Zeroizing::new(String::with_capacity(HEADER.len() + 96 * (count + 2)));
        out.push_str(HEADER);
        out.push_str("index = ");
        out.push_str(&self.index.to_base64());
        out.push('\n');
        for (id, key) in self.data.entries() {
            out.push_str("data.");
            out.push_str(id.as_str());
            out.push_str(" = ");
            out.push_str(&key.to_base64());
            out.push('\n');
        }
        out.push_str("current = ");
        out.push_str(self.data.current_id().as_str());
        out.push('\n');
        out
    }

    /// Rotation: adds a fresh data key with the next free id `k<n>` and makes it current.
    /// Persist with [`replace_key_file`]`(path, &keys.to_text())`.
    ///
    /// # Panics
    /// If the operating system's random source fails.
    pub fn rotate_data_key(&mut self) -> KeyId {
        let next = self
            .data
            .ids()
            .filter_map(|id| id.as_str().strip_prefix('k')?.parse::<u64>().ok())
            .max()
            .unwrap_or(0)
            + 1;
        // `k<next>` cannot already exist: it would parse to a number above the maximum.
        let id = KeyId::new(&format!("k{next}")).expect("k<number> is a valid key id");
        self.data
            .push_current(id.clone(), SecretKey::generate())
            .expect("the new key id is unused");
        id
    }

    /// Retirement: removes the data key `id` from these keys, once re-encryption has moved
    /// every stored value to a newer key (the caller checks that; values still under `id`
    /// could no longer be decrypted). Refuses the current key. Persist with
    /// [`replace_key_file`]; keep an offline copy of the previous file as long as backups
    /// encrypted under `id` are kept.
    pub fn retire_data_key(&mut self, id: &str) -> Result<(), CryptoError> {
        self.data.remove(id)
    }

    /// Rotation of the blind-index key: replaces it with a fresh 256-bit key. Every stored
    /// blind index must then be recomputed (see [`crate::blind_index`]), with every server
    /// stopped, since lookups hash with the one index key a process loaded.
    ///
    /// # Panics
    /// If the operating system's random source fails.
    pub fn rotate_index_key(&mut self) {
        // A fresh random key equals a data key with probability 2^-256; draw again if so.
        loop {
            let key = SecretKey::generate();
            if !self.data.entries().any(|(_, data)| data.same_as(&key)) {
                self.index = key;
                return;
            }
        }
    }

    /// The data key ring.
    #[must_use]
    pub fn data_keys(&self) -> &KeyRing {
        &self.data
    }

    /// An AES-256-GCM field cipher over (a copy of) the data key ring.
    #[must_use]
    pub fn cipher(&self) -> Aes256GcmCipher {
        Aes256GcmCipher::new(self.data.clone())
    }

    /// The blind index over (a copy of) the index key.
    #[must_use]
    pub fn blind_index(&self) -> BlindIndex {
        BlindIndex::new(self.index.clone())
    }

    /// The cipher and the blind index, without copying keys.
    #[must_use]
    pub fn into_parts(self) -> (Aes256GcmCipher, BlindIndex) {
        (Aes256GcmCipher::new(self.data), BlindIndex::new(self.index))
    }
}

impl fmt::Debug for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keys")
            .field("data", &self.data)
            .field("index", &self.index)
            .finish()
    }
}

/// Reads a key file after checking, on the open file, that it is a small regular file that
/// group and others cannot access.
fn read_key_file(path: &Path) -> Result<Zeroizing<String>, CryptoError> {
    let read_err = |source| CryptoError::KeyFileRead {
        path: path.to_owned(),
        source,
    };
    let file = File::open(path).map_err(read_err)?;
    let meta = file.metadata().map_err(read_err)?;
    if !meta.is_file() || meta.len() > MAX_KEY_FILE_LEN {
        return Err(CryptoError::KeyFileNotRegular {
            path: path.to_owned(),
        });
    }
    check_permissions(path, &meta)?;
    // Capacity for the whole file, so reading does not reallocate and strand copies.
    let mut text = Zeroizing::new(String::with_capacity(meta.len() as usize + 1));
    file.take(MAX_KEY_FILE_LEN + 1)
        .read_to_string(&mut text)
        .map_err(read_err)?;
    if text.len() as u64 > MAX_KEY_FILE_LEN {
        return Err(CryptoError::KeyFileNotRegular {
            path: path.to_owned(),
        });
    }
    Ok(text)
}

#[cfg(unix)]
fn check_permissions(path: &Path, meta: &fs::Metadata) -> Result<(), CryptoError> {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = meta.permissions().mode() & 0o7777;
    if mode & 0o077 != 0 {
        return Err(CryptoError::KeyFileTooOpen {
            path: path.to_owned(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_permissions(_path: &Path, _meta: &fs::Metadata) -> Result<(), CryptoError> {
    Ok(())
}

/// Writes a new key file with mode 0600 (on Unix), refusing to overwrite an existing file
/// ([`CryptoError::KeyFileExists`]): overwriting keys makes the data they encrypted
/// unreadable. The text is checked with [`Keys::parse`] first, and the file is synced.
pub fn create_key_file(path: &Path, text: &str) -> Result<(), CryptoError> {
    Keys::parse(text)?;
    write_new(path, text).map_err(|source| {
        if source.kind() == io::ErrorKind::AlreadyExists {
            CryptoError::KeyFileExists {
                path: path.to_owned(),
            }
        } else {
            CryptoError::KeyFileWrite {
                path: path.to_owned(),
                source,
            }
        }
    })?;
    sync_parent(path);
    Ok(())
}

/// Atomically replaces a key file (after a rotation): writes a temporary 0600 file beside it,
/// syncs it and renames it over `path`. The text is checked with [`Keys::parse`] first. Keep
/// an offline copy of the previous file until re-encryption has finished.
pub fn replace_key_file(path: &Path, text: &str) -> Result<(), CryptoError> {
    Keys::parse(text)?;
    let write_err = |source| CryptoError::KeyFileWrite {
        path: path.to_owned(),
        source,
    };
    let name = path.file_name().ok_or_else(|| {
        write_err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "路径没有文件名",
        ))
    })?;
    let mut suffix = [0u8; 8];
    OsRng
        .try_fill_bytes(&mut suffix)
        .map_err(|_| CryptoError::RandomUnavailable)?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".{}.tmp", hex::encode(suffix)));
    let tmp = path.with_file_name(tmp_name);

    let result = write_new(&tmp, text).and_then(|()| fs::rename(&tmp, path));
    if let Err(source) = result {
        let _ = fs::remove_file(&tmp);
        return Err(write_err(source));
    }
    sync_parent(path);
    Ok(())
}

fn write_new(path: &Path, text: &str) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

/// Makes the directory entry durable (best effort: not every platform can sync a directory).
fn sync_parent(path: &Path) {
    #[cfg(unix)]
    if let Some(dir) = path.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if let Ok(dir) = File::open(dir) {
            let _ = dir.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine as _;

    fn b64(byte: u8) -> String {
        STANDARD.encode([byte; 32])
    }

    fn reason(text: &str) -> CryptoError {
        Keys::parse(text).unwrap_err()
    }

    #[test]
    fn parses_the_documented_format() {
        let text = format!(
            "\u{feff}# comment\n\n  index = {}\ndata.k1={}\r\ndata.k2 = {}\ncurrent = k1\n",
            b64(1),
            b64(2),
            b64(3)
        );
        let keys = Keys::parse(&text).unwrap();
        let ids: Vec<_> = keys.data_keys().ids().map(KeyId::as_str).collect();
        assert_eq!(ids, ["k1", "k2"]);
        assert_eq!(keys.data_keys().current_id().as_str(), "k1");
    }

    #[test]
    fn current_defaults_to_the_last_data_key() {
        let text = format!("index={};data.a={};data.b={}", b64(1), b64(2), b64(3));
        let keys = Keys::parse(&text).unwrap();
        assert_eq!(keys.data_keys().current_id().as_str(), "b");
    }

    #[test]
    fn parse_errors_name_the_line_not_the_content() {
        let secret = b64(9);
        let cases: Vec<(String, &str, Option<usize>)> = vec![
            (
                format!("index={}\n{secret}", b64(1)),
                "key_file_syntax",
                Some(2),
            ),
            (
                format!("index={}\nfoo={secret}", b64(1)),
                "key_file_syntax",
                Some(2),
            ),
            (
                format!("index={}\ndata.k:1={secret}", b64(1)),
                "key_file_syntax",
                Some(2),
            ),
            (
                format!("index={}\ndata.k1=abc", b64(1)),
                "key_file_syntax",
                Some(2),
            ),
            (
                format!("index={}\ndata.k1={}", b64(1), STANDARD.encode([5u8; 16])),
                "key_file_syntax",
                Some(2),
            ),
            (
                format!("index={}\nindex={}\ndata.k1={secret}", b64(1), b64(2)),
                "key_file_syntax",
                Some(2),
            ),
            (
                format!("index={}\ndata.k1={secret}\ndata.k1={}", b64(1), b64(2)),
                "key_file_syntax",
                Some(3),
            ),
            (
                format!("index={}\ndata.k1={secret}\ndata.k2={secret}", b64(1)),
                "key_file_syntax",
                Some(3),
            ),
            (
                format!("index={}\ndata.k1={secret}\ncurrent=k2", b64(1)),
                "key_file_syntax",
                Some(3),
            ),
            (
                format!("index={}\ndata.k1={secret}\ncurrent=k1\ncurrent=k1", b64(1)),
                "key_file_syntax",
                Some(4),
            ),
            (format!("data.k1={secret}"), "key_file_incomplete", None),
            (format!("index={}", b64(1)), "key_file_incomplete", None),
            (String::new(), "key_file_incomplete", None),
            (
                format!("index={secret}\ndata.k1={secret}"),
                "key_reused",
                None,
            ),
        ];
        for (text, code, line) in cases {
            let err = reason(&text);
            assert_eq!(err.code(), code, "{text:?}: {err}");
            if let Some(want) = line {
                assert!(
                    matches!(err, CryptoError::KeyFileSyntax { line, .. } if line == want),
                    "{text:?}: {err}"
                );
            }
            let message = err.to_string();
            assert!(!message.contains(&secret), "{message}");
            assert!(!message.contains(&secret[..20]), "{message}");
        }
        let message = reason(&format!("index={}\nfoo={secret}", b64(1))).to_string();
        assert!(message.starts_with("密钥文本第 2 行："), "{message}");
    }

    #[test]
    fn generate_makes_a_loadable_file_with_fresh_keys() {
        let first = Keys::generate();
        let second = Keys::generate();
        assert_ne!(*first, *second);
        let keys = Keys::parse(&first).unwrap();
        assert_eq!(keys.data_keys().current_id().as_str(), "k1");
        assert!(first.starts_with("# shijian 密钥文件"));
        // The text round-trips.
        let again = Keys::parse(&keys.to_text()).unwrap();
        assert_eq!(*again.to_text(), *keys.to_text());
    }

    #[test]
    fn rotate_data_key_adds_the_next_id() {
        let mut keys = Keys::parse(&Keys::generate()).unwrap();
        assert_eq!(keys.rotate_data_key().as_str(), "k2");
        assert_eq!(keys.rotate_data_key().as_str(), "k3");
        let reloaded = Keys::parse(&keys.to_text()).unwrap();
        let ids: Vec<_> = reloaded.data_keys().ids().map(KeyId::as_str).collect();
        assert_eq!(ids, ["k1", "k2", "k3"]);
        assert_eq!(reloaded.data_keys().current_id().as_str(), "k3");
    }

    #[test]
    fn retire_and_rotate_index_key_round_trip() {
        let mut keys = Keys::parse(&Keys::generate()).unwrap();
        let check = keys.blind_index().key_check();
        keys.rotate_data_key();
        assert_eq!(
            keys.retire_data_key("k2").unwrap_err().code(),
            "current_key_retired"
        );
        keys.retire_data_key("k1").unwrap();
        keys.rotate_index_key();
        let reloaded = Keys::parse(&keys.to_text()).unwrap();
        let ids: Vec<_> = reloaded.data_keys().ids().map(KeyId::as_str).collect();
        assert_eq!(ids, ["k2"]);
        assert_ne!(reloaded.blind_index().key_check(), check);
        assert_eq!(
            reloaded.blind_index().key_check(),
            keys.blind_index().key_check()
        );
        // The next rotation does not reuse a retired id.
        assert_eq!(keys.rotate_data_key().as_str(), "k3");
    }

    #[test]
    fn debug_shows_ids_only() {
        let text = format!("index={}\ndata.k1={}", b64(0xAB), b64(0xCD));
        let keys = Keys::parse(&text).unwrap();
        let shown = format!("{keys:?}");
        assert!(shown.contains("k1"), "{shown}");
        for secret in [b64(0xAB), b64(0xCD), hex::encode([0xAB; 32])] {
            assert!(!shown.contains(&secret[..12]), "{shown}");
        }
        assert!(!shown.contains("171") && !shown.contains("205"), "{shown}");
    }

    #[test]
    fn loads_from_an_environment_variable() {
        // A variable name no other test uses.
        let var = "SHIJIAN_CRYPTO_TEST_KEYS_ENV";
        let text = Keys::generate();
        std::env::set_var(var, text.as_str());
        let keys = Keys::load(&KeySource::Env(var.to_owned())).unwrap();
        assert_eq!(keys.data_keys().current_id().as_str(), "k1");
        std::env::set_var(var, "  ");
        let err = Keys::load(&KeySource::Env(var.to_owned())).unwrap_err();
        assert_eq!(err.code(), "key_env_missing");
        std::env::remove_var(var);
        let err = Keys::load(&KeySource::Env(var.to_owned())).unwrap_err();
        assert_eq!(err.code(), "key_env_missing");
        assert!(err.to_string().contains(var));
        assert_eq!(KeySource::env(), KeySource::Env(KEYS_ENV_VAR.to_owned()));
    }

    #[test]
    fn create_refuses_to_overwrite_and_checks_the_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys.conf");
        assert_eq!(
            create_key_file(&path, "garbage").unwrap_err().code(),
            "key_file_syntax"
        );
        assert!(!path.exists());
        let text = Keys::generate();
        create_key_file(&path, &text).unwrap();
        let err = create_key_file(&path, &Keys::generate()).unwrap_err();
        assert_eq!(err.code(), "key_file_exists");
        assert!(err.to_string().contains("拒绝覆盖"));
        assert_eq!(fs::read_to_string(&path).unwrap(), *text);
    }

    #[test]
    fn missing_file_is_a_read_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = Keys::load(&KeySource::File(dir.path().join("absent"))).unwrap_err();
        assert_eq!(err.code(), "key_file_read");
        let err = Keys::load(&KeySource::File(dir.path().to_owned())).unwrap_err();
        assert_eq!(err.code(), "key_file_not_regular");
    }

    #[cfg(unix)]
    mod unix {
        use super::*;
        use std::os::unix::fs::PermissionsExt as _;

        fn mode_of(path: &Path) -> u32 {
            fs::metadata(path).unwrap().permissions().mode() & 0o7777
        }

        #[test]
        fn created_files_are_0600_and_load() {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("keys.conf");
            create_key_file(&path, &Keys::generate()).unwrap();
            assert_eq!(mode_of(&path), 0o600);
            Keys::load(&KeySource::File(path)).unwrap();
        }

        #[test]
        fn group_or_world_access_is_refused() {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("keys.conf");
            create_key_file(&path, &Keys::generate()).unwrap();
            for mode in [0o644, 0o640, 0o604, 0o660, 0o606, 0o610, 0o601, 0o777] {
                fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
                let err = Keys::load(&KeySource::File(path.clone())).unwrap_err();
                assert_eq!(err.code(), "key_file_too_open", "{mode:o}");
                assert!(
                    matches!(err, CryptoError::KeyFileTooOpen { mode: m, .. } if m == mode),
                    "{err:?}"
                );
                let message = err.to_string();
                assert!(message.contains(&format!("{mode:04o}")), "{message}");
                assert!(message.contains("chmod 600"), "{message}");
            }
            for mode in [0o600, 0o400] {
                fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
                Keys::load(&KeySource::File(path.clone())).unwrap();
            }
        }

        #[test]
        fn replace_is_atomic_and_keeps_0600() {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("keys.conf");
            create_key_file(&path, &Keys::generate()).unwrap();
            let mut keys = Keys::load(&KeySource::File(path.clone())).unwrap();
            keys.rotate_data_key();
            replace_key_file(&path, &keys.to_text()).unwrap();
            assert_eq!(mode_of(&path), 0o600);
            let reloaded = Keys::load(&KeySource::File(path.clone())).unwrap();
            assert_eq!(reloaded.data_keys().current_id().as_str(), "k2");
            assert_eq!(
                replace_key_file(&path, "index=").unwrap_err().code(),
                "key_file_syntax"
            );
            // No temporary files are left behind.
            let names: Vec<_> = fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect();
            assert_eq!(names, [std::ffi::OsString::from("keys.conf")]);
        }
    }
}
