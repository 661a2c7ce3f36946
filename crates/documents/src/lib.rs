//! Printable documents (PDF) from templates kept as files. (Being written.)
