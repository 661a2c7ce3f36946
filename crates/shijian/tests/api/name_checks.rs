//! Name checks through the API. (Being written.)
