CREATE TABLE config_versions (
    id         INTEGER PRIMARY KEY,
    rules      TEXT NOT NULL,
    params     TEXT NOT NULL,
    actor      TEXT NOT NULL,
    note       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE flags (
    id             INTEGER PRIMARY KEY,
    household_id   INTEGER NOT NULL REFERENCES households (id),
    rule_code      TEXT NOT NULL,
    rule_name      TEXT NOT NULL,
    risk_type      TEXT NOT NULL,
    severity       TEXT NOT NULL,
    kind           TEXT NOT NULL,
    explanation    TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    first_seen     DATE NOT NULL,
    last_seen      DATE NOT NULL,
    closed_on      DATE,
    config_version INTEGER NOT NULL REFERENCES config_versions (id)
);
CREATE INDEX flags_household ON flags (household_id, status);
CREATE INDEX flags_rule ON flags (status, rule_code);

CREATE TABLE dept_records (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    id_number    TEXT NOT NULL,
    name         TEXT NOT NULL,
    household_id INTEGER REFERENCES households (id),
    period       TEXT NOT NULL,
    event_date   DATE,
    amount       INTEGER NOT NULL,
    detail       TEXT NOT NULL,
    import_id    INTEGER REFERENCES imports (id),
    row_num      INTEGER NOT NULL,
    UNIQUE (kind, id_number, period, detail)
);
CREATE INDEX dept_records_household ON dept_records (household_id);
CREATE INDEX dept_records_id_number ON dept_records (id_number);

CREATE TABLE leads (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,
    id_number  TEXT NOT NULL,
    name       TEXT NOT NULL,
    period     TEXT NOT NULL,
    detail     TEXT NOT NULL,
    row_num    INTEGER NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('open', 'checked', 'dismissed')),
    import_id  INTEGER REFERENCES imports (id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (kind, id_number, period)
);
