#!/usr/bin/env python3
"""Does unwarping a cylinder read curled codes a flat grid misses?

A measurement for the reader's next stage, on the sequence benchmark's
frames (see compare-sequences.py for how to write them):

    python3 scripts/try-cylinder-unwarp.py /tmp/clips curled

For each frame ZXing-C++ does not read, OpenCV's detector finds the code's
corners, the code is rectified by the homography through them, then
unwarped as a cylinder along either axis for five curls (half-angles
0.4-1.2 rad: a point at arc s from the axis is seen at R sin(s/R)), and
each picture is read by ZXing-C++ again. Prints presentations decided and
frames read without and with the unwarp, and wrong texts (none may be).
Needs `pip install zxing-cpp opencv-python-headless pillow numpy`.
"""
import csv, sys, math
from collections import defaultdict
from pathlib import Path
import numpy as np, cv2, zxingcpp
from PIL import Image

root = Path(sys.argv[1])
clips = defaultdict(list)
with open(root / "clips.tsv", newline="") as f:
    for row in csv.DictReader(f, delimiter="\t"):
        if row["scene"] == sys.argv[2]:
            clips[row["clip"]].append(row)

def zx(img):
    return [r.text for r in zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.QRCode)]

det = cv2.QRCodeDetector()

def unwarped(gray):
    ok, pts = det.detect(gray)
    if not ok or pts is None:
        return []
    pts = pts.reshape(4, 2).astype(np.float32)
    side = float(max(np.linalg.norm(pts[i] - pts[(i + 1) % 4]) for i in range(4)))
    S = int(side * 1.2)
    m = S * 0.25  # margin around the code
    T = int(S + 2 * m)
    dst = np.array([[m, m], [m + S, m], [m + S, m + S], [m, m + S]], np.float32)
    H = cv2.getPerspectiveTransform(pts, dst)
    rect = cv2.warpPerspective(gray, H, (T, T), flags=cv2.INTER_LINEAR, borderValue=255)
    outs = []
    c = m + S / 2
    half = S / 2
    for axis in (0, 1):
        for k in (0.4, 0.6, 0.8, 1.0, 1.2):
            # output u uniform in arc; source x = sin(u k)/sin(k) (within the code)
            idx = np.arange(T, dtype=np.float32)
            u = (idx - c) / half
            src = np.where(np.abs(u) <= 1.0, np.sin(u * k) / math.sin(k), u) * half + c
            if axis == 0:
                mapx = np.tile(src, (T, 1)); mapy = np.tile(idx[:, None], (1, T))
            else:
                mapy = np.tile(src[:, None], (1, T)); mapx = np.tile(idx, (T, 1))
            outs.append(cv2.remap(rect, mapx.astype(np.float32), mapy.astype(np.float32), cv2.INTER_LINEAR, borderValue=255))
    return outs

plain_dec = both_dec = detected = frames_plain = frames_both = 0
wrong = 0
for clip, rows in sorted(clips.items()):
    rows.sort(key=lambda r: int(r["frame"]))
    texts = rows[0]["expected"].split("|")
    got_plain = got_both = False
    for row in rows:
        gray = np.array(Image.open(root / row["file"]).convert("L"))
        found = zx(gray)
        if any(t in found for t in texts):
            got_plain = got_both = True
            frames_plain += 1; frames_both += 1
            continue
        outs = unwarped(gray)
        detected += bool(outs)
        for o in outs:
            f2 = zx(o)
            wrong += sum(1 for x in f2 if x not in texts)
            if any(t in f2 for t in texts):
                got_both = True; frames_both += 1
                break
    plain_dec += got_plain; both_dec += got_both
print(f"{sys.argv[2]}: clips {len(clips)}; decided plain {plain_dec}, with unwarp {both_dec}; frames plain {frames_plain}, with unwarp {frames_both}; frames detected-not-read {detected}; wrong {wrong}")
