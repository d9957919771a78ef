package web

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/shouwang/shouwang/monitor"
)

// upload is a file kept between its dry run and its commit, in a folder of
// its own named by a random id, owned by the user who sent it.
type upload struct {
	ID       string                `json:"id"`
	UserID   int64                 `json:"user_id"`
	FileName string                `json:"file_name"`
	Size     int64                 `json:"size"`
	Created  time.Time             `json:"created"`
	DryRun   *monitor.ImportReport `json:"dry_run"`
	// Result is the latest commit attempt (all-or-nothing may write
	// nothing, and can be followed by a skip-invalid commit).
	Result    *monitor.ImportReport `json:"result,omitempty"`
	ErrorBook bool                  `json:"error_book"`
}

// Files inside an upload's folder.
const (
	uploadFile    = "file"
	uploadMeta    = "meta.json"
	uploadErrBook = "errors.xlsx"
)

type uploadStore struct {
	dir string
	ttl time.Duration
	mu  sync.Mutex // one commit at a time per process: a double click commits once
}

func newUploadID() string {
	b := make([]byte, 18)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// validID keeps ids to what newUploadID makes, so an id never walks out of
// the folder.
func validID(id string) bool {
	if len(id) != 24 {
		return false
	}
	return strings.Trim(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") == ""
}

func (u *uploadStore) path(id, name string) string { return filepath.Join(u.dir, id, name) }

// create makes the folder of a new upload.
func (u *uploadStore) create(userID int64, now time.Time) (*upload, error) {
	up := &upload{ID: newUploadID(), UserID: userID, Created: now}
	if err := os.Mkdir(filepath.Join(u.dir, up.ID), 0o700); err != nil {
		return nil, err
	}
	return up, nil
}

func (u *uploadStore) save(up *upload) error {
	b, err := json.Marshal(up)
	if err != nil {
		return err
	}
	tmp := u.path(up.ID, uploadMeta+".tmp")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, u.path(up.ID, uploadMeta))
}

var errNoUpload = monitor.Errorf(monitor.ENOTFOUND, "上传的文件不存在或已过期（保留 24 小时），请重新上传")

// load returns the user's upload; another user's, an unknown or an expired
// one are all ENOTFOUND.
func (u *uploadStore) load(id string, userID int64, now time.Time) (*upload, error) {
	if !validID(id) {
		return nil, errNoUpload
	}
	b, err := os.ReadFile(u.path(id, uploadMeta))
	if err != nil {
		return nil, errNoUpload
	}
	var up upload
	if err := json.Unmarshal(b, &up); err != nil || up.UserID != userID {
		return nil, errNoUpload
	}
	if now.Sub(up.Created) > u.ttl {
		u.remove(id)
		return nil, errNoUpload
	}
	return &up, nil
}

func (u *uploadStore) remove(id string) {
	if validID(id) {
		os.RemoveAll(filepath.Join(u.dir, id))
	}
}

// sweep removes the uploads older than the ttl.
func (u *uploadStore) sweep(now time.Time) {
	entries, err := os.ReadDir(u.dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.IsDir() || !validID(e.Name()) {
			continue
		}
		if st, err := e.Info(); err == nil && now.Sub(st.ModTime()) > u.ttl {
			u.remove(e.Name())
		}
	}
}
