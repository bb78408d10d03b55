package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// writeAudit appends n entries from several goroutines and closes the log.
func writeAudit(t *testing.T, path string, n int) {
	t.Helper()
	a, err := OpenAudit(path, AuditOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			err := a.Append(context.Background(), AuditEntry{
				RequestID: fmt.Sprintf("req-%d", i), KeyID: "0123456789abcdef",
				Method: "POST", Route: RouteClassify, Status: 200, Rhythm: "normal", ModelSHA256: "ab",
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestAuditChainResumes writes, closes, reopens and writes again: the chain
// continues and the file verifies; the file is mode 0600.
//
// Verifies: SRS-SEC-004
func TestAuditChainResumes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	writeAudit(t, path, 50)
	writeAudit(t, path, 30)
	n, err := VerifyAuditFile(path)
	if err != nil || n != 80 {
		t.Fatalf("got %d entries, %v; want 80, nil", n, err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("got mode %v, want 0600", fi.Mode().Perm())
	}
	a, err := OpenAudit(path, AuditOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := a.Append(context.Background(), AuditEntry{}); !errors.Is(err, ErrAuditClosed) {
		t.Errorf("append after close: got %v, want ErrAuditClosed", err)
	}
}

// TestAuditVerifyDetectsTampering edits, removes, reorders, inserts and
// truncates lines and checks that verification names the first bad line.
//
// Verifies: SRS-SEC-004
func TestAuditVerifyDetectsTampering(t *testing.T) {
	dir := t.TempDir()
	orig := filepath.Join(dir, "orig.log")
	writeAudit(t, orig, 10)
	data, err := os.ReadFile(orig)
	if err != nil {
		t.Fatal(err)
	}
	head, err := os.ReadFile(headPath(orig))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	lines = lines[:len(lines)-1] // the empty string after the last newline
	join := func(ls ...string) string { return strings.Join(ls, "") }
	tests := []struct {
		name     string
		content  string
		wantLine int
	}{
		{"edited status", join(append(append([]string{}, lines[:3]...), append([]string{strings.Replace(lines[3], `"status":200`, `"status":500`, 1)}, lines[4:]...)...)...), 4},
		{"edited and rehashed", join(append(append([]string{}, lines[:3]...), append([]string{rehash(t, strings.Replace(lines[3], `"status":200`, `"status":500`, 1))}, lines[4:]...)...)...), 5},
		{"whitespace added", join(append(append([]string{}, lines[:5]...), append([]string{strings.Replace(lines[5], `{`, `{ `, 1)}, lines[6:]...)...)...), 6},
		{"removed", join(append(append([]string{}, lines[:2]...), lines[3:]...)...), 3},
		{"reordered", join(append(append([]string{}, lines[:6]...), append([]string{lines[7], lines[6]}, lines[8:]...)...)...), 7},
		{"duplicated", join(append(append([]string{}, lines[:4]...), append([]string{lines[3]}, lines[4:]...)...)...), 5},
		{"first removed", join(lines[1:]...), 1},
		{"last removed", join(lines[:9]...), 10},
		{"not json", join(append(append([]string{}, lines[:8]...), "hello\n", lines[9])...), 9},
		{"tail rewritten", join(append(append([]string{}, lines[:8]...), forgeTail(t, lines[7], lines[8:])...)...), 10},
		{"unknown field", join(append(append([]string{}, lines[:1]...), append([]string{strings.Replace(lines[1], `{`, `{"x":1,`, 1)}, lines[2:]...)...)...), 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "audit.log")
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(headPath(path), head, 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := VerifyAuditFile(path)
			ae, ok := errors.AsType[*AuditError](err)
			if !ok || !errors.Is(err, ErrAuditTampered) {
				t.Fatalf("got %v, want an *AuditError wrapping ErrAuditTampered", err)
			}
			if ae.Line != tc.wantLine {
				t.Errorf("got line %d (%v), want %d", ae.Line, err, tc.wantLine)
			}
		})
	}
	if n, err := VerifyAuditFile(orig); err != nil || n != 10 {
		t.Errorf("untouched log: got %d, %v; want 10, nil", n, err)
	}
}

// rehash recomputes a line's own hash (as a forger would); the next line's
// prev then no longer matches.
func rehash(t *testing.T, line string) string {
	t.Helper()
	var e AuditEntry
	if err := jsonUnmarshalString(line, &e); err != nil {
		t.Fatal(err)
	}
	h, canon, err := entryHash(e)
	if err != nil {
		t.Fatal(err)
	}
	return string(appendAuditLine(nil, canon, h)) + "\n"
}

// forgeTail rewrites tail with status 500 and recomputes a consistent chain
// after prevLine, as a forger without the head file would.
func forgeTail(t *testing.T, prevLine string, tail []string) []string {
	t.Helper()
	var prev AuditEntry
	if err := jsonUnmarshalString(prevLine, &prev); err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(tail))
	hash := prev.Hash
	for i, l := range tail {
		var e AuditEntry
		if err := jsonUnmarshalString(l, &e); err != nil {
			t.Fatal(err)
		}
		e.Status, e.Prev = 500, hash
		h, canon, err := entryHash(e)
		if err != nil {
			t.Fatal(err)
		}
		out[i], hash = string(appendAuditLine(nil, canon, h))+"\n", h
	}
	return out
}

// TestOpenAuditRefusesDamagedLog will not extend a log that ends in a partial
// line or lost its tail.
//
// Verifies: SRS-SEC-004
func TestOpenAuditRefusesDamagedLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	writeAudit(t, path, 3)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, content string }{
		{"partial line", string(data[:len(data)-5])},
		{"tail removed", string(data[:bytes.LastIndexByte(data[:len(data)-1], '\n')+1])},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			if a, err := OpenAudit(path, AuditOptions{}); err == nil {
				a.Close()
				t.Fatal("opened a damaged log")
			}
		})
	}
}

