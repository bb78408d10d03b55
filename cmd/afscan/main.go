// Command afscan detects atrial fibrillation in single-lead ECG strips and
// produces the evidence a regulator asks for. See README.md and DESIGN.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	m := NewMain()
	code := m.Run(ctx, os.Args[1:])
	stop()
	if err := m.Close(); err != nil && code == 0 {
		code = exitUsage
	}
	os.Exit(code)
}
