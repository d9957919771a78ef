package store

import (
	"context"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/shouwang/shouwang/monitor"
)

// placeLevels names the levels of a path by its depth below the top. A path
// of three names is township/village/group; with four, a county leads.
func placeLevels(n int) []string {
	all := []string{monitor.LevelCounty, monitor.LevelTownship, monitor.LevelVillage, monitor.LevelGroup}
	if n >= 4 {
		return all
	}
	return all[1 : 1+n]
}

// SplitPlacePath splits "东城街道/皂角井社区" into normalised names.
func SplitPlacePath(p string) []string {
	var names []string
	for _, part := range strings.Split(p, "/") {
		if n := monitor.CompactText(part); n != "" {
			names = append(names, n)
		}
	}
	return names
}

// AddPlacePath creates every place along path (missing ones only) and
// returns the deepest.
func (db *DB) AddPlacePath(ctx context.Context, path string) (*monitor.Place, error) {
	names := SplitPlacePath(path)
	if len(names) == 0 || len(names) > 4 {
		return nil, monitor.Errorf(monitor.EINVALID, "地点路径 %q 无效：应为 乡镇/村 或 乡镇/村/组（最多4级，用 / 分隔）", path)
	}
	var p *monitor.Place
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		p, err = db.ensurePlace(ctx, tx, newPlaceCache(), names)
		return err
	})
	return p, err
}

// FindPlaceByPath returns the place at path.
func (db *DB) FindPlaceByPath(ctx context.Context, path string) (*monitor.Place, error) {
	var p monitor.Place
	err := db.x.GetContext(ctx, &p, db.rebind(`SELECT id, parent_id, level, name, path FROM places WHERE path = ?`), strings.Join(SplitPlacePath(path), "/"))
	if err != nil {
		if monitor.ErrorCode(mapError(err)) == monitor.ENOTFOUND {
			return nil, monitor.Errorf(monitor.ENOTFOUND, "地点 %q 不存在，请先用 shouwang place add 创建", path)
		}
		return nil, mapError(err)
	}
	return &p, nil
}

// FindPlaces lists every place ordered by path.
func (db *DB) FindPlaces(ctx context.Context) ([]monitor.Place, error) {
	var ps []monitor.Place
	err := db.x.SelectContext(ctx, &ps, `SELECT id, parent_id, level, name, path FROM places ORDER BY path`)
	return ps, mapError(err)
}

type placeCache map[string]*monitor.Place

func newPlaceCache() placeCache { return placeCache{} }

// ensurePlace finds or creates each place along names inside tx.
func (db *DB) ensurePlace(ctx context.Context, tx *sqlx.Tx, cache placeCache, names []string) (*monitor.Place, error) {
	levels := placeLevels(len(names))
	var parent *monitor.Place
	for i := range names {
		path := strings.Join(names[:i+1], "/")
		if p, ok := cache[path]; ok {
			parent = p
			continue
		}
		var p monitor.Place
		err := tx.GetContext(ctx, &p, db.rebind(`SELECT id, parent_id, level, name, path FROM places WHERE path = ?`), path)
		if err != nil {
			if monitor.ErrorCode(mapError(err)) != monitor.ENOTFOUND {
				return nil, mapError(err)
			}
			p = monitor.Place{Level: levels[i], Name: names[i], Path: path}
			if parent != nil {
				id := parent.ID
				p.ParentID = &id
			}
			err = tx.GetContext(ctx, &p.ID, db.rebind(`INSERT INTO places (parent_id, level, name, path) VALUES (?, ?, ?, ?) RETURNING id`),
				p.ParentID, p.Level, p.Name, p.Path)
			if err != nil {
				return nil, mapError(err)
			}
		}
		cache[path] = &p
		parent = &p
	}
	return parent, nil
}
