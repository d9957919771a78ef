package importer

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/shouwang/shouwang/importer/sheet"
	"github.com/shouwang/shouwang/monitor"
)

// maxRosterSheets is how many roster sheets one workbook may hold: a
// household's cells name their sheet in a byte.
const maxRosterSheets = 255

// rosterSheet is one sheet read as a household roster.
type rosterSheet struct {
	band *band
	// village is the sheet's name taken as the village, for a sheet with
	// no 村 column (one sheet per village) or a blank 村 cell.
	village string
	// township is the one its title lines or the rest of the workbook
	// name, for a sheet with no 乡镇 column or a blank 乡镇 cell.
	township string
	stated   stated
	out      *RosterSheet
}

// rosterBook is what a workbook's sheets are: the rosters to read, in
// order, and what became of every sheet.
type rosterBook struct {
	rosters []*rosterSheet
	sheets  []monitor.SheetResult // every sheet, in workbook order
	skipped []monitor.Issue       // a sheet_skipped line for each sheet not read
	errors  []monitor.Issue       // roster sheets that cannot be read (a required column missing)
	stated  stated                // what the workbook states above its headers, roster sheets first
}

// findRosters looks at the top of every sheet: each sheet whose header
// names a roster (two of 户编号, 姓名, 证件号码) is read, in workbook
// order; summaries, lists of drop-down values, instructions, empty and
// hidden sheets are skipped with the reason. A roster sheet missing a
// required column is an error of that sheet; when no sheet can be read at
// all the file is refused, as a file that is not a roster.
func findRosters(book *sheet.Book) (*rosterBook, error) {
	tops, err := sheetTops(book)
	if err != nil {
		return nil, err
	}
	rb := &rosterBook{}
	var failed []*band
	var failedMsg []string
	var titles []stated
	townships := map[string]bool{}
	for _, t := range tops {
		res := monitor.SheetResult{Name: t.name}
		b := findHeader(t.name, t.rows, rosterAliases)
		hidden := sheetHidden(book, t.name)
		if b == nil || hidden || !rosterLike(b) {
			res.SkippedReason = skipReason(t, b, hidden)
			rb.sheets = append(rb.sheets, res)
			rb.skipped = append(rb.skipped, monitor.Issue{Sheet: t.name, Code: monitor.CodeSheetSkipped,
				Message: fmt.Sprintf("工作表“%s”未读取：%s", t.name, res.SkippedReason)})
			titles = append(titles, statedIn(titleRows(t, b), book.Date1904()))
			continue
		}
		res.HeaderRows = b.header.Rows
		rb.sheets = append(rb.sheets, res)
		rs := &rosterSheet{band: b, stated: statedIn(titleRows(t, b), book.Date1904())}
		if _, ok := b.header.col(fVillage); !ok {
			rs.village = villageFromSheetName(t.name)
		} else if v := villageFromSheetName(t.name); v != "" {
			rs.village = v // for blank 村 cells
		}
		if msg := missingColumn(b, rs.village != ""); msg != "" {
			failed = append(failed, b)
			failedMsg = append(failedMsg, msg)
			rb.sheets[len(rb.sheets)-1].SkippedReason = msg
			continue
		}
		if len(rb.rosters) == maxRosterSheets {
			msg := fmt.Sprintf("一个文件最多读取 %d 个花名册工作表，请拆分文件", maxRosterSheets)
			rb.sheets[len(rb.sheets)-1].SkippedReason = msg
			rb.errors = append(rb.errors, monitor.Issue{Sheet: t.name, Row: b.header.Rows[0], Code: monitor.CodeTooComplex, Message: msg})
			continue
		}
		rb.rosters = append(rb.rosters, rs)
		// The 乡镇 a roster's first rows name, for sheets that have none.
		if c, ok := b.header.col(fTownship); ok {
			for _, r := range t.rows {
				if r.Num <= b.header.Rows[len(b.header.Rows)-1] {
					continue
				}
				for _, cell := range r.Cells {
					if v := monitor.CompactText(cell.Value); cell.Col == c.Col && v != "" && !notData(r) {
						townships[v] = true
					}
				}
			}
		}
	}
	if len(rb.rosters) == 0 {
		if len(failed) > 0 {
			best := 0
			for i, b := range failed {
				if b.score > failed[best].score {
					best = i
				}
			}
			return nil, monitor.Errorf(monitor.EINVALID, "%s", failedMsg[best])
		}
		return nil, monitor.Errorf(monitor.EINVALID, "在文件的各个工作表前 %d 行中没有找到表头：至少需要能识别的列如“户编号”“姓名”“证件号码”。请确认上传的是花名册，或把表头改成常用名称", scanRows)
	}
	for i, b := range failed {
		rb.errors = append(rb.errors, monitor.Issue{Sheet: b.sheet, Row: b.header.Rows[len(b.header.Rows)-1],
			Code: monitor.CodeMissingRequired, Message: failedMsg[i] + "；该工作表未读取，其余工作表照常校验"})
	}
	// What the workbook states: the roster sheets' title lines first, then
	// the other sheets' (a 汇总 sheet's title often names the township).
	for _, rs := range rb.rosters {
		rb.stated = rb.stated.or(rs.stated)
		if rs.stated.township != "" {
			townships[rs.stated.township] = true
		}
	}
	for _, s := range titles {
		rb.stated = rb.stated.or(s)
		if s.township != "" {
			townships[s.township] = true
		}
	}
	only := ""
	if len(townships) == 1 {
		for t := range townships {
			only = t
		}
	}
	for _, rs := range rb.rosters {
		rs.township = rs.stated.township
		if rs.township == "" {
			rs.township = only // "" when the workbook names none, or several
		}
	}
	return rb, nil
}