// TestAuditEntriesHoldNoSamplesOrKeys runs real requests and checks the log
// holds the key id but not the key, no sample values and no device id.
//
// Verifies: SRS-SEC-004
func TestAuditEntriesHoldNoSamplesOrKeys(t *testing.T) {
	dk, err := LoadOrCreateDeviceKey(filepath.Join(t.TempDir(), "device.key"))
	if err != nil {
		t.Fatal(err)
	}
	env := newTestEnv(t, func(o *Options) { o.DeviceKey = dk })
	body := readTestdata(t, "strip.json") // device_id cinc2017-A00004
	if w := env.classify(MediaJSON, body); w.Code != 200 {
		t.Fatalf("got %d: %s", w.Code, w.Body)
	}
	if w := env.do("POST", RouteClassify, map[string]string{"Content-Type": MediaJSON}, body); w.Code != 401 {
		t.Fatalf("got %d, want 401", w.Code)
	}
	if err := env.audit.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(env.auditPath)
	if err != nil {
		t.Fatal(err)
	}
	_, secret, _ := parseKey(env.key)
	for _, bad := range []string{secret, "cinc2017-A00004", "0.519", "0.619"} {
		if bytes.Contains(data, []byte(bad)) {
			t.Errorf("audit log contains %q", bad)
		}
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d entries, want 2", len(lines))
	}
	var ok, denied AuditEntry
	if err := jsonUnmarshalString(lines[0], &ok); err != nil {
		t.Fatal(err)
	}
	if err := jsonUnmarshalString(lines[1], &denied); err != nil {
		t.Fatal(err)
	}
	if ok.KeyID != env.keyID || ok.Status != 200 || ok.Rhythm != "normal" || ok.ModelSHA256 != testModel.SHA256 || ok.RequestID == "" {
		t.Errorf("got entry %+v", ok)
	}
	if want := dk.Hash("cinc2017-A00004"); ok.DeviceHMAC != want || len(want) != 64 {
		t.Errorf("got device_hmac %q, want %q", ok.DeviceHMAC, want)
	}
	if denied.KeyID != "" || denied.Status != 401 || denied.Rhythm != "" || denied.DeviceHMAC != "" {
		t.Errorf("got entry %+v", denied)
	}
	if ok.Time.IsZero() || ok.Time.After(time.Now().Add(time.Minute)) {
		t.Errorf("got time %v", ok.Time)
	}
}

