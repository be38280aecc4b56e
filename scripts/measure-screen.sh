#!/usr/bin/env bash
# Measures the guard's screen under Xvfb: the rate at which it shows
# 1280x720 camera pictures replayed like a 30 fps camera (--replay-live),
# and its CPU use once idle (no frames: the source has ended).
# Needs Xvfb and xdotool (apt-get install xvfb xdotool). Usage:
#   scripts/measure-screen.sh [SECONDS_OF_REPLAY]   (default 20)
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-20}"
cargo build --release -q
bin="$PWD/target/release/badgegate"
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

"$bin" demo --keep "$work/demo" >/dev/null
# secs x 30 frames: the demo's 1280x720 frames, over and over.
mkdir "$work/frames"
n=0
while [ "$n" -lt $((secs * 30)) ]; do
    for f in "$work"/demo/frames/*.png; do
        cp "$f" "$work/frames/$(printf %06d "$n").png"
        n=$((n + 1))
    done
done

display=":$((100 + RANDOM % 400))"
Xvfb "$display" -screen 0 1280x720x24 -nolisten tcp >/dev/null 2>&1 &
xvfb_pid=$!
sleep 1
export DISPLAY="$display" MESA_SHADER_CACHE_DISABLE=true
"$bin" kiosk --trust "$work/demo/kiosk-trust" --revocations "$work/demo/revoked.txt" \
    --journal "$work/j.db" --gate north --zone plenary --images "$work/frames" \
    --frame-interval 33 --replay-live --silent 2>"$work/err" &
kiosk_pid=$!

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
until grep -q "source ended" "$work/err"; do sleep 0.5; done
sleep 2
k0=$(ticks "$kiosk_pid"); x0=$(ticks "$xvfb_pid")
sleep 10
k1=$(ticks "$kiosk_pid"); x1=$(ticks "$xvfb_pid")
echo "idle for 10 s: kiosk $(( (k1 - k0) * 100 / hz / 10 ))% of one core, Xvfb $(( (x1 - x0) * 100 / hz / 10 ))%"
xdotool key ctrl+q
wait "$kiosk_pid" || true
cp "$work/err" /tmp/measure-screen.err
grep "^screen:\|panicked\|error" "$work/err" || true
echo "decisions journalled: $("$bin" audit stats --journal "$work/j.db" | head -3 | tr '\n' ' ')"
