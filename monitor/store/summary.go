package store

import (
	"context"
	"encoding/json"
	"slices"
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

// Summarize returns the dashboard figures of scope. They take whole-registry
// counts to make, so they are kept in memory per scope and made again once
// anything they count may have changed (summarycache.go).
func (db *DB) Summarize(ctx context.Context, scope Scope) (*Summary, error) {
	return db.cachedSummary(ctx, scope)
}

// summarize computes the figures of scope (without the open leads and the
// monitoring date, which cachedSummary reads each time): households by
// village and category in one pass, members, and open flags. Everywhere
// needs no join: every member and flag belongs to a household.
func (db *DB) summarize(ctx context.Context, scope Scope) (*Summary, error) {
	sw, sargs := scope.where("h.")
	s := &Summary{LeadsOpen: -1}
	var groups []struct {
		Township string `db:"township"`
		Village  string `db:"village"`
		Category string `db:"category"`
		N        int    `db:"n"`
	}
	if err := db.x.SelectContext(ctx, &groups, db.rebind(`SELECT h.township, h.village, h.category, COUNT(*) AS n FROM households h WHERE `+sw+`
		GROUP BY h.township, h.village, h.category ORDER BY h.township, h.village`), sargs...); err != nil {
		return nil, mapError(err)
	}
	cats := map[string]int{}
	for _, g := range groups {
		if k := len(s.ByVillage); k == 0 || s.ByVillage[k-1].Township != g.Township || s.ByVillage[k-1].Village != g.Village {
			s.ByVillage = append(s.ByVillage, VillageCount{Township: g.Township, Village: g.Village})
		}
		v := &s.ByVillage[len(s.ByVillage)-1]
		v.Households += g.N
		s.Households += g.N
		if g.Category != "" {
			v.Monitored += g.N
			s.Monitored += g.N
			cats[g.Category] += g.N
		}
	}
	for _, c := range monitor.Categories {
		s.ByCategory = append(s.ByCategory, Count{Label: c, N: cats[c]})
	}
	members := `SELECT COUNT(*) FROM members m JOIN households h ON h.id = m.household_id WHERE m.missing = ? AND ` + sw
	flags := `FROM flags f JOIN households h ON h.id = f.household_id WHERE f.status = ? AND ` + sw
	if scope.All {
		members, flags = `SELECT COUNT(*) FROM members m WHERE m.missing = ?`, `FROM flags f WHERE f.status = ?`
	}
	if err := db.x.GetContext(ctx, &s.Members, db.rebind(members), append([]any{false}, sargs...)...); err != nil {
		return nil, mapError(err)
	}
	fargs := append([]any{monitor.FlagOpen}, sargs...)
	if err := db.x.SelectContext(ctx, &s.FlagsByRisk, db.rebind(`SELECT f.risk_type AS label, COUNT(*) AS n `+flags+`
		GROUP BY f.risk_type ORDER BY COUNT(*) DESC, f.risk_type`), fargs...); err != nil {
		return nil, mapError(err)
	}
	for _, c := range s.FlagsByRisk {
		s.OpenFlags += c.N
	}
	if err := db.x.GetContext(ctx, &s.Flagged, db.rebind(`SELECT COUNT(DISTINCT f.household_id) `+flags), fargs...); err != nil {
		return nil, mapError(err)
	}
	return s, nil
}

// VillagesIn lists the villages that have households in scope, with their
// households and monitored households (the dashboard's figures).
func (db *DB) VillagesIn(ctx context.Context, scope Scope) ([]VillageCount, error) {
	s, err := db.cachedSummary(ctx, scope)
	if err != nil {
		return nil, err
	}
	return s.ByVillage, nil
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
// filter of the household list (the dashboard's figures).
func (db *DB) OpenRiskTypes(ctx context.Context, scope Scope) ([]string, error) {
	s, err := db.cachedSummary(ctx, scope)
	if err != nil {
		return nil, err
	}
	ts := make([]string, 0, len(s.FlagsByRisk))
	for _, c := range s.FlagsByRisk {
		ts = append(ts, c.Label)
	}
	slices.Sort(ts)
	return ts, nil
}
