#!/usr/bin/env python3
"""Read the same generated frames with ZXing-C++ and zbar, for comparison
with badgegate's own pipeline (`cargo bench --bench read`).

    BADGEGATE_CORPUS_DIR=/tmp/corpus cargo bench --bench read
    pip install zxing-cpp pyzbar pillow        # pyzbar needs libzbar0 (apt: zbar-tools)
    python3 scripts/compare-decoders.py /tmp/corpus
    python3 scripts/compare-decoders.py tests/photos     # the real photographs

Prints, per decoder, resolution and condition: read % (every expected code
found, no other text), median and p95 decode time in ms (one thread; the
image is already in memory as greyscale).
"""
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

from PIL import Image

from peers import zbar_reader, zxing_reader


def p95(v):
    v = sorted(v)
    return v[round((len(v) - 1) * 0.95)] if v else 0.0


def photo_frames(root):
    """A folder of photos with their texts (`tests/photos`: SET/NAME.png
    beside SET/NAME.txt) as frames: condition = the set, resolution =
    `photo`."""
    norm = lambda s: s.replace("\r\n", "\n").replace("\r", "\n").strip()
    frames = []
    for png in sorted(root.glob("*/*.png")):
        txt = png.with_suffix(".txt")
        if txt.exists():
            frames.append((png, png.parent.name, "photo", [norm(txt.read_text(errors="replace"))]))
    return frames, norm


def main():
    corpus = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/corpus")
    norm = lambda s: s
    if (corpus / "manifest.tsv").exists():
        rows = [l.split("\t") for l in (corpus / "manifest.tsv").read_text().splitlines()[1:]]
        frames = [(corpus / f, cond, res, [e for e in exp.split("|") if e]) for f, cond, res, exp in rows]
    else:
        frames, norm = photo_frames(corpus)
    images = {f: Image.open(f).convert("L") for f, *_ in frames}
    for name, make in [("ZXing-C++", zxing_reader), ("zbar", zbar_reader)]:
        try:
            read = make()
        except Exception as e:  # a missing package is reported, not fatal
            print(f"{name}: unavailable ({e})")
            continue
        stats = defaultdict(lambda: [0, 0, []])
        for f, cond, res, expected in frames:
            start = time.perf_counter()
            texts = [norm(t) for t in read(images[f])]
            ms = (time.perf_counter() - start) * 1000
            ok = all(e in texts for e in expected) and all(t in expected for t in texts)
            for key in [(res, cond), (res, "overall")]:
                if cond == "no-badge" and key[1] == "overall":
                    continue
                s = stats[key]
                s[0] += ok
                s[1] += 1
                s[2].append(ms)
        print(f"\n{name}")
        for (res, cond), (ok, n, times) in sorted(stats.items()):
            print(f"  {res:<10} {cond:<12} {100 * ok / n:5.0f}%  median {statistics.median(times):6.1f} ms  p95 {p95(times):6.1f} ms")


if __name__ == "__main__":
    main()
