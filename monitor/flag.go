package monitor

import "time"

// Flag statuses.
const (
	FlagOpen   = "open"
	FlagClosed = "closed"
)

// Hit is a rule that fires for a household on an evaluation.
type Hit struct {
	RuleCode    string `json:"rule_code"`
	RuleName    string `json:"rule_name"`
	RiskType    string `json:"risk_type"`
	Severity    string `json:"severity"`
	Kind        string `json:"kind"`
	Explanation string `json:"explanation"`
}

// Flag is a risk flag: opened when a rule first fires for a household, kept
// with its latest explanation while it fires, closed with a date when it
// stops. A flag that fires again later is a new flag; history stays.
type Flag struct {
	ID            int64  `db:"id" json:"id"`
	HouseholdID   int64  `db:"household_id" json:"-"`
	HouseholdCode string `db:"household_code" json:"household_code"`
	HeadName      string `db:"head_name" json:"head_name"`
	Township      string `db:"township" json:"township"`
	Village       string `db:"village" json:"village"`
	RuleCode      string `db:"rule_code" json:"rule_code"`
	RuleName      string `db:"rule_name" json:"rule_name"`
	RiskType      string `db:"risk_type" json:"risk_type"`
	Severity      string `db:"severity" json:"severity"`
	Kind          string `db:"kind" json:"kind"`
	Explanation   string `db:"explanation" json:"explanation"`
	Status        string `db:"status" json:"status"`
	FirstSeen     Date   `db:"first_seen" json:"first_seen"`
	LastSeen      Date   `db:"last_seen" json:"last_seen"`
	ClosedOn      Date   `db:"closed_on" json:"closed_on"`
	ConfigVersion int64  `db:"config_version" json:"config_version"`
	CaseStatus    string `db:"case_status" json:"case_status,omitempty"`
}

// EvaluationCounts is what an evaluation run reports.
type EvaluationCounts struct {
	AsOf          string         `json:"as_of"`
	ConfigVersion int64          `json:"config_version"`
	Households    int            `json:"households_evaluated"`
	Opened        int            `json:"flags_opened"`
	Kept          int            `json:"flags_kept"`
	Closed        int            `json:"flags_closed"`
	OpenByRule    map[string]int `json:"open_by_rule"`
}

// ConfigVersion is one saved version of the rule set and the parameters;
// every change makes a new version and flags record the one that raised
// them.
type ConfigVersion struct {
	ID        int64     `db:"id" json:"version"`
	Rules     string    `db:"rules" json:"rules"`
	Params    string    `db:"params" json:"params"`
	Actor     string    `db:"actor" json:"actor"`
	Note      string    `db:"note" json:"note"`
	CreatedAt time.Time `db:"created_at" json:"created_at"`
}

// Lead is a person on a department list who is in no household of the
// registry: the village should check them.
type Lead struct {
	ID        int64     `db:"id" json:"id"`
	Kind      string    `db:"kind" json:"kind"`
	IDNumber  string    `db:"id_number" json:"id_number"`
	Name      string    `db:"name" json:"name"`
	Period    string    `db:"period" json:"period"`
	Detail    string    `db:"detail" json:"detail"`
	Row       int       `db:"row_num" json:"row"`
	Status    string    `db:"status" json:"status"` // open, checked, dismissed
	CreatedAt time.Time `db:"created_at" json:"created_at"`
}
