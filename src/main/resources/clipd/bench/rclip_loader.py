"""Runs rclip's own loader step (rclip/main.py _read_and_preprocess: its sampled sha256, Pillow's decode and its
CLIP preprocessing) on its own thread pool over the photos listed on stdin, and prints what it cost as JSON.
Written for `clipd bench index --compare-rclip CHECKOUT`; nothing of rclip is copied: it is imported from the
checkout. Modules rclip imports but its loader never calls (its model, database, progress bar) are stood in for
by empty ones, so only Pillow and numpy need to be installed."""
import importlib
import json
import os
import sys
import time
import types
from concurrent.futures import ThreadPoolExecutor


class _Absent(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return type(name, (), {})


def _import_with_stand_ins(name):
    for _ in range(50):
        try:
            return importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name is None or e.name.split(".")[0] in ("PIL", "numpy"):
                raise
            sys.modules[e.name] = _Absent(e.name)
            sys.modules.pop(name, None)
    raise ImportError("too many missing modules importing " + name)


def main():
    sys.path.insert(0, sys.argv[1])
    paths = [line.rstrip("\n") for line in sys.stdin if line.strip()]
    rclip_main = _import_with_stand_ins("rclip.main")
    helpers = importlib.import_module("rclip.utils.helpers")
    workers = max(1, min(rclip_main.RClip.MAX_IMAGE_LOADING_WORKERS, os.cpu_count() or 1))
    helpers.configure_max_image_pixels(helpers.AUTO_MAX_IMAGE_PIXELS, workers)
    helpers._ensure_image_loading_configured()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        rclip_main._read_and_preprocess(paths[0])  # imports Pillow's plugins before the clock runs
        cpu0, t0 = time.process_time(), time.perf_counter()
        done = sum(1 for _ in pool.map(rclip_main._read_and_preprocess, paths))
        seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    import PIL
    print(json.dumps({"photos": done, "seconds": seconds, "cpu_seconds": cpu, "workers": workers,
                      "pillow": PIL.__version__}))


if __name__ == "__main__":
    main()
