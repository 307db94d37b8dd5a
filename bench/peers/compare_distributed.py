#!/usr/bin/env python3
"""Data-parallel training on one machine: `headroom-cli train --nproc N` beside
torchrun + DistributedDataParallel + PEFT, and Headroom with its gradient
all-reduce overlapped with backward beside the same run reducing after it.

Every run is N processes with a Gloo process group on loopback, one thread
each (OMP_NUM_THREADS=1), one row of --seq tokens per process and step (the
global batch is N rows), random weights in the SmolLM2-135M shape and the
built-in tokenizer (peer_models.py), bf16. Configurations:

  LoRA r16 / alpha 32 / dropout 0.05 on all linear layers (about 20 MB of
  fp32 gradients): Headroom overlapped, Headroom after backward, DDP + PEFT;
  full fine-tuning with gradient checkpointing (540 MB of fp32 gradients):
  Headroom overlapped and after backward (hf_train.py trains adapters only).

Printed per configuration: global tokens/s (median over the timed steps),
and for Headroom the median seconds per step that the gradient all-reduce
was not hidden by backward (`reduce_wait_s` in the step lines).

  scripts/build.sh dev headroom-cli
  eval "$(scripts/setup.sh)"
  $HEADROOM_VENV/bin/python bench/peers/compare_distributed.py --build build/dev
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


def run(cmd, env):
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return proc.stdout


def headroom(cli, model, dataset, full, overlap, args, workdir):
    config = {
        "model": str(model), "dataset": str(dataset), "dataset_format": "text",
        "max_seq_len": args.seq, "micro_batch_size": 1, "grad_accum_steps": args.nproc,
        "max_steps": args.warmup + args.steps, "epochs": None,
        "learning_rate": 2e-4, "lr_schedule": "constant", "warmup_steps": 0, "weight_decay": 0.0,
        "max_grad_norm": 1.0, "precision": "bf16", "device": "cpu",
        "lora": {"enabled": not full, "r": 16, "alpha": 32, "dropout": 0.05, "target_modules": "all-linear"},
        "optimizer": "adamw", "gradient_checkpointing": full, "attention": "sdpa",
        "eval_every": 0, "save_every": 0, "output_dir": str(workdir / "out"),
    }
    path = workdir / "run.json"
    path.write_text(json.dumps(config))
    env = dict(os.environ, OMP_NUM_THREADS="1", HEADROOM_DIST_OVERLAP="1" if overlap else "0")
    out = run([str(cli), "train", "--config", str(path), "--json", "--nproc", str(args.nproc)], env)
    steps = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    timed = [s for s in steps if "loss" in s and "step" in s][args.warmup:]
    return {
        "tokens_per_s": args.nproc * args.seq / statistics.median(s["seconds"] for s in timed),
        "reduce_wait_s": statistics.median(s.get("reduce_wait_s", 0.0) for s in timed),
        "seconds": [s["seconds"] for s in timed],
    }


def ddp(model, dataset, args):
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", str(args.nproc),
           str(HERE / "hf_train.py"), "--model", str(model), "--dataset", str(dataset), "--dtype", "bf16",
           "--seq", str(args.seq), "--warmup", str(args.warmup), "--steps", str(args.steps), "--threads", "1",
           "--no-profile"]
    env = dict(os.environ, OMP_NUM_THREADS="1")
    out = run(cmd, env)
    return json.loads([line for line in out.splitlines() if line.startswith("{")][-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=str(ROOT / "build" / "dev"), help="CMake build folder with app/cli/headroom-cli")
    ap.add_argument("--nproc", type=int, default=2)
    ap.add_argument("--seq", type=int, default=512)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--configs", default="lora,full")
    ap.add_argument("--work", default=str(pathlib.Path.home() / ".cache" / "headroom" / "peers"),
                    help="where the model folder and the dataset are kept between runs")
    ap.add_argument("--gguf", default=os.environ.get("HEADROOM_DEFAULT_MODEL"),
                    help="the built-in SmolLM2 GGUF whose tokenizer the model uses (scripts/setup.sh sets it)")
    ap.add_argument("--json", help="write every figure to this file")
    args = ap.parse_args()

    cli, work, tokenizer = peer_models.cli_and_tokenizer(args.build, args.work, args.gguf)
    rows = args.nproc * (args.warmup + args.steps + 1)
    dataset = peer_models.write_dataset(work / f"data-{args.seq}-{rows}.jsonl", rows,
                                        words_per_sample=max(900, 2 * args.seq))
    model = peer_models.write_model(work / "smollm2-135m-bf16", "smollm2-135m", "bf16", tokenizer)

    results = []
    for name in args.configs.split(","):
        full = name == "full"
        row = {"config": "full fine-tuning + checkpointing" if full else "LoRA r16 all-linear"}
        for overlap in (True, False):
            print(f"# {row['config']}: Headroom, all-reduce {'during' if overlap else 'after'} backward ...",
                  file=sys.stderr, flush=True)
            with tempfile.TemporaryDirectory() as tmp:
                row["overlap" if overlap else "after"] = headroom(cli, model, dataset, full, overlap, args,
                                                                  pathlib.Path(tmp))
        if not full:
            print(f"# {row['config']}: torchrun + DDP + PEFT ...", file=sys.stderr, flush=True)
            row["ddp"] = ddp(model, dataset, args)
        results.append(row)

    print(f"SmolLM2-135M shape, bf16, {args.nproc} processes x 1 thread, Gloo on loopback, 1 row of {args.seq} "
          f"tokens per process and step; median of {args.steps} steps after {args.warmup} warm-up")
    print()
    print("| configuration | DDP + PEFT tokens/s | Headroom tokens/s | vs DDP | Headroom, reduce after backward "
          "tokens/s | all-reduce not hidden, s/step: overlapped | after backward |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for row in results:
        ours, after = row["overlap"], row["after"]
        peer = row.get("ddp")
        peer_speed = f"{peer['tokens_per_s']:.0f}" if peer else "n/a"
        ratio = f"{ours['tokens_per_s'] / peer['tokens_per_s']:.2f}x" if peer else "n/a"
        print(f"| {row['config']} | {peer_speed} | {ours['tokens_per_s']:.0f} | {ratio} | "
              f"{after['tokens_per_s']:.0f} | {ours['reduce_wait_s']:.3f} | {after['reduce_wait_s']:.3f} |")
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
