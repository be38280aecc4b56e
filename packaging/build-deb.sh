#!/usr/bin/env bash
# Builds the Debian package of the kiosk build (camera and sound), then
# checks it: its contents, and the systemd unit accepted by
# `systemd-analyze verify` with the packaged binary in place and scored by
# `systemd-analyze security` at 1.5 or better.
#   packaging/build-deb.sh            release build: the package to ship
#   packaging/build-deb.sh --check    CI, after `cargo test`: the package
#                                     of the very binary the tests ran
#                                     (default features, no camera or
#                                     sound: nothing compiled again),
#                                     installed on this machine and verified
set -euo pipefail
cd "$(dirname "$0")/.."
check=false
[ "${1:-}" = "--check" ] && check=true
if ! command -v cargo-deb >/dev/null; then
    # CI's cargo-deb is built unoptimised and without xz (25 s instead of
    # 57 s here; it packages the test binary as fast); a release's
    # packager is the full tool.
    if $check; then
        cargo install cargo-deb --locked --debug --no-default-features
    else
        cargo install cargo-deb --locked
    fi
fi
# cargo-deb prints the package's path on stdout, its progress on stderr
# (left alone: CI's log may be that very file).
if $check; then
    # cargo-deb looks for the test profile's binary in target/test.
    [ -x target/debug/badgegate ] || { echo "run cargo test first: --check packages its binary" >&2; exit 2; }
    mkdir -p target/test
    cp target/debug/badgegate target/test/badgegate
    deb=$(cargo deb --profile test --no-build | grep -E '\.deb$' | tail -1)
else
    deb=$(cargo deb --profile release | grep -E '\.deb$' | tail -1)
    # The binary just built is the gate PC's: desk and office commands
    # must refuse in words.
    GATE_BINARY=target/release/badgegate CHECK_GATE_BINARY=1 packaging/check-roles.sh
fi
echo "built $deb"
dpkg-deb --info "$deb" | grep -E "Package|Version|Depends|Recommends"
dpkg-deb --contents "$deb" | grep -E "usr/bin/badgegate|badgegate-kiosk@.service|north.toml"
if $check; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    case "$deb" in /*) ;; *) deb="./$deb" ;; esac
    $SUDO apt-get install -y -qq "$deb" >/dev/null
    /usr/bin/badgegate --version
    /usr/bin/badgegate doctor --headless >/dev/null || true
    unit=$(mktemp -d)
    cp /lib/systemd/system/badgegate-kiosk@.service "$unit/badgegate-kiosk@north.service"
    systemd-analyze verify --man=no "$unit/badgegate-kiosk@north.service"
    echo "systemd-analyze verify: badgegate-kiosk@north.service accepted"
    # The sandbox's exposure, as systemd scores it (0 best, 10 worst):
    # at most 1.5, or CI fails.
    systemd-analyze security --offline=true --threshold=15 --no-pager "$unit/badgegate-kiosk@north.service" \
        | grep -E "Overall exposure level"
    getent passwd badgegate >/dev/null && echo "user badgegate made by the package"
fi
