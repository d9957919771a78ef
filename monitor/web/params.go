package web

import (
	"fmt"
	"math"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/monitor/watch"
	"github.com/shouwang/shouwang/rules"
)

// The parameters page (规则 → 参数, administrators only; its routes are in
// routeRules): the monitoring-line table by region and year, the
// procedure's deadlines, the rules' thresholds and the interest-subsidy
// shares. Saving makes a new version and re-evaluates every household.

// paramField is one rule parameter on the form: the rules.Params field it
// sets, its label and a hint. A test makes sure every field of
// rules.Params is here, so none is lost on save.
type paramField struct {
	Name, Label, Hint string
}

var paramFields = []paramField{
	{"IncomeDropShare", "收入下降比例", "较上年下降超过此比例即预警，如 0.3 表示 30%"},
	{"MedicalShareOfNet", "合规自付支出占纯收入比例", "如 0.5 表示 50%"},
	{"MedicalLifted", "医保自付预警线（脱贫人口，元）", "部门推送的年度个人自付金额"},
	{"MedicalOther", "医保自付预警线（其他农户，元）", ""},
	{"MeasureGraceDays", "识别后落实措施的期限（天）", "超过此天数仍无措施即预警"},
	{"StableMonths", "风险消除前收入稳定月数（规则用）", ""},
	{"LoanCap", "小额信贷贴息上限（元）", "超过部分不贴息；超限预警"},
	{"LoanMaxMonths", "小额信贷最长期限（月）", ""},
	{"BorrowerMinAge", "借款人最低年龄", ""},
	{"BorrowerMaxAge", "借款人最高年龄", ""},
	{"MaturingDays", "到期提醒天数", "到期前此天数内预警"},
}

// paramValue is a parameter with its current value, for the form.
type paramValue struct {
	paramField
	Value string
}

type paramsPage struct {
	Version   int64
	Lines     []rules.Line
	Deadlines rules.Deadlines
	Params    []paramValue
	Subsidy   []subsidyRow
	Note      string
	Error     string
	Notice    string
}

// subsidyRow is one year's subsidy share shown as a percentage.
type subsidyRow struct {
	Year    int
	Percent string
}

func (s *Server) showParams(w http.ResponseWriter, r *http.Request) {
	in, err := s.rulesInForce(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := paramsPageOf(in.Config)
	p.Version, p.Notice = in.Version, notice(r)
	s.render(w, r, http.StatusOK, "params", "参数", p)
}

func paramsPageOf(cfg rules.Config) paramsPage {
	p := paramsPage{Lines: cfg.Lines, Deadlines: cfg.Deadlines}
	pv := reflect.ValueOf(cfg.Params)
	for _, f := range paramFields {
		p.Params = append(p.Params, paramValue{paramField: f, Value: fmt.Sprint(pv.FieldByName(f.Name).Interface())})
	}
	for _, sh := range cfg.Subsidy {
		p.Subsidy = append(p.Subsidy, subsidyRow{Year: sh.Year, Percent: strconv.FormatFloat(sh.Share*100, 'f', -1, 64)})
	}
	return p
}

// saveParams reads the form onto the parameters in force (a field the
// form lacks keeps its value), saves them as a new version and
// re-evaluates every household.
func (s *Server) saveParams(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := info(r).user
	if !s.checkCSRF(w, r) {
		return
	}
	in, err := s.rulesInForce(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cfg, err := paramsFromForm(r, in.Config)
	note := strings.TrimSpace(r.PostForm.Get("note"))
	var l *watch.Loaded
	if err == nil {
		l, err = watch.SaveConfig(ctx, s.db, cfg, u.Username, note)
	}
	if err != nil {
		if status(err) != http.StatusBadRequest {
			s.fail(w, r, err)
			return
		}
		p := paramsPageOf(cfg)
		p.Version, p.Note, p.Error = in.Version, note, "未保存："+messageOf(err)
		s.render(w, r, http.StatusBadRequest, "params", "参数", p)
		return
	}
	eval := s.reevaluateAll(r)
	s.audit(r, store.AuditEntry{Action: store.AuditParamsSave, Object: fmt.Sprintf("config:%d", l.Version), Detail: evalDetail("参数；"+note, eval)})
	redirect(w, r, doneURL("/rules/params", "params", eval))
}

// paramsFromForm reads the form over cfg. Line and subsidy rows with every
// cell empty are left out (how a row is removed without the script).
func paramsFromForm(r *http.Request, cfg rules.Config) (rules.Config, error) {
	pf := r.PostForm
	var bad []string
	num := func(v, label string) float64 {
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			bad = append(bad, fmt.Sprintf("%s“%s”不是数字", label, v))
			return 0
		}
		return f
	}
	whole := func(v, label string) int {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			bad = append(bad, fmt.Sprintf("%s“%s”不是整数", label, v))
		}
		return n
	}
	if _, ok := pf["line_year"]; ok {
		regions, years, yuans := pf["line_region"], pf["line_year"], pf["line_yuan"]
		if len(regions) != len(years) || len(years) != len(yuans) {
			return cfg, monitor.Errorf(monitor.EINVALID, "监测标准表的行不完整，请刷新页面后重填")
		}
		cfg.Lines = nil
		for i := range years {
			region, year, yuan := strings.TrimSpace(regions[i]), strings.TrimSpace(years[i]), strings.TrimSpace(yuans[i])
			if region == "" && year == "" && yuan == "" {
				continue
			}
			if strings.Trim(region, "0123456789") != "" {
				bad = append(bad, fmt.Sprintf("地区代码“%s”应为户编号开头的数字（如 50 或 500119），留空表示全部地区", region))
			}
			cfg.Lines = append(cfg.Lines, rules.Line{Region: region, Year: whole(year, "监测标准年度"), Yuan: num(yuan, "监测标准金额")})
		}
	}
	for _, d := range []struct {
		key, label string
		dst        *int
	}{
		{"identify_days", "识别办理时限（天）", &cfg.Deadlines.IdentifyDays},
		{"notice_days", "公示天数", &cfg.Deadlines.NoticeDays},
		{"stable_months", "风险消除前收入稳定月数", &cfg.Deadlines.StableMonths},
	} {
		if v, ok := pf[d.key]; ok {
			*d.dst = whole(v[0], d.label)
		}
	}
	pv := reflect.ValueOf(&cfg.Params).Elem()
	for _, f := range paramFields {
		v, ok := pf["param_"+f.Name]
		if !ok {
			continue
		}
		switch fv := pv.FieldByName(f.Name); fv.Kind() {
		case reflect.Float64:
			fv.SetFloat(num(v[0], f.Label))
		case reflect.Int:
			fv.SetInt(int64(whole(v[0], f.Label)))
		}
	}
	if _, ok := pf["subsidy_year"]; ok {
		years, pcts := pf["subsidy_year"], pf["subsidy_percent"]
		if len(years) != len(pcts) {
			return cfg, monitor.Errorf(monitor.EINVALID, "贴息比例表的行不完整，请刷新页面后重填")
		}
		cfg.Subsidy = nil
		for i := range years {
			year, pct := strings.TrimSpace(years[i]), strings.TrimSpace(pcts[i])
			if year == "" && pct == "" {
				continue
			}
			cfg.Subsidy = append(cfg.Subsidy, monitor.SubsidyShare{Year: whole(year, "贴息年度"), Share: num(strings.TrimSuffix(pct, "%"), "贴息比例") / 100})
		}
	}
	if len(bad) > 0 {
		return cfg, monitor.Errorf(monitor.EINVALID, "参数有误：%s", strings.Join(bad, "；"))
	}
	return cfg, nil
}
