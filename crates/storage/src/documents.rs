//! Decision documents: numbering per bureau and year, and the stored PDFs. (Being written.)
