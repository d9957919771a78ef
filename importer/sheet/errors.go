package sheet

import (
	"fmt"
	"math"
	"strconv"

	"github.com/shouwang/shouwang/monitor"
)

// FormatError reports an uploaded file that cannot be read as a spreadsheet.
// Code is stable and meant for programs (file_too_large, zip_bomb,
// file_too_complex, password_protected, legacy_xls, not_a_workbook,
// bad_workbook); Message is in Chinese and tells the village staff what to
// do, so it can be shown as is. For file_too_complex, Limit names the cap
// that refused the file: a Limits field (MaxRows, MaxSharedStrings, …) or
// one of the fixed caps (Styles, MetaPartBytes, RowBytes, TokenBytes, Merges).
type FormatError struct {
	Code    string
	Message string
	Limit   string
}

// Error returns the Chinese message meant for the user.
func (e *FormatError) Error() string { return e.Message }

// Error codes carried by FormatError.Code.
const (
	CodeFileTooLarge      = "file_too_large"
	CodeZipBomb           = "zip_bomb"
	CodeTooComplex        = monitor.CodeTooComplex // over one of the work caps in Limits
	CodePasswordProtected = "password_protected"
	CodeLegacyXLS         = "legacy_xls"
	CodeNotAWorkbook      = "not_a_workbook"
	CodeBadWorkbook       = "bad_workbook"
)

// saveAsXLSX is the menu path for converting a file, shared by several messages
// because the fix for every unreadable format is the same: save as .xlsx.
const saveAsXLSX = "WPS：文件→另存为→文件类型选择“Microsoft Excel 文件(*.xlsx)”→保存；" +
	"Excel：文件→另存为→保存类型选择“Excel 工作簿(*.xlsx)”→保存。"

func errFileTooLarge(size, limit int64) error {
	return &FormatError{Code: CodeFileTooLarge, Message: fmt.Sprintf(
		"文件大小 %s MB 超过上限 %s MB。请删除不需要的工作表、图片和多余的空行空列，"+
			"或把数据拆分成几个文件后分别上传。", mb(size, true), mb(limit, false))}
}

func errZipBomb(part string) error {
	return &FormatError{Code: CodeZipBomb, Message: "文件解压后过大，疑似压缩炸弹，已拒绝（" + part + "）。" +
		"如果这是正常的表格，请删除多余的空行、空列和格式，或把数据拆分成几个文件后重新上传。"}
}

func errPassword() error {
	return &FormatError{Code: CodePasswordProtected, Message: "文件设置了打开密码，系统无法读取。" +
		"请在 Excel/WPS 中取消密码后重新上传。" +
		"Excel：文件→信息→保护工作簿→用密码进行加密，清空密码→确定→保存；" +
		"WPS：文件→文档加密→密码加密，清空打开密码→应用→保存。"}
}

// errLegacyXLS refuses an OLE compound file that holds no readable BIFF8
// workbook: Excel 95 and older (BIFF5), or a damaged .xls/.et.
func errLegacyXLS() error {
	return &FormatError{Code: CodeLegacyXLS, Message: "这是旧版 .xls/.et 文件（Excel 95 或更早的格式，或文件已损坏），系统无法读取，" +
		"请另存为 .xlsx 后重新上传。" + saveAsXLSX}
}

// errTooComplex refuses a file over one of the work caps. what says which
// cap and where, e.g. "工作表“花名册”超过 1048576 行上限".
func errTooComplex(limit, what string) error {
	return &FormatError{Code: CodeTooComplex, Limit: limit, Message: "文件内容过于庞大，已拒绝读取：" + what +
		"。请删除多余的空行、空列、工作表和格式，或把数据拆分成几个文件后分别上传。"}
}

// byteSize formats a byte cap for messages: "128 MB ", or "300 字节" below
// a megabyte.
func byteSize(n int64) string {
	if n < 1<<20 {
		return strconv.FormatInt(n, 10) + " 字节"
	}
	return mb(n, false) + " MB "
}

// count formats a cap for messages the way people say large numbers in
// Chinese: 400万, 1亿; other values as plain digits.
func count(n int64) string {
	switch {
	case n >= 1e8 && n%1e8 == 0:
		return strconv.FormatInt(n/1e8, 10) + "亿"
	case n >= 1e4 && n%1e4 == 0:
		return strconv.FormatInt(n/1e4, 10) + "万"
	}
	return strconv.FormatInt(n, 10)
}

// errNotWorkbook explains why the content was refused; what is the reason shown
// before the list of accepted formats.
func errNotWorkbook(what string) error {
	return &FormatError{Code: CodeNotAWorkbook, Message: what +
		"请上传 .xlsx、.xlsm 或 .csv 格式的表格（.xls、.et 也可以）。其他格式请先用 WPS 或 Excel 打开，另存为 .xlsx：" + saveAsXLSX}
}

// errBadWorkbook names the part that is broken so support staff can tell a
// truncated upload from a buggy exporting program.
func errBadWorkbook(part string, detail error) error {
	msg := "表格文件已损坏，其中的 " + part + " 无法读取"
	if detail != nil {
		msg += "（" + detail.Error() + "）"
	}
	return &FormatError{Code: CodeBadWorkbook, Message: msg +
		"。请用 WPS 或 Excel 打开该文件，确认内容正常后另存为新的 .xlsx 文件再上传；" +
		"如果打不开，请重新从原始系统导出或重新拷贝文件。"}
}

// mb formats a byte count in MiB with at most one decimal. Sizes round up so
// that a file just over the limit never reads as equal to it.
func mb(n int64, up bool) string {
	v := float64(n) / (1 << 20) * 10
	if up {
		v = math.Ceil(v)
	} else {
		v = math.Floor(v)
	}
	return strconv.FormatFloat(v/10, 'f', -1, 64)
}