// TestAuditFHIRDevice: a FHIR Observation's device reference is audited
// as its keyed hash, like a JSON device_id, never in clear, and the log
// still verifies.
//
// Verifies: SRS-SEC-004
func TestAuditFHIRDevice(t *testing.T) {
	dk, err := LoadOrCreateDeviceKey(filepath.Join(t.TempDir(), "device.key"))
	if err != nil {
		t.Fatal(err)
	}
	env := newTestEnv(t, func(o *Options) { o.DeviceKey = dk })
	var obs map[string]any
	if err := json.Unmarshal(readTestdata(t, "strip.fhir.json"), &obs); err != nil {
		t.Fatal(err)
	}
	withDevice := func(device any) []byte {
		obs["device"] = device
		b, err := json.Marshal(obs)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name   string
		device any
		want   string // hashed device id; "" for none
		clear  []string
	}{
		{"reference", map[string]any{"reference": "Device/watch-0042", "display": "Ward watch"}, "Device/watch-0042", []string{"watch-0042", "Ward watch"}},
		{"identifier", map[string]any{"identifier": map[string]any{"system": "urn:ieee:mac", "value": "00-1b-63-84-45-e6"}}, "urn:ieee:mac|00-1b-63-84-45-e6", []string{"00-1b-63-84-45-e6", "urn:ieee:mac"}},
		{"not a Reference", "Device/plain-string", "", []string{"plain-string"}},
	}
	for _, tc := range tests {
		if w := env.classify(MediaFHIR, withDevice(tc.device)); w.Code != 200 {
			t.Fatalf("%s: got %d: %s", tc.name, w.Code, w.Body)
		}
	}
	if err := env.audit.Close(); err != nil {
		t.Fatal(err)
	}
	if n, err := VerifyAuditFile(env.auditPath); err != nil || n != len(tests) {
		t.Fatalf("verify: got %d entries, %v; want %d, nil", n, err, len(tests))
	}
	data, err := os.ReadFile(env.auditPath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	for i, tc := range tests {
		var e AuditEntry
		if err := jsonUnmarshalString(lines[i], &e); err != nil {
			t.Fatal(err)
		}
		if want := dk.Hash(tc.want); e.DeviceHMAC != want || tc.want != "" && len(want) != 64 {
			t.Errorf("%s: got device_hmac %q, want %q", tc.name, e.DeviceHMAC, want)
		}
		for _, c := range tc.clear {
			if bytes.Contains(data, []byte(c)) {
				t.Errorf("%s: audit log contains %q in clear", tc.name, c)
			}
		}
	}
}

// TestAuditWithoutDeviceKey records no device when the server has no
// device key.
//
// Verifies: SRS-SEC-004
func TestAuditWithoutDeviceKey(t *testing.T) {
	env := newTestEnv(t, nil)
	if w := env.classify(MediaJSON, readTestdata(t, "strip.json")); w.Code != 200 {
		t.Fatalf("got %d: %s", w.Code, w.Body)
	}
	data, err := os.ReadFile(env.auditPath)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte("device")) {
		t.Errorf("audit line names a device: %s", data)
	}
}

