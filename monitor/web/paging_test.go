package web

import (
	"context"
	"net/http"
	"testing"

	"github.com/shouwang/shouwang/monitor/store"
)

// TestPagesPastTheEnd: any page number, however large, gives an empty page
// with the right total (issue 11), on every list page and API, never a 500.
func TestPagesPastTheEnd(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.user(t, "admin", store.RoleAdmin, "")
		c := e.client(t)
		c.login("admin", samplePW)
		c.importSample()
		token, err := e.db.CreateToken(context.Background(), "admin", "")
		if err != nil {
			t.Fatal(err)
		}
		for _, page := range []string{"9223372036854775807", "99999999999999999999999", "1000001", "0", "-3"} {
			for _, path := range []string{"/households", "/flags", "/cases", "/measures", "/loans", "/audit"} {
				if res := c.get(path + "?page=" + page); res.StatusCode != http.StatusOK {
					t.Fatalf("%s?page=%s: status %d", path, page, res.StatusCode)
				}
			}
			for _, path := range []string{"/api/v1/households", "/api/v1/flags", "/api/v1/cases", "/api/v1/measures", "/api/v1/loans"} {
				status, body := e.api(t, token, "GET", path+"?page="+page+"&per_page=1000", nil, "")
				if page == "0" || page == "-3" {
					if status != http.StatusBadRequest {
						t.Fatalf("%s?page=%s: status %d, want 400", path, page, status)
					}
					continue
				}
				if status != http.StatusOK {
					t.Fatalf("%s?page=%s: status %d %v", path, page, status, body)
				}
				items, _ := body["items"].([]any)
				if len(items) != 0 {
					t.Fatalf("%s?page=%s: %d items past the end", path, page, len(items))
				}
				if path == "/api/v1/households" && body["total"] != float64(94) {
					t.Fatalf("%s?page=%s: total %v, want 94", path, page, body["total"])
				}
			}
		}
	})
}
