package api

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// AuditEntry is one line of the audit log. It records who asked what and
// what the service answered, never the samples, the API key or a device
// identifier in clear: a device is named only by its keyed hash
// (DeviceKey.Hash).
type AuditEntry struct {
	Seq         int64     `json:"seq"`
	Time        time.Time `json:"time"`
	RequestID   string    `json:"request_id"`
	KeyID       string    `json:"key_id,omitempty"`
	Method      string    `json:"method"`
	Route       string    `json:"route"`
	Status      int       `json:"status"`
	Rhythm      string    `json:"rhythm,omitempty"`
	ModelSHA256 string    `json:"model_sha256,omitempty"`
	// DeviceHMAC is the hex HMAC-SHA-256 under the installation's
	// DeviceKey of the device the request named (afscan JSON's device_id,
	// a FHIR Observation's device reference: see DecodeFunc); empty when it
	// named none.
	DeviceHMAC string `json:"device_hmac,omitempty"`
	// Prev is the Hash of the previous entry (genesisHash for the first).
	Prev string `json:"prev"`
	// Hash is hex SHA-256 over Prev, a newline and the entry's canonical
	// JSON without Hash.
	Hash string `json:"hash,omitempty"`
}

// genesisHash is the Prev of the first entry.
var genesisHash = strings.Repeat("0", 64)

// Errors of the audit log.
var (
	ErrAuditClosed   = errors.New("audit log closed")
	ErrAuditTampered = errors.New("audit chain broken")
)

// AuditError locates a broken chain: Line is 1-based; 0 means the file as a
// whole (e.g. truncated against its head file).
type AuditError struct {
	Line int
	Err  error
}

func (e *AuditError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("audit log: %v", e.Err)
	}
	return fmt.Sprintf("audit log line %d: %v", e.Line, e.Err)
}

func (e *AuditError) Unwrap() error { return e.Err }

// entryHash computes e's chain hash and canonical JSON; e.Hash is ignored.
func entryHash(e AuditEntry) (string, []byte, error) {
	canon, err := appendCanonicalEntry(nil, e)
	if err != nil {
		return "", nil, err
	}
	var sum [sha256.Size * 2]byte
	chainHash(&sum, e.Prev, canon)
	return string(sum[:]), canon, nil
}

// chainHash writes the hex SHA-256 of prev, a newline and canon to dst.
func chainHash(dst *[sha256.Size * 2]byte, prev string, canon []byte) {
	h := sha256.New()
	h.Write([]byte(prev))
	h.Write([]byte{'\n'})
	h.Write(canon)
	var sum [sha256.Size]byte
	hex.Encode(dst[:], h.Sum(sum[:0]))
}

// appendEntryLine appends e's log line (without the newline) to dst and
// returns it with the entry's hash: the canonical JSON with the hash
// spliced in as the last field, so the entry is encoded once.
func appendEntryLine(dst []byte, e AuditEntry) ([]byte, string, error) {
	start := len(dst)
	dst, err := appendCanonicalEntry(dst, e)
	if err != nil {
		return dst[:start], "", err
	}
	var sum [sha256.Size * 2]byte
	chainHash(&sum, e.Prev, dst[start:])
	h := string(sum[:])
	return spliceHash(dst, h), h, nil
}

// appendAuditLine appends the log line of an entry (without the newline):
// its canonical JSON with the hash spliced in as the last field.
func appendAuditLine(dst, canon []byte, hash string) []byte {
	return spliceHash(append(dst, canon...), hash)
}

// spliceHash turns the canonical JSON at the end of line (which ends in
// '}') into the log line: hash added as the last field.
func spliceHash(line []byte, hash string) []byte {
	line = append(line[:len(line)-1], `,"hash":"`...)
	line = append(line, hash...)
	return append(line, `"}`...)
}