// TestAuditWrittenBeforeAnswer: when the handler has answered, the entry
// is already in the file (written, not merely queued), with the status
// the client got.
//
// Verifies: SRS-SEC-004
func TestAuditWrittenBeforeAnswer(t *testing.T) {
	env := newTestEnv(t, nil)
	for i, tc := range []struct {
		name        string
		contentType string
		want        int
	}{
		{"ok", MediaJSON, 200},
		{"unsupported type", "text/plain", 415},
		{"second ok", MediaJSON, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := env.classify(tc.contentType, readTestdata(t, "strip.json"))
			if w.Code != tc.want {
				t.Fatalf("got %d, want %d", w.Code, tc.want)
			}
			data, err := os.ReadFile(env.auditPath)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(string(data)), "\n")
			if len(lines) != i+1 {
				t.Fatalf("got %d lines after answer %d", len(lines), i+1)
			}
			var e AuditEntry
			if err := jsonUnmarshalString(lines[i], &e); err != nil {
				t.Fatal(err)
			}
			if e.Status != tc.want || e.RequestID != w.Header().Get(HeaderRequestID) {
				t.Errorf("got entry %+v for answer %d %s", e, w.Code, w.Header().Get(HeaderRequestID))
			}
		})
	}
}

// appendFails is an audit sink that looks healthy but fails to write.
type appendFails struct{}

func (appendFails) Append(context.Context, AuditEntry) error { return errors.New("disk full") }
func (appendFails) Err() error                               { return nil }

// TestResultWithheldWhenAuditFails: a classification whose audit entry
// cannot be written is not released.
//
// Verifies: SRS-SEC-004
func TestResultWithheldWhenAuditFails(t *testing.T) {
	env := newTestEnv(t, func(o *Options) { o.Audit = appendFails{} })
	w := env.classify(MediaJSON, readTestdata(t, "strip.json"))
	p := checkProblem(t, w)
	if w.Code != 503 || p.Code != "not-ready" || strings.Contains(w.Body.String(), "rhythm") || strings.Contains(w.Body.String(), "disk") {
		t.Errorf("got %d %s, want 503 not-ready without the result or internals", w.Code, w.Body)
	}
}

// TestCanonicalEntry: the hand-written canonical encoding is what
// encoding/json writes, for usual entries and for ones that need escaping
// or fail.
func TestCanonicalEntry(t *testing.T) {
	base := AuditEntry{
		Seq: 7, Time: time.Date(2026, 11, 26, 7, 30, 1, 123456789, time.UTC), RequestID: "5e0c6a7e-2f57-4f0e-9b8e-0d8f0b1d2c3a",
		KeyID: "0123456789abcdef", Method: "POST", Route: RouteClassify, Status: 200, Rhythm: "normal",
		ModelSHA256: strings.Repeat("ab", 32), DeviceHMAC: strings.Repeat("cd", 32), Prev: genesisHash, Hash: "ignored",
	}
	mod := func(f func(e *AuditEntry)) AuditEntry { e := base; f(&e); return e }
	tests := []struct {
		name string
		e    AuditEntry
	}{
		{"full", base},
		{"empty optionals", mod(func(e *AuditEntry) { e.KeyID, e.Rhythm, e.ModelSHA256, e.DeviceHMAC = "", "", "", "" })},
		{"zero", AuditEntry{}},
		{"whole second", mod(func(e *AuditEntry) { e.Time = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) })},
		{"trailing zero nanos", mod(func(e *AuditEntry) { e.Time = time.Date(2026, 1, 2, 3, 4, 5, 120000000, time.UTC) })},
		{"offset zone", mod(func(e *AuditEntry) { e.Time = time.Date(2026, 1, 2, 3, 4, 5, 6, time.FixedZone("x", 3600)) })},
		{"negative seq and status", mod(func(e *AuditEntry) { e.Seq, e.Status = -1, -500 })},
		{"html", mod(func(e *AuditEntry) { e.RequestID = "<a&b>" })},
		{"quote and backslash", mod(func(e *AuditEntry) { e.KeyID = `a"b\c` })},
		{"control", mod(func(e *AuditEntry) { e.Method = "P\tOST\x00" })},
		{"unicode", mod(func(e *AuditEntry) { e.Route = "/v1/clässify\u2028" })},
		{"invalid utf-8", mod(func(e *AuditEntry) { e.Rhythm = "\xff\xfe" })},
		{"year 10000", mod(func(e *AuditEntry) { e.Time = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) })},
		{"year -1", mod(func(e *AuditEntry) { e.Time = time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC) })},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkCanonical(t, tc.e)
		})
	}
}

