//! Placeholder: personal data encryption (issue 4).
