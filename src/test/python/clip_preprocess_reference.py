"""Reference CLIP preprocessing with Pillow, for clipd's exactness tests.

The steps are rclip's ONNX preprocessing (rclip/utils/preprocess.py) with EXIF orientation applied first, as clipd
does. Usage: clip_preprocess_reference.py SIZE IN OUT [IN OUT ...]; each OUT receives SIZE*SIZE*3 little-endian
float32 values, CHW.
"""
import sys

import numpy as np
from PIL import Image, ImageOps

MEAN = np.array([0.48145466, 0.4578275, 0.40821073], dtype=np.float32)
STD = np.array([0.26862954, 0.26130258, 0.27577711], dtype=np.float32)


def preprocess(path, size):
    image = ImageOps.exif_transpose(Image.open(path)).convert("RGB")
    w, h = image.size
    if w < h:
        new_w, new_h = size, int(h * size / w)
    else:
        new_h, new_w = size, int(w * size / h)
    image = image.resize((new_w, new_h), Image.Resampling.BICUBIC)
    w, h = image.size
    left = round((w - size) / 2.0)
    top = round((h - size) / 2.0)
    image = image.crop((left, top, left + size, top + size))
    arr = np.array(image, dtype=np.float32) / 255.0
    arr = (arr - MEAN) / STD
    return arr.transpose(2, 0, 1)


def main():
    size = int(sys.argv[1])
    pairs = sys.argv[2:]
    for src, dst in zip(pairs[0::2], pairs[1::2]):
        np.ascontiguousarray(preprocess(src, size), dtype="<f4").tofile(dst)


if __name__ == "__main__":
    main()
