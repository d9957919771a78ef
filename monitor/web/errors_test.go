package web

import (
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestWriteJSONNeverAnswers200WithoutBody: a value JSON cannot hold answers
// 500 with the apology (issue 11: /api/v1/loans answered 200, empty).
func TestWriteJSONNeverAnswers200WithoutBody(t *testing.T) {
	w := httptest.NewRecorder()
	writeJSON(w, http.StatusOK, map[string]float64{"rate_pct": math.NaN()})
	if w.Code != http.StatusInternalServerError || !strings.Contains(w.Body.String(), `"code":"internal"`) {
		t.Fatalf("status %d body %q", w.Code, w.Body.String())
	}
	w = httptest.NewRecorder()
	writeJSON(w, http.StatusCreated, map[string]float64{"rate_pct": 3.45})
	if w.Code != http.StatusCreated || !strings.Contains(w.Body.String(), "3.45") {
		t.Fatalf("status %d body %q", w.Code, w.Body.String())
	}
}
