package monitor

import "fmt"

// ProcedureFields are the household fields the identification and
// elimination procedure decides (named as in Household.Fields). Once a case
// has decided them, a spreadsheet does not change them: a file that
// disagrees is a discrepancy to resolve through another case.
var ProcedureFields = []string{"监测对象类别", "识别监测时间", "风险类型", "风险是否消除", "风险消除方式", "风险消除时间"}

// Decision names the case that decided a household's procedure fields.
type Decision struct {
	CaseID int64
	Kind   string // CaseInclusion or CaseElimination
	On     Date   // the deciding step's date (or the opening of an emergency inclusion)
}

// ProcedureConflict is one procedure field on which a file disagrees with
// the registry's decision.
type ProcedureConflict struct {
	Field    string
	Registry string
	File     string
}

// KeepDecided gives nh (a household as a file has it) the procedure fields
// of registered (as the procedure decided them) and returns each field on
// which the file disagreed.
func KeepDecided(registered, nh *Household) []ProcedureConflict {
	old, file := fieldMap(registered.Fields()), fieldMap(nh.Fields())
	var out []ProcedureConflict
	for _, f := range ProcedureFields {
		if old[f] != file[f] {
			out = append(out, ProcedureConflict{Field: f, Registry: old[f], File: file[f]})
			nh.SetField(f, old[f])
		}
	}
	return out
}

func fieldMap(fs []Field) map[string]string {
	m := make(map[string]string, len(fs))
	for _, f := range fs {
		m[f.Name] = f.Value
	}
	return m
}

// ConflictIssue is the warning an import gives for c on household code:
// the registry keeps d's decision and the rest of the row is imported.
func ConflictIssue(code string, d Decision, c ProcedureConflict) Issue {
	show := func(v string) string {
		if v == "" {
			return "（空）"
		}
		return "“" + v + "”"
	}
	return Issue{
		Code: CodeProcedureConflict, Household: code, Column: c.Field, Value: c.File,
		Field: c.Field, RegistryValue: c.Registry, FileValue: c.File, CaseID: d.CaseID,
		Message: fmt.Sprintf("户编号 %s 的%s：系统中为%s（%s案件 %d，%s 办结），文件中为%s。以办理程序的结果为准，此项未按文件修改，本户其余内容照常导入；如情况确有变化，请通过%s案件办理",
			code, c.Field, show(c.Registry), CaseKindLabel(d.Kind), d.CaseID, d.On, show(c.File), nextProcedure(d.Kind)),
	}
}

func nextProcedure(kind string) string {
	if kind == CaseInclusion {
		return "风险消除"
	}
	return "识别纳入或风险消除"
}
