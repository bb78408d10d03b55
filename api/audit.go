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
	"strings"
	"sync"
	"time"
)

// AuditEntry is one line of the audit log. It records who asked what and
// what the service answered, never the samples, the API key or a device
// identifier.
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

// entryHash computes e's chain hash; e.Hash is ignored.
func entryHash(e AuditEntry) (string, []byte, error) {
	e.Hash = ""
	canon, err := json.Marshal(e)
	if err != nil {
		return "", nil, err
	}
	h := sha256.New()
	h.Write([]byte(e.Prev))
	h.Write([]byte{'\n'})
	h.Write(canon)
	return hex.EncodeToString(h.Sum(nil)), canon, nil
}

// appendAuditLine appends the log line of an entry (without the newline):
// its canonical JSON with the hash spliced in as the last field, so the
// entry is marshalled once.
func appendAuditLine(dst, canon []byte, hash string) []byte {
	dst = append(dst, canon[:len(canon)-1]...) // canon ends in '}'
	dst = append(dst, `,"hash":"`...)
	dst = append(dst, hash...)
	return append(dst, `"}`...)
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
	// QueueLen bounds entries waiting for the writer; Append blocks when
	// it is full. 1024 when zero.
	QueueLen int
	// HeadEvery is how often the head file is rewritten while entries
	// arrive; one second when zero. It is always written on Close.
	HeadEvery time.Duration
	// SyncEvery bounds how long a written entry may wait for fsync: the
	// writer fsyncs when its queue runs empty, but at most once per
	// SyncEvery (group commit), and a timer fsyncs what is left. 10 ms
	// when zero; a negative value fsyncs every time the queue runs empty.
	// Every entry is written to the file (reaches the OS) at once either way.
	SyncEvery time.Duration
}

// AuditLog is an append-only, SHA-256 hash-chained JSON-lines file. One
// goroutine, started by OpenAudit and ended by Close, writes every entry
// with a single write call (so each line reaches the OS whole) and fsyncs
// when its queue runs empty, at most once per SyncEvery (group commit: at
// 500 requests/s an fsync per entry costs a few percent of a core);
// requests never wait for the disk.
type AuditLog struct {
	path string
	f    *os.File
	log  *slog.Logger
	now  func() time.Time
	// headEvery paces head-file writes; syncEvery paces fsyncs.
	headEvery time.Duration
	syncEvery time.Duration

	mu     sync.RWMutex // guards closed against Append racing Close
	closed bool
	queue  chan AuditEntry
	done   chan struct{}

	errMu sync.Mutex
	err   error // first write error; the log stops accepting entries

	// Owned by the writer goroutine after OpenAudit returns.
	seq      int64
	prev     string
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
	if opts.QueueLen <= 0 {
		opts.QueueLen = 1024
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
		queue: make(chan AuditEntry, opts.QueueLen), done: make(chan struct{}),
		seq: seq, prev: prev,
	}
	go a.run()
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

// Append queues e for writing; Seq, Prev and Hash are filled in by the
// writer, Time when zero. It blocks only while the queue is full.
func (a *AuditLog) Append(ctx context.Context, e AuditEntry) error {
	if e.Time.IsZero() {
		e.Time = a.now()
	}
	e.Time = e.Time.UTC()
	a.mu.RLock()
	defer a.mu.RUnlock()
	if a.closed {
		return ErrAuditClosed
	}
	if err := a.Err(); err != nil {
		return err
	}
	// Try without blocking first: with room in the queue, a select over
	// both cases could pick a cancelled ctx at random and drop the entry.
	select {
	case a.queue <- e:
		return nil
	default:
	}
	select {
	case a.queue <- e:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Err returns the first write error, after which entries are dropped and
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

func (a *AuditLog) run() {
	defer close(a.done)
	var line []byte
	// Fsync pacing runs on the monotonic clock, not the entries' clock.
	var lastSync time.Time
	dirty, armed := false, false
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	syncNow := func() {
		a.sync(false)
		lastSync, dirty = time.Now(), false
	}
	for {
		var e AuditEntry
		select {
		case <-timer.C:
			armed = false
			if dirty {
				syncNow()
			}
			continue
		case next, ok := <-a.queue:
			if !ok {
				a.sync(true)
				return
			}
			e = next
		}
		if a.Err() != nil {
			continue
		}
		a.seq++
		e.Seq, e.Prev = a.seq, a.prev
		h, canon, err := entryHash(e)
		if err != nil {
			a.setErr(err)
			continue
		}
		line = appendAuditLine(line[:0], canon, h)
		line = append(line, '\n')
		if _, err := a.f.Write(line); err != nil {
			a.setErr(err)
			continue
		}
		a.prev = h
		dirty = true
		if len(a.queue) > 0 {
			continue
		}
		switch wait := a.syncEvery - time.Since(lastSync); {
		case wait <= 0:
			syncNow()
		case !armed:
			timer.Reset(wait)
			armed = true
		}
	}
}

// sync fsyncs the log and rewrites the head file when due (or always, when
// final).
func (a *AuditLog) sync(final bool) {
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
	data, _ := json.Marshal(auditHead{Seq: a.seq, Hash: a.prev})
	if err := writeFileAtomic(headPath(a.path), data, 0o600); err != nil {
		a.setErr(err)
	}
}

// Close writes every queued entry, fsyncs, records the head and closes the
// file. It is safe to call more than once.
func (a *AuditLog) Close() error {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		<-a.done
		return nil
	}
	a.closed = true
	close(a.queue)
	a.mu.Unlock()
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
