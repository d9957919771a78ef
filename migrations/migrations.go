// Package migrations holds the schema as forward-only SQL files, one folder
// per dialect with identical file names, embedded into the binary.
package migrations

import "embed"

// FS holds sqlite/NNNN_name.sql and postgres/NNNN_name.sql.
//
//go:embed sqlite/*.sql postgres/*.sql
var FS embed.FS
