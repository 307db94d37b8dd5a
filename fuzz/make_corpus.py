#!/usr/bin/env python3
"""Seed corpora for the libFuzzer targets of fuzz/ (standard library only).

Usage: make_corpus.py OUTDIR   -> OUTDIR/<target>/<seed files>

Each seed is a small valid input of the format (plus a few near misses), so
that the fuzzer starts past the magic numbers and length prefixes. The
dataset seeds take their records from resources/demo/demo-dataset.jsonl.
Deterministic: the same files every run.
"""
import json
import pathlib
import struct
import sys

SOURCE = pathlib.Path(__file__).resolve().parents[1]
DEMO = SOURCE / "resources" / "demo" / "demo-dataset.jsonl"


def safetensors(tensors, metadata=None):
    """tensors: [(name, dtype, shape, bytes)] -> .safetensors bytes."""
    header, data = {}, b""
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": shape,
                        "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data


def gguf_string(s):
    raw = s.encode()
    return struct.pack("<Q", len(raw)) + raw


def gguf(metadata, tensors, alignment=32):
    """metadata: [(key, type, value)]; tensors: [(name, dims, ggml type, bytes)]."""
    out = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(metadata))
    scalar = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?",
              10: "<Q", 11: "<q", 12: "<d"}

    def value(vtype, v):
        if vtype == 8:
            return gguf_string(v)
        if vtype == 9:
            etype, items = v
            body = b"".join(value(etype, item) for item in items)
            return struct.pack("<IQ", etype, len(items)) + body
        return struct.pack(scalar[vtype], v)

    for key, vtype, v in metadata:
        out += gguf_string(key) + struct.pack("<I", vtype) + value(vtype, v)
    offset, blobs = 0, b""
    for name, dims, gtype, raw in tensors:
        out += gguf_string(name) + struct.pack("<I", len(dims))
        out += b"".join(struct.pack("<Q", d) for d in dims)
        out += struct.pack("<IQ", gtype, offset)
        pad = b"\0" * (-len(raw) % alignment)
        blobs += raw + pad
        offset += len(raw) + len(pad)
    out += b"\0" * (-len(out) % alignment)
    return out + blobs


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + \
        list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return [chr(c) for _, c in sorted(zip(bs, cs))]


def bytelevel_tokenizer():
    chars = bytes_to_unicode()
    vocab = {c: i for i, c in enumerate(chars)}
    merges = []
    for a, b in [("h", "e"), ("l", "l"), ("he", "ll"), ("Ġ", "t"), ("Ġt", "h"), ("o", "r")]:
        merges.append(f"{a} {b}")
        vocab.setdefault(a + b, len(vocab))
    return {
        "version": "1.0",
        "added_tokens": [
            {"id": len(vocab), "content": "<|endoftext|>", "single_word": False, "lstrip": False,
             "rstrip": False, "normalized": False, "special": True},
            {"id": len(vocab) + 1, "content": "<|im_start|>", "single_word": False,
             "lstrip": False, "rstrip": False, "normalized": False, "special": True},
        ],
        "normalizer": {"type": "NFC"},
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Digits", "individual_digits": True},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True,
             "use_regex": True}]},
        "post_processor": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False,
                           "use_regex": True},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True,
                    "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None,
                  "continuing_subword_prefix": None, "end_of_word_suffix": None,
                  "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": vocab, "merges": merges},
    }


def metaspace_tokenizer():
    vocab = {"<unk>": 0, "<s>": 1, "</s>": 2}
    for i in range(256):
        vocab[f"<0x{i:02X}>"] = len(vocab)
    for piece in ["▁", "h", "e", "l", "o", "▁h", "he", "ll", "▁he", "▁hell", "▁hello", "w", "r", "d"]:
        vocab.setdefault(piece, len(vocab))
    merges = [["▁", "h"], ["h", "e"], ["l", "l"], ["▁h", "e"], ["▁he", "ll"], ["▁hell", "o"]]
    return {
        "version": "1.0",
        "added_tokens": [
            {"id": 0, "content": "<unk>", "single_word": False, "lstrip": False, "rstrip": False,
             "normalized": False, "special": True},
            {"id": 1, "content": "<s>", "single_word": False, "lstrip": False, "rstrip": False,
             "normalized": False, "special": True},
            {"id": 2, "content": "</s>", "single_word": False, "lstrip": False, "rstrip": False,
             "normalized": False, "special": True}],
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Prepend", "prepend": "▁"},
            {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]},
        "pre_tokenizer": None,
        "post_processor": {"type": "TemplateProcessing",
                           "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}},
                                      {"Sequence": {"id": "A", "type_id": 0}}],
                           "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}},
                                    {"Sequence": {"id": "A", "type_id": 0}},
                                    {"Sequence": {"id": "B", "type_id": 1}}],
                           "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}},
        "decoder": {"type": "Sequence", "decoders": [
            {"type": "Replace", "pattern": {"String": "▁"}, "content": " "},
            {"type": "ByteFallback"}, {"type": "Fuse"}, {"type": "Strip", "content": " ",
                                                          "start": 1, "stop": 0}]},
        "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>",
                  "continuing_subword_prefix": None, "end_of_word_suffix": None,
                  "fuse_unk": True, "byte_fallback": True, "ignore_merges": False,
                  "vocab": vocab, "merges": merges},
    }