// appendCanonicalEntry appends the canonical JSON of e without its Hash:
// byte for byte what encoding/json.Marshal writes (TestCanonicalEntry and
// FuzzCanonicalEntry check it), without reflection for the usual entry
// whose strings are printable ASCII that needs no escaping; any other
// entry is handed to encoding/json.
func appendCanonicalEntry(dst []byte, e AuditEntry) ([]byte, error) {
	if y := e.Time.Year(); y < 0 || y > 9999 || !plainJSON(e.RequestID) || !plainJSON(e.KeyID) ||
		!plainJSON(e.Method) || !plainJSON(e.Route) || !plainJSON(e.Rhythm) || !plainJSON(e.ModelSHA256) ||
		!plainJSON(e.DeviceHMAC) || !plainJSON(e.Prev) {
		e.Hash = ""
		b, err := json.Marshal(e)
		return append(dst, b...), err
	}
	dst = append(dst, `{"seq":`...)
	dst = strconv.AppendInt(dst, e.Seq, 10)
	dst = append(dst, `,"time":"`...)
	dst = e.Time.AppendFormat(dst, time.RFC3339Nano)
	dst = append(dst, `","request_id":"`...)
	dst = append(dst, e.RequestID...)
	dst = append(dst, '"')
	dst = appendOptString(dst, `,"key_id":"`, e.KeyID)
	dst = append(dst, `,"method":"`...)
	dst = append(dst, e.Method...)
	dst = append(dst, `","route":"`...)
	dst = append(dst, e.Route...)
	dst = append(dst, `","status":`...)
	dst = strconv.AppendInt(dst, int64(e.Status), 10)
	dst = appendOptString(dst, `,"rhythm":"`, e.Rhythm)
	dst = appendOptString(dst, `,"model_sha256":"`, e.ModelSHA256)
	dst = appendOptString(dst, `,"device_hmac":"`, e.DeviceHMAC)
	dst = append(dst, `,"prev":"`...)
	dst = append(dst, e.Prev...)
	return append(dst, `"}`...), nil
}

// appendOptString appends key and s and a closing quote unless s is empty
// (omitempty).
func appendOptString(dst []byte, key, s string) []byte {
	if s == "" {
		return dst
	}
	dst = append(dst, key...)
	dst = append(dst, s...)
	return append(dst, '"')
}

// plainJSON reports whether encoding/json writes s between quotes as it
// is: printable ASCII other than the quote, the backslash and the HTML
// characters it escapes (<, >, &).
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c > 0x7e, c == '"', c == '\\', c == '<', c == '>', c == '&':
			return false
		}
	}
	return true
}

// auditHead is the content of FILE.head: the last entry known durable. It
// lets Verify notice lines removed from the end of the file, which a hash
// chain alone cannot.
type auditHead struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

// AuditOptions configures OpenAudit.
type AuditOptions struct {
	Logger *slog.Logger
	// Now is the clock stamped on entries; time.Now when nil.
	Now func() time.Time
	// HeadEvery is how often the head file is rewritten while entries
	// arrive; one second when zero. It is always written on Close.
	HeadEvery time.Duration
	// SyncEvery bounds how long a written entry may wait for fsync: the
	// syncer fsyncs when entries were written since its last fsync, but at
	// most once per SyncEvery (group commit), and a timer fsyncs what is
	// left. 10 ms when zero; a negative value fsyncs after every entry (as
	// soon as the syncer runs). Append writes every entry to the file (it
	// reaches the OS) before it returns either way.
	SyncEvery time.Duration
}

// AuditLog is an append-only, SHA-256 hash-chained JSON-lines file.
//
// Guarantee: Append returns only after the entry's line was written to the
// file with one write call, so the service answers a request only after
// its audit line is in the operating system's hands: it survives the
// process crashing or being killed the moment after. It is on disk (fsync)
// at most SyncEvery later — the window a power loss can cost. fsync per
// entry would put the disk's flush latency (milliseconds) on every request
// and cost a few percent of a core at 500 requests/s; one goroutine,
// started by OpenAudit and ended by Close, fsyncs in groups instead and
// keeps the head file.
type AuditLog struct {
	path string
	f    *os.File
	log  *slog.Logger
	now  func() time.Time
	// headEvery paces head-file writes; syncEvery paces fsyncs.
	headEvery time.Duration
	syncEvery time.Duration

	mu     sync.Mutex // serialises appends; guards the fields below
	closed bool
	seq    int64
	prev   string
	line   []byte // reused line buffer
	// pending: entries were written since the syncer last took the head
	// for an fsync. syncerIdle: the syncer waits for a kick, with no
	// timer armed; only then does Append kick it, so under steady load
	// the syncer runs on its timer, once per SyncEvery, instead of being
	// woken (a futex wake of another thread) by every entry.
	pending    bool
	syncerIdle bool

	kick chan struct{} // an entry was written while the syncer idled (capacity 1)
	stop chan struct{} // closed by Close
	done chan struct{} // closed when the syncer has returned

	errMu sync.Mutex
	err   error // first write or fsync error; the log stops accepting entries

	// Owned by the syncer goroutine.
	lastHead time.Time
}

// OpenAudit opens (creating with mode 0600) the audit log at path and
// resumes its chain from the last line. It refuses a file that ends in a
// partial line or is shorter than its head file says, so a damaged log is
// never silently extended: run `afscan audit verify` on it.
func OpenAudit(path string, opts AuditOptions) (*AuditLog, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.HeadEvery <= 0 {
		opts.HeadEvery = time.Second
	}
	if opts.SyncEvery == 0 {
		opts.SyncEvery = 10 * time.Millisecond
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open audit log: %w", err)
	}
	seq, prev, err := lastEntry(f)
	if err == nil {
		err = checkHead(path, seq)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("audit log %s: %w", path, err)
	}
	a := &AuditLog{
		path: path, f: f, log: opts.Logger, now: opts.Now, headEvery: opts.HeadEvery, syncEvery: opts.SyncEvery,
		seq: seq, prev: prev, syncerIdle: true,
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}),
	}
	go a.syncer()
	return a, nil
}

