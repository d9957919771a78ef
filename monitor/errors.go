// Package monitor holds Shouwang's domain: households, members, places and
// incomes, the value types they are made of (money in fen, civil dates, ID
// numbers) and the one error type every layer returns. It imports only the
// standard library.
package monitor

import (
	"errors"
	"fmt"
)

// Error codes shared by every layer; web maps them to HTTP statuses.
const (
	ECONFLICT  = "conflict"
	EINTERNAL  = "internal"
	EINVALID   = "invalid"
	ENOTFOUND  = "not_found"
	EFORBIDDEN = "forbidden"
)

// Error is the domain error: a code for programs and a message for people
// (in Chinese where a user reads it).
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// Errorf builds an *Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err; internal errors get a
// short apology instead of their text, which may hold SQL or paths.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "系统内部错误，请稍后重试或联系管理员。"
}
