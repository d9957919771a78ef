package monitor

import (
	"strings"
)

// ID number problems, as stable codes the importer reports.
const (
	IDFormat   = "id_format"   // wrong length or characters
	IDChecksum = "id_checksum" // the check character does not match
	IDNumeric  = "id_numeric"  // stored by Excel as a number: digits lost
)

// IDProblem explains why an ID number was refused.
type IDProblem struct {
	Code    string
	Message string
}

func (p *IDProblem) Error() string { return p.Message }

var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const idCheckChars = "10X98765432"

// IDCheckChar computes the GB 11643 check character (ISO 7064 MOD 11-2) of
// the first 17 digits.
func IDCheckChar(first17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first17[i]-'0') * idWeights[i]
	}
	return idCheckChars[sum%11]
}

// NormalizeIDText folds the forms an ID number arrives in: spaces inside or
// around it, full-width digits and a lower-case x.
func NormalizeIDText(s string) string {
	s = CompactText(s)
	s = strings.ReplaceAll(s, "-", "")
	return strings.ToUpper(s)
}

// ParseIDNumber validates a 公民身份号码. It accepts 18-character numbers
// with a correct check character and returns the birth date and sex
// ("男"/"女") encoded in it. A value that Excel turned into a number
// (scientific notation, or 18 digits ending in zeros that fail the check) is
// refused as IDNumeric: the lost digits cannot be recovered, only re-typed.
func ParseIDNumber(raw string, storedAsNumber bool) (id string, birth Date, sex string, p *IDProblem) {
	id = NormalizeIDText(raw)
	if id == "" {
		return "", Date{}, "", &IDProblem{Code: IDFormat, Message: "身份证号码为空"}
	}
	if strings.ContainsAny(id, "Ee+") && looksScientific(id) {
		return id, Date{}, "", numericProblem(raw)
	}
	if len(id) == 15 && allDigits(id) {
		return id, Date{}, "", &IDProblem{Code: IDFormat, Message: "这是15位旧身份证号码，请换用18位公民身份号码"}
	}
	if len(id) != 18 || !allDigits(id[:17]) || !(isDigit(id[17]) || id[17] == 'X') {
		return id, Date{}, "", &IDProblem{Code: IDFormat, Message: "身份证号码应为18位：前17位是数字，最后一位是数字或X，当前为" + itoa(len([]rune(id))) + "位"}
	}
	if storedAsNumber {
		// Excel keeps 15 significant digits: the last three are already gone,
		// even when the check character happens to match.
		return id, Date{}, "", numericProblem(raw)
	}
	if want := IDCheckChar(id[:17]); want != id[17] {
		return id, Date{}, "", &IDProblem{Code: IDChecksum, Message: "身份证号码校验位错误：按前17位计算最后一位应为 " + string(want) + "，请核对号码是否录错"}
	}
	y, m, d := atoi(id[6:10]), atoi(id[10:12]), atoi(id[12:14])
	b, ok := NewDate(y, m, d)
	if !ok {
		return id, Date{}, "", &IDProblem{Code: IDFormat, Message: "身份证号码中的出生日期 " + id[6:14] + " 不是有效日期"}
	}
	sex = "女"
	if (id[16]-'0')%2 == 1 {
		sex = "男"
	}
	return id, b, sex, nil
}

func numericProblem(raw string) *IDProblem {
	return &IDProblem{Code: IDNumeric, Message: "身份证号码被 Excel 存成了数字（" + strings.TrimSpace(raw) + "），超过15位的数字已丢失，无法恢复。请把该列设置为“文本”格式后重新录入完整号码"}
}

func looksScientific(s string) bool {
	for _, r := range s {
		if !(isDigit(byte(r)) || r == '.' || r == 'E' || r == '+' || r == '-') {
			return false
		}
	}
	return true
}

// MaskID hides the middle of an ID number for lists shown to the public or
// exported by default: 500119********1234.
func MaskID(id string) string {
	if len(id) < 10 {
		return strings.Repeat("*", len(id))
	}
	return id[:6] + strings.Repeat("*", len(id)-10) + id[len(id)-4:]
}

