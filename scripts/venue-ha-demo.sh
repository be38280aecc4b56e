#!/usr/bin/env bash
# The venue office on two servers, on this machine: etcd and two
# PostgreSQL servers under Patroni (synchronous replication, the
# configuration of packaging/ha/patroni.yml on loopback ports), four
# headless gates and 400 people; the primary's machine is lost twice at
# the morning peak. The rehearsal's checks then prove every record at the
# office once, equal to the gates' journals. See docs/venue-ha.md.
# Needs PostgreSQL, Patroni and etcd: apt install postgresql patroni etcd-server
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in patroni patronictl etcd; do
    command -v "$tool" >/dev/null || { echo "error: $tool is not installed: apt install patroni etcd-server" >&2; exit 2; }
done
cargo build --release --quiet
OUT=$(mktemp -d /tmp/badgegate-ha-XXXXXX)
rmdir "$OUT"
./target/release/badgegate rehearse scenarios/failover.toml --out "$OUT"
echo "the servers' Patroni logs: $OUT/office-db/pg1/patroni.log, $OUT/office-db/pg2/patroni.log"
