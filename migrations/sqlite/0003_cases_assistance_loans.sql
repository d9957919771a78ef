CREATE TABLE cases (
    id               INTEGER PRIMARY KEY,
    household_id     INTEGER NOT NULL REFERENCES households (id),
    kind             TEXT NOT NULL CHECK (kind IN ('inclusion', 'elimination')),
    channel          TEXT NOT NULL,
    flag_id          INTEGER REFERENCES flags (id),
    status           TEXT NOT NULL CHECK (status IN ('open', 'done', 'cancelled')),
    step             INTEGER NOT NULL,
    emergency        INTEGER NOT NULL CHECK (emergency IN (0, 1)),
    opened_on        DATE NOT NULL,
    due_on           DATE NOT NULL,
    closed_on        DATE,
    category         TEXT NOT NULL,
    risks            TEXT NOT NULL,
    method           TEXT NOT NULL,
    override_reason  TEXT NOT NULL,
    opened_by        TEXT NOT NULL,
    note             TEXT NOT NULL
);
CREATE INDEX cases_household ON cases (household_id);
CREATE INDEX cases_status ON cases (status, due_on);

CREATE TABLE case_steps (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES cases (id),
    step         TEXT NOT NULL,
    done_on      DATE NOT NULL,
    person       TEXT NOT NULL,
    note         TEXT NOT NULL,
    notice_start DATE,
    notice_end   DATE,
    recorded_by  TEXT NOT NULL,
    recorded_at  TIMESTAMP NOT NULL
);
CREATE INDEX case_steps_case ON case_steps (case_id);

CREATE TABLE measures (
    id               INTEGER PRIMARY KEY,
    household_id     INTEGER NOT NULL REFERENCES households (id),
    category         TEXT NOT NULL,
    sub_type         TEXT NOT NULL,
    member_id_number TEXT NOT NULL,
    start_date       DATE,
    end_date         DATE,
    amount           INTEGER NOT NULL,
    months           INTEGER NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('planned', 'in_place', 'ended')),
    note             TEXT NOT NULL,
    natural_key      TEXT NOT NULL UNIQUE,
    import_id        INTEGER REFERENCES imports (id),
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX measures_household ON measures (household_id);

CREATE TABLE cadres (
    id           INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households (id),
    name         TEXT NOT NULL,
    unit         TEXT NOT NULL,
    phone        TEXT NOT NULL,
    from_date    DATE,
    to_date      DATE,
    import_id    INTEGER REFERENCES imports (id),
    UNIQUE (household_id, name, from_date)
);

CREATE TABLE loans (
    id                    INTEGER PRIMARY KEY,
    household_id          INTEGER NOT NULL REFERENCES households (id),
    borrower_id_number    TEXT NOT NULL,
    borrower_name         TEXT NOT NULL,
    relation              TEXT NOT NULL,
    product               TEXT NOT NULL,
    bank                  TEXT NOT NULL,
    contract              TEXT NOT NULL,
    amount                INTEGER NOT NULL,
    credit_line           INTEGER NOT NULL,
    term_months           INTEGER NOT NULL,
    issue_date            DATE NOT NULL,
    maturity_date         DATE,
    extended_to           DATE,
    rate_pct              REAL NOT NULL,
    purpose               TEXT NOT NULL,
    mode                  TEXT NOT NULL,
    interest_every_months INTEGER NOT NULL,
    status                TEXT NOT NULL,
    renewed_from          INTEGER REFERENCES loans (id),
    note                  TEXT NOT NULL,
    natural_key           TEXT NOT NULL UNIQUE,
    import_id             INTEGER REFERENCES imports (id),
    updated_at            TIMESTAMP NOT NULL
);
CREATE INDEX loans_household ON loans (household_id);
CREATE INDEX loans_issue ON loans (issue_date);

CREATE TABLE repayments (
    id        INTEGER PRIMARY KEY,
    loan_id   INTEGER NOT NULL REFERENCES loans (id),
    paid_on   DATE,
    principal INTEGER NOT NULL,
    interest  INTEGER NOT NULL,
    source    TEXT NOT NULL
);
CREATE INDEX repayments_loan ON repayments (loan_id);
