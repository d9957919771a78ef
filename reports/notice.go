package reports

import (
	"fmt"
	"io"
	"strings"

	"github.com/shouwang/shouwang/monitor"
)

// Notice kinds.
const (
	NoticeInclusion   = "纳入监测"
	NoticeElimination = "风险消除"
)

// NoticeEntry is one household on a 公示名单. Risks must be official risk
// labels (因病, 因学 … as monitor.Risks lists them, common short forms are
// folded): a public notice never shows health conditions, so free text is
// refused rather than printed.
type NoticeEntry struct {
	Kind     string // NoticeInclusion or NoticeElimination
	HeadName string
	Group    string
	Category string // 监测对象类别, for an inclusion
	Risks    []string
	Method   string // 帮扶消除 or 自然消除, for an elimination
}

// minNoticeDays is the shortest public notice the policy allows (村内公示
// at least 5 days, both ends included).
const minNoticeDays = 5

const noticeName = "公示名单"

var noticeCols = []column{
	{"序号", kInt}, {"户主姓名", kText}, {"组", kText}, {"公示事项", kText}, {"类别", kText}, {"原因/风险", kText},
}

// Notice writes a village's 公示名单 for households proposed for inclusion
// or risk elimination: 序号, 户主姓名, 组, 公示事项, 类别 (the category
// for an inclusion, the method for an elimination) and 原因/风险 (risk
// labels). It never shows ID numbers, phones, bank accounts or health
// conditions: the entries carry none, and a name or group holding a long
// run of digits (a number pasted by mistake) or a reason that is not a
// risk label is refused. The title area gives 公示期：from 至 to (blank for
// the village to fill when the dates are zero; shorter than 5 days
// is refused); below the list a blank 监督电话 line is left for the
// village to fill. m.Place names the village, e.g. "东城街道皂角井社区".
func Notice(w io.Writer, m Meta, from, to monitor.Date, entries []NoticeEntry) error {
	if err := writeNotice(w, m, from, to, entries); err != nil {
		return fmt.Errorf("reports: notice: %w", err)
	}
	return nil
}

func writeNotice(w io.Writer, m Meta, from, to monitor.Date, entries []NoticeEntry) error {
	if m.Format == CSV {
		return errCSV(noticeName)
	}
	if !from.IsZero() && !to.IsZero() && from.DaysUntil(to)+1 < minNoticeDays {
		return monitor.Errorf(monitor.EINVALID, "公示期 %s 至 %s 不足%d天", from, to, minNoticeDays)
	}
	rows := make([][3]string, len(entries)) // 类别, 原因/风险, 公示事项
	for i, e := range entries {
		r, err := noticeRow(i+1, e)
		if err != nil {
			return err
		}
		rows[i] = r
	}

	b, err := newBook()
	if err != nil {
		return err
	}
	defer b.close()
	period := "公示期：" + blankDate(from) + " 至 " + blankDate(to)
	head := []line{
		{text: m.Place + "防止返贫动态监测对象公示名单", style: b.st.title, size: titleSize, height: 32},
		{text: period, style: b.st.note, size: noteSize, height: 22},
		{text: "经农户申请、入户核实、村级民主评议，拟对以下农户" + noticeKinds(entries) + "，现予公示。" +
			"公示期间如有异议，请向村（社区）或乡镇（街道）反映。", style: b.st.note, size: noteSize, height: 22},
	}
	t, err := b.newTable(noticeName, head, noticeCols, nil)
	if err != nil {
		return err
	}
	t.rowHeight = 22 // a list posted on a wall
	for i, e := range entries {
		t.num(0, i+1)
		t.str(1, e.HeadName)
		t.str(2, e.Group)
		t.str(3, rows[i][2])
		t.str(4, rows[i][0])
		t.str(5, rows[i][1])
		if err := t.emit(rowData); err != nil {
			return err
		}
	}
	for _, l := range []line{
		{text: "监督电话：", style: b.st.note, size: noteSize, height: 28},
		{text: "公示单位：（盖章）　　　　　　　　年　　月　　日", style: b.st.note, size: noteSize, height: 28},
	} {
		if err := t.note(l); err != nil {
			return err
		}
	}
	if err := t.close(); err != nil {
		return err
	}
	return b.write(w)
}

// noticeRow checks an entry and returns its 类别, 原因/风险 and 公示事项.
func noticeRow(n int, e NoticeEntry) ([3]string, error) {
	bad := func(format string, args ...any) ([3]string, error) {
		return [3]string{}, monitor.Errorf(monitor.EINVALID, "公示名单第%d户（%s）："+format, append([]any{n, e.HeadName}, args...)...)
	}
	if strings.TrimSpace(e.HeadName) == "" {
		return bad("户主姓名为空")
	}
	if digitRun(e.HeadName) >= 7 || digitRun(e.Group) >= 7 {
		return bad("姓名或组中含有一长串数字，公示名单不得出现身份证号、电话或银行账号")
	}
	var risks []string
	for _, r := range e.Risks {
		got, unknown := monitor.ParseRisks(r)
		if len(unknown) > 0 {
			return bad("“%s”不是规定的风险类型（%s），公示名单只写风险类型，不写病情等细节",
				strings.Join(unknown, "、"), strings.Join(monitor.Risks, "、"))
		}
		risks = append(risks, got...)
	}
	reason := strings.Join(dedupe(risks), "、")
	switch e.Kind {
	case NoticeInclusion:
		c, ok := monitor.NormalizeCategory(e.Category)
		if !ok || c == "" {
			return bad("纳入监测须写监测对象类别（%s），当前为“%s”", strings.Join(monitor.Categories, "、"), e.Category)
		}
		return [3]string{c, reason, e.Kind}, nil
	case NoticeElimination:
		if e.Method != "帮扶消除" && e.Method != "自然消除" {
			return bad("风险消除须写消除方式（帮扶消除或自然消除），当前为“%s”", e.Method)
		}
		return [3]string{e.Method, reason, e.Kind}, nil
	}
	return bad("公示事项应为“%s”或“%s”，当前为“%s”", NoticeInclusion, NoticeElimination, e.Kind)
}

// noticeKinds says what the notice proposes.
func noticeKinds(entries []NoticeEntry) string {
	var in, out bool
	for _, e := range entries {
		in = in || e.Kind == NoticeInclusion
		out = out || e.Kind == NoticeElimination
	}
	switch {
	case in && out:
		return "纳入防止返贫监测或标注风险消除"
	case out:
		return "标注风险消除"
	}
	return "纳入防止返贫监测"
}

// blankDate is a date as a notice writes it, or blanks to fill by hand.
func blankDate(d monitor.Date) string {
	if d.IsZero() {
		return "　　　　年　　月　　日"
	}
	return cnDate(d)
}

// digitRun is the length of the longest run of digits in s (full-width
// digits count too).
func digitRun(s string) int {
	run, longest := 0, 0
	for _, r := range s {
		if (r >= '0' && r <= '9') || (r >= '０' && r <= '９') {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return longest
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	out := s[:0]
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
