package sbom

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"sort"
)

// ModuleGraph returns, for the packages linked into pkg (an import path or
// pattern such as "./cmd/afscan"), which modules each module's packages
// import, as the standard library's "stdlib" or module paths. It runs
// `go list -deps` in dir, which must hold the module's source, so the graph
// is the one of the real binary rather than of a test binary.
func ModuleGraph(ctx context.Context, goCmd, dir, pkg string) (map[string][]string, error) {
	if goCmd == "" {
		goCmd = "go"
	}
	cmd := exec.CommandContext(ctx, goCmd, "list", "-deps", "-json=ImportPath,Module,Imports,Standard", pkg)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list -deps %s: %w: %s", pkg, err, bytes.TrimSpace(stderr.Bytes()))
	}
	return parseGoList(bytes.NewReader(out))
}

type listedPackage struct {
	ImportPath string
	Standard   bool
	Module     *struct{ Path string }
	Imports    []string
}

func parseGoList(r io.Reader) (map[string][]string, error) {
	dec := json.NewDecoder(r)
	modOf := map[string]string{}
	var pkgs []listedPackage
	for {
		var p listedPackage
		if err := dec.Decode(&p); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, fmt.Errorf("parse go list output: %w", err)
		}
		switch {
		case p.Standard:
			modOf[p.ImportPath] = "stdlib"
		case p.Module != nil:
			modOf[p.ImportPath] = p.Module.Path
		}
		pkgs = append(pkgs, p)
	}
	edges := map[string]map[string]bool{}
	for _, p := range pkgs {
		from := modOf[p.ImportPath]
		if from == "" || from == "stdlib" {
			continue
		}
		for _, imp := range p.Imports {
			to := modOf[imp]
			if to == "" || to == from {
				continue
			}
			if edges[from] == nil {
				edges[from] = map[string]bool{}
			}
			edges[from][to] = true
		}
	}
	graph := map[string][]string{}
	for from, tos := range edges {
		for to := range tos {
			graph[from] = append(graph[from], to)
		}
		sort.Strings(graph[from])
	}
	return graph, nil
}
