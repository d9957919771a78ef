package web

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/monitor/watch"
	"github.com/shouwang/shouwang/reports"
)

// routeReports adds 报表: the page listing every report, its downloads
// (and the summary filled into an uploaded template) for signed-in users,
// and the same downloads on the API for bearer tokens. Each is kept to the
// user's place.
func (s *Server) routeReports(r chi.Router) {
	r.Group(func(r chi.Router) {
		r.Use(s.requireSession, s.requirePasswordChanged)
		r.Get("/reports", s.showReports)
		r.Get("/reports/{file}", s.downloadReport)
		r.Post("/reports/{file}", s.fillSummaryTemplate)
	})
	r.With(s.requireToken).Get("/api/v1/reports/{file}", s.downloadReport)
}

func init() {
	funcs["reportForm"] = func(page view, r reportInfo) reportForm { return reportForm{page, r} }
}

// reportForm is what the filters of one report's form see.
type reportForm struct {
	Page   view
	Report reportInfo
}

// reportInfo is one report as the page offers it.
type reportInfo struct {
	Name, Title, About string
	Flat               bool // also as CSV
	HasIDs             bool // shows ID numbers (masked unless asked)
	All                string
}

var reportList = []reportInfo{
	{"roster", "监测对象花名册", "监测对象及其家庭成员：户类型、类别、风险、识别时间、人均纯收入、风险消除情况、帮扶责任人", true, true, "列出全部农户（不只监测对象）"},
	{"flags", "风险预警清单", "待核实的风险预警：规则、风险类型、说明、首次和最近发现日期、案件状态", true, false, "含已关闭的预警"},
	{"notice", "公示名单", "本村拟纳入监测或拟标注风险消除的农户（不含身份证号、电话、病情），供村内公示", false, false, ""},
	{"measures", "帮扶措施台账", "每户的帮扶措施（类别、时间、金额、责任人），另附各村帮扶措施落实率", true, true, ""},
	{"loans", "小额信贷台账", "台账全部贷款：余额、逾期天数和档次、当年应贴息；另附逾期清单", true, true, ""},
	{"summary", "统计汇总表", "按乡镇、村统计：农户和人口、监测对象分类、风险、消除情况、预警、措施落实率、小额信贷，附图表", false, false, ""},
	{"yearly", "年度工作统计", "本年度工作成效的标准表述，如“发放扶贫小额信贷46户230万元”", false, false, ""},
}

func findReportInfo(name string) (reportInfo, bool) {
	for _, k := range reportList {
		if k.Name == name {
			return k, true
		}
	}
	return reportInfo{}, false
}

type reportsPage struct {
	Reports   []reportInfo
	Villages  []store.VillageCount
	Townships []string
	Year      int
	AsOf      string
	CanUnmask bool
	MaxMB     int64
}

// showReports is the 报表 page: every report with its filters.
func (s *Server) showReports(w http.ResponseWriter, r *http.Request) {
	u := info(r).user
	vs, err := s.db.VillagesIn(r.Context(), u.Scope())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := reportsPage{Reports: reportList, Villages: vs, Year: s.today().Year, AsOf: s.today().String(),
		CanUnmask: u.SeesFullIDs(), MaxMB: s.cfg.MaxUploadBytes >> 20}
	for _, v := range vs {
		if n := len(p.Townships); n == 0 || p.Townships[n-1] != v.Township {
			p.Townships = append(p.Townships, v.Township)
		}
	}
	s.render(w, r, http.StatusOK, "reports", "报表", p)
}

// reportRequest is a report asked for: which, in what format, for where.
type reportRequest struct {
	kind   reportInfo
	format reports.Format
	ext    string
	f      store.ReportFilter
	meta   reports.Meta
}

// errNoReport is the answer for a report name or format that is not there.
var errNoReport = monitor.Errorf(monitor.ENOTFOUND, "报表不存在：可用 roster、flags、notice、measures、loans、summary、yearly，格式 .xlsx（或 .csv）")

