package dhf

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// ErrNoModule means the directory given as module root has no go.mod.
var ErrNoModule = errors.New("no go.mod")

// TestRef is a test function whose doc comment names the requirements it
// verifies with a line "Verifies: ID[, ID...]".
type TestRef struct {
	Package string   `json:"package"` // import path, as go test -json reports it
	Name    string   `json:"name"`    // TestX, ExampleX, FuzzX or BenchmarkX
	File    string   `json:"file"`    // slash-separated, relative to the module root
	Line    int      `json:"line"`
	IDs     []string `json:"ids"`
}

// Key is the "package.Test" key under which results are looked up.
func (t TestRef) Key() string { return t.Package + "." + t.Name }

var (
	verifiesLine = regexp.MustCompile(`^\s*Verifies:\s*(.*?)\s*$`)
	idSep        = regexp.MustCompile(`[,\s]+`)
)

// ModulePath returns the module path declared in root/go.mod.
func ModulePath(root string) (string, error) {
	f, err := os.Open(filepath.Join(root, "go.mod"))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("%s: %w", root, ErrNoModule)
		}
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`), nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	return "", fmt.Errorf("%s/go.mod: no module line", root)
}

// ScanTests parses every *_test.go file of the module rooted at root (not
// descending into testdata, vendor, hidden directories or nested modules)
// and returns the test functions that carry a Verifies line, sorted by
// package and name. Only the doc comment of a top-level Test, Example, Fuzz
// or Benchmark function counts; subtests inherit their parent's ids.
func ScanTests(ctx context.Context, root string) ([]TestRef, error) {
	modPath, err := ModulePath(root)
	if err != nil {
		return nil, err
	}
	var refs []TestRef
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "vendor" || name == "node_modules") {
				return filepath.SkipDir
			}
			if path != root {
				if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
					return filepath.SkipDir // a nested module is another module
				}
			}
			return nil
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return fmt.Errorf("parse %s: %w", path, err)
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		pkg := modPath
		if dir := filepath.ToSlash(filepath.Dir(rel)); dir != "." {
			pkg += "/" + dir
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || fn.Doc == nil || !isTestFunc(fn.Name.Name) {
				continue
			}
			ids := verifiedIDs(fn.Doc)
			if len(ids) == 0 {
				continue
			}
			refs = append(refs, TestRef{
				Package: pkg, Name: fn.Name.Name, File: filepath.ToSlash(rel),
				Line: fset.Position(fn.Pos()).Line, IDs: ids,
			})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(refs, func(i, j int) bool { return refs[i].Key() < refs[j].Key() })
	return refs, nil
}

func isTestFunc(name string) bool {
	for _, p := range []string{"Test", "Example", "Fuzz", "Benchmark"} {
		if rest, ok := strings.CutPrefix(name, p); ok {
			// go test requires the next rune not to be lower case (TestMain
			// is not a test but has no Verifies line either).
			return rest == "" || !('a' <= rest[0] && rest[0] <= 'z')
		}
	}
	return false
}

// verifiedIDs returns the ids of every Verifies line of a doc comment, in
// order, without duplicates.
func verifiedIDs(doc *ast.CommentGroup) []string {
	var ids []string
	seen := map[string]bool{}
	for _, c := range doc.List {
		for _, line := range strings.Split(c.Text, "\n") {
			line = strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(line, "//"), "/*"), "*")
			m := verifiesLine.FindStringSubmatch(strings.TrimSuffix(line, "*/"))
			if m == nil {
				continue
			}
			for _, id := range idSep.Split(m[1], -1) {
				id = strings.TrimSuffix(id, ".")
				if id != "" && !seen[id] {
					seen[id] = true
					ids = append(ids, id)
				}
			}
		}
	}
	return ids
}
