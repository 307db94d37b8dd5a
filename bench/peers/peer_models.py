"""Model folders and the dataset the training peer benchmark feeds to both stacks.

Random weights (seeded) in the shapes of two real models, written as ordinary
Hugging Face folders (config.json, model.safetensors, tokenizer.json) so that
transformers and Headroom load exactly the same files. The tokenizer is
SmolLM2's, rebuilt from the built-in GGUF (nothing is downloaded); the
Qwen2-0.5B shape keeps its own 151,936-row embedding, of which the tokenizer
uses the first 49,152 ids: the cost of a step depends on the shape, not on
which ids occur.

The dataset is one JSON line {"text": ...} per sample, each long enough to be
truncated to the benchmark's sequence length, so every row of every step has
exactly `seq` tokens in both stacks.
"""
import json
import pathlib
import random
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent / "tests" / "fixtures"))

SHAPES = {
    # HuggingFaceTB/SmolLM2-135M
    "smollm2-135m": dict(
        architectures=["LlamaForCausalLM"],
        model_type="llama",
        vocab_size=49152,
        hidden_size=576,
        intermediate_size=1536,
        num_hidden_layers=30,
        num_attention_heads=9,
        num_key_value_heads=3,
        max_position_embeddings=8192,
        rms_norm_eps=1e-5,
        rope_theta=100000.0,
        tie_word_embeddings=True,
        hidden_act="silu",
        attention_bias=False,
        mlp_bias=False,
        bos_token_id=1,
        eos_token_id=2,
    ),
    # Qwen/Qwen2-0.5B
    "qwen2-0.5b": dict(
        architectures=["Qwen2ForCausalLM"],
        model_type="qwen2",
        vocab_size=151936,
        hidden_size=896,
        intermediate_size=4864,
        num_hidden_layers=24,
        num_attention_heads=14,
        num_key_value_heads=2,
        max_position_embeddings=32768,
        rms_norm_eps=1e-6,
        rope_theta=1000000.0,
        tie_word_embeddings=True,
        hidden_act="silu",
        use_sliding_window=False,
        sliding_window=32768,
        max_window_layers=24,
        bos_token_id=1,
        eos_token_id=2,
    ),
}

WORDS = (
    "the model learns a small adapter while the frozen base keeps its weights memory on the "
    "device is shared between activations gradients and optimizer states each step reads a batch "
    "of tokens computes the loss and updates only the low rank matrices people fine tune on one "
    "graphics card at home with quantized weights and checkpointing the numbers 12 345 and 6789 "
    "appear in text as do names like Ada Turing Noether and places such as Zurich Kyoto Lima"
).split()


def write_model(folder: pathlib.Path, shape: str, dtype: str, tokenizer_json: pathlib.Path) -> pathlib.Path:
    """Writes <folder>/config.json, model.safetensors (random, seeded) and tokenizer.json."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    folder.mkdir(parents=True, exist_ok=True)
    if (folder / "model.safetensors").exists():
        return folder
    spec = dict(SHAPES[shape])
    model_type = spec.pop("model_type")
    config = AutoConfig.for_model(model_type, **spec)
    torch.manual_seed(1234)
    model = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16 if dtype == "bf16" else torch.float32)
    model.save_pretrained(str(folder), safe_serialization=True)
    (folder / "tokenizer.json").write_bytes(tokenizer_json.read_bytes())
    (folder / "tokenizer_config.json").write_text(
        json.dumps({"tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": 32768}) + "\n")
    return folder


def write_tokenizer(path: pathlib.Path, gguf: pathlib.Path) -> pathlib.Path:
    if not path.exists():
        from fixture_common import smollm2_original_tokenizer

        path.parent.mkdir(parents=True, exist_ok=True)
        smollm2_original_tokenizer(gguf).save(str(path))
    return path


def write_dataset(path: pathlib.Path, samples: int, words_per_sample: int = 900) -> pathlib.Path:
    """JSONL {"text"}: `samples` lines of seeded pseudo-prose, each far past 512 tokens."""
    if not path.exists():
        rng = random.Random(7)
        with path.open("w", encoding="utf-8") as out:
            for _ in range(samples):
                text = " ".join(rng.choice(WORDS) for _ in range(words_per_sample))
                out.write(json.dumps({"text": text.capitalize() + "."}) + "\n")
    return path


def cli_and_tokenizer(build: str, work: str, gguf: str | None):
    """The benchmarks' common start: the built headroom-cli, the cache folder
    and the tokenizer.json rebuilt from the built-in GGUF; exits 2 naming
    what is missing."""
    cli = pathlib.Path(build) / "app" / "cli" / "headroom-cli"
    if not cli.exists():
        print(f"{cli} not found: build it with scripts/build.sh dev headroom-cli", file=sys.stderr)
        sys.exit(2)
    if not gguf or not pathlib.Path(gguf).exists():
        print("--gguf (or HEADROOM_DEFAULT_MODEL from scripts/setup.sh) must name the SmolLM2 GGUF",
              file=sys.stderr)
        sys.exit(2)
    folder = pathlib.Path(work)
    return cli, folder, write_tokenizer(folder / "tokenizer.json", pathlib.Path(gguf))
