# Sourced by the scripts that start a server on port 0 and must learn its
# address from its log (deploy/build-image.sh, deploy/run-image.sh,
# .ci/report.d/50-serve.sh).
#
# wait_for_log LOG SED_EXPR PID TRIES prints the first match of the sed -n
# expression SED_EXPR in the file LOG, polling every 0.1 s up to TRIES times
# and giving up early when process PID has exited; it prints nothing when
# there is no match by then.
wait_for_log() {
  local log=$1 expr=$2 pid=$3 tries=$4 found=""
  for _ in $(seq "$tries"); do
    found=$(sed -n "$expr" "$log" | head -1)
    [ -n "$found" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  printf '%s' "$found"
}
