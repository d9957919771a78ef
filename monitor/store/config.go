package store

import (
	"context"

	"github.com/shouwang/shouwang/monitor"
)

// CurrentConfig returns the newest rule set and parameters, or ENOTFOUND
// when none was saved yet.
func (db *DB) CurrentConfig(ctx context.Context) (*monitor.ConfigVersion, error) {
	var cs []monitor.ConfigVersion
	if err := db.x.SelectContext(ctx, &cs, `SELECT id, rules, params, actor, note, created_at FROM config_versions ORDER BY id DESC LIMIT 1`); err != nil {
		return nil, mapError(err)
	}
	if len(cs) == 0 {
		return nil, monitor.Errorf(monitor.ENOTFOUND, "尚未保存规则和参数")
	}
	return &cs[0], nil
}

// FindConfigVersions lists every saved version, newest first, without bodies.
func (db *DB) FindConfigVersions(ctx context.Context) ([]monitor.ConfigVersion, error) {
	var cs []monitor.ConfigVersion
	err := db.x.SelectContext(ctx, &cs, `SELECT id, '' AS rules, '' AS params, actor, note, created_at FROM config_versions ORDER BY id DESC`)
	return cs, mapError(err)
}

// SaveConfig stores a new version of the rules and parameters; earlier
// versions stay, so every flag can say which version raised it.
func (db *DB) SaveConfig(ctx context.Context, rules, params, actor, note string) (*monitor.ConfigVersion, error) {
	c := &monitor.ConfigVersion{Rules: rules, Params: params, Actor: actor, Note: note, CreatedAt: db.Now()}
	err := db.x.GetContext(ctx, &c.ID, db.rebind(`INSERT INTO config_versions (rules, params, actor, note, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`),
		c.Rules, c.Params, c.Actor, c.Note, c.CreatedAt)
	return c, mapError(err)
}
