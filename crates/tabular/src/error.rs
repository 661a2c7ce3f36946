//! The one error type of this crate, [`TabularError`]: a stable snake_case
//! [`code`](TabularError::code) for programs and logs, and a Chinese message (its `Display`)
//! for the person who uploaded or asked for the file.
//!
//! Messages name row numbers and what to do about the file; they never quote cell contents
//! (a cell may hold personal data).

/// Everything that can go wrong while reading or writing a table.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TabularError {
    /// No content at all: zero bytes, only a byte order mark or whitespace, or a workbook
    /// whose first worksheet has no cells.
    #[error("文件是空的：没有任何内容")]
    Empty,

    /// There are rows, but every cell of every row is empty, so there is no header row.
    #[error("找不到表头：文件里只有空行，第一行非空的行应当是列名")]
    NoHeader,

    /// The bytes are not text in any encoding this crate reads (UTF-8, GB18030/GBK,
    /// UTF-16 with a byte order mark).
    #[error(
        "无法识别文件的文字编码：请在 Excel 中另存为“CSV UTF-8（逗号分隔）”或 .xlsx 文件后重新上传"
    )]
    Encoding,

    /// The bytes are not a table this crate reads: a binary file, or a web page / XML
    /// document saved with a spreadsheet's file name (some old systems export those as
    /// “.xls”).
    #[error("文件不是可识别的表格（{what}）：请用 Excel 打开后另存为 .xlsx 或“CSV UTF-8（逗号分隔）”文件后重新上传")]
    Unsupported {
        /// What the file looks like instead, in Chinese.
        what: &'static str,
    },

    /// The CSV parser failed at this row.
    #[error("CSV 文件第 {row} 行无法解析：{message}")]
    Csv {
        /// Spreadsheet row number where the failing record starts.
        row: usize,
        /// The parser's message.
        message: String,
    },

    /// The workbook could not be opened or its first worksheet could not be read.
    #[error("无法读取 Excel 文件：{0}。请确认文件未损坏，或在 Excel 中另存为 .xlsx 后重新上传")]
    Xlsx(String),

    /// The workbook is protected by a password to open.
    #[error("Excel 文件设有打开密码，无法读取：请先在 Excel 中取消密码后重新上传")]
    Encrypted,

    /// A row handed to a writer has a different number of cells than the header.
    #[error("导出第 {row} 行有 {got} 列，与表头的 {expected} 列不一致")]
    RowWidth {
        /// Spreadsheet row number the row would have had.
        row: usize,
        /// Number of header cells.
        expected: usize,
        /// Number of cells given.
        got: usize,
    },

    /// More rows than one Excel worksheet holds (1,048,576 including the header).
    #[error("导出的行数超过 Excel 单个工作表的上限（1,048,576 行）：请缩小范围或改用 CSV 导出")]
    TooManyRows,

    /// The XLSX writer refused a cell or failed to build the file.
    #[error("生成 Excel 文件失败（第 {row} 行）：{message}")]
    XlsxWrite {
        /// Spreadsheet row number being written (0 when building the file at the end).
        row: usize,
        /// The writer's message.
        message: String,
    },
}

impl TabularError {
    /// A stable identifier for programs, logs and tests; never changes once released.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::NoHeader => "no_header",
            Self::Encoding => "unknown_encoding",
            Self::Unsupported { .. } => "unsupported_file",
            Self::Csv { .. } => "csv_parse",
            Self::Xlsx(_) => "xlsx_read",
            Self::Encrypted => "encrypted",
            Self::RowWidth { .. } => "row_width",
            Self::TooManyRows => "too_many_rows",
            Self::XlsxWrite { .. } => "xlsx_write",
        }
    }
}
