//! The name-check projection: every registered and protected name, kept current from the event log. (Being written.)
