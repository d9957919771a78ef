package monitor

// Import kinds. Department lists use the Dept… kinds of measure.go.
const (
	KindHouseholds = "households"
	KindLoans      = "loans"
	KindMeasures   = "measures"
	KindCadres     = "cadres"
)

// Issue is one problem found in an uploaded file, named by where it is:
// sheet, row as Excel numbers it, column header, the value seen; a stable
// code and a Chinese message saying what would be accepted.
type Issue struct {
	Sheet     string `json:"sheet"`
	Row       int    `json:"row"`
	Column    string `json:"column"`
	Value     string `json:"value"`
	Code      string `json:"code"`
	Message   string `json:"message"`
	Household string `json:"household_code,omitempty"`
	// Col is the 1-based column number, for marking the cell in the error
	// workbook; 0 when the issue is about the whole row.
	Col int `json:"-"`
	// A procedure_conflict names the field, both values and the case
	// whose decision the registry keeps.
	Field         string `json:"field,omitempty"`
	RegistryValue string `json:"registry_value,omitempty"`
	FileValue     string `json:"file_value,omitempty"`
	CaseID        int64  `json:"case_id,omitempty"`
}

// Issue codes the importer and the store report.
const (
	CodeIDChecksum      = IDChecksum
	CodeIDNumeric       = IDNumeric
	CodeIDFormat        = IDFormat
	CodeIDDuplicate     = "id_duplicate"
	CodeNegativeAmount  = "negative_amount"
	CodeUnknownValue    = "unknown_value"
	CodeMissingRequired = "missing_required"
	CodeDateFormat      = "date_format"
	CodeNumberFormat    = "number_format"
	CodeInconsistent    = "inconsistent_household"
	CodeOutOfScope      = "out_of_scope"
	CodeIncomeMismatch  = "income_mismatch"
	CodeSizeMismatch    = "size_mismatch"
	CodeSexMismatch     = "sex_mismatch"
	CodeBirthMismatch   = "birth_mismatch"
	CodeSameFile        = "same_file"
	CodeRejectedWith    = "household_rejected"
	CodeYearAssumed     = "income_year_assumed"
	CodeTooManyRisks    = "too_many_risks"
	CodeMultipleHead    = "multiple_heads"
	// CodeProcedureConflict: the file disagrees with a decision reached
	// through the identification or elimination procedure; the registry
	// keeps the decision and the rest of the row is imported.
	CodeProcedureConflict = "procedure_conflict"
	// Issue 12: the files staff really have.
	CodeIDUpgraded   = "id_upgraded"      // an old 15-digit number converted to 18 digits
	CodeTooComplex   = "file_too_complex" // a workbook over a reader's cap (strings, cells, rows)
	CodeSheetSkipped = "sheet_skipped"    // a sheet not read (summary, empty, hidden list)
)

// ImportHousehold is a household parsed from a file, with the rows it came
// from so that problems found later (in the registry) can still name them.
type ImportHousehold struct {
	Household  *Household
	Row        int   // the household's first row
	MemberRows []int // the row of each of Household.Members
}

// HouseholdCounts are the household figures of an import.
type HouseholdCounts struct {
	InFile    int `json:"in_file"`
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Rejected  int `json:"rejected"`
}

// MemberCounts are the member figures of an import.
type MemberCounts struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Missing   int `json:"missing"`
}

// ImportReport is what an import says about one file; its JSON is the
// shape `shouwang import --json` prints and the API returns.
type ImportReport struct {
	ImportID   int64  `json:"import_id,omitempty"`
	File       string `json:"file"`
	Kind       string `json:"kind"`
	Sheet      string `json:"sheet"`
	HeaderRows []int  `json:"header_rows"`
	// Sheets lists every sheet of the workbook and what became of it: read
	// (its header rows and households) or skipped, and why.
	Sheets     []SheetResult   `json:"sheets,omitempty"`
	IncomeYear int             `json:"income_year,omitempty"`
	DryRun     bool            `json:"dry_run"`
	Committed  bool            `json:"committed"`
	Households HouseholdCounts `json:"households"`
	Members    MemberCounts    `json:"members"`
	Errors     []Issue         `json:"errors"`
	Warnings   []Issue         `json:"warnings"`
	// RejectedHouseholds lists the codes of rejected households.
	RejectedHouseholds []string `json:"rejected_households,omitempty"`

	// Records of the other kinds (loans, measures, cadres, department lists).
	Loans    *RecordCounts `json:"loans,omitempty"`
	Measures *RecordCounts `json:"measures,omitempty"`
	Cadres   *RecordCounts `json:"cadres,omitempty"`
	// Department lists: rows matched to a member by ID number, and the
	// people in no household (leads for the village to check).
	Matched   *int        `json:"matched,omitempty"`
	Unmatched []Unmatched `json:"unmatched,omitempty"`

	// Changes lists what the import changes (or, on a dry run, would
	// change) in households that were already registered, field by field;
	// created households are counted, not listed. At most MaxListedChanges
	// are kept; ChangesTotal counts them all.
	Changes      []ChangeEntry `json:"changes"`
	ChangesTotal int           `json:"changes_total"`

	// Touched lists the households a committed import created or changed,
	// so they can be evaluated again.
	Touched []int64 `json:"-"`
	// Evaluation is the re-evaluation of the touched households, when one ran.
	Evaluation *EvaluationCounts `json:"evaluation,omitempty"`
	// Reevaluated says whether the follow-up evaluation of a committed
	// import ran; when it failed the import still stands, the households
	// are marked for the next evaluation, and ReevaluationError says why.
	Reevaluated       bool   `json:"reevaluated"`
	ReevaluationError string `json:"reevaluation_error,omitempty"`
}

// SheetResult is one sheet of an uploaded workbook as the import read it.
type SheetResult struct {
	Name       string `json:"name"`
	HeaderRows []int  `json:"header_rows,omitempty"`
	Households int    `json:"households"`
	// SkippedReason says in Chinese why a sheet was not read (a summary of
	// formulas, an empty sheet, a hidden list of drop-down values…).
	SkippedReason string `json:"skipped_reason,omitempty"`
}

// MaxListedChanges is how many field changes an import report lists.
const MaxListedChanges = 20000

// ChangeEntry is one field an import changes: of the household, of one of
// its members (named by the masked ID number) or of an income year.
type ChangeEntry struct {
	HouseholdCode  string `json:"household_code"`
	MemberIDMasked string `json:"member_id_masked,omitempty"`
	MemberName     string `json:"member_name,omitempty"`
	Field          string `json:"field"`
	Old            string `json:"old"`
	New            string `json:"new"`
}

// AddChange lists c, keeping at most MaxListedChanges.
func (r *ImportReport) AddChange(c ChangeEntry) {
	r.ChangesTotal++
	if len(r.Changes) < MaxListedChanges {
		r.Changes = append(r.Changes, c)
	}
}

// RecordCounts are the figures of an import of one-row-per-record files.
type RecordCounts struct {
	InFile    int `json:"in_file"`
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Rejected  int `json:"rejected"`
}

// Unmatched is a department-list row whose person is in no household.
type Unmatched struct {
	Row      int    `json:"row"`
	IDNumber string `json:"id_number"`
	Name     string `json:"name"`
}
