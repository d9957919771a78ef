package reports_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/reports"
)

const noticeSheet = "公示名单"

func noticeEntries() []reports.NoticeEntry {
	return []reports.NoticeEntry{
		{Kind: reports.NoticeInclusion, HeadName: "王德明", Group: "3组", Category: "脱贫不稳定", Risks: []string{"因病", "缺劳力"}},
		{Kind: reports.NoticeInclusion, HeadName: "刘成", Group: "1组", Category: monitor.CatEmergency, Risks: []string{"因灾"}},
		{Kind: reports.NoticeElimination, HeadName: "陈桂芳", Group: "5组", Method: "帮扶消除", Risks: []string{"因学"}},
	}
}

func TestNotice(t *testing.T) {
	m := meta()
	m.Place = "东城街道皂角井社区"
	var buf bytes.Buffer
	if err := reports.Notice(&buf, m, d(2023, 1, 5), d(2023, 1, 11), noticeEntries()); err != nil {
		t.Fatal(err)
	}
	f := open(t, buf.Bytes())
	want(t, f, noticeSheet, "A1", "东城街道皂角井社区防止返贫动态监测对象公示名单")
	want(t, f, noticeSheet, "A2", "公示期：2023年1月5日 至 2023年1月11日")
	if got := strings.Join(header(t, f, noticeSheet, 4), ","); got != "序号,户主姓名,组,公示事项,类别,原因/风险" {
		t.Errorf("header %s", got)
	}
	wantRow(t, f, noticeSheet, 5, "1", "王德明", "3组", "纳入监测", "脱贫不稳定户", "因病、缺劳动力")
	wantRow(t, f, noticeSheet, 6, "2", "刘成", "1组", "纳入监测", "突发严重困难户", "因自然灾害")
	wantRow(t, f, noticeSheet, 7, "3", "陈桂芳", "5组", "风险消除", "帮扶消除", "因学")
	want(t, f, noticeSheet, "A8", "监督电话：")
	if !strings.Contains(val(t, f, noticeSheet, "A3"), "纳入防止返贫监测或标注风险消除") {
		t.Errorf("preamble %q", val(t, f, noticeSheet, "A3"))
	}
	// Nothing on the notice looks like an ID number, phone or account.
	rows, _ := f.GetRows(noticeSheet)
	for _, r := range rows {
		for _, c := range r {
			run := 0
			for _, ch := range c {
				if ch >= '0' && ch <= '9' {
					run++
				} else {
					run = 0
				}
				if run >= 7 {
					t.Errorf("notice shows a long number: %q", c)
				}
			}
		}
	}

	t.Run("BlankPeriod", func(t *testing.T) {
		var buf bytes.Buffer
		if err := reports.Notice(&buf, m, monitor.Date{}, monitor.Date{}, noticeEntries()); err != nil {
			t.Fatal(err)
		}
		want(t, open(t, buf.Bytes()), noticeSheet, "A2", "公示期：　　　　年　　月　　日 至 　　　　年　　月　　日")
	})

	for name, tc := range map[string]struct {
		from, to monitor.Date
		edit     func(e *reports.NoticeEntry)
		msg      string
	}{
		"ErrHealthDetail": {edit: func(e *reports.NoticeEntry) { e.Risks = []string{"肺癌晚期化疗"} }, msg: "不是规定的风险类型"},
		"ErrIDInName":     {edit: func(e *reports.NoticeEntry) { e.HeadName = "王德明500119195703110012" }, msg: "身份证号"},
		"ErrPhoneInGroup": {edit: func(e *reports.NoticeEntry) { e.Group = "3组 13800000001" }, msg: "电话"},
		"ErrNoCategory":   {edit: func(e *reports.NoticeEntry) { e.Category = "" }, msg: "监测对象类别"},
		"ErrBadKind":      {edit: func(e *reports.NoticeEntry) { e.Kind = "其他" }, msg: "公示事项"},
		"ErrShortPeriod":  {from: d(2023, 1, 5), to: d(2023, 1, 8), msg: "不足5天"},
	} {
		t.Run(name, func(t *testing.T) {
			es := noticeEntries()
			if tc.edit != nil {
				tc.edit(&es[0])
			}
			if tc.from.IsZero() {
				tc.from, tc.to = d(2023, 1, 5), d(2023, 1, 11)
			}
			var buf bytes.Buffer
			err := reports.Notice(&buf, m, tc.from, tc.to, es)
			if monitor.ErrorCode(err) != monitor.EINVALID || !strings.Contains(monitor.ErrorMessage(err), tc.msg) {
				t.Fatalf("err = %v, want EINVALID mentioning %q", err, tc.msg)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes for a refused notice", buf.Len())
			}
		})
	}

	t.Run("ErrCSV", func(t *testing.T) {
		m := m
		m.Format = reports.CSV
		if err := reports.Notice(&bytes.Buffer{}, m, monitor.Date{}, monitor.Date{}, noticeEntries()); monitor.ErrorCode(err) != monitor.EINVALID {
			t.Fatalf("err = %v, want EINVALID", err)
		}
	})
}
