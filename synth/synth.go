// Package synth generates realistic synthetic households for benchmarks,
// tests and the demo mode. Generation is seeded and deterministic (math/rand/v2
// with a PCG source): the same Config always gives the same households, and
// Households and Each give the same data.
//
// The households look like a district's registry: townships, villages and
// groups with plausible names; families of one to six people with ages,
// relations, names and ID numbers that fit together; health, labour,
// schooling and work months by age; about 40% 脱贫户; about 8% monitored
// (监测对象) with categories, identification months and risks; and one
// year's income whose parts add up by the policy formula.
package synth

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/shouwang/shouwang/monitor"
)

// Config describes a generated area.
type Config struct {
	// Seed selects the data set; the same seed gives the same households.
	Seed uint64
	// Households is how many households to generate (none when ≤ 0).
	Households int
	// Region is the 6-digit region code used in ID numbers and 户编号;
	// default "500119".
	Region string
	// Townships names the 乡镇/街道 (at most 99); default DefaultTownships.
	Townships []string
	// VillagesPer is the number of villages per township (1–99); default 6.
	VillagesPer int
	// Year is the income year; ages, school status and labour are as of
	// 31 December of that year. Default 2022.
	Year int
}

// withDefaults fills the zero fields and checks the rest.
func (c Config) withDefaults() (Config, error) {
	if c.Region == "" {
		c.Region = "500119"
	}
	if len(c.Townships) == 0 {
		c.Townships = DefaultTownships
	}
	if c.VillagesPer == 0 {
		c.VillagesPer = 6
	}
	if c.Year == 0 {
		c.Year = 2022
	}
	switch {
	case len(c.Region) != 6 || !digits(c.Region):
		return c, fmt.Errorf("synth: region %q is not a 6-digit code", c.Region)
	case len(c.Townships) > 99:
		return c, fmt.Errorf("synth: %d townships, at most 99", len(c.Townships))
	case c.VillagesPer < 1 || c.VillagesPer > 99:
		return c, fmt.Errorf("synth: %d villages per township, want 1–99", c.VillagesPer)
	case c.Year < 1950 || c.Year > 2100:
		return c, fmt.Errorf("synth: year %d out of range", c.Year)
	}
	return c, nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Households returns cfg.Households generated households in roster order
// (township, village, group). It panics when cfg is invalid (a region that is
// not 6 digits, more than 99 townships or villages per township); use Each to
// get the error instead.
func Households(cfg Config) []*monitor.Household {
	var out []*monitor.Household
	if cfg.Households > 0 {
		out = make([]*monitor.Household, 0, cfg.Households)
	}
	err := Each(cfg, func(h *monitor.Household) error {
		out = append(out, h)
		return nil
	})
	if err != nil {
		panic(err)
	}
	return out
}

// Each is the streaming form of Households for very large sets: it calls fn
// for each household in order without keeping them, and stops at the first
// error fn returns. The households are the same as Households gives.
func Each(cfg Config, fn func(h *monitor.Household) error) error {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return err
	}
	if cfg.Households <= 0 {
		return nil
	}
	villages := layout(cfg)
	g := &generator{
		cfg:  cfg,
		r:    rand.New(rand.NewPCG(cfg.Seed, streamHouseholds)),
		ref:  monitor.Date{Year: cfg.Year, Month: 12, Day: 31},
		used: make(map[int32]*[16]uint64),
	}
	for _, v := range villages {
		serial := 0
		for k := 0; k < v.count; k++ {
			serial += 1 + g.r.IntN(3) // codes have gaps where households left
			if serial > 999999 {
				return fmt.Errorf("synth: too many households in %s%s for a 16-digit 户编号", v.township, v.name)
			}
			code := fmt.Sprintf("%s%02d%02d%06d", cfg.Region, v.tIdx+1, v.vIdx+1, serial)
			group := fmt.Sprintf("%d组", 1+k*v.groups/v.count)
			h, err := g.household(v, group, code)
			if err != nil {
				return err
			}
			if err := fn(h); err != nil {
				return err
			}
		}
	}
	return nil
}

// Independent PCG streams, so that the place layout does not shift the
// households and vice versa.
const (
	streamPlaces     = 0x53484f5557414e47 // "SHOUWANG"
	streamHouseholds = 0x686f757365686f6c // "househol"
)

