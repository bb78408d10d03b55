module example.com/tracemod

go 1.22
