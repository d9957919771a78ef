package monitor

import (
	"strings"
	"testing"
)

// TestMayRecordStep: every step against every role, and the rule that the
// account that reviewed (乡镇审核) does not also approve (县级审定).
func TestMayRecordStep(t *testing.T) {
	// Which roles may record which step: the village's four steps every
	// role, the township's review township and up, the county's decision
	// county and admin.
	allowed := map[string][]string{
		"入户核实": {RoleVillage, RoleTownship, RoleCounty, RoleAdmin},
		"信息比对": {RoleVillage, RoleTownship, RoleCounty, RoleAdmin},
		"民主评议": {RoleVillage, RoleTownship, RoleCounty, RoleAdmin},
		"公示":   {RoleVillage, RoleTownship, RoleCounty, RoleAdmin},
		"乡镇审核": {RoleTownship, RoleCounty, RoleAdmin},
		"县级审定": {RoleCounty, RoleAdmin},
	}
	refusal := map[string]string{
		"乡镇审核": "乡镇审核须由乡镇（街道）、区县或管理员账号办理",
		"县级审定": "县级审定须由区县或管理员账号办理",
	}
	if len(allowed) != len(CaseSteps) {
		t.Fatalf("the table covers %d steps, the procedure has %d", len(allowed), len(CaseSteps))
	}
	c := &Case{ID: 7}
	for _, step := range CaseSteps {
		for _, role := range []string{RoleVillage, RoleTownship, RoleCounty, RoleAdmin} {
			want := false
			for _, r := range allowed[step] {
				want = want || r == role
			}
			name := step + "/" + role
			if want {
				name += "/OK"
			} else {
				name += "/ErrForbidden"
			}
			t.Run(name, func(t *testing.T) {
				err := MayRecordStep(c, step, "acct", role)
				if got := err == nil; got != want {
					t.Fatalf("MayRecordStep(%s, %s) = %v, want allowed %v", step, role, err, want)
				}
				if err == nil {
					return
				}
				if got := ErrorCode(err); got != EFORBIDDEN {
					t.Errorf("code = %q, want %q", got, EFORBIDDEN)
				}
				if got, want := ErrorMessage(err), refusal[step]; got != want {
					t.Errorf("message = %q, want %q", got, want)
				}
			})
		}
	}

	reviewed := &Case{ID: 12, Steps: []CaseStep{
		{Step: "入户核实", RecordedBy: "zjj", RecordedRole: RoleVillage},
		{Step: "信息比对", RecordedBy: "zjj", RecordedRole: RoleVillage},
		{Step: "民主评议", RecordedBy: "zjj", RecordedRole: RoleVillage},
		{Step: "公示", RecordedBy: "zjj", RecordedRole: RoleVillage},
		{Step: "乡镇审核", RecordedBy: "boss", RecordedRole: RoleAdmin},
	}}
	for _, tc := range []struct {
		name, account, role, want string
	}{
		{"ErrSameAccountBothReviews", "boss", RoleAdmin, "同一账号不能既办理乡镇审核又办理县级审定（案件 12 的乡镇审核由 boss 办理）"},
		{"ErrSameAccountAsCounty", "boss", RoleCounty, "同一账号不能既办理乡镇审核又办理县级审定（案件 12 的乡镇审核由 boss 办理）"},
		{"OKAnotherCountyAccount", "county", RoleCounty, ""},
		{"OKAnotherAdmin", "admin2", RoleAdmin, ""},
		{"ErrVillageStillRefused", "zjj", RoleVillage, "县级审定须由区县或管理员账号办理"},
		{"ErrNoAccount", "", RoleCounty, "没有办理账号"},
		{"ErrUnknownRole", "someone", "", "角色"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := MayRecordStep(reviewed, "县级审定", tc.account, tc.role)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if ErrorCode(err) != EFORBIDDEN || !strings.Contains(ErrorMessage(err), tc.want) {
				t.Fatalf("got %v, want forbidden with %q", err, tc.want)
			}
		})
	}
	// The village's steps do not care who reviewed: the rule is about the
	// two reviews only.
	if err := MayRecordStep(&Case{Steps: reviewed.Steps[:1]}, "信息比对", "zjj", RoleVillage); err != nil {
		t.Errorf("the same village account for two village steps: %v", err)
	}
}

func TestStepRecorders(t *testing.T) {
	for _, tc := range []struct{ step, want string }{
		{"入户核实", "村级及以上账号"},
		{"公示", "村级及以上账号"},
		{"乡镇审核", "乡镇（街道）、区县或管理员账号"},
		{"县级审定", "区县或管理员账号"},
	} {
		if got := StepRecorders(tc.step); got != tc.want {
			t.Errorf("StepRecorders(%s) = %q, want %q", tc.step, got, tc.want)
		}
	}
}

func TestCheckOverride(t *testing.T) {
	for _, tc := range []struct {
		role string
		ok   bool
	}{{RoleVillage, false}, {RoleTownship, true}, {RoleCounty, true}, {RoleAdmin, true}, {"", false}} {
		if err := CheckOverride(tc.role); (err == nil) != tc.ok || (err != nil && ErrorCode(err) != EFORBIDDEN) {
			t.Errorf("CheckOverride(%q) = %v, want allowed %v", tc.role, err, tc.ok)
		}
	}
}
