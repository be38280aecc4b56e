#!/usr/bin/env python3
"""Read the sequence benchmark's clips with ZXing-C++ and zbar, frame by
frame, for comparison with the kiosk's reader (`cargo bench --bench
sequences`, which prints its own numbers on the same frames).

    BADGEGATE_CORPUS_DIR=/tmp/clips cargo bench --bench sequences
    pip install zxing-cpp pyzbar pillow        # pyzbar needs libzbar0 (apt: zbar-tools)
    python3 scripts/compare-sequences.py /tmp/clips

A still-image decoder has no history: a presentation counts as decided on
the first frame it reads, exactly as the kiosk's numbers count. Prints, per
decoder, resolution and scene: presentations decided, frames read of the
frames the code was wholly in view, median and p95 time from the first
such frame to the verdict (frames at 30 fps plus the decoding time of the
deciding frame), p95 decoding time a frame (one thread), wrong texts.
"""
import csv
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

from PIL import Image

from peers import zbar_reader, zxing_reader

FPS = 30.0


def pct(v, p):
    v = sorted(v)
    return v[round((len(v) - 1) * p)] if v else float("nan")


def main():
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/clips")
    clips = defaultdict(list)
    with open(root / "clips.tsv", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            clips[row["clip"]].append(row)
    for name, reader in [("ZXing-C++", zxing_reader()), ("zbar", zbar_reader())]:
        # (resolution, scene) -> tallies
        t = defaultdict(lambda: {"decided": 0, "shown": 0, "read": 0, "view": 0, "lat": [], "ms": [], "wrong": 0})
        for clip, rows in sorted(clips.items()):
            rows.sort(key=lambda r: int(r["frame"]))
            key = (rows[0]["resolution"], rows[0]["scene"])
            texts = rows[0]["expected"].split("|")
            decided = [None] * len(texts)
            first_view = [None] * len(texts)
            ms = []
            for i, row in enumerate(rows):
                img = Image.open(root / row["file"]).convert("L")
                start = time.perf_counter()
                found = reader(img)
                ms.append((time.perf_counter() - start) * 1000)
                view = [v == "1" for v in row["in_view"].split("|")]
                for c, text in enumerate(texts):
                    seen = text in found
                    if view[c]:
                        if first_view[c] is None:
                            first_view[c] = i
                        t[key]["view"] += 1
                        t[key]["read"] += int(seen)
                    if seen and decided[c] is None:
                        decided[c] = i
                t[key]["wrong"] += sum(1 for x in found if x not in texts)
            t[key]["ms"].extend(ms)
            t[key]["shown"] += len(texts)
            for d, v in zip(decided, first_view):
                if d is not None:
                    t[key]["decided"] += 1
                    start = v if v is not None else d
                    t[key]["lat"].append(max(0, d - start) * 1000 / FPS + ms[d])
        for res in sorted({k[0] for k in t}):
            print(f"\n{name}, {res}: scene, presentations decided, frames read / in view, in view to verdict median / p95 ms, frame p95 ms, wrong")
            dec = shown = 0
            lat, ms = [], []
            for (r, scene), v in t.items():
                if r != res:
                    continue
                print(
                    f"  {scene:<12} {v['decided']:>3}/{v['shown']:<3} {100 * v['decided'] / v['shown']:>5.1f}%   "
                    f"{v['read']:>4}/{v['view']:<4} {100 * v['read'] / max(1, v['view']):>5.1f}%   "
                    f"{pct(v['lat'], 0.5):>6.0f} / {pct(v['lat'], 0.95):<6.0f} {pct(v['ms'], 0.95):>6.1f}   {v['wrong']}"
                )
                dec += v["decided"]
                shown += v["shown"]
                lat += v["lat"]
                ms += v["ms"]
            print(
                f"  overall: {dec}/{shown} decided ({100 * dec / max(1, shown):.1f}%), in view to verdict median "
                f"{pct(lat, 0.5):.0f} ms, p95 {pct(lat, 0.95):.0f} ms; frame median {statistics.median(ms) if ms else 0:.1f} ms, p95 {pct(ms, 0.95):.1f} ms"
            )


if __name__ == "__main__":
    main()