def llama_config():
    return {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 64,
            "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4,
            "num_key_value_heads": 2, "vocab_size": 512, "max_position_embeddings": 256,
            "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "tie_word_embeddings": False,
            "hidden_act": "silu", "torch_dtype": "float32", "bos_token_id": 1, "eos_token_id": 2,
            "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                             "high_freq_factor": 4.0, "original_max_position_embeddings": 128}}


def gpt2_config():
    return {"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "n_embd": 64,
            "n_layer": 2, "n_head": 4, "n_positions": 128, "n_ctx": 128, "vocab_size": 300,
            "layer_norm_epsilon": 1e-5, "activation_function": "gelu_new",
            "bos_token_id": 0, "eos_token_id": 0}


def run_config():
    return {"model": "models/tiny_llama", "dataset": "data/small.jsonl", "precision": "bf16",
            "device": "cuda", "max_steps": 4, "epochs": None, "micro_batch_size": 2,
            "grad_accum_steps": 4, "warmup_steps": 2, "learning_rate": 2e-4,
            "lr_schedule": "cosine", "weight_decay": 0.01, "max_grad_norm": 1.0,
            "save_every": 10, "eval_every": 5, "validation_split": 0.1, "seed": 42,
            "max_seq_len": 512, "packing": True, "gradient_checkpointing": True,
            "optimizer": "adamw8bit", "quantization": "nf4",
            "lora": {"enabled": True, "r": 16, "alpha": 32, "dropout": 0.05, "rslora": False,
                     "target_modules": ["q_proj", "v_proj"]},
            "output_dir": "runs/demo"}


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = pathlib.Path(sys.argv[1])
    seeds = {}

    f32 = struct.pack("<4f", 1.0, -2.0, 0.5, 3.25)
    seeds["fuzz_safetensors"] = {
        "two.safetensors": safetensors(
            [("model.embed.weight", "F32", [2, 2], f32),
             ("model.norm.weight", "BF16", [2], b"\x80\x3f\x00\x40"),
             ("step", "I64", [], struct.pack("<q", 7))], {"format": "pt"}),
        "empty.safetensors": safetensors([("e", "F16", [0, 3], b"")]),
        "header-only.safetensors": safetensors([]),
        "u8.safetensors": safetensors([("x", "U8", [3], b"abc"), ("y", "BOOL", [1], b"\x01")],
                                      {"format": "pt", "note": "x"}),
    }

    weight_map = {"a.weight": "model-00001-of-00002.safetensors",
                  "b.weight": "model-00002-of-00002.safetensors"}
    seeds["fuzz_checkpoint_index"] = {
        "index.json": json.dumps({"metadata": {"total_size": 16}, "weight_map": weight_map}),
        "one-shard.json": json.dumps({"weight_map": {"a.weight": weight_map["a.weight"]}}),
        "escape.json": json.dumps({"weight_map": {"a.weight": "../model-00001-of-00002.safetensors"}}),
    }

    meta = [("general.architecture", 8, "llama"), ("general.alignment", 4, 32),
            ("llama.context_length", 4, 128), ("llama.embedding_length", 10, 8),
            ("llama.rope.freq_base", 6, 10000.0), ("general.flag", 7, True),
            ("tokenizer.ggml.tokens", 9, (8, ["<unk>", "<s>", "</s>", "a"])),
            ("tokenizer.ggml.scores", 9, (6, [0.0, 0.0, 0.0, -1.0])),
            ("tokenizer.ggml.token_type", 9, (5, [2, 3, 3, 1]))]
    seeds["fuzz_gguf"] = {
        "llama.gguf": gguf(meta, [("token_embd.weight", [2, 4], 0, struct.pack("<8f", *range(8))),
                                  ("output_norm.weight", [4], 1, b"\0\x3c" * 4)]),
        "meta-only.gguf": gguf(meta, []),
        "q8_0.gguf": gguf(meta[:1], [("blk.0.w", [32], 8, b"\0\x3c" + bytes(range(32)))]),
    }

    seeds["fuzz_tokenizer"] = {
        "bytelevel": b"hello world 123 <|im_start|>the\0" + json.dumps(bytelevel_tokenizer()).encode(),
        "metaspace": "hello wörld \U0001F600\0".encode() + json.dumps(metaspace_tokenizer()).encode(),
    }

    seeds["fuzz_model_config"] = {"llama.json": json.dumps(llama_config()),
                                  "gpt2.json": json.dumps(gpt2_config())}
    seeds["fuzz_train_config"] = {"full.json": json.dumps(run_config()),
                                  "minimal.json": json.dumps({"model": "m", "dataset": "d.jsonl"})}

    demo = DEMO.read_text(encoding="utf-8").splitlines()[:6]
    chat = {"messages": [{"role": "system", "content": "Be brief."},
                         {"role": "user", "content": "Hi"},
                         {"role": "assistant", "content": "Hello!"}]}
    seeds["fuzz_jsonl"] = {
        "demo.jsonl": "\n".join(demo) + "\n",
        "chat.jsonl": json.dumps(chat) + "\r\n" + json.dumps({"text": "plain"}) + "\n",
        "broken.jsonl": "\ufeff{\"instruction\": \"hi\", \n[1, 2\nnot json\n",
    }
    rows = [json.loads(line) for line in demo]
    csv = "instruction,input,output\n" + "".join(
        '"{}","{}","{}"\n'.format(*(r[k].replace('"', '""') for k in ("instruction", "input", "output")))
        for r in rows)
    seeds["fuzz_csv"] = {
        "demo.csv": "\0" + csv,
        "demo.tsv": "\1" + "instruction\toutput\n" + "".join(
            f"{r['instruction']}\t{r['output']}\n" for r in rows),
        "quoted.csv": "\0,text,label\r\n0,\"a \"\"b\"\"\nc\",x\r\n1,\"unbalanced\n",
    }

    for target, files in seeds.items():
        folder = out / target
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            (folder / name).write_bytes(content if isinstance(content, bytes) else content.encode())
    print(f"wrote seed corpora of {len(seeds)} targets under {out}")


if __name__ == "__main__":
    main()
