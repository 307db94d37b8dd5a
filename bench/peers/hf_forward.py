#!/usr/bin/env python3
"""Forward-pass throughput of Hugging Face transformers on a SmolLM2-135M-shaped model.

The peer that Headroom's native forward is measured against. Random weights
(seeded), built from a config, so nothing is downloaded.

  hf_forward.py --threads N --seq 512 --batch 1 --dtype fp32|bf16 --warmup 2 --reps 5 [--json]
  hf_forward.py --save-config DIR      # writes DIR/config.json of the benchmark shape and exits

Prints tokens/s (median over reps), the torch version and the thread count;
with --json, one JSON object:
  {"impl": "transformers", "dtype": ..., "tokens_per_s": ..., "seconds": [...], "threads": ..., "torch": ...}
"""
import argparse
import json
import os
import pathlib
import statistics
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))


def make_config(**extra):
    """The SmolLM2-135M shape of peer_models.SHAPES as a LlamaConfig."""
    from peer_models import SHAPES
    from transformers import LlamaConfig

    spec = {k: v for k, v in SHAPES["smollm2-135m"].items() if k not in ("model_type", "architectures")}
    return LlamaConfig(**spec, **extra)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=0, help="torch intra-op threads (0: leave torch's default)")
    ap.add_argument("--seq", type=int, default=512)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--dtype", choices=("fp32", "bf16"), default="fp32")
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    ap.add_argument("--save-config", metavar="DIR", help="write DIR/config.json of the benchmark shape and exit")
    args = ap.parse_args()

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    import transformers

    transformers.logging.set_verbosity_error()

    if args.save_config:
        out = pathlib.Path(args.save_config)
        out.mkdir(parents=True, exist_ok=True)
        config = make_config()
        config.architectures = ["LlamaForCausalLM"]
        config.dtype = torch.bfloat16 if args.dtype == "bf16" else torch.float32
        config.save_pretrained(str(out))
        print(out / "config.json")
        return 0

    if args.threads > 0:
        torch.set_num_threads(args.threads)
    threads = torch.get_num_threads()
    dtype = torch.bfloat16 if args.dtype == "bf16" else torch.float32
    device = torch.device(args.device)

    from transformers import LlamaForCausalLM

    torch.manual_seed(args.seed)
    config = make_config(attn_implementation="sdpa")
    # Build directly in the target dtype (weights are random; the rotary inv_freq stays fp32 as in
    # from_pretrained(dtype=...)).
    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        model = LlamaForCausalLM(config)
    finally:
        torch.set_default_dtype(previous)
    model = model.to(device).eval()
    assert model.config._attn_implementation == "sdpa", model.config._attn_implementation

    gen = torch.Generator().manual_seed(args.seed + 1)
    ids = torch.randint(0, config.vocab_size, (args.batch, args.seq), generator=gen).to(device)

    def step():
        with torch.inference_mode():
            logits = model(input_ids=ids, use_cache=False).logits
        if device.type == "cuda":
            torch.cuda.synchronize()
        return logits

    for _ in range(args.warmup):
        step()
    seconds = []
    for _ in range(args.reps):
        t0 = time.perf_counter()
        step()
        seconds.append(time.perf_counter() - t0)
    median = statistics.median(seconds)
    tokens_per_s = args.batch * args.seq / median
    result = {
        "impl": "transformers",
        "dtype": args.dtype,
        "tokens_per_s": tokens_per_s,
        "seconds": seconds,
        "threads": threads,
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "batch": args.batch,
        "seq": args.seq,
        "device": str(device),
        "params": sum(p.numel() for p in model.parameters()),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"transformers {transformers.__version__} torch {torch.__version__} threads {threads} "
            f"{args.dtype} batch {args.batch} seq {args.seq}: {tokens_per_s:.1f} tokens/s "
            f"(median {median * 1000:.1f} ms over {args.reps} reps)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
