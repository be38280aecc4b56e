#!/usr/bin/env bash
# Proves the gate PC's build (the Debian package's features) carries no
# office web server, password hashing, templates or PDF writer: what a gate
# does not run, it does not ship. Prints each role build's package count.
set -euo pipefail
cd "$(dirname "$0")/.."
count() { cargo tree -p badgegate -e normal --prefix none "$@" | sort -u | wc -l; }
gate=(--no-default-features --features screen,camera,sound)
echo "packages: gate PC $(count "${gate[@]}"), headless gate $(count --no-default-features), full build $(count --features camera,sound)"
bad=$(cargo tree -p badgegate -e normal --prefix none "${gate[@]}" \
    | grep -E '^(axum|axum-server|hyper|askama|argon2|pdf-writer|badgegate-desk|badgegate-office) ' | sort -u || true)
if [ -n "$bad" ]; then
    echo "the gate PC's build must not carry these:" >&2
    echo "$bad" >&2
    exit 1
fi
echo "gate PC build: no web server, Argon2, askama, pdf-writer, desk or office crate"
