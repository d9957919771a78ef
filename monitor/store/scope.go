package store

import (
	"strings"

	"github.com/shouwang/shouwang/monitor"
)

// Scope is the part of the registry a user may see and change: everything,
// one township (乡镇/街道), or one village (村/社区) of a township. Every
// list and find method takes one, so scoping lives here and not in the
// handlers. The zero Scope sees nothing: a caller that forgets to set it
// fails closed.
type Scope struct {
	All      bool
	Township string
	Village  string // set only together with Township
}

// Everywhere is the scope of county and admin users and of the command line.
var Everywhere = Scope{All: true}

// Contains reports whether a household of township and village is in s.
func (s Scope) Contains(township, village string) bool {
	switch {
	case s.All:
		return true
	case s.Township == "":
		return false
	case s.Village == "":
		return township == s.Township
	}
	return township == s.Township && village == s.Village
}

// Covers reports whether everything in o is in s.
func (s Scope) Covers(o Scope) bool {
	switch {
	case s.All:
		return true
	case o.All, o.Township == "":
		return false
	}
	return s.Contains(o.Township, o.Village) && (s.Village == "" || o.Village != "")
}

// String names the scope in Chinese, for pages and messages.
func (s Scope) String() string {
	switch {
	case s.All:
		return "全部乡镇"
	case s.Township == "":
		return "无"
	case s.Village == "":
		return s.Township
	}
	return s.Township + "/" + s.Village
}

// where returns the SQL condition that keeps the households (aliased by
// prefix, e.g. "h.") of s, and its arguments.
func (s Scope) where(prefix string) (string, []any) {
	switch {
	case s.All:
		return "1 = 1", nil
	case s.Township == "":
		return "1 = 0", nil
	case s.Village == "":
		return prefix + "township = ?", []any{s.Township}
	}
	return prefix + "township = ? AND " + prefix + "village = ?", []any{s.Township, s.Village}
}

// ScopeOf returns the scope of a role bound to the place at path: county
// and admin see everything; a township user the township of the path; a
// village user its village. A path too short for the role gives the zero
// scope (nothing).
func ScopeOf(role, path string) Scope {
	switch role {
	case RoleCounty, RoleAdmin:
		return Everywhere
	}
	names := SplitPlacePath(path)
	if len(names) >= 4 { // a county leads
		names = names[1:]
	}
	switch {
	case role == RoleTownship && len(names) >= 1:
		return Scope{Township: names[0]}
	case role == RoleVillage && len(names) >= 2:
		return Scope{Township: names[0], Village: names[1]}
	}
	return Scope{}
}

// scopeNotFound is the error for a household outside the caller's scope:
// the same as for one that does not exist, so existence is not revealed.
func scopeNotFound(code string) error {
	return monitor.Errorf(monitor.ENOTFOUND, "户编号 %s 不存在", strings.TrimSpace(code))
}
