package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/shouwang/shouwang/monitor"
)

// Count is a labelled figure.
type Count struct {
	Label string `db:"label" json:"label"`
	N     int    `db:"n" json:"n"`
}

// VillageCount is a village's households and monitored households.
type VillageCount struct {
	Township   string `db:"township" json:"township"`
	Village    string `db:"village" json:"village"`
	Households int    `db:"households" json:"households"`
	Monitored  int    `db:"monitored" json:"monitored"`
}

// Summary is the dashboard of a scope.
type Summary struct {
	Households int `json:"households"`
	Members    int `json:"members"`
	Monitored  int `json:"monitored"`
	// ByCategory has the three categories in their official order.
	ByCategory  []Count        `json:"monitored_by_category"`
	ByVillage   []VillageCount `json:"households_by_village"`
	OpenFlags   int            `json:"open_flags"`
	Flagged     int            `json:"households_flagged"`
	FlagsByRisk []Count        `json:"open_flags_by_risk"`
	// LeadsOpen is -1 when the scope cannot see leads (they belong to no place).
	LeadsOpen      int          `json:"leads_open"`
	MonitoringDate monitor.Date `json:"monitoring_date"`
}

// Summarize computes the dashboard figures of scope.
func (db *DB) Summarize(ctx context.Context, scope Scope) (*Summary, error) {
	sw, sargs := scope.where("h.")
	s := &Summary{LeadsOpen: -1}
	var byCat []Count
	if err := db.x.SelectContext(ctx, &byCat, db.rebind(`SELECT h.category AS label, COUNT(*) AS n FROM households h WHERE `+sw+` GROUP BY h.category`), sargs...); err != nil {
		return nil, mapError(err)
	}
	cats := map[string]int{}
	for _, c := range byCat {
		s.Households += c.N
		if c.Label != "" {
			s.Monitored += c.N
			cats[c.Label] = c.N
		}
	}
	for _, c := range monitor.Categories {
		s.ByCategory = append(s.ByCategory, Count{Label: c, N: cats[c]})
	}
	if err := db.x.GetContext(ctx, &s.Members, db.rebind(`SELECT COUNT(*) FROM members m JOIN households h ON h.id = m.household_id WHERE m.missing = ? AND `+sw),
		append([]any{false}, sargs...)...); err != nil {
		return nil, mapError(err)
	}
	if err := db.x.SelectContext(ctx, &s.ByVillage, db.rebind(`SELECT h.township, h.village, COUNT(*) AS households,
		SUM(CASE WHEN h.category <> '' THEN 1 ELSE 0 END) AS monitored
		FROM households h WHERE `+sw+` GROUP BY h.township, h.village ORDER BY h.township, h.village`), sargs...); err != nil {
		return nil, mapError(err)
	}
	fargs := append([]any{monitor.FlagOpen}, sargs...)
	if err := db.x.SelectContext(ctx, &s.FlagsByRisk, db.rebind(`SELECT f.risk_type AS label, COUNT(*) AS n FROM flags f JOIN households h ON h.id = f.household_id
		WHERE f.status = ? AND `+sw+` GROUP BY f.risk_type ORDER BY COUNT(*) DESC, f.risk_type`), fargs...); err != nil {
		return nil, mapError(err)
	}
	for _, c := range s.FlagsByRisk {
		s.OpenFlags += c.N
	}
	if err := db.x.GetContext(ctx, &s.Flagged, db.rebind(`SELECT COUNT(DISTINCT f.household_id) FROM flags f JOIN households h ON h.id = f.household_id
		WHERE f.status = ? AND `+sw), fargs...); err != nil {
		return nil, mapError(err)
	}
	if scope.All {
		if err := db.x.GetContext(ctx, &s.LeadsOpen, db.rebind(`SELECT COUNT(*) FROM leads WHERE status = ?`), "open"); err != nil {
			return nil, mapError(err)
		}
	}
	d, ok, err := db.MonitoringDate(ctx)
	if err != nil {
		return nil, err
	}
	if ok {
		s.MonitoringDate = d
	}
	return s, nil
}

// VillagesIn lists the villages that have households in scope.
func (db *DB) VillagesIn(ctx context.Context, scope Scope) ([]VillageCount, error) {
	sw, sargs := scope.where("h.")
	var vs []VillageCount
	err := db.x.SelectContext(ctx, &vs, db.rebind(`SELECT h.township, h.village, COUNT(*) AS households, 0 AS monitored FROM households h WHERE `+sw+`
		GROUP BY h.township, h.village ORDER BY h.township, h.village`), sargs...)
	return vs, mapError(err)
}

