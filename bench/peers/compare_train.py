#!/usr/bin/env python3
"""LoRA fine-tuning speed and memory: Headroom beside the Hugging Face stack, in one run.

For each configuration (model shape x dtype x gradient checkpointing) this
runs the same fine-tuning through transformers + PEFT (hf_train.py, a plain
PEFT training loop) and through `headroom-cli train`, each in its own
process, one after the other, on the same machine, the same torch (Headroom
links the LibTorch of the pinned wheel), the same thread count, the same
model files (random weights in the shape of SmolLM2-135M and Qwen2-0.5B, see
peer_models.py), the same tokens (rows of exactly --seq tokens), batch 1, LoRA
r16 / alpha 32 / dropout 0.05 on all linear layers, AdamW (lr 2e-4, no decay),
gradient clipping at 1.0. After --warmup steps, --steps steps are timed;
tokens/s is the median. Memory: the process's peak RSS, and the peak bytes
of live tensors (Headroom: its counting CPU allocator; transformers: torch's
profiler over one extra step, see hf_train.py).

  scripts/build.sh dev headroom-cli
  eval "$(scripts/setup.sh)"
  $HEADROOM_VENV/bin/python bench/peers/compare_train.py --build build/dev [--quick]

Writes the table to stdout (markdown) and every figure to --json FILE.
"""
import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))

import peer_models  # noqa: E402


def run_measured(cmd, env=None):
    """Runs cmd, returns (stdout, peak RSS in bytes) from wait4's rusage."""
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, env=env, text=True)
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise SystemExit(f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n"
                             f"{err.read().decode(errors='replace')[-3000:]}")
    return out, usage.ru_maxrss * 1024


def headroom_run(cli, model, dataset, dtype, gc, args, workdir):
    config = {
        "model": str(model), "dataset": str(dataset), "dataset_format": "text",
        "max_seq_len": args.seq, "micro_batch_size": 1, "grad_accum_steps": 1,
        "max_steps": args.warmup + args.steps, "epochs": None,
        "learning_rate": 2e-4, "lr_schedule": "constant", "warmup_steps": 0, "weight_decay": 0.0,
        "max_grad_norm": 1.0, "precision": dtype, "device": "cpu",
        "lora": {"enabled": True, "r": 16, "alpha": 32, "dropout": 0.05, "target_modules": "all-linear"},
        "optimizer": "adamw", "gradient_checkpointing": gc, "attention": "sdpa",
        "eval_every": 0, "save_every": 0, "output_dir": str(workdir / "out"),
    }
    path = workdir / "run.json"
    path.write_text(json.dumps(config))
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    out, rss = run_measured([str(cli), "train", "--config", str(path), "--json"], env=env)
    steps = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    steps = [s for s in steps if "loss" in s and "step" in s]
    timed = steps[args.warmup:]
    seconds = [s["seconds"] for s in timed]
    return {
        "impl": "headroom",
        "tokens_per_s": args.seq / statistics.median(seconds),
        "seconds": seconds,
        "losses": [s["loss"] for s in steps],
        "peak_rss": rss,
        "peak_tensor_bytes": max(s["mem"]["peak"] for s in steps),
    }


def hf_run(model, dataset, dtype, gc, args):
    cmd = [sys.executable, str(HERE / "hf_train.py"), "--model", str(model), "--dataset", str(dataset),
           "--dtype", dtype, "--seq", str(args.seq), "--warmup", str(args.warmup), "--steps",
           str(args.steps), "--threads", str(args.threads)]
    if gc:
        cmd.append("--gc")
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    out, rss = run_measured(cmd, env=env)
    result = json.loads(out.strip().splitlines()[-1])
    result["peak_rss_wait4"] = rss
    return result


def mib(n):
    return f"{n / 2**20:,.0f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=str(ROOT / "build" / "dev"), help="CMake build folder with app/cli/headroom-cli")
    ap.add_argument("--shapes", default="smollm2-135m,qwen2-0.5b")
    ap.add_argument("--dtypes", default="bf16,fp32")
    ap.add_argument("--checkpointing", default="off,on")
    ap.add_argument("--seq", type=int, default=512)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--quick", action="store_true", help="SmolLM2 shape, bf16, no checkpointing only")
    ap.add_argument("--work", default=str(pathlib.Path.home() / ".cache" / "headroom" / "peers"),
                    help="where the model folders and the dataset are kept between runs")
    ap.add_argument("--gguf", default=os.environ.get("HEADROOM_DEFAULT_MODEL"),
                    help="the built-in SmolLM2 GGUF whose tokenizer the models use (scripts/setup.sh sets it)")
    ap.add_argument("--json", help="write every figure to this file")
    args = ap.parse_args()
    if args.quick:
        args.shapes, args.dtypes, args.checkpointing = "smollm2-135m", "bf16", "off"

    cli, work, tokenizer = peer_models.cli_and_tokenizer(args.build, args.work, args.gguf)
    dataset = peer_models.write_dataset(work / f"data-{args.seq}.jsonl", 32, words_per_sample=max(900, 2 * args.seq))

    import torch

    rows = []
    for shape in args.shapes.split(","):
        for dtype in args.dtypes.split(","):
            model = peer_models.write_model(work / f"{shape}-{dtype}", shape, dtype, tokenizer)
            for gc in (c == "on" for c in args.checkpointing.split(",")):
                label = f"{shape} {dtype}{' + checkpointing' if gc else ''}"
                print(f"# {label}: transformers + PEFT ...", file=sys.stderr, flush=True)
                hf = hf_run(model, dataset, dtype, gc, args)
                print(f"# {label}: Headroom ...", file=sys.stderr, flush=True)
                with tempfile.TemporaryDirectory() as tmp:
                    ours = headroom_run(cli, model, dataset, dtype, gc, args, pathlib.Path(tmp))
                rows.append({"config": label, "transformers": hf, "headroom": ours})
                print(f"#   {hf['tokens_per_s']:.0f} vs {ours['tokens_per_s']:.0f} tokens/s", file=sys.stderr,
                      flush=True)

    versions = rows[0]["transformers"]["versions"] if rows else {}
    print(f"LoRA r16 all-linear, dropout 0.05, batch 1 x {args.seq} tokens, AdamW, {args.threads} threads, "
          f"torch {torch.__version__}, transformers {versions.get('transformers')}, peft {versions.get('peft')}; "
          f"median of {args.steps} steps after {args.warmup} warm-up")
    print()
    print("| configuration | HF tokens/s | Headroom tokens/s | speed | HF peak RSS MiB | Headroom peak RSS MiB "
          "| RSS | HF tensor peak MiB | Headroom tensor peak MiB | tensors |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        hf, ours = row["transformers"], row["headroom"]
        tensor_ratio = (f"{ours['peak_tensor_bytes'] / hf['peak_tensor_bytes']:.2f}x"
                        if hf.get("peak_tensor_bytes") else "n/a")
        print(f"| {row['config']} | {hf['tokens_per_s']:.0f} | {ours['tokens_per_s']:.0f} | "
              f"{ours['tokens_per_s'] / hf['tokens_per_s']:.2f}x | {mib(hf['peak_rss'])} | {mib(ours['peak_rss'])} | "
              f"{ours['peak_rss'] / hf['peak_rss']:.2f}x | "
              f"{mib(hf['peak_tensor_bytes']) if hf.get('peak_tensor_bytes') else 'n/a'} | "
              f"{mib(ours['peak_tensor_bytes'])} | {tensor_ratio} |")
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(rows, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
