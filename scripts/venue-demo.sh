#!/usr/bin/env bash
# The venue network in one minute: a throw-away PostgreSQL, three headless
# kiosks (two entries and an exit of one zone), a revocation published by
# the desk that reaches all of them, a badge refused at a second entry
# while it is inside, the live muster list and the office's status.
# With --dashboard, then the office dashboard on http://127.0.0.1:8080
# until Ctrl+C.
# Needs PostgreSQL (initdb, pg_ctl, psql) and a built badgegate.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
B="$PWD/target/release/badgegate"
PGBIN=$(dirname "$(command -v initdb || ls /usr/lib/postgresql/*/bin/initdb | tail -1)")
W=$(mktemp -d /tmp/badgegate-venue-XXXXXX)
cd "$W"
AS=(); [ "$(id -u)" -eq 0 ] && { chown postgres: "$W"; AS=(runuser -u postgres --); }
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"${AS[@]}" "$PGBIN/initdb" -D "$W/pg" -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C >/dev/null
"${AS[@]}" "$PGBIN/pg_ctl" -D "$W/pg" -o "-p $PORT -k $W -c listen_addresses=127.0.0.1" -l "$W/pg.log" -w start >/dev/null
trap '"${AS[@]}" "$PGBIN/pg_ctl" -D "$W/pg" -m immediate stop >/dev/null 2>&1 || true' EXIT
psql -q -h "$W" -p "$PORT" -U postgres -c "ALTER ROLE postgres PASSWORD 'demo-admin'"
printf '127.0.0.1:*:*:postgres:demo-admin\n' > "$W/pgpass"; chmod 600 "$W/pgpass"
export PGPASSFILE="$W/pgpass"
DB="postgresql://postgres@127.0.0.1:$PORT/postgres"

echo "== the office: schema, three kiosks, the desk"
$B office init --db "$DB"
for k in north-1 north-2 exit-1; do $B office add-kiosk --db "$DB" --kiosk-id $k --out $k.office; done
$B office add-publisher --db "$DB" --name accreditation --out desk.office

echo; echo "== the desk: key, badges"
$B keygen --dir keys >/dev/null
mkdir -p trust && cp keys/registration.pub.pem trust/
for s in A-1 B-2 C-3; do
  $B issue --key keys/registration.key.pem --name "Holder $s" --zones plenary --serial $s --out badges 2>/dev/null >/dev/null
done

echo; echo "== three kiosks join the venue (fifos as their scanners)"
start() { # id gate direction
  mkfifo "$1.in"
  $B kiosk --trust trust --journal "$1.db" --kiosk-id "$1" --gate "$2" --zone plenary --direction "$3" \
     --stdin --headless --cooldown 0 --office "$1.office" < "$1.in" > "$1.out" 2> "$1.err" &
  exec {fd}> "$1.in"; eval "FD_${1//-/_}=$fd"
}
scan() { local v="FD_${1//-/_}"; cat "badges/$2.txt" >&"${!v}"; sleep 0.6; tail -1 "$1.out" | python3 -c '
import json, sys
d = json.loads(sys.stdin.read())
print("   %-8s %-4s %-6s %-15s %s" % (sys.argv[1], d["serial"], d["decision"].upper(), d["reason"], d["detail"]))' "$1"; }
start north-1 north in; start north-2 north-2 in; start exit-1 exit out
sleep 1.5

echo "   A-1 enters at north-1, then tries north-2:"
scan north-1 A-1
scan north-2 A-1
echo "   A-1 leaves by exit-1, and may enter at north-2:"
T0=$(date +%s%N)
scan exit-1 A-1
until [ "$(psql -h "$W" -p "$PORT" -U postgres -tAc "SELECT inside FROM badgegate.presence WHERE serial='A-1'")" = f ]; do sleep 0.05; done
echo "   (the exit reached the office $(( ($(date +%s%N) - T0) / 1000000 )) ms after the scan)"
scan north-2 A-1
scan north-1 B-2

echo; echo "== the desk revokes C-3 and publishes the list"
T0=$(date +%s%N)
$B revoke --key keys/registration.key.pem --list revoked.txt C-3 --reason "reported stolen" --office desk.office
for k in north-1 north-2 exit-1; do
  until grep -q "taken up" $k.err; do sleep 0.05; done
  echo "   $k took it up after $(( ($(date +%s%N) - T0) / 1000000 )) ms"
done
scan north-2 C-3

sleep 1
echo; echo "== office inside"
$B office inside --db "$DB"
echo; echo "== office status"
$B office status --db "$DB" || true
if [ "${1:-}" = "--dashboard" ]; then
  echo; echo "== the office dashboard"
  $B office add-user --db "$DB" --name demo
  echo "   open http://127.0.0.1:8080 and sign in as demo; Ctrl+C ends the demo"
  $B office serve --db "$DB" --listen 127.0.0.1:8080 || true
fi
for v in FD_north_1 FD_north_2 FD_exit_1; do eval "exec ${!v}>&-"; done
wait
echo; echo "(files in $W)"
