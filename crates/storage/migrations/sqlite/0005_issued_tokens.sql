-- API tokens issued by an administrator to a machine client (role integration): such a
-- session records who issued it and does not end when idle, only at expires_at, on
-- revocation, or when the account is disabled. Same SQL on both backends.
ALTER TABLE session ADD COLUMN issued_by TEXT;
