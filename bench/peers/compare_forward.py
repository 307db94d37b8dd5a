#!/usr/bin/env python3
"""Forward throughput of Headroom beside transformers, in one run.

Same machine, same torch (the pinned wheel: Headroom links its LibTorch),
same thread count, same SmolLM2-135M model shape with random weights, same
sequence length. Runs both implementations alternately for each dtype and
prints a table with the ratio.

  scripts/build.sh dev bench_forward
  $HEADROOM_VENV/bin/python bench/peers/compare_forward.py [--build build/dev] [--seq 512] [--reps 5]
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def run_json(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=str(ROOT / "build" / "dev"), help="CMake build folder holding bench/bench_forward")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--seq", type=int, default=512)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--dtypes", default="fp32,bf16")
    args = ap.parse_args()

    binary = pathlib.Path(args.build) / "bench" / "bench_forward"
    if not binary.exists():
        print(f"{binary} not found: build it with scripts/build.sh dev bench_forward", file=sys.stderr)
        return 2
    common = ["--seq", str(args.seq), "--batch", str(args.batch), "--warmup", str(args.warmup),
              "--reps", str(args.reps), "--threads", str(args.threads)]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, str(HERE / "hf_forward.py"), "--save-config", tmp], check=True,
                       capture_output=True)
        config = str(pathlib.Path(tmp) / "config.json")
        for dtype in args.dtypes.split(","):
            hf = run_json([sys.executable, str(HERE / "hf_forward.py"), "--dtype", dtype, "--json", *common])
            ours = run_json([str(binary), "--config", config, "--dtype", dtype, *common])
            rows.append((dtype, hf, ours))

    import torch

    print(f"SmolLM2-135M shape, random weights, batch {args.batch} x seq {args.seq}, {args.threads} threads, "
          f"torch {torch.__version__}, median of {args.reps} after {args.warmup} warm-up")
    print()
    print("| dtype | transformers tokens/s | Headroom tokens/s | Headroom / transformers |")
    print("|---|---:|---:|---:|")
    for dtype, hf, ours in rows:
        ratio = ours["tokens_per_s"] / hf["tokens_per_s"]
        print(f"| {dtype} | {hf['tokens_per_s']:.0f} | {ours['tokens_per_s']:.0f} | {ratio:.2f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