// ImportRecord is one committed import, for the history.
type ImportRecord struct {
	ID        int64           `db:"id" json:"id"`
	Kind      string          `db:"kind" json:"kind"`
	FileName  string          `db:"file_name" json:"file_name"`
	Actor     string          `db:"actor" json:"actor"`
	StartedAt time.Time       `db:"started_at" json:"started_at"`
	Summary   json.RawMessage `db:"-" json:"summary"`
	Counts    ImportCounts    `db:"-" json:"-"`

	SummaryText string `db:"summary" json:"-"`
	ActorRole   string `db:"actor_role" json:"-"`
	ActorPlace  string `db:"actor_place" json:"-"`
}

// ImportCounts are the figures an import's summary holds.
type ImportCounts struct {
	Households monitor.HouseholdCounts `json:"households"`
	Members    monitor.MemberCounts    `json:"members"`
	Errors     int                     `json:"errors"`
	Warnings   int                     `json:"warnings"`
}

// FindImports lists the latest committed imports that scope may see: all
// of them for Everywhere; otherwise those made by users whose own place
// lies inside scope (imports from the command line or by county users
// span everything and stay with county users).
func (db *DB) FindImports(ctx context.Context, scope Scope, limit int) ([]ImportRecord, error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	fetch := limit
	if !scope.All {
		fetch = 2000 // filtered below by the importing user's place
	}
	var rows []ImportRecord
	err := db.x.SelectContext(ctx, &rows, db.rebind(`SELECT i.id, i.kind, i.file_name, i.actor, i.started_at, i.summary,
		COALESCE(u.role, '') AS actor_role, COALESCE(p.path, '') AS actor_place
		FROM imports i LEFT JOIN users u ON u.username = i.actor LEFT JOIN places p ON p.id = u.place_id
		WHERE i.committed = ? ORDER BY i.id DESC LIMIT ?`), true, fetch)
	if err != nil {
		return nil, mapError(err)
	}
	out := make([]ImportRecord, 0, min(len(rows), limit))
	for _, r := range rows {
		if len(out) == limit {
			break
		}
		if !scope.All && (r.ActorRole == "" || !scope.Covers(ScopeOf(r.ActorRole, r.ActorPlace))) {
			continue
		}
		r.Summary = json.RawMessage(r.SummaryText)
		json.Unmarshal([]byte(r.SummaryText), &r.Counts)
		out = append(out, r)
	}
	return out, nil
}

// FindDeptRecords lists the department-list records of a household of scope.
func (db *DB) FindDeptRecords(ctx context.Context, scope Scope, code string) ([]monitor.DeptRecord, error) {
	sw, sargs := scope.where("h.")
	var rs []monitor.DeptRecord
	err := db.x.SelectContext(ctx, &rs, db.rebind(`SELECT d.id, d.kind, d.id_number, d.name, d.household_id, d.period, d.event_date, d.amount, d.detail
		FROM dept_records d JOIN households h ON h.id = d.household_id WHERE h.code = ? AND `+sw+` ORDER BY d.period DESC, d.id`), append([]any{code}, sargs...)...)
	return rs, mapError(err)
}

// FindHouseholdLeads lists the leads (department-list rows once matched to
// no household) about people who are now members of a household of scope.
func (db *DB) FindHouseholdLeads(ctx context.Context, scope Scope, code string) ([]monitor.Lead, error) {
	sw, sargs := scope.where("h.")
	var ls []monitor.Lead
	err := db.x.SelectContext(ctx, &ls, db.rebind(`SELECT l.id, l.kind, l.id_number, l.name, l.period, l.detail, l.row_num, l.status, l.created_at
		FROM leads l JOIN members m ON m.id_number = l.id_number JOIN households h ON h.id = m.household_id
		WHERE h.code = ? AND `+sw+` ORDER BY l.id`), append([]any{code}, sargs...)...)
	return ls, mapError(err)
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.x.PingContext(ctx) }

// OpenRiskTypes lists the risk types of the open flags in scope, for the
// filter of the household list.
func (db *DB) OpenRiskTypes(ctx context.Context, scope Scope) ([]string, error) {
	sw, sargs := scope.where("h.")
	var ts []string
	err := db.x.SelectContext(ctx, &ts, db.rebind(`SELECT DISTINCT f.risk_type FROM flags f JOIN households h ON h.id = f.household_id
		WHERE f.status = ? AND `+sw+` ORDER BY f.risk_type`), append([]any{monitor.FlagOpen}, sargs...)...)
	return ts, mapError(err)
}
