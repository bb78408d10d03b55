# Sourced by deploy/run-image.sh and deploy/play-kube.sh: the checks both
# make of an afscan serve started from the image, over TLS. The caller
# defines fail MESSAGE (print, exit 1) and sets work, a directory holding
# tls.crt (the certificate the server presents) and key (the API key).

# https URL [CURL_ARGS...] prints the HTTP status; the body goes to
# $work/body.
https() { curl -sS --cacert "$work/tls.crt" -o "$work/body" -w '%{http_code}' "$@"; }

# check_get LABEL URL: a GET of URL answers 200.
check_get() {
  local code
  code=$(https "$2")
  echo "   $1: $code $(head -c 120 "$work/body")"
  [ "$code" = 200 ] || fail "$1 answered $code"
}

# check_classify BASE_URL: POST /v1/classify of api/testdata/strip.json
# with the key answers 200.
check_classify() {
  local code
  code=$(https -H "Authorization: Bearer $(cat "$work/key")" -H 'Content-Type: application/json' \
    --data-binary @api/testdata/strip.json "$1/v1/classify")
  echo "   POST /v1/classify: $code $(grep -o '"rhythm":"[a-z_]*"' "$work/body" || head -c 200 "$work/body")"
  [ "$code" = 200 ] || fail "classify answered $code"
}

# check_read_only CMD...: CMD (a write outside the data directory, run as
# the service inside the image) fails, on a read-only file system.
check_read_only() {
  local out
  if out=$("$@" 2>&1); then fail "a write outside the data directory succeeded: $*"; fi
  echo "   write outside the data directory: $out"
  case "$out" in *"read-only file system"*) ;; *) fail "the write failed, but not on a read-only file system" ;; esac
}

# wait_https URL: polls URL until it answers 200, for up to 5 s; returns 1
# when it never does.
wait_https() {
  for _ in $(seq 50); do
    [ "$(https "$1" 2>/dev/null)" = 200 ] && return 0
    sleep 0.1
  done
  return 1
}

# check_process PID UID:GID: the process runs as UID:GID; prints its ids
# and effective capabilities, and sets ids ("UID:GID, effective
# capabilities HEX") for further checks.
check_process() {
  ids=$(awk '/^Uid:/{u=$2} /^Gid:/{g=$2} /^CapEff:/{c=$2} END{print u":"g", effective capabilities "c}' "/proc/$1/status")
  echo "   afscan's process on the host: uid:gid $ids"
  [ "${ids%%,*}" = "$2" ] || fail "afscan runs as ${ids%%,*}, want $2"
}