// lastEntry reads the last line of f and returns its seq and hash, or 0 and
// genesisHash for an empty file.
func lastEntry(f *os.File) (int64, string, error) {
	fi, err := f.Stat()
	if err != nil {
		return 0, "", err
	}
	size := fi.Size()
	if size == 0 {
		return 0, genesisHash, nil
	}
	const maxLine = 64 << 10
	off := max(size-maxLine, 0)
	buf := make([]byte, size-off)
	if _, err := f.ReadAt(buf, off); err != nil && !errors.Is(err, io.EOF) {
		return 0, "", err
	}
	if buf[len(buf)-1] != '\n' {
		return 0, "", fmt.Errorf("ends in a partial line: %w", ErrAuditTampered)
	}
	buf = buf[:len(buf)-1]
	line := buf[bytes.LastIndexByte(buf, '\n')+1:]
	var e AuditEntry
	if err := json.Unmarshal(line, &e); err != nil {
		return 0, "", fmt.Errorf("last line: %w", err)
	}
	if got, _, err := entryHash(e); err != nil || got != e.Hash {
		return 0, "", fmt.Errorf("last line hash: %w", ErrAuditTampered)
	}
	return e.Seq, e.Hash, nil
}

func headPath(logPath string) string { return logPath + ".head" }

// readHead returns the head file of the log at path; ok is false when there
// is none.
func readHead(path string) (h auditHead, ok bool, err error) {
	data, err := os.ReadFile(headPath(path))
	if errors.Is(err, fs.ErrNotExist) {
		return auditHead{}, false, nil
	}
	if err != nil {
		return auditHead{}, false, err
	}
	if err := json.Unmarshal(data, &h); err != nil {
		return auditHead{}, false, fmt.Errorf("head file: %w", err)
	}
	return h, true, nil
}

func checkHead(path string, lastSeq int64) error {
	h, ok, err := readHead(path)
	if err != nil || !ok {
		return err
	}
	if lastSeq < h.Seq {
		return fmt.Errorf("last entry %d, head file says %d: lines removed from the end: %w", lastSeq, h.Seq, ErrAuditTampered)
	}
	return nil
}

// Append chains e to the log and writes its line; Seq, Prev and Hash are
// filled in, Time when zero. It returns after the write call (see
// AuditLog), so a nil error means the entry reached the OS. Appends are
// serialised; each costs one write system call and no allocation beyond
// encoding. ctx is not consulted: an entry is never dropped half-way.
func (a *AuditLog) Append(_ context.Context, e AuditEntry) error {
	if e.Time.IsZero() {
		e.Time = a.now()
	}
	e.Time = e.Time.UTC()
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return ErrAuditClosed
	}
	if err := a.Err(); err != nil {
		return err
	}
	e.Seq, e.Prev = a.seq+1, a.prev
	line, h, err := appendEntryLine(a.line[:0], e)
	if err != nil {
		a.setErr(err)
		return err
	}
	line = append(line, '\n')
	a.line = line
	if _, err := a.f.Write(line); err != nil {
		// A short write leaves a partial line that OpenAudit refuses;
		// the log accepts nothing more until restarted and verified.
		a.setErr(err)
		return err
	}
	a.seq, a.prev = e.Seq, h
	a.pending = true
	if a.syncerIdle {
		a.syncerIdle = false
		select {
		case a.kick <- struct{}{}:
		default:
		}
	}
	return nil
}

// Err returns the first write error, after which entries are refused and
// the service reports itself not ready.
func (a *AuditLog) Err() error {
	a.errMu.Lock()
	defer a.errMu.Unlock()
	return a.err
}

func (a *AuditLog) setErr(err error) {
	a.errMu.Lock()
	defer a.errMu.Unlock()
	if a.err == nil {
		a.err = err
		a.log.Error("audit log write failed; not ready until restarted", "path", a.path, "err", err)
	}
}

