package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/imports"
)

// Codes of the web layer beside the domain's.
const (
	codeUnauthorized = "unauthorized"
	codeTooMany      = "too_many_requests"
	codeTooLarge     = "file_too_large"
)

// webError is an error with its own HTTP status and code.
type webError struct {
	status  int
	code    string
	message string
}

func (e *webError) Error() string { return e.code + ": " + e.message }

var errMethod = &webError{http.StatusMethodNotAllowed, "method_not_allowed", "不支持此请求方法"}

// status maps an error to its HTTP status: one table for the whole app.
func status(err error) int {
	var we *webError
	if errors.As(err, &we) {
		return we.status
	}
	switch monitor.ErrorCode(err) {
	case monitor.EINVALID:
		return http.StatusBadRequest
	case monitor.ENOTFOUND:
		return http.StatusNotFound
	case monitor.EFORBIDDEN:
		return http.StatusForbidden
	case monitor.ECONFLICT:
		return http.StatusConflict
	}
	return http.StatusInternalServerError
}

// codeOf is the error's code for programs: a file-format code when there is
// one (zip_bomb, not_a_workbook, …), else the domain code.
func codeOf(err error) string {
	var we *webError
	if errors.As(err, &we) {
		return we.code
	}
	if c := imports.FormatCode(err); c != "" {
		return c
	}
	return monitor.ErrorCode(err)
}

func messageOf(err error) string {
	var we *webError
	if errors.As(err, &we) {
		return we.message
	}
	return monitor.ErrorMessage(err)
}

// fail is the one exit for errors: the status by code, JSON under /api/,
// a page elsewhere. Internal errors are logged and shown as an apology.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	st := status(err)
	if st >= 500 {
		s.log.Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if strings.HasPrefix(r.URL.Path, "/api/") {
		writeJSON(w, st, map[string]string{"error": messageOf(err), "code": codeOf(err)})
		return
	}
	s.render(w, r, st, "error", "出错了", struct {
		Status  int
		Message string
	}{st, messageOf(err)})
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, monitor.Errorf(monitor.ENOTFOUND, "页面不存在"))
}

// The body is encoded before the status is sent: a value that cannot be
// encoded (a NaN that slipped in) answers 500 with the apology, never 200
// with an empty body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		slog.Error("JSON 编码失败", "err", err)
		buf.Reset()
		status = http.StatusInternalServerError
		buf.WriteString(`{"code":"internal","error":"服务器内部错误，请稍后再试或联系管理员"}` + "\n")
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