// AgeOn returns the full years of age on date on.
func AgeOn(birth, on Date) int {
	age := on.Year - birth.Year
	if on.Month < birth.Month || (on.Month == birth.Month && on.Day < birth.Day) {
		age--
	}
	return age
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// UpgradeIDNumber converts a first-generation 15-digit number (6-digit
// region, birth date as YYMMDD in the 1900s, 3-digit sequence) to the
// 18-digit 公民身份号码 the same person holds today: "19" goes before the
// year and the check character is computed (GB 11643). A 15-digit number
// whose date cannot be is refused as IDFormat.
func UpgradeIDNumber(raw string) (string, *IDProblem) {
	id := NormalizeIDText(raw)
	if len(id) != 15 || !allDigits(id) {
		return "", &IDProblem{Code: IDFormat, Message: "15位旧身份证号码应为15位数字，当前为" + itoa(len([]rune(id))) + "位"}
	}
	if _, ok := NewDate(1900+atoi(id[6:8]), atoi(id[8:10]), atoi(id[10:12])); !ok {
		return "", &IDProblem{Code: IDFormat, Message: "15位旧身份证号码中的出生日期 19" + id[6:12] + " 不是有效日期，请核对号码"}
	}
	first17 := id[:6] + "19" + id[6:]
	return first17 + string(IDCheckChar(first17)), nil
}

// Disability categories and grades as the second-generation 残疾人证 codes
// them in the two characters after the holder's ID number.
var (
	disabilityCategories = map[byte]string{'1': "视力残疾", '2': "听力残疾", '3': "言语残疾", '4': "肢体残疾", '5': "智力残疾", '6': "精神残疾", '7': "多重残疾"}
	disabilityGrades     = map[byte]string{'1': "一级", '2': "二级", '3': "三级", '4': "四级"}
)

// ParseDisabilityCert reads a 残疾人证 number: the holder's 18-character ID
// number, then one digit for the category (1 视力 … 7 多重) and one for the
// grade (1–4), 20 characters; some certificates carry two more (a reissue
// mark such as B1), 22 in all. The ID inside identifies the person: it is
// returned validated as ParseIDNumber does, with the category and grade
// ("" when the number is the bare ID).
func ParseDisabilityCert(raw string, storedAsNumber bool) (id string, birth Date, sex, category, grade string, p *IDProblem) {
	n := NormalizeIDText(raw)
	if storedAsNumber || (strings.ContainsAny(n, "Ee+") && looksScientific(n)) {
		return n, Date{}, "", "", "", numericProblem(raw)
	}
	switch len(n) {
	case 18:
	case 20, 22:
		c, g := n[18], n[19]
		if disabilityCategories[c] == "" || disabilityGrades[g] == "" {
			return n, Date{}, "", "", "", &IDProblem{Code: IDFormat, Message: "残疾人证号第19位应为残疾类别（1 视力、2 听力、3 言语、4 肢体、5 智力、6 精神、7 多重），第20位应为残疾等级（1–4），当前为“" + n[18:20] + "”"}
		}
		category, grade = disabilityCategories[c], disabilityGrades[g]
		if len(n) == 22 && !isAlnum(n[20]) || len(n) == 22 && !isAlnum(n[21]) {
			return n, Date{}, "", "", "", &IDProblem{Code: IDFormat, Message: "残疾人证号最后两位应为数字或字母，当前为“" + n[20:] + "”"}
		}
	default:
		return n, Date{}, "", "", "", &IDProblem{Code: IDFormat, Message: "残疾人证号应为20位（18位身份证号码加残疾类别和等级，补发的证为22位），当前为" + itoa(len([]rune(n))) + "位"}
	}
	id, birth, sex, p = ParseIDNumber(n[:18], false)
	if p != nil {
		p = &IDProblem{Code: p.Code, Message: "残疾人证号的前18位（身份证号码）有误：" + p.Message}
		return n, Date{}, "", "", "", p
	}
	return id, birth, sex, category, grade, nil
}

func isAlnum(c byte) bool { return isDigit(c) || c >= 'A' && c <= 'Z' }
