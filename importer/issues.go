package importer

import (
	"sort"

	"github.com/shouwang/shouwang/monitor"
)

// sortIssues orders issues by row, then column, so a user reads them in the
// order of the sheet.
func sortIssues(is []monitor.Issue) {
	sort.SliceStable(is, func(i, j int) bool {
		if is[i].Row != is[j].Row {
			return is[i].Row < is[j].Row
		}
		return is[i].Col < is[j].Col
	})
}

// sortSheetIssues orders issues by sheet (in the order given, issues of a
// sheet not listed first), then row and column.
func sortSheetIssues(is []monitor.Issue, order map[string]int) {
	sort.SliceStable(is, func(i, j int) bool {
		if a, b := order[is[i].Sheet], order[is[j].Sheet]; a != b {
			return a < b
		}
		if is[i].Row != is[j].Row {
			return is[i].Row < is[j].Row
		}
		return is[i].Col < is[j].Col
	})
}
