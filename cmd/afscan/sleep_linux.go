package main

import (
	"syscall"
	"time"
)

// sleepPrecise blocks the calling goroutine for d in a nanosleep system
// call. Go's timers, once the network poller is in use, wake through
// epoll_wait whose timeout is in whole milliseconds: a 0.3 ms wait becomes
// 1 ms, and an open-loop load generator that waits on a timer starts its
// requests up to a millisecond late, which it then (rightly) counts as
// latency. A nanosleep wakes within the kernel's timer slack (50 µs).
func sleepPrecise(d time.Duration) {
	if d <= 0 {
		return
	}
	ts := syscall.NsecToTimespec(d.Nanoseconds())
	for {
		var rem syscall.Timespec
		err := syscall.Nanosleep(&ts, &rem)
		if err != syscall.EINTR {
			return
		}
		ts = rem
	}
}