// village is one 行政村/社区 with its share of the households.
type village struct {
	township   string
	tIdx, vIdx int
	name       string
	groups     int // 村民小组, 4–9
	count      int // households to generate here
}

// layout names the villages of every township and shares the households
// among them (unevenly, as real villages differ in size).
func layout(cfg Config) []*village {
	r := rand.New(rand.NewPCG(cfg.Seed, streamPlaces))
	taken := map[string]bool{}
	var vs []*village
	var weights []float64
	total := 0.0
	for ti, t := range cfg.Townships {
		stem := t
		for _, suf := range []string{"街道", "镇", "乡"} {
			stem = strings.TrimSuffix(stem, suf)
		}
		street := strings.HasSuffix(t, "街道")
		for vi := 0; vi < cfg.VillagesPer; vi++ {
			var name string
			if vi == 0 && !street && !taken[stem+"社区"] {
				name = stem + "社区" // the community at the township seat
			}
			for tries := 0; name == "" || taken[name]; tries++ {
				var base string
				if r.IntN(5) == 0 {
					base = villageWhole[r.IntN(len(villageWhole))]
				} else {
					base = villageFirst[r.IntN(len(villageFirst))] + villageSecond[r.IntN(len(villageSecond))]
				}
				suffix := "村"
				if (street && r.IntN(10) < 6) || (!street && r.IntN(10) < 1) {
					suffix = "社区"
				}
				name = base + suffix
				if tries > 50 { // the lists are exhausted: number the name
					name = fmt.Sprintf("%s%d%s", base, tries, suffix)
				}
			}
			taken[name] = true
			vs = append(vs, &village{township: t, tIdx: ti, vIdx: vi, name: name, groups: 4 + r.IntN(6)})
			w := 0.4 + 1.2*r.Float64()
			weights = append(weights, w)
			total += w
		}
	}
	// Largest-remainder shares of cfg.Households.
	assigned := 0
	rem := make([]float64, len(vs))
	for i, v := range vs {
		exact := float64(cfg.Households) * weights[i] / total
		v.count = int(exact)
		rem[i] = exact - float64(v.count)
		assigned += v.count
	}
	for assigned < cfg.Households {
		best := 0
		for i := range rem {
			if rem[i] > rem[best] {
				best = i
			}
		}
		vs[best].count++
		rem[best] = -1
		assigned++
	}
	return vs
}

// generator holds the state of one Each run.
type generator struct {
	cfg  Config
	r    *rand.Rand
	ref  monitor.Date // 31 December of cfg.Year: ages are taken on this day
	used map[int32]*[16]uint64
}

// person is a member before its details are drawn.
type person struct {
	rel     string
	male    bool
	age     int
	surname string
}

// sizeWeights is the distribution of household size 1–6 (percent).
var sizeWeights = []int{5, 15, 30, 30, 15, 5}