// parseReport reads the report from the path ({name}.xlsx or {name}.csv)
// and its filters from the form: year, as_of, township, village, all,
// unmask. A place outside the user's scope is ENOTFOUND, as if absent;
// unmask is for users who may see full ID numbers.
func (s *Server) parseReport(r *http.Request, get func(string) string) (*reportRequest, error) {
	name, ext, _ := strings.Cut(chi.URLParam(r, "file"), ".")
	kind, ok := findReportInfo(name)
	if !ok {
		return nil, errNoReport
	}
	rq := &reportRequest{kind: kind, ext: ext}
	switch {
	case ext == "xlsx":
	case ext == "csv" && kind.Flat:
		rq.format = reports.CSV
	case ext == "csv":
		return nil, monitor.Errorf(monitor.EINVALID, "%s只能下载为 Excel 工作簿（.xlsx）", kind.Title)
	default:
		return nil, errNoReport
	}
	u := info(r).user
	f := &rq.f
	f.Township, f.Village = strings.TrimSpace(get("township")), strings.TrimSpace(get("village"))
	f.All = checked(get("all"))
	var err error
	if f.AsOf, err = formDate(get("as_of"), "数据截至日期"); err != nil {
		return nil, err
	}
	if f.AsOf.IsZero() {
		f.AsOf = s.today()
	}
	f.Year = f.AsOf.Year
	if v := strings.TrimSpace(get("year")); v != "" {
		if f.Year, err = strconv.Atoi(v); err != nil || f.Year < 2000 || f.Year > 2100 {
			return nil, monitor.Errorf(monitor.EINVALID, "统计年度 %q 无效，应为 2000–2100 的年份", v)
		}
	}
	unmask := checked(get("unmask"))
	if unmask && !u.SeesFullIDs() {
		return nil, monitor.Errorf(monitor.EFORBIDDEN, "您的账号（%s）不能导出完整身份证号，请去掉“显示完整身份证号”", u.RoleName())
	}
	place, err := s.db.ReportPlace(r.Context(), u.Scope(), f)
	if err != nil {
		return nil, err
	}
	rq.meta = reports.Meta{Place: place, AsOf: f.AsOf, Year: f.Year, GeneratedBy: u.Name(), Unmask: unmask && kind.HasIDs, Format: rq.format}
	return rq, nil
}

func checked(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "on", "yes":
		return true
	}
	return false
}

// downloadReport streams a report to the browser or the API caller. An
// error before the first byte is an ordinary error page (or JSON); after
// it the connection is cut, so no truncated file looks complete.
func (s *Server) downloadReport(w http.ResponseWriter, r *http.Request) {
	rq, err := s.parseReport(r, r.URL.Query().Get)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.auditUnmasked(r, rq)
	s.stream(w, r, rq, func(out io.Writer) error { return s.writeReport(r.Context(), info(r).user.Scope(), rq, out) })
}

// fillSummaryTemplate fills an uploaded form with the summary's figures.
func (s *Server) fillSummaryTemplate(w http.ResponseWriter, r *http.Request) {
	if chi.URLParam(r, "file") != "summary.xlsx" {
		s.fail(w, r, errNoReport)
		return
	}
	dir, err := os.MkdirTemp(s.cfg.UploadDir, "template-")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "template.xlsx")
	_, fields, _, err := s.receiveFile(w, r, path)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !s.validCSRF(w, r, fields["csrf"]) {
		return
	}
	rq, err := s.parseReport(r, func(k string) string { return fields[k] })
	if err != nil {
		s.fail(w, r, err)
		return
	}
	stats, err := s.db.ReportStats(r.Context(), info(r).user.Scope(), rq.f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t, err := os.Open(path)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer t.Close()
	s.stream(w, r, rq, func(out io.Writer) error {
		warnings, err := reports.FillTemplate(out, t, rq.meta, stats)
		if len(warnings) > 0 {
			s.log.Info("统计汇总表模板", "warnings", strings.Join(warnings, "；"))
		}
		return err
	})
}