func checkCanonical(t *testing.T, e AuditEntry) {
	t.Helper()
	ref := e
	ref.Hash = ""
	want, wantErr := json.Marshal(ref)
	got, err := appendCanonicalEntry([]byte("prefix"), e)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("got error %v, encoding/json %v", err, wantErr)
	}
	if err != nil {
		return
	}
	if !bytes.Equal(got, append([]byte("prefix"), want...)) {
		t.Errorf("got  %s\nwant prefix%s", got, want)
	}
	line, h, err := appendEntryLine(nil, e)
	if err != nil {
		t.Fatal(err)
	}
	h2, canon, err := entryHash(e)
	if err != nil || h != h2 || !bytes.Equal(line, appendAuditLine(nil, canon, h2)) {
		t.Errorf("appendEntryLine %s %s disagrees with entryHash %s %s (%v)", line, h, appendAuditLine(nil, canon, h2), h2, err)
	}
}

// FuzzCanonicalEntry: for any strings, times and numbers the canonical
// encoding equals encoding/json's.
func FuzzCanonicalEntry(f *testing.F) {
	f.Add(int64(1), int64(1764142201), int64(123456789), "req", "key", "POST", RouteClassify, 200, "normal", "ab", "cd", genesisHash)
	f.Add(int64(0), int64(0), int64(0), "", "", "", "", 0, "", "", "", "")
	f.Add(int64(-3), int64(-70000000000), int64(999999999), "<&>", `"\`, "\x00\x1f", "é\u2028", -1, "\xff", "a b", "~", "0")
	f.Fuzz(func(t *testing.T, seq, unixS, nanos int64, req, key, method, route string, status int, rhythm, model, device, prev string) {
		checkCanonical(t, AuditEntry{
			Seq: seq, Time: time.Unix(unixS, nanos).UTC(), RequestID: req, KeyID: key, Method: method, Route: route,
			Status: status, Rhythm: rhythm, ModelSHA256: model, DeviceHMAC: device, Prev: prev,
		})
	})
}

// TestAuditSyncsWrittenEntries: entries are fsynced (the head file, which
// each fsync rewrites here, names the last one) both when the syncer is
// woken from idle by an entry and while entries keep arriving on its timer,
// with group commit and with an fsync per entry.
func TestAuditSyncsWrittenEntries(t *testing.T) {
	for _, every := range []time.Duration{5 * time.Millisecond, -1} {
		t.Run(every.String(), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "audit.log")
			a, err := OpenAudit(path, AuditOptions{SyncEvery: every, HeadEvery: time.Nanosecond})
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			waitHead := func(seq int64) {
				t.Helper()
				deadline := time.Now().Add(10 * time.Second)
				for {
					h, ok, err := readHead(path)
					if err != nil {
						t.Fatal(err)
					}
					if ok && h.Seq == seq {
						return
					}
					if time.Now().After(deadline) {
						t.Fatalf("head file: got %+v (present %v), want seq %d", h, ok, seq)
					}
					time.Sleep(time.Millisecond)
				}
			}
			appendN := func(n int) {
				for range n {
					if err := a.Append(context.Background(), AuditEntry{RequestID: "r", Method: "POST", Route: RouteClassify, Status: 200}); err != nil {
						t.Fatal(err)
					}
				}
			}
			appendN(3)
			waitHead(3)
			// Steady arrivals across several sync periods.
			for range 5 {
				appendN(2)
				time.Sleep(2 * time.Millisecond)
			}
			waitHead(13)
			// Idle long enough for the syncer to stop looking, then one more.
			time.Sleep(50 * time.Millisecond)
			appendN(1)
			waitHead(14)
		})
	}
}