func (g *generator) pick(weights []int) int {
	t := 0
	for _, w := range weights {
		t += w
	}
	x := g.r.IntN(t)
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

func (g *generator) between(lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + g.r.IntN(hi-lo+1)
}

func (g *generator) chance(p float64) bool { return g.r.Float64() < p }

func clamp(v, lo, hi int) int { return max(lo, min(hi, v)) }

// family draws the relations, sexes and ages of a household of n people,
// head first.
func (g *generator) family(n int) []person {
	var headAge int
	switch {
	case n == 1:
		headAge = g.between(40, 90)
	case n == 2:
		headAge = g.between(30, 86)
	default:
		headAge = g.between(26, 78)
	}
	head := person{rel: "户主", male: g.chance(0.82), age: headAge, surname: surname(g.r)}
	ps := []person{head}
	rem := n - 1
	// Spouse, of the other sex, usually slightly younger when a wife.
	var spouse person
	hasSpouse := rem > 0 && g.chance(0.86)
	if hasSpouse {
		age := headAge + g.between(-2, 6)
		if head.male {
			age = headAge - g.between(-2, 6)
		}
		spouse = person{rel: "配偶", male: !head.male, age: clamp(age, 20, 98), surname: surname(g.r)}
		ps = append(ps, spouse)
		rem--
	}
	// The children's surname is the father's.
	childSurname := head.surname
	if !head.male {
		switch {
		case hasSpouse:
			childSurname = spouse.surname
		case g.chance(0.7):
			childSurname = surname(g.r)
		}
	}
	// Parents of the head, when the head is young enough to have them.
	var parents []person
	if rem > 0 && headAge <= 60 && g.chance(0.15+0.12*float64(rem)) {
		np := 1
		if rem >= 2 && g.chance(0.45) {
			np = 2
		}
		mother := clamp(headAge+g.between(21, 32), 40, 97)
		father := clamp(mother+g.between(0, 4), 40, 98)
		fatherFirst := g.chance(0.5)
		for i := 0; i < np; i++ {
			if (i == 0) == fatherFirst {
				parents = append(parents, person{rel: "父亲", male: true, age: father, surname: head.surname})
			} else {
				parents = append(parents, person{rel: "母亲", male: false, age: mother, surname: surname(g.r)})
			}
		}
		rem -= np
	}
	// Three generations: a grown child with his or her spouse and children.
	if rem >= 2 && headAge >= 46 && g.chance(0.6) {
		childAge := clamp(headAge-g.between(21, 30), 20, 60)
		son := g.chance(0.8)
		c := person{rel: "女", male: false, age: childAge, surname: childSurname}
		if son {
			c.rel, c.male = "子", true
		}
		ps = append(ps, c)
		rem--
		grandSurname := c.surname
		if rem >= 2 && g.chance(0.75) {
			in := person{rel: "儿媳", male: false, age: clamp(childAge+g.between(-4, 2), 19, 62), surname: surname(g.r)}
			if !son {
				in.rel, in.male = "女婿", true
				in.age = clamp(childAge+g.between(-1, 4), 20, 64)
				grandSurname = in.surname
			}
			ps = append(ps, in)
			rem--
		}
		for ; rem > 0; rem-- {
			gc := person{rel: "孙女", male: false, age: g.between(0, min(childAge-20, 25)), surname: grandSurname}
			if g.chance(0.52) {
				gc.rel, gc.male = "孙子", true
			}
			ps = append(ps, gc)
		}
	}
	// Children of the head.
	mother := headAge
	if head.male {
		mother = headAge - 2
		if hasSpouse {
			mother = spouse.age
		}
	}
	for ; rem > 0; rem-- {
		c := person{rel: "女", male: false, age: g.between(max(0, mother-42), max(0, mother-19)), surname: childSurname}
		if g.chance(0.52) {
			c.rel, c.male = "子", true
		}
		ps = append(ps, c)
	}
	return append(ps, parents...)
}

// household generates one household.
func (g *generator) household(v *village, group, code string) (*monitor.Household, error) {
	n := 1 + g.pick(sizeWeights)
	h := &monitor.Household{
		Code:     code,
		Township: v.township,
		Village:  v.name,
		Group:    group,
		Size:     n,
		Type:     monitor.TypeOrdinary,
		Address:  v.township + v.name + group,
		Phone:    g.phone(),
	}
	if g.chance(0.40) {
		h.Type = monitor.TypeLifted
	}
	names := map[string]bool{}
	for _, p := range g.family(n) {
		m, err := g.member(p, names)
		if err != nil {
			return nil, err
		}
		h.Members = append(h.Members, m)
	}
	h.HeadName, h.HeadIDNumber = h.Members[0].Name, h.Members[0].IDNumber

	workers := 0
	for i := range h.Members {
		m := &h.Members[i]
		if m.CanWork() {
			workers++
		}
		if !m.MedicalInsured {
			h.MedicalGap = true
		}
		if monitor.OutOfSchool(m.SchoolStatus) {
			h.EducationGap = true
		}
	}
	h.NoLaborSupport = workers == 0
	h.HousingUnsafe = g.chance(0.01)
	h.WaterUnsafe = g.chance(0.01)

	// About 8% monitored: 14% of 脱贫户 and 4% of 一般农户.
	p := 0.04
	if h.Type == monitor.TypeLifted {
		p = 0.14
	}
	if g.chance(p) {
		g.markMonitored(h, workers)
	}
	h.Incomes = []monitor.Income{g.income(h)}
	return h, nil
}

// markMonitored makes h a 监测对象: category, month, risks, and sometimes a
// completed risk elimination.
func (g *generator) markMonitored(h *monitor.Household, workers int) {
	switch {
	case g.chance(0.2):
		h.Category = monitor.CatEmergency
	case h.Type == monitor.TypeLifted:
		h.Category = monitor.CatUnstable
	default:
		h.Category = monitor.CatEdge
	}
	h.IdentifiedIn = monitor.YearMonth{Year: g.cfg.Year, Month: g.between(1, 12)}

	var sick, disabled, student bool
	for _, m := range h.Members {
		switch m.Health {
		case healthChronic, healthSerious:
			sick = true
		case healthDisabled:
			disabled = true
		}
		if m.SchoolStatus == "高中" || m.SchoolStatus == "中职" || m.SchoolStatus == "大专" || m.SchoolStatus == "本科" {
			student = true
		}
	}
	weight := func(base float64, cond bool, extra float64) float64 {
		if cond {
			return base + extra
		}
		return base
	}
	w := map[string]float64{
		"因病":      weight(2, sick, 8),
		"因学":      weight(0.3, student, 4),
		"因残":      weight(0.2, disabled, 5),
		"因自然灾害":   1,
		"因意外事故":   1,
		"因产业项目失败": 0.5,
		"因务工就业不稳": weight(0, workers > 0, 2.5),
		"缺劳动力":    weight(0.3, workers <= 1, 5),
		"其他":      0.3,
	}
	if h.Category == monitor.CatEmergency {
		w["因病"] += 4
		w["因意外事故"] += 2
		w["因自然灾害"] += 1
	}
	k := 1
	if g.chance(0.35) {
		k = 2
	}
	for len(h.Risks) < k {
		total := 0.0
		for _, r := range monitor.Risks {
			total += w[r]
		}
		x := g.r.Float64() * total
		for _, r := range monitor.Risks {
			if x < w[r] || r == monitor.Risks[len(monitor.Risks)-1] {
				h.Risks = append(h.Risks, r)
				w[r] = 0
				break
			}
			x -= w[r]
		}
	}
	// About a quarter of monitored households with labour have had the risk
	// eliminated, at least six months after identification.
	if workers > 0 && g.chance(0.27) {
		h.RiskEliminated = true
		h.EliminationMethod = "帮扶消除"
		if g.chance(0.3) {
			h.EliminationMethod = "自然消除"
		}
		d := h.IdentifiedIn.FirstDay().Time().AddDate(0, g.between(6, 12), g.r.IntN(28))
		h.EliminatedOn = monitor.DateOf(d)
	}
}

// Health statuses (健康状况).
const (
	healthGood     = "健康"
	healthChronic  = "长期慢性病"
	healthSerious  = "患有大病"
	healthDisabled = "残疾"
)

// member draws one person's name, ID number and circumstances. names holds
// the names already used in the household.
func (g *generator) member(p person, names map[string]bool) (monitor.Member, error) {
	m := monitor.Member{Relation: p.rel, Sex: "女", MedicalInsured: !g.chance(0.006)}
	if p.male {
		m.Sex = "男"
	}
	birthYear := g.cfg.Year - p.age
	for tries := 0; m.Name == "" || (names[m.Name] && tries < 20); tries++ {
		m.Name = p.surname + givenName(g.r, p.male, birthYear)
	}
	names[m.Name] = true
	id, birth, err := g.idNumber(birthYear, p.male)
	if err != nil {
		return m, err
	}
	m.IDNumber, m.BirthDate = id, birth
	age := p.age

	// Health by age.
	var hw []int // 健康, 长期慢性病, 患有大病, 残疾
	switch {
	case age < 18:
		hw = []int{955, 10, 10, 25}
	case age < 60:
		hw = []int{850, 80, 30, 40}
	case age < 75:
		hw = []int{560, 300, 60, 80}
	default:
		hw = []int{400, 420, 80, 100}
	}
	m.Health = []string{healthGood, healthChronic, healthSerious, healthDisabled}[g.pick(hw)]

	// School status for ages 3–22.
	switch {
	case age >= 3 && age <= 5:
		m.SchoolStatus = "学龄前"
	case age >= 6 && age <= 15 && g.chance(0.003):
		m.SchoolStatus = "失学辍学"
	case age >= 6 && age <= 11:
		m.SchoolStatus = "小学"
	case age >= 12 && age <= 14:
		m.SchoolStatus = "初中"
	case age == 15:
		m.SchoolStatus = []string{"初中", "高中", "中职"}[g.pick([]int{70, 20, 10})]
	case age >= 16 && age <= 18:
		m.SchoolStatus = []string{"高中", "中职", ""}[g.pick([]int{55, 30, 15})]
	case age >= 19 && age <= 22:
		m.SchoolStatus = []string{"本科", "大专", "中职", ""}[g.pick([]int{18, 20, 4, 58})]
	}
	inSchool := m.SchoolStatus != "" && m.SchoolStatus != "失学辍学"

	// Labour skill by age and health.
	ill := m.Health == healthSerious || m.Health == healthDisabled
	switch {
	case age < 16 || inSchool:
		m.LaborSkill = monitor.LaborNone
	case age >= 75:
		m.LaborSkill = []string{monitor.LaborNone, monitor.LaborWeak}[g.pick([]int{88, 12})]
	case age >= 65:
		m.LaborSkill = []string{monitor.LaborNone, monitor.LaborWeak, monitor.LaborNormal}[g.pick([]int{45, 45, 10})]
	case ill:
		m.LaborSkill = []string{monitor.LaborLost, monitor.LaborWeak}[g.pick([]int{55, 45})]
	case age >= 60:
		m.LaborSkill = []string{monitor.LaborNormal, monitor.LaborWeak, monitor.LaborNone}[g.pick([]int{45, 40, 15})]
	case m.Health == healthChronic:
		m.LaborSkill = []string{monitor.LaborNormal, monitor.LaborWeak}[g.pick([]int{50, 50})]
	default:
		m.LaborSkill = []string{monitor.LaborSkilled, monitor.LaborNormal, monitor.LaborWeak}[g.pick([]int{20, 75, 5})]
	}

	// Months worked away or in paid work during the year.
	if m.CanWork() {
		switch {
		case age >= 65 || ill:
			m.WorkMonths = []int{0, g.between(1, 6), g.between(7, 12)}[g.pick([]int{70, 25, 5})]
		case m.LaborSkill == monitor.LaborWeak || age >= 60:
			m.WorkMonths = []int{0, g.between(1, 6), g.between(7, 12)}[g.pick([]int{50, 35, 15})]
		default:
			m.WorkMonths = []int{12, g.between(6, 11), g.between(1, 5), 0}[g.pick([]int{40, 30, 15, 15})]
		}
	}
	return m, nil
}

// idNumber returns a unique 18-character ID number for a person born in
// birthYear, and the birth date it encodes. The date is drawn in the year;
// when all 500 sequence numbers of that sex are taken on that date the next
// day is used.
func (g *generator) idNumber(birthYear int, male bool) (string, monitor.Date, error) {
	start := monitor.Date{Year: birthYear, Month: 1, Day: 1}
	days := start.DaysUntil(monitor.Date{Year: birthYear + 1, Month: 1, Day: 1})
	day := g.r.IntN(days)
	seq0 := g.r.IntN(500)
	for tries := 0; tries < days; tries++ {
		birth := start.AddDays((day + tries) % days)
		key := int32(birth.Year*10000 + birth.Month*100 + birth.Day)
		bits := g.used[key]
		if bits == nil {
			bits = new([16]uint64)
			g.used[key] = bits
		}
		for j := 0; j < 500; j++ {
			seq := 2 * ((seq0 + j) % 500) // even: female
			if male {
				seq++
			}
			if bits[seq/64]&(1<<(seq%64)) != 0 {
				continue
			}
			bits[seq/64] |= 1 << (seq % 64)
			first17 := fmt.Sprintf("%s%04d%02d%02d%03d", g.cfg.Region, birth.Year, birth.Month, birth.Day, seq)
			return first17 + string(monitor.IDCheckChar(first17)), birth, nil
		}
	}
	return "", monitor.Date{}, fmt.Errorf("synth: every ID number for people born in %d in region %s is used", birthYear, g.cfg.Region)
}

// phone draws an 11-digit mobile number starting 13, 15, 17 or 18.
func (g *generator) phone() string {
	b := []byte{'1', "3578"[g.r.IntN(4)]}
	for len(b) < 11 {
		b = append(b, byte('0'+g.r.IntN(10)))
	}
	return string(b)
}

// income draws the household's income for the year, in whole yuan.
func (g *generator) income(h *monitor.Household) monitor.Income {
	var wage, business, property, transfer, cost, oop int64
	farmer := false
	var sick, seriouslyIll bool
	for _, m := range h.Members {
		age := monitor.AgeOn(m.BirthDate, g.ref)
		if m.WorkMonths > 0 {
			monthly := float64(g.between(2200, 4800))
			switch m.LaborSkill {
			case monitor.LaborSkilled:
				monthly *= 1.35
			case monitor.LaborWeak:
				monthly *= 0.55
			}
			wage += int64(monthly * float64(m.WorkMonths))
		}
		if age >= 30 && age <= 75 && m.Health != healthSerious {
			farmer = true
		}
		if age >= 60 {
			transfer += int64(g.between(1400, 2600)) // 城乡居民养老金
		}
		switch m.Health {
		case healthDisabled:
			transfer += int64(g.between(700, 1800)) // 残疾人两项补贴
			sick = true
		case healthSerious:
			seriouslyIll = true
		case healthChronic:
			sick = true
		}
		if h.Type == monitor.TypeLifted && (m.SchoolStatus == "中职" || m.SchoolStatus == "大专" || m.SchoolStatus == "本科") {
			transfer += 3000 // 雨露计划
		}
	}
	if farmer && g.chance(0.75) {
		business = int64(g.between(1500, 12000))
		if g.chance(0.05) {
			business = int64(g.between(20000, 80000))
		}
		cost = int64(float64(business) * (0.2 + 0.3*g.r.Float64()))
	}
	if g.chance(0.35) {
		property = int64(g.between(100, 2000))
	}
	if h.Type == monitor.TypeLifted {
		transfer += int64(g.between(300, 2500))
		if g.chance(0.6) {
			property += int64(g.between(100, 800)) // 资产收益分红
		}
	}

	size := int64(h.Size)
	net := func() int64 { return wage + business + property + transfer - cost }
	// lower brings net income down to target, taking from wages first.
	lower := func(target int64) {
		if over := net() - target; over > 0 {
			cut := min(over, wage)
			wage -= cut
			if over -= cut; over > 0 {
				business -= min(over, business-cost)
			}
		}
	}
	switch {
	case h.RiskEliminated:
		// Eliminated households are stably above any monitoring line.
		target := int64(g.between(9000, 16000)) * size
		if short := target - net(); short > 0 {
			wage += short
		}
		lower(target)
	case h.Category == monitor.CatUnstable || h.Category == monitor.CatEdge:
		if g.chance(0.3) {
			transfer += size * int64(g.between(2000, 5000)) // 低保
		}
		lower(int64(g.between(4000, 9000)) * size)
	case !h.Monitored() && g.chance(0.95):
		// Most households not monitored are above the line: a low income is
		// topped up by wages, or by support from children (赡养, a transfer)
		// where nobody works.
		if short := int64(g.between(6200, 9500))*size - net(); short > 0 {
			if wage > 0 {
				wage += short
			} else {
				transfer += short
			}
		}
	}

	has := func(risk string) bool {
		for _, r := range h.Risks {
			if r == risk {
				return true
			}
		}
		return false
	}
	switch {
	case has("因病") || (h.Category == monitor.CatEmergency && has("因意外事故")):
		oop = int64(g.between(8000, 60000))
	case seriouslyIll && g.chance(0.5):
		oop = int64(g.between(2000, 25000))
	case g.chance(0.015):
		oop = int64(g.between(5000, 30000))
	case sick && g.chance(0.3), g.chance(0.08):
		oop = int64(g.between(100, 3000))
	}
	if h.RiskEliminated {
		oop = min(oop, int64(g.between(200, 3000))) // the large costs are resolved
	}

	in := monitor.Income{
		Year:         g.cfg.Year,
		Wage:         monitor.Yuan(wage),
		Business:     monitor.Yuan(business),
		Property:     monitor.Yuan(property),
		Transfer:     monitor.Yuan(transfer),
		BusinessCost: monitor.Yuan(cost),
		MedicalOOP:   monitor.Yuan(oop),
	}
	in.Net = in.ComputedNet()
	in.PerCapita = monitor.PerCapitaOf(in.Net, h.Size)
	return in
}
