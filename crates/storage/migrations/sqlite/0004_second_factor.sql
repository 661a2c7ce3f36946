-- Second factor (TOTP, RFC 6238), recovery codes, and restricted sessions (a session that
-- may only enrol a second factor or change an expired password). Same SQL on both backends.

ALTER TABLE app_user ADD COLUMN totp_secret TEXT;
ALTER TABLE app_user ADD COLUMN totp_pending_secret TEXT;
ALTER TABLE app_user ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;
-- JSON array of SHA-256 hashes of unused recovery codes.
ALTER TABLE app_user ADD COLUMN totp_recovery TEXT NOT NULL DEFAULT '[]';

-- full | enrol_totp | change_password
ALTER TABLE session ADD COLUMN stage TEXT NOT NULL DEFAULT 'full';
