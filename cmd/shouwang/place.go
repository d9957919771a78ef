package main

import (
	"context"
	"fmt"
)

func (a *App) runPlace(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageError{"place add PATH | place list"}
	}
	fs, dsn := a.newFlags("place " + args[0])
	pos, err := parseMixed(fs, args[1:])
	if err != nil {
		return usageError{err.Error()}
	}
	db, err := a.openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	switch args[0] {
	case "add":
		if len(pos) != 1 {
			return usageError{"place add 需要一个路径，如 东城街道/皂角井社区"}
		}
		p, err := db.AddPlacePath(ctx, pos[0])
		if err != nil {
			return err
		}
		fmt.Fprintf(a.Stdout, "地点已就绪：%s\n", p.Path)
	case "list":
		ps, err := db.FindPlaces(ctx)
		if err != nil {
			return err
		}
		for _, p := range ps {
			fmt.Fprintln(a.Stdout, p.Path)
		}
	default:
		return usageError{"place add PATH | place list"}
	}
	return nil
}
