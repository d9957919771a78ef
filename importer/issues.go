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
