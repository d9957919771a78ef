package web

import (
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
)

// routeAudit adds 审计 (administrators only): who viewed and who changed
// what, filtered by user, action and date.
func (s *Server) routeAudit(r chi.Router) {
	r.With(s.requireRoles(store.RoleAdmin)).Get("/audit", s.listAudit)
}

// auditActionNames names the audit actions in Chinese.
var auditActionNames = map[string]string{
	store.AuditLogin: "登录", store.AuditLoginFailed: "登录失败", store.AuditLogout: "退出", store.AuditPasswordChange: "修改密码",
	store.AuditViewHousehold: "查看农户", store.AuditRevealIDs: "查看完整身份证号", store.AuditImport: "导入",
	store.AuditUserAdd: "添加用户", store.AuditUserPasswd: "重置密码", store.AuditUserDisable: "停用用户", store.AuditUserEnable: "启用用户",
	store.AuditTokenCreate: "创建 API 令牌",
	store.AuditCaseOpen:    "开启案件", store.AuditCaseStep: "记录案件步骤", store.AuditCaseCancel: "撤销案件",
	store.AuditMeasureAdd: "新增帮扶措施", store.AuditMeasureEdit: "修改帮扶措施", store.AuditMeasureEnd: "结束帮扶措施",
	store.AuditCadreSet: "设置帮扶责任人", store.AuditLoanAdd: "新增贷款", store.AuditLoanRepayment: "记录还款",
	store.AuditLoanExtend: "贷款展期", store.AuditLoanSettle: "贷款结清", store.AuditLeadStatus: "处理线索",
	store.AuditRulesSave: "保存规则", store.AuditParamsSave: "保存参数",
}

// auditActions lists the actions in the order the filter offers them.
var auditActions = []string{
	store.AuditViewHousehold, store.AuditRevealIDs, store.AuditImport, store.AuditCaseOpen, store.AuditCaseStep, store.AuditCaseCancel,
	store.AuditMeasureAdd, store.AuditMeasureEdit, store.AuditMeasureEnd, store.AuditCadreSet, store.AuditLoanAdd, store.AuditLoanRepayment,
	store.AuditLoanExtend, store.AuditLoanSettle, store.AuditLeadStatus, store.AuditRulesSave, store.AuditParamsSave,
	store.AuditLogin, store.AuditLoginFailed, store.AuditLogout, store.AuditPasswordChange,
	store.AuditUserAdd, store.AuditUserPasswd, store.AuditUserDisable, store.AuditUserEnable, store.AuditTokenCreate,
}

type auditPage struct {
	User, Action, From, To string
	Items                  []store.AuditEntry
	Pager                  pager
	Users                  []store.User
	Actions                []string
}

const auditPerPage = 100

// listAudit lists the audit log, newest first. The dates are calendar days
// of the server's time zone, both included.
func (s *Server) listAudit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	p := auditPage{User: q.Get("user"), Action: q.Get("action"), From: q.Get("from"), To: q.Get("to"), Actions: auditActions}
	f := store.AuditFilter{Username: p.User, Action: p.Action, Object: q.Get("object"), Limit: auditPerPage}
	from, err := formDate(p.From, "开始日期")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	to, err := formDate(p.To, "结束日期")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !from.IsZero() {
		f.Since = localMidnight(from)
	}
	if !to.IsZero() {
		f.Until = localMidnight(to.AddDays(1))
	}
	page := pageParam(r)
	f.Offset = (page - 1) * auditPerPage
	items, total, err := s.db.FindAudit(ctx, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Items, p.Pager = items, newPager(page, auditPerPage, total)
	if p.Users, err = s.db.FindUsers(ctx); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "audit", "审计", p)
}

func localMidnight(d monitor.Date) time.Time {
	return time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.Local)
}
