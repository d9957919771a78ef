package monitor

import (
	"encoding/json"
	"testing"
)

func TestDateJSON(t *testing.T) {
	type doc struct {
		D  Date      `json:"d"`
		Z  Date      `json:"z"`
		YM YearMonth `json:"ym"`
	}
	b, err := json.Marshal(doc{D: Date{2023, 1, 5}, YM: YearMonth{2022, 7}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"d":"2023-01-05","z":"","ym":"202207"}`; got != want {
		t.Fatalf("marshal: %s, want %s", got, want)
	}
	var back doc
	if err := json.Unmarshal(b, &back); err != nil || back.D != (Date{2023, 1, 5}) || !back.Z.IsZero() || back.YM != (YearMonth{2022, 7}) {
		t.Fatalf("round trip: %+v, %v", back, err)
	}
	for _, bad := range []string{`{"d":"2023-02-30"}`, `{"d":"2023/01/05"}`, `{"d":"2023-1-5"}`, `{"ym":"2022"}`} {
		var d doc
		if err := json.Unmarshal([]byte(bad), &d); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}
