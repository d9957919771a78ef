package web

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"github.com/shouwang/shouwang/importer"
	"github.com/shouwang/shouwang/importer/sheet"
	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/imports"
	"github.com/shouwang/shouwang/monitor/store"
)

// importsPage is the upload form and the history.
type importsPage struct {
	History  []store.ImportRecord
	Error    string
	MaxMB    int64
	Kinds    map[string]string
	AllKinds bool // department lists too (county and admin)
}

func (s *Server) showImports(w http.ResponseWriter, r *http.Request) {
	s.renderImports(w, r, http.StatusOK, "")
}

func (s *Server) renderImports(w http.ResponseWriter, r *http.Request, status int, msg string) {
	u := info(r).user
	hist, err := s.db.FindImports(r.Context(), u.Scope(), 30)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, "imports", "导入", importsPage{History: hist, Error: msg, MaxMB: s.cfg.MaxUploadBytes >> 20,
		Kinds: importer.DeptKinds, AllKinds: u.Scope().All})
}

// uploadWorkbook receives a file, keeps it, and runs the dry run: nothing
// is written until the user looks at the result and commits.
func (s *Server) uploadWorkbook(w http.ResponseWriter, r *http.Request) {
	u := info(r).user
	up, err := s.uploads.create(u.ID, s.cfg.Now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	keep := false
	defer func() {
		if !keep {
			s.uploads.remove(up.ID)
		}
	}()
	name, fields, size, err := s.receiveFile(w, r, s.uploads.path(up.ID, uploadFile))
	if err != nil {
		if status(err) >= 500 {
			s.fail(w, r, err)
			return
		}
		s.renderImports(w, r, status(err), messageOf(err))
		return
	}
	if !s.validCSRF(w, r, fields["csrf"]) {
		return
	}
	kind := fields["kind"]
	if kind != "" && !knownKind(kind) {
		s.renderImports(w, r, http.StatusBadRequest, fmt.Sprintf("文件类型 %q 无效", kind))
		return
	}
	up.FileName, up.Size = name, size
	rep, err := imports.Run(r.Context(), s.db, s.importRequest(r, up, kind, store.ImportOptions{DryRun: true}))
	if err != nil {
		if status(err) >= 500 {
			s.fail(w, r, err)
			return
		}
		s.renderImports(w, r, status(err), name+"："+messageOf(err))
		return
	}
	up.DryRun = rep
	if err := s.uploads.save(up); err != nil {
		s.fail(w, r, err)
		return
	}
	keep = true
	redirect(w, r, "/uploads/"+up.ID)
}

func knownKind(k string) bool {
	_, dept := importer.DeptKinds[k]
	return k == monitor.KindHouseholds || dept
}

// importRequest is the import of an upload on behalf of the request's user.
func (s *Server) importRequest(r *http.Request, up *upload, kind string, opt store.ImportOptions) imports.Request {
	u := info(r).user
	opt.Actor = u.Username
	return imports.Request{Path: s.uploads.path(up.ID, uploadFile), Name: up.FileName, Kind: kind, Options: opt,
		Scope: u.Scope(), Today: s.today(), Limits: sheet.Limits{MaxFileBytes: s.cfg.MaxUploadBytes}}
}

// receiveFile streams the multipart field "file" into dst, at most
// MaxUploadBytes, and returns its name, size and the other (small) fields.
func (s *Server) receiveFile(w http.ResponseWriter, r *http.Request, dst string) (name string, fields map[string]string, size int64, err error) {
	max := s.cfg.MaxUploadBytes
	tooLarge := &webError{http.StatusRequestEntityTooLarge, codeTooLarge, fmt.Sprintf(
		"文件超过上传上限 %d MB，未上传。请删除不需要的工作表、图片和多余的空行空列，或把数据拆分成几个文件后分别上传。", max>>20)}
	if r.ContentLength > max+formLimit {
		return "", nil, 0, tooLarge
	}
	r.Body = http.MaxBytesReader(w, r.Body, max+formLimit)
	mr, err := r.MultipartReader()
	if err != nil {
		return "", nil, 0, monitor.Errorf(monitor.EINVALID, "请通过上传表单提交文件（multipart/form-data，文件字段名 file）")
	}
	fields = map[string]string{}
	seen := false
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", nil, 0, uploadError(err, tooLarge)
		}
		if part.FormName() != "file" {
			b, err := io.ReadAll(io.LimitReader(part, 1024))
			if err != nil {
				return "", nil, 0, uploadError(err, tooLarge)
			}
			fields[part.FormName()] = string(b)
			continue
		}
		if seen {
			return "", nil, 0, monitor.Errorf(monitor.EINVALID, "一次只能上传一个文件")
		}
		seen = true
		name = cleanFileName(part.FileName())
		f, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err != nil {
			return "", nil, 0, err
		}
		size, err = io.Copy(f, io.LimitReader(part, max+1))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return "", nil, 0, uploadError(err, tooLarge)
		}
		if size > max {
			return "", nil, 0, tooLarge
		}
	}
	if !seen || (size == 0 && name == "") {
		return "", nil, 0, monitor.Errorf(monitor.EINVALID, "请选择要上传的文件（.xlsx、.xlsm 或 .csv）")
	}
	return name, fields, size, nil
}

func uploadError(err, tooLarge error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return tooLarge
	}
	return monitor.Errorf(monitor.EINVALID, "文件没有完整上传（%v），请重新上传", err)
}

