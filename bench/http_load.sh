#!/usr/bin/env bash
# http_load.sh: `invoices serve` under HTTP load (issue 7, "Measured"), side
# by side with nginx serving static files of the same sizes on the same
# machine, for docs/BENCHMARKS.md ("HTTP gateway under load").
#
#   bench/http_load.sh [BUILD_DIR]        (default build/release; `make bench-http`)
#
# What it does, in a temporary folder that it removes afterwards:
#  1. Writes 10,000 synthetic invoices straight into a folder store with
#     bench/list_bench (3 to 5 s; the HTTP way, POST /invoices with `fields`
#     so that no OCR runs, was measured at about 60 uploads/s with 8
#     connections: about 3 minutes), starts `invoices serve` on it with
#     throttling off (the server is measured, not its limits) and the access
#     log on (the default, to a file), signs a user up and moves the
#     invoices to that user.
#  2. Starts nginx (2 workers, access log on, keep-alive unlimited) serving
#     two files: the bytes of GET /healthz and of GET /invoices?limit=50.
#  3. wrk -c 1, 64, 1024 for 10 s with --latency: GET /healthz, GET
#     /invoices?limit=50 with the bearer token, and nginx's two files;
#     prints a markdown table (req/s, p50, p99, the ratio of req/s to nginx's
#     for the same bytes, and any non-2xx answers or socket errors).
#  4. RSS (/proc) of the server and of nginx with 10,000 idle keep-alive
#     connections (each has answered one request).
#  5. p50/p99 of GET /healthz and GET /invoices while POST /scan saturates
#     the OCR workers (8 connections posting a receipt from
#     ../shared/datasets/sroie-dev/images).
#
# wrk, nginx, the load and the server share the machine's cores: figures are
# for comparing with each other, on the same machine, not absolutes.
# Settings: DURATION (10s), CONNS ("1 64 1024"), INVOICES (10000), IDLE
# (10000), SCAN_IMAGE (a receipt), WORKERS (OCR workers; default: cores),
# ONLY ("table memory scan": the parts to run).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
build=$(cd "${1:-$repo/build/release}" && pwd)
bin=$build/invoices
list_bench=$build/bench/list_bench
shared=${INVOICES_SHARED_DIR:-$repo/../shared}
DURATION=${DURATION:-10s}
CONNS=${CONNS:-1 64 1024}
INVOICES=${INVOICES:-10000}
IDLE=${IDLE:-10000}
SCAN_IMAGE=${SCAN_IMAGE:-$shared/datasets/sroie-dev/images/X51006557184.jpg}
ONLY=${ONLY:-table memory scan}

for tool in wrk nginx node curl; do
  command -v "$tool" >/dev/null || { echo "http_load: $tool is missing (make bench-http says how to install it)" >&2; exit 2; }
done
for f in "$bin" "$list_bench"; do
  [[ -x $f ]] || { echo "http_load: $f is missing: build first (make build)" >&2; exit 2; }
done

# 10,000 connections each way, plus wrk's and nginx's: as many descriptors
# as allowed (a container may cap the hard limit; 20,000 is enough).
ulimit -n "$(ulimit -Hn)"
(($(ulimit -n) > IDLE + 1000)) || { echo "http_load: ulimit -n $(ulimit -n) is too low for IDLE=$IDLE" >&2; exit 2; }

tmp=$(mktemp -d /tmp/http_load.XXXXXX)
server_pid=; nginx_pid=; scan_pid=
cleanup() {
  for pid in $scan_pid $server_pid $nginx_pid; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
# The RSS of nginx's master and workers together.
nginx_rss_kb() {
  local total=0 pid
  for pid in $nginx_pid $(pgrep -P "$nginx_pid"); do total=$((total + $(rss_kb "$pid"))); done
  echo "$total"
}

# ---------------------------------------------------------------------------
# 1. The server, a user and their invoices.
t0=$(date +%s%N)
"$list_bench" --invoices "$INVOICES" --dir "$tmp/store" --repeat 1 >"$tmp/list_bench.txt"
populate_ms=$((($(date +%s%N) - t0) / 1000000))

port=$(free_port)
"$bin" serve --port "$port" --store "file://$tmp/store" ${WORKERS:+--workers "$WORKERS"} \
  --throttle-rate 0 --user-throttle-rate 0 >"$tmp/server.out" 2>"$tmp/server.log" &
server_pid=$!
url=http://127.0.0.1:$port
for _ in $(seq 100); do grep -q "listening on" "$tmp/server.out" 2>/dev/null && break; sleep 0.1; done
grep -q "listening on" "$tmp/server.out" || { cat "$tmp/server.log" >&2; exit 1; }

user_json=$(node --input-type=module -e "
  import { newUser } from '$repo/tests/lib/auth.mjs';
  const u = await newUser('$url', 'loadbench');
  console.log(JSON.stringify({ sub: u.sub, token: u.idToken }));")
sub=$(node -e 'console.log(JSON.parse(process.argv[1]).sub)' "$user_json")
token=$(node -e 'console.log(JSON.parse(process.argv[1]).token)' "$user_json")
# The index names no user, so the folder can change hands.
mv "$tmp/store/users/bench" "$tmp/store/users/$sub"
auth="Authorization: Bearer $token"

mkdir -p "$tmp/www" "$tmp/nginx"
curl -sf "$url/healthz" -o "$tmp/www/healthz.json"
curl -sf -H "$auth" "$url/invoices?limit=50" -o "$tmp/www/page.json"
items=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).items.length)' "$tmp/www/page.json")
[[ $items == 50 ]] || { echo "http_load: GET /invoices gave $items items" >&2; exit 1; }

