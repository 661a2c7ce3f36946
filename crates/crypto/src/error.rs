//! The one error type of this crate, [`CryptoError`]: a stable snake_case [`code`](CryptoError::code)
//! for programs and logs, and a Chinese message (its `Display`) for operators.
//!
//! Invariant: no message ever carries a plaintext, a key byte or a stored ciphertext. What
//! may appear is what helps an operator and reveals nothing: key ids, field contexts, file
//! paths, line numbers, file modes.

use std::io;
use std::path::PathBuf;

/// Everything that can go wrong while encrypting, decrypting, hashing or loading keys.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// The stored text is not `v1:<alg>:<key_id>:<base64url>` or its payload is too short.
    #[error("密文格式无效，无法解析（应为 v1:<算法>:<密钥标识>:<数据>）")]
    MalformedCiphertext,

    /// The stored text names a format version or an algorithm this cipher does not handle.
    #[error("不支持的密文：格式 {version}、算法 {algorithm}（本实现为 v1、{expected}）")]
    UnsupportedFormat {
        /// Version tag found in the stored text.
        version: String,
        /// Algorithm tag found in the stored text.
        algorithm: String,
        /// Algorithm tag of the cipher asked to decrypt.
        expected: &'static str,
    },

    /// The stored text names a key id that the loaded key ring does not hold.
    #[error(
        "密钥环中没有标识为“{key_id}”的密钥：该值可能由已移除的旧密钥加密，或加载了错误的密钥文件"
    )]
    UnknownKeyId {
        /// The key id named by the stored text.
        key_id: String,
    },

    /// Authentication failed: the ciphertext was altered, belongs to another field, or the
    /// key with this id is not the key that encrypted it.
    #[error("解密失败：密文被篡改、不属于字段“{context}”，或密钥与加密时不符")]
    DecryptionFailed {
        /// The context (field) the caller asked to decrypt for.
        context: String,
    },

    /// The decrypted bytes are not UTF-8 (only possible for values written by other software).
    #[error("解密结果不是有效的 UTF-8 文本")]
    InvalidPlaintext,

    /// The context (the field name bound as associated data) was empty.
    #[error("加密上下文（字段名）不能为空")]
    EmptyContext,

    /// The operating system's random source failed.
    #[error("系统随机数源不可用，无法生成随机数")]
    RandomUnavailable,

    /// The AEAD refused to encrypt (the plaintext is absurdly long).
    #[error("加密失败：明文过长")]
    EncryptionFailed,

    /// A key id does not follow the rules (1–16 ASCII letters, digits, `-` or `_`).
    #[error("密钥标识“{0}”无效：须为 1–16 个 ASCII 字母、数字、“-”或“_”")]
    InvalidKeyId(String),

    /// Two keys in one ring share an id.
    #[error("密钥标识“{0}”重复")]
    DuplicateKeyId(String),

    /// Retiring the current data key was asked for: new values are encrypted under it.
    #[error("数据密钥“{key_id}”是当前密钥，不能退役：请先轮换出新的当前密钥并完成重加密")]
    CurrentKeyRetired {
        /// The current key's id.
        key_id: String,
    },

    /// The blind-index key equals one of the data keys; each purpose needs its own key.
    #[error("盲索引密钥（index）与数据密钥“{0}”相同：两种用途必须使用不同的密钥")]
    KeyReused(String),

    /// A line of the key text cannot be understood.
    #[error("密钥文本第 {line} 行：{reason}")]
    KeyFileSyntax {
        /// 1-based line number.
        line: usize,
        /// What is wrong, in Chinese. Never contains the line's content.
        reason: String,
    },

    /// The key text lacks a required entry.
    #[error("密钥文本缺少{what}")]
    KeyFileIncomplete {
        /// The missing entry, in Chinese.
        what: &'static str,
    },

    /// The key file could not be opened or read.
    #[error("无法读取密钥文件 {}：{source}", .path.display())]
    KeyFileRead {
        /// The key file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },

    /// The key file could not be written.
    #[error("无法写入密钥文件 {}：{source}", .path.display())]
    KeyFileWrite {
        /// The key file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },

    /// Creating a key file would overwrite an existing one.
    #[error("密钥文件 {} 已存在，拒绝覆盖：覆盖后用旧密钥加密的数据将无法解密", .path.display())]
    KeyFileExists {
        /// The existing key file.
        path: PathBuf,
    },

    /// The key file is not a regular file or is implausibly large.
    #[error("{} 不是有效的密钥文件（须为不超过 64 KiB 的普通文件）", .path.display())]
    KeyFileNotRegular {
        /// The path given as key file.
        path: PathBuf,
    },

    /// The key file can be read or written by the group or by others (mode & 0o077 != 0).
    #[error("密钥文件 {} 的权限为 {mode:04o}，同组用户或其他用户可以访问：请执行 chmod 600 {}，并确认属主为服务运行账号", .path.display(), .path.display())]
    KeyFileTooOpen {
        /// The key file.
        path: PathBuf,
        /// Its permission bits (`mode & 0o7777`).
        mode: u32,
    },

    /// The environment variable meant to hold the key text is unset, empty or not UTF-8.
    #[error("环境变量 {var} 未设置、为空或不是有效的 UTF-8 文本")]
    KeyEnvMissing {
        /// The variable's name.
        var: String,
    },
}

impl CryptoError {
    /// Stable snake_case machine code, for logs, metrics and API error bodies.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::MalformedCiphertext => "malformed_ciphertext",
            Self::UnsupportedFormat { .. } => "unsupported_ciphertext_format",
            Self::UnknownKeyId { .. } => "unknown_key_id",
            Self::DecryptionFailed { .. } => "decryption_failed",
            Self::InvalidPlaintext => "invalid_plaintext",
            Self::EmptyContext => "empty_context",
            Self::RandomUnavailable => "random_unavailable",
            Self::EncryptionFailed => "encryption_failed",
            Self::InvalidKeyId(_) => "invalid_key_id",
            Self::DuplicateKeyId(_) => "duplicate_key_id",
            Self::CurrentKeyRetired { .. } => "current_key_retired",
            Self::KeyReused(_) => "key_reused",
            Self::KeyFileSyntax { .. } => "key_file_syntax",
            Self::KeyFileIncomplete { .. } => "key_file_incomplete",
            Self::KeyFileRead { .. } => "key_file_read",
            Self::KeyFileWrite { .. } => "key_file_write",
            Self::KeyFileExists { .. } => "key_file_exists",
            Self::KeyFileNotRegular { .. } => "key_file_not_regular",
            Self::KeyFileTooOpen { .. } => "key_file_too_open",
            Self::KeyEnvMissing { .. } => "key_env_missing",
        }
    }

    /// The Chinese message (the same text as `Display`).
    #[must_use]
    pub fn message(&self) -> String {
        self.to_string()
    }
}