// cleanFileName keeps the base name a browser sent, without paths or
// control characters, at most 120 characters.
func cleanFileName(n string) string {
	n = strings.ReplaceAll(n, "\\", "/")
	n = filepath.Base("/" + n)
	n = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, n)
	if n == "/" || n == "." {
		n = ""
	}
	for utf8.RuneCountInString(n) > 120 {
		_, sz := utf8.DecodeLastRuneInString(n)
		n = n[:len(n)-sz]
	}
	if n == "" {
		n = "上传文件"
	}
	return n
}

// uploadPage shows a dry run and, once committed, the result.
type uploadPage struct {
	Upload    *upload
	Report    *monitor.ImportReport
	Committed bool
	Refused   bool // an all-or-nothing commit that wrote nothing
	Errors    []monitor.Issue
	Shown     int // errors shown (the table stops at maxShown)
	KindName  string
	ErrorBook bool
	Valid     int // households that would be written
}

const maxShown = 2000

func (s *Server) showUpload(w http.ResponseWriter, r *http.Request) {
	up, err := s.uploads.load(chi.URLParam(r, "id"), info(r).user.ID, s.cfg.Now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := uploadPage{Upload: up, Report: up.DryRun}
	if up.Result != nil {
		p.Report = up.Result
		p.Committed = up.Result.Committed
		p.Refused = !up.Result.Committed
	}
	rep := p.Report
	p.Errors = rep.Errors
	if len(p.Errors) > maxShown {
		p.Errors = p.Errors[:maxShown]
	}
	p.Shown = len(p.Errors)
	p.KindName = "农户花名册"
	if n, ok := importer.DeptKinds[rep.Kind]; ok {
		p.KindName = "部门名单：" + n
	}
	p.ErrorBook = rep.Kind == monitor.KindHouseholds && len(rep.Errors)+len(rep.Warnings) > 0
	p.Valid = rep.Households.InFile - rep.Households.Rejected
	s.render(w, r, http.StatusOK, "upload", "导入结果", p)
}

// importEvalWait bounds how long a committed upload waits for an
// evaluation already running before its own: the page waits that long at
// most, and the households it changed are marked for the next evaluation.
// A variable for tests.
var importEvalWait = 30 * time.Second

// commitUpload writes an upload the user has seen the dry run of, in the
// mode they chose: all (全部正确才导入) or skip (跳过有错误的户).
func (s *Server) commitUpload(w http.ResponseWriter, r *http.Request) {
	if !s.checkCSRF(w, r) {
		return
	}
	u := info(r).user
	mode := r.PostForm.Get("mode")
	if mode != "all" && mode != "skip" {
		s.fail(w, r, monitor.Errorf(monitor.EINVALID, "请选择导入方式：全部正确才导入，或跳过有错误的户"))
		return
	}
	s.uploads.mu.Lock()
	defer s.uploads.mu.Unlock()
	up, err := s.uploads.load(chi.URLParam(r, "id"), u.ID, s.cfg.Now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if up.Result != nil && up.Result.Committed {
		redirect(w, r, "/uploads/"+up.ID) // already written: a second click changes nothing
		return
	}
	rep, err := imports.Run(r.Context(), s.db, s.importRequest(r, up, up.DryRun.Kind, store.ImportOptions{SkipInvalid: mode == "skip"}))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if rep.Committed {
		if err := imports.FollowUp(r.Context(), s.db, rep, monitor.Date{}, importEvalWait); err != nil {
			s.log.Warn("导入后重新评估未完成，所涉农户留待下次评估", "import", rep.ImportID, "err", err)
		}
		s.audit(r, store.AuditEntry{Action: store.AuditImport, Object: fmt.Sprintf("import:%d", rep.ImportID), Detail: importDetail(rep)})
	}
	up.Result = rep
	os.Remove(s.uploads.path(up.ID, uploadErrBook)) // stale: it said 已通过校验, now 已导入
	if err := s.uploads.save(up); err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/uploads/"+up.ID)
}

func importDetail(rep *monitor.ImportReport) string {
	h := rep.Households
	return fmt.Sprintf("%s（%s）：文件中 %d 户，新增 %d，更新 %d，未变化 %d，拒绝 %d", rep.File, rep.Kind, h.InFile, h.Created, h.Updated, h.Unchanged, h.Rejected)
}

// downloadErrorWorkbook sends the user's own workbook with every error
// marked. It is made when first asked for, by a fresh dry run, so it
// matches the registry as it is now.
func (s *Server) downloadErrorWorkbook(w http.ResponseWriter, r *http.Request) {
	up, err := s.uploads.load(chi.URLParam(r, "id"), info(r).user.ID, s.cfg.Now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if up.DryRun.Kind != monitor.KindHouseholds {
		s.fail(w, r, monitor.Errorf(monitor.ENOTFOUND, "只有农户花名册有错误标注工作簿"))
		return
	}
	path := s.uploads.path(up.ID, uploadErrBook)
	if _, err := os.Stat(path); err != nil {
		req := s.importRequest(r, up, monitor.KindHouseholds, store.ImportOptions{DryRun: true})
		req.ErrorsOut = path
		if _, err := imports.Households(r.Context(), s.db, req); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	f, err := os.Open(path)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer f.Close()
	base := strings.TrimSuffix(up.FileName, filepath.Ext(up.FileName))
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": base + "-错误标注.xlsx"}))
	w.Header().Set("Cache-Control", "no-store")
	io.Copy(w, f)
}
