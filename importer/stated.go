package importer

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/shouwang/shouwang/importer/sheet"
	"github.com/shouwang/shouwang/monitor"
)

// stated is what the rows above a header say about the data: the date it
// is of (数据日期：2023-01-10, 导出时间：2023-01-10 09:12, 统计截止时间：
// 2022年12月31日), a year (2022年度), the township (东城街道).
type stated struct {
	date      monitor.Date
	monthOnly bool
	dateText  string // the text the date was read from, for messages
	year      int    // a year stated alone: 2022年度 (explicit) or a bare 2022年
	yearOfAll bool   // year was written as 年度: the data's year, whatever the date
	township  string
}

// or fills what s lacks from t.
func (s stated) or(t stated) stated {
	if s.date.IsZero() {
		s.date, s.monthOnly, s.dateText = t.date, t.monthOnly, t.dateText
	}
	if s.year == 0 || !s.yearOfAll && t.yearOfAll {
		s.year, s.yearOfAll = t.year, t.yearOfAll
	}
	if s.township == "" {
		s.township = t.township
	}
	return s
}

var (
	reStatedDay   = regexp.MustCompile(`((?:19|20)\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?`)
	reStated8     = regexp.MustCompile(`(?:^|\D)((?:19|20)\d\d)(\d\d)(\d\d)(?:\D|$)`)
	reStatedMonth = regexp.MustCompile(`((?:19|20)\d\d)\s*(?:年|[-/.])\s*(\d{1,2})\s*月?`)
	reStatedYear  = regexp.MustCompile(`((?:19|20)\d\d)\s*年\s*(度)?`)
)

// statedIn reads the title and unit lines above a header. A date cell
// (a date typed into Excel, as LibreOffice and WPS keep it) counts as a
// stated date.
func statedIn(rows []sheet.Row, date1904 bool) stated {
	var s stated
	for _, r := range rows {
		for _, c := range r.Cells {
			if c.Kind == sheet.Date {
				if f, err := strconv.ParseFloat(monitor.CompactText(c.Value), 64); err == nil && s.date.IsZero() {
					if y, m, d, ok := sheet.DateFromSerial(f, date1904); ok {
						if date, ok := monitor.NewDate(y, m, d); ok {
							s.date, s.dateText = date, date.String()
						}
					}
				}
				continue
			}
			t := monitor.NormalizeText(c.Value)
			if s.township == "" {
				s.township = townshipIn(t)
			}
			if s.date.IsZero() {
				s.date, s.monthOnly, s.dateText = dateIn(t)
			}
			for _, m := range reStatedYear.FindAllStringSubmatchIndex(t, -1) {
				// A year not followed by a month: 2022年度, 2022年防止返贫…
				if rest := strings.TrimSpace(t[m[1]:]); m[4] < 0 && rest != "" && rest[0] >= '0' && rest[0] <= '9' {
					continue
				}
				y, _ := strconv.Atoi(t[m[2]:m[3]])
				explicit := m[4] >= 0
				if s.year == 0 || explicit && !s.yearOfAll {
					s.year, s.yearOfAll = y, explicit
				}
			}
		}
	}
	return s
}

// dateIn finds a date in a line: 2023-01-10, 2022年12月31日, 20230110,
// or a month (2023年1月, 2023-01).
func dateIn(t string) (monitor.Date, bool, string) {
	for _, re := range []*regexp.Regexp{reStatedDay, reStated8} {
		for _, m := range re.FindAllStringSubmatch(t, -1) {
			y, _ := strconv.Atoi(m[1])
			mo, _ := strconv.Atoi(m[2])
			d, _ := strconv.Atoi(m[3])
			if date, ok := monitor.NewDate(y, mo, d); ok {
				return date, false, strings.TrimSpace(m[0])
			}
		}
	}
	for _, m := range reStatedMonth.FindAllStringSubmatch(t, -1) {
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		if date, ok := monitor.NewDate(y, mo, 1); ok && (strings.Contains(m[0], "月") || !strings.Contains(m[0], "年")) {
			return date, true, strings.TrimSpace(m[0])
		}
	}
	return monitor.Date{}, false, ""
}

// IncomeYearOf is the income year of data dated d. Income is counted over
// the 12 months before the date (DOMAIN.md: a rolling window, not the
// calendar year), and the year recorded is the calendar year most of those
// months fall in: the year before for a date from January to June (an
// export of 2023-01-10 states 2022's income), the date's own year from
// July (统计截止时间 2022-12-31 is 2022's).
func IncomeYearOf(d monitor.Date) int {
	if d.Month <= 6 {
		return d.Year - 1
	}
	return d.Year
}

// incomeYear decides the income year from what the file states: a year
// written as 年度 is the data's year; otherwise a stated date gives it by
// IncomeYearOf; otherwise a bare year in the title; otherwise def, with a
// warning. The issue says how the year was found when it is not the
// stated date's own year; nil when the file states the year plainly.
func (s stated) incomeYear(def int, sheetName string, row int) (int, *monitor.Issue) {
	switch {
	case s.year != 0 && s.yearOfAll:
		return s.year, nil
	case !s.date.IsZero():
		y := IncomeYearOf(s.date)
		if y == s.date.Year {
			return y, nil // 统计截止时间：2022年12月31日 says 2022 plainly
		}
		what := "日期"
		if s.monthOnly {
			what = "月份"
		}
		return y, &monitor.Issue{Sheet: sheetName, Row: row, Code: codeYearFromDate, Value: s.dateText,
			Message: fmt.Sprintf("表头上方写明的数据%s为“%s”：收入按此前12个月计算，多数月份在 %d 年，按 %d 年度记录（1–6月的日期记为上一年度，7–12月记为当年；表头上方写明“%d年度”可直接指定）",
				what, s.dateText, y, y, y)}
	case s.year != 0:
		return s.year, nil
	}
	return def, &monitor.Issue{Sheet: sheetName, Row: row, Code: monitor.CodeYearAssumed,
		Message: fmt.Sprintf("表头上方未写明统计年度或数据日期（如“统计截止时间：2022年12月31日”“数据日期：2023-01-10”），收入按 %d 年度记录", def)}
}

// codeYearFromDate: the income year was read from the date the file
// states (a warning, so that the rule is in front of the user).
const codeYearFromDate = "income_year_from_date"