// sheetHidden reports whether a sheet is hidden, when the reader can tell
// (sheet.Book.Hidden, which arrives with the .xls reader); a hidden list of
// drop-down values is otherwise told by what it holds.
func sheetHidden(book *sheet.Book, name string) bool {
	if h, ok := any(book).(interface{ Hidden(string) bool }); ok {
		return h.Hidden(name)
	}
	return false
}

// rosterLike: a roster names its people or households — two of 户编号,
// 姓名 and 证件号码. A 汇总 sheet (村, 户数, 人数) or a list of drop-down
// values (户类型, 监测对象类别, 与户主关系) names none of them; a loan ledger
// only the ID number.
func rosterLike(b *band) bool {
	n := 0
	for _, f := range []field{fCode, fName, fIDNumber} {
		if _, ok := b.header.col(f); ok {
			n++
		}
	}
	return n >= 2
}

// missingColumn names the first required column a roster sheet lacks, ""
// when it has them all. The village may come from the sheet's name.
func missingColumn(b *band, villageFromName bool) string {
	for _, f := range []field{fCode, fName, fIDNumber, fVillage} {
		if _, ok := b.header.col(f); ok || f == fVillage && villageFromName {
			continue
		}
		msg := fmt.Sprintf("工作表“%s”第 %s 行的表头缺少必需的列“%s”。可用的列名：%s", b.sheet, joinInts(b.header.Rows), fieldLabel[f], aliasList(rosterAliases, f))
		if f == fVillage {
			msg += "；每村一个工作表时，也可把工作表命名为村名（如“黄渔村”）"
		}
		return msg
	}
	return ""
}

// skipReason says why a sheet is not read, in the words staff use.
func skipReason(t sheetTop, b *band, hidden bool) string {
	switch {
	case len(t.rows) == 0:
		return "空工作表"
	case hidden:
		return "隐藏的工作表（通常是下拉选项列表）"
	case summaryLike(t):
		return "汇总表（只有统计数字或公式，没有姓名、证件号码列）"
	case b != nil:
		return "没有“姓名”“证件号码”等列，不是花名册（可能是下拉选项列表）"
	}
	return "没有找到花名册表头（可能是填表说明）"
}

