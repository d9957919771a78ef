package monitor

import "fmt"

// MarshalText writes the date as YYYY-MM-DD ("" when unknown), so JSON
// answers carry dates as people and programs read them, not as objects.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads YYYY-MM-DD; "" is the unknown date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	var y, m, day int
	if n, err := fmt.Sscanf(string(b), "%04d-%02d-%02d", &y, &m, &day); err != nil || n != 3 || len(b) != 10 {
		return Errorf(EINVALID, "日期 %q 格式不对，应为 YYYY-MM-DD，如 2023-01-15", b)
	}
	v, ok := NewDate(y, m, day)
	if !ok {
		return Errorf(EINVALID, "日期 %q 不存在", b)
	}
	*d = v
	return nil
}

// MarshalText writes the month as YYYYMM ("" when unknown), the form of
// the national exports.
func (ym YearMonth) MarshalText() ([]byte, error) { return []byte(ym.String()), nil }

// UnmarshalText reads YYYYMM; "" is the unknown month.
func (ym *YearMonth) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*ym = YearMonth{}
		return nil
	}
	v, ok := parseYYYYMM(string(b))
	if !ok {
		return Errorf(EINVALID, "年月 %q 格式不对，应为 YYYYMM，如 202301", b)
	}
	*ym = v
	return nil
}
