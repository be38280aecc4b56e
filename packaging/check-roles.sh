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

# The gate PC's binary, when the caller has just built it
# (CHECK_GATE_BINARY=1; GATE_BINARY names it, by default the test
# profile's target/debug/badgegate; build-deb.sh gives the release one): a
# desk or office command says in words that it is not in this build, exit 2.
bin="${GATE_BINARY:-target/debug/badgegate}"
if [ -n "${CHECK_GATE_BINARY:-}" ]; then
    for cmd in "issue --key k --serial S --out o --name N" "revoke --key k --list l S" "policy --key k --draft d --out o" "office status --db postgresql://x/y"; do
        set +e
        # shellcheck disable=SC2086
        said=$("$bin" $cmd 2>&1 >/dev/null)
        code=$?
        set -e
        if [ "$code" != 2 ] || ! grep -q "this badgegate is the gate PC's build" <<<"$said"; then
            echo "badgegate $cmd on the gate PC's build: exit $code, said: $said" >&2
            exit 1
        fi
    done
    "$bin" kiosk --help >/dev/null
    echo "gate PC binary: desk and office commands say they are not in this build; kiosk is"
fi