// summaryLike: a 汇总/统计 sheet, or one with a 合计 row, or whose cells
// are mostly numbers.
func summaryLike(t sheetTop) bool {
	if n := t.name; strings.Contains(n, "汇总") || strings.Contains(n, "统计") || strings.Contains(n, "合计") {
		return true
	}
	nums, cells := 0, 0
	for _, r := range t.rows {
		for _, c := range r.Cells {
			v := monitor.CompactText(c.Value)
			switch {
			case v == "合计" || v == "总计" || v == "小计" || strings.Contains(v, "汇总"):
				return true
			case c.Kind == sheet.Number:
				nums++
			}
			cells++
		}
	}
	return cells > 0 && nums*2 >= cells
}

// titleRows are the rows above a sheet's header, or the first few of a
// sheet without one.
func titleRows(t sheetTop, b *band) []sheet.Row {
	var out []sheet.Row
	for _, r := range t.rows {
		if b != nil && r.Num >= b.header.Rows[0] || b == nil && len(out) == 3 {
			break
		}
		out = append(out, r)
	}
	return out
}

// villageFromSheetName reads a sheet named after its village: 黄渔村,
// 皂角井社区, 长亭村花名册, 2.鼓楼坝社区. "" when the name is not a village's.
func villageFromSheetName(name string) string {
	t := monitor.CompactText(name)
	t = strings.TrimLeftFunc(t, func(r rune) bool { return r < 0x80 && !unicode.IsLetter(r) || r == '、' })
	for changed := true; changed; {
		changed = false
		for _, suf := range []string{"花名册", "监测对象", "监测户", "名单", "台账", "信息", "明细", "数据", "表"} {
			if s := strings.TrimSuffix(t, suf); s != t {
				t, changed = s, true
			}
		}
	}
	if town := townshipIn(t); town != "" && strings.HasPrefix(t, town) {
		t = strings.TrimPrefix(t, town)
	}
	for _, suf := range []string{"村", "社区", "居委会", "村委会"} {
		if strings.HasSuffix(t, suf) && len([]rune(t)) > len([]rune(suf)) {
			return t
		}
	}
	return ""
}

// notTownships end like a township's name but are not one.
var notTownships = map[string]bool{"乡镇": true, "城乡": true, "城镇": true, "村镇": true, "集镇": true, "街道": true}

// townshipIn finds the 乡镇/街道 a title or unit line names: 东城街道 in
// "南川区东城街道防止返贫监测对象花名册" or "填报单位（盖章）：东城街道办事处",
// 大观镇 in "大观镇各村监测户汇总"; "" when it names none.
func townshipIn(s string) string {
	rs := []rune(monitor.CompactText(s))
	for i := 0; i < len(rs); i++ {
		n := 0
		switch {
		case rs[i] == '街' && i+1 < len(rs) && rs[i+1] == '道':
			n = 2
		case rs[i] == '镇' || rs[i] == '乡':
			n = 1
		default:
			continue
		}
		end := i + n
		if end < len(rs) && strings.ContainsRune("村镇土亲里", rs[end]) {
			continue // 乡村振兴, 乡镇, 乡亲
		}
		j := i
		for j > 0 && i-j < 8 && unicode.Is(unicode.Han, rs[j-1]) && !strings.ContainsRune("区县市省州旗", rs[j-1]) {
			j--
		}
		name := string(rs[j:end])
		for _, w := range []string{"单位", "填报", "盖章", "各"} {
			if k := strings.LastIndex(name, w); k >= 0 {
				name = name[k+len(w):]
			}
		}
		if len([]rune(name)) > n && len([]rune(name)) <= n+6 && !notTownships[name] {
			return name
		}
	}
	return ""
}