// syncer fsyncs written entries in groups and keeps the head file. It
// idles until Append kicks it; then, while entries keep arriving, it wakes
// on its timer once per SyncEvery and fsyncs what was written, and goes
// back to idling when a period passed without entries.
func (a *AuditLog) syncer() {
	defer close(a.done)
	// Fsync pacing runs on the monotonic clock, not the entries' clock.
	var lastSync time.Time
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		select {
		case <-a.stop:
			a.sync(true)
			return
		case <-timer.C:
		case <-a.kick:
		}
		for {
			a.mu.Lock()
			pending := a.pending
			a.syncerIdle = !pending
			a.mu.Unlock()
			if !pending {
				break
			}
			if wait := a.syncEvery - time.Since(lastSync); wait > 0 && a.syncEvery >= 0 {
				timer.Reset(wait)
				break
			}
			a.sync(false)
			lastSync = time.Now()
			if a.syncEvery >= 0 {
				// Look again one period on: entries written meanwhile
				// are fsynced then without a kick.
				timer.Reset(a.syncEvery)
				break
			}
			// Fsync after every entry: look again at once.
		}
	}
}

// sync fsyncs the log and rewrites the head file when due (or always, when
// final). The head names an entry written before the fsync, so it never
// claims more than is on disk.
func (a *AuditLog) sync(final bool) {
	a.mu.Lock()
	head := auditHead{Seq: a.seq, Hash: a.prev}
	a.pending = false // what is written now is in this fsync
	a.mu.Unlock()
	if a.Err() != nil {
		return
	}
	if err := a.f.Sync(); err != nil {
		a.setErr(err)
		return
	}
	now := a.now()
	if !final && now.Sub(a.lastHead) < a.headEvery {
		return
	}
	a.lastHead = now
	data, _ := json.Marshal(head)
	if err := writeFileAtomic(headPath(a.path), data, 0o600); err != nil {
		a.setErr(err)
	}
}

// Close fsyncs, records the head and closes the file. Appends after Close
// return ErrAuditClosed. It is safe to call more than once.
func (a *AuditLog) Close() error {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		<-a.done
		return nil
	}
	a.closed = true
	a.mu.Unlock()
	close(a.stop)
	<-a.done
	return errors.Join(a.Err(), a.f.Close())
}

// VerifyAudit reads a whole audit log and checks that every line is in
// canonical form, numbered in sequence and chained to the one before. It
// returns the number of entries and, for the first bad line, an
// *AuditError with its line number.
func VerifyAudit(r io.Reader) (int, error) { return verifyAudit(r, nil) }

// verifyAudit is VerifyAudit that also checks the entry head names, when
// head is not nil, carries head's hash.
func verifyAudit(r io.Reader, head *auditHead) (int, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	prev := genesisHash
	n := 0
	for sc.Scan() {
		n++
		line := sc.Bytes()
		var e AuditEntry
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			return n - 1, &AuditError{Line: n, Err: fmt.Errorf("not an audit entry: %w", ErrAuditTampered)}
		}
		h, canon, err := entryHash(e)
		if err != nil {
			return n - 1, &AuditError{Line: n, Err: err}
		}
		switch {
		case e.Seq != int64(n):
			return n - 1, &AuditError{Line: n, Err: fmt.Errorf("seq %d, want %d (line removed or reordered): %w", e.Seq, n, ErrAuditTampered)}
		case e.Prev != prev:
			return n - 1, &AuditError{Line: n, Err: fmt.Errorf("does not follow the previous line: %w", ErrAuditTampered)}
		case e.Hash != h:
			return n - 1, &AuditError{Line: n, Err: fmt.Errorf("content does not match its hash (edited): %w", ErrAuditTampered)}
		case !bytes.Equal(line, appendAuditLine(nil, canon, h)):
			return n - 1, &AuditError{Line: n, Err: fmt.Errorf("not in canonical form (edited): %w", ErrAuditTampered)}
		case head != nil && e.Seq == head.Seq && h != head.Hash:
			return n - 1, &AuditError{Line: n, Err: fmt.Errorf("differs from the entry the head file recorded (rewritten): %w", ErrAuditTampered)}
		}
		prev = h
	}
	if err := sc.Err(); err != nil {
		return n, &AuditError{Line: n + 1, Err: err}
	}
	return n, nil
}

// VerifyAuditFile verifies the log at path and, when its head file exists,
// that no line was removed from the end and the entry it names is the one
// it recorded. The head file is a tripwire against truncation and naive
// rewrites, not a signature: whoever can rewrite the log and its head file
// can forge a consistent chain.
func VerifyAuditFile(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	h, ok, err := readHead(path)
	if err != nil {
		return 0, &AuditError{Err: err}
	}
	var head *auditHead
	if ok {
		head = &h
	}
	n, err := verifyAudit(f, head)
	if err != nil {
		return n, err
	}
	if ok && int64(n) < h.Seq {
		return n, &AuditError{Line: n + 1, Err: fmt.Errorf("%d entries, head file says %d (lines removed from the end): %w", n, h.Seq, ErrAuditTampered)}
	}
	return n, nil
}
