package monitor

import (
	"strings"
	"unicode"
)

// NormalizeText folds what the field types into one form: full-width ASCII
// (digits, letters, brackets) to half-width, ideographic and no-break spaces
// to ordinary spaces, and trims the ends. Chinese characters are untouched.
func NormalizeText(s string) string {
	if isPlainASCII(s) || !needsFolding(s) {
		return strings.TrimSpace(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r >= '！' && r <= '～':
			r = r - '！' + '!'
		case r == '\u3000' || r == '\u00a0' || r == '\u2002' || r == '\u2003' || r == '\u200b' || r == '\ufeff':
			r = ' '
		case r == '（':
			r = '('
		case r == '）':
			r = ')'
		}
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String())
}

// needsFolding reports whether s holds a rune NormalizeText changes; most
// Chinese cells hold none and are returned as they are, unallocated.
func needsFolding(s string) bool {
	for _, r := range s {
		if (r >= '！' && r <= '～') || r == '\u3000' || r == '\u00a0' || r == '\u2002' || r == '\u2003' ||
			r == '\u200b' || r == '\ufeff' || r == '（' || r == '）' {
			return true
		}
	}
	return false
}

func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// CompactText is NormalizeText with every space and line break removed; used
// to compare header cells and enumeration values.
func CompactText(s string) string {
	s = NormalizeText(s)
	if strings.IndexFunc(s, unicode.IsSpace) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}