// writeReport writes the report of rq for scope to out.
func (s *Server) writeReport(ctx context.Context, scope store.Scope, rq *reportRequest, out io.Writer) error {
	f, m := rq.f, rq.meta
	switch rq.kind.Name {
	case "roster":
		return reports.Roster(out, m, s.db.RosterRows(ctx, scope, f))
	case "flags":
		return reports.Flags(out, m, s.db.FlagRows(ctx, scope, f))
	case "notice":
		es, err := s.db.NoticeEntries(ctx, scope, f)
		if err != nil {
			return err
		}
		return reports.Notice(out, m, monitor.Date{}, monitor.Date{}, es)
	case "measures":
		st, err := s.db.ReportStats(ctx, scope, f)
		if err != nil {
			return err
		}
		return reports.Measures(out, m, s.db.MeasureRows(ctx, scope, f), st.Coverage())
	case "loans":
		in, err := watch.InForce(ctx, s.db)
		if err != nil {
			return err
		}
		f.Subsidy = in.Config.Subsidy
		return reports.Loans(out, m, s.db.LoanRows(ctx, scope, f))
	case "summary":
		st, err := s.db.ReportStats(ctx, scope, f)
		if err != nil {
			return err
		}
		return reports.Summary(out, m, st)
	case "yearly":
		y, err := s.db.YearFigures(ctx, scope, f)
		if err != nil {
			return err
		}
		return reports.Yearly(out, m, y)
	}
	return errNoReport
}

// auditUnmasked records a download with full ID numbers.
func (s *Server) auditUnmasked(r *http.Request, rq *reportRequest) {
	if !rq.meta.Unmask {
		return
	}
	via := "网页"
	if info(r).api {
		via = "API"
	}
	s.audit(r, store.AuditEntry{Action: store.AuditRevealIDs, Object: "report:" + rq.kind.Name,
		Detail: fmt.Sprintf("%s导出%s%s（截至 %s，%d 年度，%s），含完整身份证号", via, rq.meta.Place, rq.kind.Title, rq.f.AsOf, rq.f.Year, rq.ext)})
}

// stream runs write into the response. The headers go out with the first
// bytes, which are held back up to 64 KB: an error before then (a failed
// query, a refused template) becomes an ordinary error answer.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, rq *reportRequest, write func(io.Writer) error) {
	lw := &lazyWriter{w: w, header: func(h http.Header) {
		ctype := "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		if rq.format == reports.CSV {
			ctype = "text/csv; charset=utf-8"
		}
		h.Set("Content-Type", ctype)
		h.Set("Content-Disposition", attachment(rq.kind.Name+"-"+rq.f.AsOf.String()+"."+rq.ext,
			rq.meta.Place+rq.kind.Title+"（"+rq.f.AsOf.String()+"）."+rq.ext))
		h.Set("Cache-Control", "no-store")
	}}
	bw := bufio.NewWriterSize(lw, 64<<10)
	err := write(bw)
	if err == nil {
		err = bw.Flush()
	}
	switch {
	case err == nil:
	case !lw.started:
		s.fail(w, r, err)
	default:
		if !errors.Is(err, context.Canceled) {
			s.log.Error("报表写到一半失败，已中断下载", "report", rq.kind.Name, "err", err)
		}
		panic(http.ErrAbortHandler)
	}
}

// lazyWriter sets the response headers on the first write.
type lazyWriter struct {
	w       http.ResponseWriter
	header  func(http.Header)
	started bool
}

func (l *lazyWriter) Write(p []byte) (int, error) {
	if !l.started {
		l.started = true
		l.header(l.w.Header())
		l.w.WriteHeader(http.StatusOK)
	}
	return l.w.Write(p)
}

// attachment is a Content-Disposition naming the file in ASCII for old
// clients and in UTF-8 (RFC 5987/6266) for the others.
func attachment(ascii, name string) string {
	var b strings.Builder
	for _, c := range []byte(name) {
		if isAttrChar(c) {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return `attachment; filename="` + ascii + `"; filename*=UTF-8''` + b.String()
}

// isAttrChar reports whether c may stand unescaped in an RFC 5987 value.
func isAttrChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$&+-.^_`|~", c) >= 0
}
