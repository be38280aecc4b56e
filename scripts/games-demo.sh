#!/usr/bin/env bash
# Many venues, one accreditation centre, on one machine: four throw-away
# PostgreSQL servers (the centre and three venues, joined by logical
# replication), two headless kiosks at each venue, a root key over three
# desk keys each scoped to its venue. A badge is refused at another
# venue; a revocation and a key withdrawal published once at the centre
# reach all six gates (timed); the centre's status and muster list.
# Needs PostgreSQL (initdb, pg_ctl, psql). BADGEGATE=path/to/badgegate
# uses that binary instead of building one.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${BADGEGATE:-}" ]; then cargo build --release --quiet; B="$PWD/target/release/badgegate"; else B="$(realpath "$BADGEGATE")"; fi
PGBIN=$(dirname "$(command -v initdb || ls /usr/lib/postgresql/*/bin/initdb | tail -1)")
W=$(mktemp -d /tmp/badgegate-games-XXXXXX)
cd "$W"
AS=(); [ "$(id -u)" -eq 0 ] && { chown postgres: "$W"; AS=(runuser -u postgres --); }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
printf '127.0.0.1:*:*:postgres:demo-admin\n' > "$W/pgpass"; chmod 600 "$W/pgpass"
export PGPASSFILE="$W/pgpass"
SERVERS=(centre arena stadium pool)
declare -A PORT DB
cleanup() {
  for s in "${SERVERS[@]}"; do "${AS[@]}" "$PGBIN/pg_ctl" -D "$W/pg-$s" -m immediate stop >/dev/null 2>&1 || true; done
}
trap cleanup EXIT
echo "== four PostgreSQL servers (wal_level = logical): the centre and three venues"
for s in "${SERVERS[@]}"; do
  PORT[$s]=$(free_port)
  "${AS[@]}" "$PGBIN/initdb" -D "$W/pg-$s" -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C >/dev/null
  "${AS[@]}" "$PGBIN/pg_ctl" -D "$W/pg-$s" -o "-p ${PORT[$s]} -k $W -c listen_addresses=127.0.0.1 -c wal_level=logical \
     -c max_logical_replication_workers=12 -c max_worker_processes=24 -c wal_retrieve_retry_interval=500ms" -l "$W/pg-$s.log" -w start >/dev/null
  psql -q -h "$W" -p "${PORT[$s]}" -U postgres -c "ALTER ROLE postgres PASSWORD 'demo-admin'"
  DB[$s]="postgresql://postgres@127.0.0.1:${PORT[$s]}/postgres"
  echo "   $s on port ${PORT[$s]}"
done

echo; echo "== the centre's root key (kept off the network) grants each venue's desk key"
$B keygen --dir offline --name root >/dev/null
for v in arena stadium pool; do
  $B keygen --dir keys --name "$v-desk" >/dev/null
  $B keylist grant --root offline/root.key.pem --list keys.txt --key "keys/$v-desk.pub.pem" \
     --until 2099-01-01T00:00:00Z --venues "$v" --zones '*' --label "$v accreditation desk"
done
mkdir -p trust/root && cp offline/root.pub.pem trust/root/ && cp keys.txt trust/

echo; echo "== the centre and the venues' offices, joined"
$B central init --db "${DB[centre]}"
$B office add-publisher --db "${DB[centre]}" --name accreditation --out desk.office
for v in arena stadium pool; do
  $B office init --db "${DB[$v]}" --venue "$v" >/dev/null
  for k in 1 2; do $B office add-kiosk --db "${DB[$v]}" --kiosk-id "$v-$k" --out "$v-$k.office" >/dev/null; done
  $B central add-venue --db "${DB[centre]}" --venue-db "${DB[$v]}"
done

echo; echo "== badges from each venue's desk"
for v in arena stadium pool; do
  $B issue --key "keys/$v-desk.key.pem" --name "Athlete of $v" --zones '*' --serial "${v^^}-1" --out badges >/dev/null 2>&1
done

echo; echo "== six kiosks (fifos as their scanners)"
start() { # id venue
  mkfifo "$1.in"
  $B kiosk --trust trust --journal "$1.db" --kiosk-id "$1" --gate "$1" --venue "$2" --anti-passback off \
     --stdin --headless --cooldown 0 --office "$1.office" < "$1.in" > "$1.out" 2> "$1.err" &
  exec {fd}> "$1.in"; eval "FD_${1//-/_}=$fd"
}
scan() { local v="FD_${1//-/_}"; local n; n=$(wc -l < "$1.out"); cat "badges/$2.txt" >&"${!v}"
  until [ "$(wc -l < "$1.out")" -gt "$n" ]; do sleep 0.02; done
  tail -1 "$1.out" | python3 -c '
import json, sys
d = json.loads(sys.stdin.read())
print("   %-10s %-10s %-6s %-17s %s" % (sys.argv[1], d["serial"], d["decision"].upper(), d["reason"], d["detail"][:70]))' "$1"; }
GATES=(arena-1 arena-2 stadium-1 stadium-2 pool-1 pool-2)
for g in "${GATES[@]}"; do start "$g" "${g%-*}"; done
sleep 2
scan arena-1 ARENA-1
scan stadium-1 ARENA-1
scan pool-1 POOL-1
scan stadium-2 STADIUM-1

echo; echo "== the centre revokes ARENA-1 and withdraws the pool desk's key, published once"
T0=$(date +%s%N)
$B revoke --key keys/arena-desk.key.pem --list revoked.txt ARENA-1 --reason "reported stolen" --office desk.office
for g in arena-1 arena-2; do
  until grep -q "revocation list key .* sequence 1 .*taken up" "$g.err"; do sleep 0.02; done
  echo "   $g took the revocation up $(( ($(date +%s%N) - T0) / 1000000 )) ms after it was published"
done
T0=$(date +%s%N)
POOL_ID=$($B keylist show --list keys.txt | awk '/pool accreditation desk/ {print $2}')
$B keylist withdraw --root offline/root.key.pem --list keys.txt --key-id "$POOL_ID" --reason "pool desk laptop stolen" --office desk.office
for g in "${GATES[@]}"; do
  until grep -q "key list root .* sequence 4 .*taken up" "$g.err"; do sleep 0.02; done
  echo "   $g took the key list up $(( ($(date +%s%N) - T0) / 1000000 )) ms after it was published"
done
scan arena-2 ARENA-1
scan pool-2 POOL-1

sleep 1
echo; echo "== central status"
$B central status --db "${DB[centre]}" || true
echo; echo "== central inside"
$B central inside --db "${DB[centre]}"
for g in "${GATES[@]}"; do v="FD_${g//-/_}"; eval "exec ${!v}>&-"; done
wait
echo; echo "(files in $W)"
