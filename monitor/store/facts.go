package store

import (
	"encoding/binary"
	"errors"
	"strings"

	"github.com/shouwang/shouwang/monitor"
)

// A facts row holds what evaluation reads of one household — its own
// columns, its members and its incomes — in one compact value, so that a
// batch of 2,000 households is 2,000 rows of four columns instead of some
// 11,000 rows of a dozen: reading a column through the SQLite driver
// costs a locked call into the engine, and members were most of the time
// of a full evaluation.
//
// The row is derived, never edited: evaluation builds it from the tables
// (loadBatch) for a household whose row is missing or older than the
// household (households.rev, raised by every write of its fields, members
// or incomes), and uses it while the revs agree.

// factsVersion is the first byte of every facts value; a value of another
// version (written by an older or newer build) is rebuilt, never misread.
const factsVersion = 1

// encodeFacts appends the facts of h (as loadBatch loads it) to buf.
func encodeFacts(buf []byte, h *monitor.Household) []byte {
	buf = append(buf, factsVersion)
	str := func(s string) {
		buf = binary.AppendUvarint(buf, uint64(len(s)))
		buf = append(buf, s...)
	}
	num := func(v int64) { buf = binary.AppendVarint(buf, v) }
	date := func(d monitor.Date) { num(int64(d.Year)); num(int64(d.Month)); num(int64(d.Day)) }
	bits := func(bs ...bool) {
		var b byte
		for i, x := range bs {
			if x {
				b |= 1 << i
			}
		}
		buf = append(buf, b)
	}
	str(h.Code)
	str(h.Township)
	str(h.Village)
	str(h.Group)
	str(h.HeadName)
	num(int64(h.Size))
	str(h.Type)
	str(h.Category)
	num(int64(h.IdentifiedIn.Year))
	num(int64(h.IdentifiedIn.Month))
	str(strings.Join(h.Risks, "、"))
	str(h.EliminationMethod)
	date(h.EliminatedOn)
	bits(h.RiskEliminated, h.HousingUnsafe, h.WaterUnsafe, h.EducationGap, h.MedicalGap, h.NoLaborSupport)
	buf = binary.AppendUvarint(buf, uint64(len(h.Members)))
	for i := range h.Members {
		m := &h.Members[i]
		num(m.ID)
		str(m.IDNumber)
		str(m.Name)
		str(m.Relation)
		str(m.Sex)
		str(m.Health)
		str(m.LaborSkill)
		str(m.SchoolStatus)
		num(int64(m.WorkMonths))
		bits(m.MedicalInsured, m.Missing)
	}
	buf = binary.AppendUvarint(buf, uint64(len(h.Incomes)))
	for i := range h.Incomes {
		x := &h.Incomes[i]
		num(int64(x.Year))
		for _, v := range [...]monitor.Money{x.Wage, x.Business, x.Property, x.Transfer, x.BusinessCost, x.Net, x.PerCapita, x.MedicalOOP, x.InsurancePay} {
			num(int64(v))
		}
	}
	return buf
}

var errFacts = errors.New("facts row unreadable")

// factReader reads the values encodeFacts wrote; the first malformed
// value makes bad true and every later read a zero.
type factReader struct {
	s   string // the value: strings read are slices of it
	p   int
	bad bool
}

// uv reads an unsigned varint (binary.AppendUvarint's encoding).
func (r *factReader) uv() uint64 {
	var v uint64
	for shift := 0; shift < 64; shift += 7 {
		if r.p >= len(r.s) {
			break
		}
		c := r.s[r.p]
		r.p++
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v
		}
	}
	r.bad = true
	return 0
}

func (r *factReader) num() int64 {
	u := r.uv()
	return int64(u>>1) ^ -int64(u&1) // zig-zag, as binary.AppendVarint
}

func (r *factReader) str() string {
	n := int(r.uv())
	if r.bad || n > len(r.s)-r.p {
		r.bad = true
		return ""
	}
	r.p += n
	return r.s[r.p-n : r.p]
}

func (r *factReader) byte() byte {
	if r.p >= len(r.s) {
		r.bad = true
		return 0
	}
	r.p++
	return r.s[r.p-1]
}

func (r *factReader) date() monitor.Date {
	return monitor.Date{Year: int(r.num()), Month: int(r.num()), Day: int(r.num())}
}

// decodeFacts reads a facts value into h (whose ID is set), or reports it
// unreadable — another version, or damaged — for the caller to rebuild.
// The strings of h are slices of data.
func decodeFacts(data string, h *monitor.Household) error {
	if len(data) == 0 || data[0] != factsVersion {
		return errFacts
	}
	r := factReader{s: data, p: 1}
	h.Code = r.str()
	h.Township = r.str()
	h.Village = r.str()
	h.Group = r.str()
	h.HeadName = r.str()
	h.Size = int(r.num())
	h.Type = r.str()
	h.Category = r.str()
	h.IdentifiedIn = monitor.YearMonth{Year: int(r.num()), Month: int(r.num())}
	h.Risks = splitRisks(r.str())
	h.EliminationMethod = r.str()
	h.EliminatedOn = r.date()
	b := r.byte()
	h.RiskEliminated, h.HousingUnsafe, h.WaterUnsafe = b&1 != 0, b&2 != 0, b&4 != 0
	h.EducationGap, h.MedicalGap, h.NoLaborSupport = b&8 != 0, b&16 != 0, b&32 != 0
	n := r.uv()
	if r.bad || n > uint64(len(data)) {
		return errFacts
	}
	h.Members = nil
	if n > 0 {
		h.Members = make([]monitor.Member, n)
	}
	for i := range h.Members {
		m := &h.Members[i]
		m.HouseholdID = h.ID
		m.ID = r.num()
		m.IDNumber = r.str()
		m.Name = r.str()
		m.Relation = r.str()
		m.Sex = r.str()
		m.Health = r.str()
		m.LaborSkill = r.str()
		m.SchoolStatus = r.str()
		m.WorkMonths = int(r.num())
		b := r.byte()
		m.MedicalInsured, m.Missing = b&1 != 0, b&2 != 0
		m.BirthDate = birthFromID(m.IDNumber)
	}
	n = r.uv()
	if r.bad || n > uint64(len(data)) {
		return errFacts
	}
	h.Incomes = nil
	if n > 0 {
		h.Incomes = make([]monitor.Income, n)
	}
	for i := range h.Incomes {
		x := &h.Incomes[i]
		x.HouseholdID = h.ID
		x.Year = int(r.num())
		x.Wage, x.Business, x.Property = monitor.Money(r.num()), monitor.Money(r.num()), monitor.Money(r.num())
		x.Transfer, x.BusinessCost, x.Net = monitor.Money(r.num()), monitor.Money(r.num()), monitor.Money(r.num())
		x.PerCapita, x.MedicalOOP, x.InsurancePay = monitor.Money(r.num()), monitor.Money(r.num()), monitor.Money(r.num())
	}
	if r.bad || r.p != len(r.s) {
		return errFacts
	}
	return nil
}
