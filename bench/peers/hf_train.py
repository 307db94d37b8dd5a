#!/usr/bin/env python3
"""LoRA fine-tuning steps through the Hugging Face stack: the peer of `headroom-cli train`.

A plain PEFT training loop, as the PEFT and transformers guides write it and
as Trainer runs it underneath: from_pretrained in the compute dtype with SDPA
attention, get_peft_model(LoraConfig(target_modules="all-linear")) (PEFT keeps
the adapters in fp32), gradient checkpointing through transformers
(use_reentrant=False) when asked, loss from model(labels=...), gradient
clipping, torch's fused AdamW (Trainer's default optimizer), zero_grad(None).

Prints one JSON object: tokens/s (median over the timed steps), the seconds
of each step, the process's peak RSS, and the peak bytes of live tensors
during one extra, profiled step (the baseline of parameters, adapters,
optimizer states and inputs alive before it, plus the largest running sum of
the allocations and frees torch's profiler records during it).

  hf_train.py --model DIR --dataset FILE --dtype bf16 --seq 512 [--gc] --warmup 2 --steps 5

Started by torchrun (WORLD_SIZE > 1) it is the data-parallel peer: a Gloo
process group and DistributedDataParallel around the PEFT model (25 MiB
buckets, reduced during backward), rank r taking rows r, r + world, ...;
only rank 0 prints, tokens/s counting the tokens of all ranks.
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time


def tensor_bytes(tensors):
    seen, total = set(), 0
    for t in tensors:
        if t is None:
            continue
        storage = t.untyped_storage()
        key = storage.data_ptr()
        if key in seen or key == 0:
            continue
        seen.add(key)
        total += storage.nbytes()
    return total


def profiled_peak(step, live_before):
    """Peak live tensor bytes over one call of step(): the bytes alive before it
    plus the highest running sum of the allocations (+) and frees (-) the
    profiler saw during it, in time order."""
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        step()
    deltas = []
    for event in prof.profiler.kineto_results.events():
        if event.name() == "[memory]":
            deltas.append((event.start_ns(), event.nbytes()))
    deltas.sort()
    running = peak = 0
    for _, nbytes in deltas:
        running += nbytes
        peak = max(peak, running)
    return live_before + peak


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--dataset", required=True, help="JSONL with a \"text\" field per line")
    ap.add_argument("--dtype", choices=("fp32", "bf16"), default="bf16")
    ap.add_argument("--seq", type=int, default=512)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--gc", action="store_true", help="gradient checkpointing")
    ap.add_argument("--r", type=int, default=16)
    ap.add_argument("--alpha", type=float, default=32)
    ap.add_argument("--dropout", type=float, default=0.05)
    ap.add_argument("--lr", type=float, default=2e-4)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--no-profile", action="store_true", help="skip the profiled step (tensor bytes)")
    args = ap.parse_args()

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import peft
    import torch
    import transformers
    from tokenizers import Tokenizer
    from transformers import AutoModelForCausalLM

    transformers.logging.set_verbosity_error()
    torch.set_num_threads(args.threads)
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    if world > 1:
        torch.distributed.init_process_group("gloo")
    torch.manual_seed(42)
    dtype = torch.bfloat16 if args.dtype == "bf16" else torch.float32

    tokenizer = Tokenizer.from_file(os.path.join(args.model, "tokenizer.json"))
    rows = []
    with open(args.dataset, encoding="utf-8") as f:
        for line in f:
            ids = tokenizer.encode(json.loads(line)["text"]).ids[: args.seq]
            if len(ids) < args.seq:
                raise SystemExit(f"{args.dataset}: a sample has only {len(ids)} tokens, needs {args.seq}")
            rows.append(ids)
    needed = (args.warmup + args.steps + 1) * args.batch
    if len(rows) < needed * world:
        raise SystemExit(f"{args.dataset}: {len(rows)} samples, the run needs {needed * world}")
    rows = rows[rank::world]

    model = AutoModelForCausalLM.from_pretrained(args.model, dtype=dtype, attn_implementation="sdpa")
    if args.gc:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        model.enable_input_require_grads()
    model.config.use_cache = False
    lora = peft.LoraConfig(r=args.r, lora_alpha=args.alpha, lora_dropout=args.dropout,
                           target_modules="all-linear", task_type="CAUSAL_LM")
    model = peft.get_peft_model(model, lora)
    model.train()
    trainable = [p for p in model.parameters() if p.requires_grad]
    if world > 1:
        model = torch.nn.parallel.DistributedDataParallel(model)
        args.no_profile = True
    optimizer = torch.optim.AdamW(trainable, lr=args.lr, weight_decay=0.0, fused=True)

    batches = iter(torch.tensor(rows[i * args.batch:(i + 1) * args.batch]) for i in range(needed))

    def step():
        ids = next(batches)
        loss = model(input_ids=ids, labels=ids).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        return loss.item()

    seconds, losses = [], []
    for i in range(args.warmup + args.steps):
        t0 = time.perf_counter()
        losses.append(step())
        if i >= args.warmup:
            seconds.append(time.perf_counter() - t0)

    # Before the profiled step: the profiler's own event buffers must not count.
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    peak_tensor = None
    if not args.no_profile:
        states = [t for s in optimizer.state.values() for t in s.values() if torch.is_tensor(t)]
        live = tensor_bytes(list(model.parameters()) + list(model.buffers()) + states)
        peak_tensor = profiled_peak(step, live)

    median = statistics.median(seconds)
    if world > 1:
        torch.distributed.destroy_process_group()
        if rank != 0:
            return 0
    print(json.dumps({
        "impl": "transformers+peft" + (f"+ddp x{world}" if world > 1 else ""),
        "tokens_per_s": world * args.batch * args.seq / median,
        "seconds": seconds,
        "losses": losses,
        "peak_rss": peak_rss,
        "peak_tensor_bytes": peak_tensor,
        "trainable": sum(p.numel() for p in trainable),
        "threads": torch.get_num_threads(),
        "versions": {"torch": torch.__version__, "transformers": transformers.__version__,
                     "peft": peft.__version__},
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
