-- Accounts, sessions, API tokens and the audit log of the web app. A user
-- is bound to a place; county and admin users may have none (everything).
CREATE TABLE users (
    id                   INTEGER PRIMARY KEY,
    username             TEXT NOT NULL UNIQUE,
    display_name         TEXT NOT NULL,
    role                 TEXT NOT NULL CHECK (role IN ('village', 'township', 'county', 'admin')),
    place_id             INTEGER REFERENCES places (id),
    password_hash        TEXT NOT NULL,
    must_change_password INTEGER NOT NULL CHECK (must_change_password IN (0, 1)),
    disabled             INTEGER NOT NULL CHECK (disabled IN (0, 1)),
    created_at           TIMESTAMP NOT NULL,
    password_changed_at  TIMESTAMP NOT NULL,
    last_login_at        TIMESTAMP
);

-- Only the SHA-256 of a session token is stored: a copy of the database
-- does not let anyone log in.
CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    csrf_token   TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    ip           TEXT NOT NULL,
    user_agent   TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    name         TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked      INTEGER NOT NULL CHECK (revoked IN (0, 1))
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Who viewed and who changed what. username is kept as text so the log
-- still reads after a user is renamed or for actors with no account
-- (the command line).
CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY,
    at       TIMESTAMP NOT NULL,
    user_id  INTEGER REFERENCES users (id),
    username TEXT NOT NULL,
    action   TEXT NOT NULL,
    object   TEXT NOT NULL,
    detail   TEXT NOT NULL,
    ip       TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_object ON audit_log (object);