# ---------------------------------------------------------------------------
# 2. nginx on the same bytes.
nginx_port=$(free_port)
cat >"$tmp/nginx/nginx.conf" <<EOF
user root;
worker_processes 2;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
worker_rlimit_nofile $(ulimit -n);
events { worker_connections $(($(ulimit -n) - 100)); }
http {
  access_log $tmp/nginx/access.log;
  keepalive_requests 100000000;
  keepalive_timeout 75s;
  client_body_temp_path $tmp/nginx/body;
  proxy_temp_path $tmp/nginx/proxy;
  fastcgi_temp_path $tmp/nginx/fastcgi;
  uwsgi_temp_path $tmp/nginx/uwsgi;
  scgi_temp_path $tmp/nginx/scgi;
  default_type application/json;
  server { listen 127.0.0.1:$nginx_port; root $tmp/www; }
}
EOF
nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -g 'daemon off;' &
nginx_pid=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$nginx_port/healthz.json" >/dev/null && break; sleep 0.1; done

echo "# HTTP load, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# $INVOICES invoices populated in $populate_ms ms (list_bench); page of 50: $(stat -c %s "$tmp/www/page.json") bytes; /healthz: $(stat -c %s "$tmp/www/healthz.json") bytes"

# ---------------------------------------------------------------------------
# wrk helpers: latencies in ms, and the figures of one run.
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.2f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.2f", v }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.2f", v * 1000 }
    else print v }'
}
# run_wrk CONNS URL [wrk args...]: prints "rps p50 p99 problems".
run_wrk() {
  local c=$1 target=$2; shift 2
  local threads=2; ((c < 2)) && threads=1
  local out
  out=$(wrk -t"$threads" -c"$c" -d"$DURATION" --latency "$@" "$target")
  local rps p50 p99 non2xx errors
  rps=$(awk '/^Requests\/sec/ {printf "%.0f", $2}' <<<"$out")
  p50=$(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")
  p99=$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  errors=$(awk '/Socket errors/ {gsub(",", ""); print "connect " $4 " read " $6 " write " $8 " timeout " $10}' <<<"$out")
  local problems=""
  [[ -n $non2xx ]] && problems="$non2xx non-2xx"
  [[ -n $errors ]] && problems="${problems:+$problems, }$errors"
  echo "$rps $p50 $p99 ${problems:-none}"
}
warm() { wrk -t1 -c8 -d2s "$@" >/dev/null; }

# ---------------------------------------------------------------------------
# 3. Throughput and latency against nginx.
if [[ " $ONLY " == *" table "* ]]; then
  echo
  echo "| target | connections | req/s | p50 ms | p99 ms | req/s vs nginx | non-2xx, socket errors |"
  echo "| --- | --- | --- | --- | --- | --- | --- |"
  for pair in "GET /healthz|$url/healthz|http://127.0.0.1:$nginx_port/healthz.json|" \
              "GET /invoices?limit=50|$url/invoices?limit=50|http://127.0.0.1:$nginx_port/page.json|auth"; do
    IFS='|' read -r name target static needs_auth <<<"$pair"
    args=(); [[ -n $needs_auth ]] && args=(-H "$auth")
    warm "${args[@]}" "$target"; warm "$static"
    for c in $CONNS; do
      read -r s_rps s_p50 s_p99 s_problems <<<"$(run_wrk "$c" "$static")"
      read -r rps p50 p99 problems <<<"$(run_wrk "$c" "$target" "${args[@]}")"
      ratio=$(awk -v a="$rps" -v b="$s_rps" 'BEGIN { printf "%.0f%%", (b > 0 ? 100 * a / b : 0) }')
      echo "| $name | $c | $rps | $p50 | $p99 | $ratio | $problems |"
      echo "| nginx, same bytes | $c | $s_rps | $s_p50 | $s_p99 | | $s_problems |"
    done
  done
fi

# ---------------------------------------------------------------------------
# 4. Memory with idle keep-alive connections.
cat >"$tmp/idle.mjs" <<'EOF'
// Opens N keep-alive connections to host:port, sends one GET on each and
// waits for its answer, then keeps them all open until killed.
import net from 'node:net';
const [host, port, path, n] = [process.argv[2], Number(process.argv[3]), process.argv[4], Number(process.argv[5])];
const sockets = [];
let answered = 0; let failed = 0;
function open() {
  return new Promise((resolve) => {
    const s = net.connect({ host, port }, () => s.write(`GET ${path} HTTP/1.1\r\nHost: bench\r\n\r\n`));
    let got = '';
    s.on('data', (d) => {
      got += d;
      const head = got.indexOf('\r\n\r\n');
      const length = Number((/content-length: *(\d+)/i.exec(got) ?? [])[1]);
      if (head >= 0 && got.length >= head + 4 + length) { answered++; resolve(); }
    });
    s.on('error', () => { failed++; resolve(); });
    sockets.push(s);
  });
}
for (let i = 0; i < n; i += 200) {
  await Promise.all(Array.from({ length: Math.min(200, n - i) }, open));
}
console.log(`ready ${answered} ${failed}`);
setInterval(() => {}, 1 << 30);
EOF
idle_rss() {  # idle_rss HOST PORT PATH RSS_FUNCTION: prints "before after answered"
  local before after pid line
  before=$($4)
  node "$tmp/idle.mjs" "$1" "$2" "$3" "$IDLE" >"$tmp/idle.out" &
  pid=$!
  for _ in $(seq 600); do grep -q ready "$tmp/idle.out" && break; sleep 0.1; done
  sleep 1
  after=$($4)
  line=$(cat "$tmp/idle.out")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "$before $after ${line#ready }"
}
if [[ " $ONLY " == *" memory "* ]]; then
  server_rss() { rss_kb "$server_pid"; }
  read -r s_before s_after s_ok s_failed <<<"$(idle_rss 127.0.0.1 "$port" /healthz server_rss)"
  sleep 2
  read -r n_before n_after n_ok n_failed <<<"$(idle_rss 127.0.0.1 "$nginx_port" /healthz.json nginx_rss_kb)"
  echo
  echo "| $IDLE idle keep-alive connections | RSS before MB | RSS with them MB | per connection KB | answered, failed |"
  echo "| --- | --- | --- | --- | --- |"
  awk -v b="$s_before" -v a="$s_after" -v n="$IDLE" -v ok="$s_ok" -v f="$s_failed" \
    'BEGIN { printf "| invoices serve | %.1f | %.1f | %.1f | %s, %s |\n", b / 1024, a / 1024, (a - b) / n, ok, f }'
  awk -v b="$n_before" -v a="$n_after" -v n="$IDLE" -v ok="$n_ok" -v f="$n_failed" \
    'BEGIN { printf "| nginx (master + 2 workers) | %.1f | %.1f | %.1f | %s, %s |\n", b / 1024, a / 1024, (a - b) / n, ok, f }'
  # Let the server's idle timeout close them before the next part.
  sleep 1
fi

# ---------------------------------------------------------------------------
# 5. Light requests while scans saturate the OCR workers.
if [[ " $ONLY " == *" scan "* ]]; then
  cat >"$tmp/scan.lua" <<'EOF'
wrk.method = "POST"
local f = assert(io.open(os.getenv("SCAN_IMAGE"), "rb"))
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "image/jpeg"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
EOF
  probes=("GET /healthz|$url/healthz|" "GET /invoices?limit=50|$url/invoices?limit=50|auth")
  probe_conns=(1 64)
  scan_seconds=$(( (${DURATION%s} + 1) * ${#probes[@]} * ${#probe_conns[@]} + 8 ))
  SCAN_IMAGE=$SCAN_IMAGE TOKEN=$token wrk -t1 -c8 -d"${scan_seconds}s" --timeout 60s --latency \
    -s "$tmp/scan.lua" "$url/scan" >"$tmp/scan.out" &
  scan_pid=$!
  sleep 5  # the workers' queue fills
  echo
  echo "While 8 connections post $(basename "$SCAN_IMAGE") ($(stat -c %s "$SCAN_IMAGE") bytes) to POST /scan:"
  echo
  echo "| probe | connections | req/s | p50 ms | p99 ms | non-2xx, socket errors |"
  echo "| --- | --- | --- | --- | --- | --- |"
  for probe in "${probes[@]}"; do
    IFS='|' read -r name target needs_auth <<<"$probe"
    args=(); [[ -n $needs_auth ]] && args=(-H "$auth")
    for c in "${probe_conns[@]}"; do
      read -r rps p50 p99 problems <<<"$(run_wrk "$c" "$target" "${args[@]}")"
      echo "| $name | $c | $rps | $p50 | $p99 | $problems |"
    done
  done
  wait "$scan_pid" || true
  scan_pid=
  read -r rps p50 p99 problems <<<"$(
    out=$(cat "$tmp/scan.out")
    echo "$(awk '/^Requests\/sec/ {printf "%.2f", $2}' <<<"$out") \
$(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$out")") $(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")") \
$(awk '/Non-2xx/ {print $NF}' <<<"$out")")"
  echo "| POST /scan (the load) | 8 | $rps | $p50 | $p99 | ${problems:-none} |"
fi
