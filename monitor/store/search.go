package store

import (
	"strings"
	"unicode/utf8"
)

// minIDTail is the fewest last digits of an ID number a search matches on:
// fewer would find a thousandth of the registry or more.
const minIDTail = 4

// searchCondition is the condition of FindHouseholds for what people type to
// find a household: its 户编号; the beginning of its head's or a member's
// name (a surname, a full name); or the last digits, at least four, of a
// member's ID number. Each of these is an indexed lookup (migration 0007),
// and they are joined by UNION, not OR, so that none of them turns the
// search into a scan of the registry.
func (db *DB) searchCondition(q string) (string, []any) {
	arms := []string{"SELECT id FROM households WHERE code = ?"}
	args := []any{q}
	if tail := strings.ToUpper(q); isIDTail(tail) {
		if len(tail) >= minIDTail {
			arms = append(arms, "SELECT household_id FROM members WHERE substr(id_number, length(id_number) - 3) = ? AND id_number LIKE ?")
			args = append(args, tail[len(tail)-4:], "%"+tail)
		}
	} else if name := likeLiteral(q); name != "" {
		for _, t := range []struct{ col, sel string }{{"head_name", "SELECT id FROM households"}, {"name", "SELECT household_id FROM members"}} {
			cond, cargs := prefixMatch[db.Dialect](t.col, name)
			arms = append(arms, t.sel+" WHERE "+cond)
			args = append(args, cargs...)
		}
	}
	return "id IN (" + strings.Join(arms, " UNION ") + ")", args
}

// isIDTail reports whether s could be the end of an ID number: digits, the
// last one possibly the check character X.
func isIDTail(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && !(c == 'X' && i == len(s)-1) {
			return false
		}
	}
	return s != ""
}

// likeLiteral drops the characters LIKE treats specially (no name has
// them), so that the text matches itself on both engines.
func likeLiteral(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '%' || r == '_' || r == '\\' {
			return -1
		}
		return r
	}, s)
}

// prefixMatch is "col begins with p", as each engine finds it in an index:
// PostgreSQL turns a LIKE prefix into a range of a text_pattern_ops index
// whatever the collation; SQLite does that only for ASCII with a NOCASE
// index, so it gets the range itself, on a binary index (byte order is
// code point order in UTF-8: every text beginning with p lies between p
// and p with its last character incremented).
var prefixMatch = map[string]func(col, p string) (string, []any){
	Postgres: func(col, p string) (string, []any) { return col + " LIKE ?", []any{p + "%"} },
	SQLite: func(col, p string) (string, []any) {
		r, n := utf8.DecodeLastRuneInString(p)
		next := r + 1
		if next >= 0xD800 && next < 0xE000 { // no surrogates in UTF-8
			next = 0xE000
		}
		if r == utf8.RuneError || next > utf8.MaxRune {
			return col + " >= ? AND " + col + " LIKE ?", []any{p, p + "%"}
		}
		return col + " >= ? AND " + col + " < ?", []any{p, p[:len(p)-n] + string(next)}
	},
}
