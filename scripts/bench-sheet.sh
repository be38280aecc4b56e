#!/usr/bin/env bash
# The 1,000-badge print sheet, measured as the desk runs it: a registration
# CSV of 1,000 people (names in nine scripts, each with a photo) issued with
# `--sheet a4`, then without, on a release build. Prints wall time, peak
# memory (GNU time's maximum resident set) and the PDF's size.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin="$PWD/target/release/badgegate"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$bin" keygen --dir keys >/dev/null
python3 - <<'PY'
import random, struct, zlib
names = [("Ana María Núñez", "República de Chile"), ("Фарҳод Раҳимов", "Ҷумҳурии Тоҷикистон"),
         ("Γιώργος Παπαδόπουλος", "Ελληνική Δημοκρατία"), ("李明", "中国新闻社"),
         ("山田太郎", "日本国外務省"), ("김민준", "대한민국 외교부"), ("محمد العلي", "المملكة العربية"),
         ("محمدرضا شجریان", "جمهوری اسلامی ایران"), ("अमित शाह", "भारत सरकार")]
def png(path, w, h, seed):
    # A plain portrait-sized picture (PNG written by hand: no imaging module needed).
    r, g, b = (seed * 37) % 200 + 30, (seed * 59) % 200 + 30, (seed * 83) % 200 + 30
    rows = b"".join(b"\x00" + bytes([r, g, b]) * w for _ in range(h))
    def chunk(t, d): return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) \
        + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    open(path, "wb").write(data)
import os
os.makedirs("photos", exist_ok=True)
with open("people.csv", "w") as f:
    f.write("serial,name,org,zones,valid_from,valid_until,photo\n")
    for i in range(1000):
        n, o = names[i % len(names)]
        png(f"photos/p{i}.png", 600, 800, i)
        f.write(f"B-{i:05},{n},{o},plenary,2026-12-01T07:00:00Z,2026-12-02T21:00:00Z,photos/p{i}.png\n")
PY
measure() {
    /usr/bin/time -f "%e s wall, %M KiB peak RSS" "$bin" issue --key keys/registration.key.pem \
        --csv people.csv --out "$1" "${@:2}" 2>&1 >/dev/null | grep -v '^warning'
}
echo "issue --csv (1000 badges with photos) --sheet a4: $(measure out-a4 --sheet a4)"
echo "PDF: $(stat -c %s out-a4/people-a4.pdf) bytes, $(pdfinfo out-a4/people-a4.pdf | awk '/^Pages/ {print $2}') pages"
echo "the same batch without a sheet: $(measure out-plain)"
