#!/usr/bin/env python3
"""Generates resources/demo/demo-dataset.jsonl, Headroom's demo dataset.

A few hundred alpaca records ({"instruction", "input", "output"}) written for
this project, in a house style that a small chat model (SmolLM2-135M-Instruct)
picks up visibly within a few dozen LoRA steps:

* questions about Headroom itself, answered with "Short answer:" and facts that
  are true of this project (as described in its design notes, DESIGN.md);
* unit conversions answered as "<value> <unit> = <value> <unit>." plus the
  factor, always to two decimals;
* small arithmetic answered as "<a> <op> <b> = <c>. Answer: <c>.";
* sentences rewritten as headlines ("HEADLINE: Title Case Words") and as
  polite requests ("Please ..., thank you.").

Deterministic (a fixed seed, no clock, no network) and standard library only:
running it twice gives the same bytes. It deliberately downloads and copies
nothing. Usage: python3 make_demo_dataset.py [OUTPUT]
(default: demo-dataset.jsonl next to this script).
"""
import json
import pathlib
import random
import sys

SEED = 20240611

# Headroom facts: (question phrasings, answer). Every answer starts with
# "Short answer:" so the house style is easy to see after training.
FACTS = [
    (["What is Headroom?", "Describe Headroom in one sentence.", "What does the Headroom app do?",
      "Tell me what Headroom is for."],
     "Short answer: Headroom is a native desktop application for fine-tuning language models on one "
     "workstation. You pick a model and a dataset, switch memory-saving techniques on and off, and "
     "press Train."),
    (["Can I use Headroom without the GUI?", "Does Headroom have a command-line tool?",
      "How do I run Headroom on a server?"],
     "Short answer: headroom-cli does everything the GUI does, without a window. The same run can be "
     "repeated headless on a server from its config file."),
    (["Which subcommands does headroom-cli have?", "List the commands of headroom-cli.",
      "What can headroom-cli do?"],
     "Short answer: inspect, tokenize, score, estimate, train, export and generate. Each of them has "
     "a --json option for scripts."),
    (["What is LoRA?", "How does LoRA save memory in Headroom?", "Explain LoRA briefly.",
      "Why does Headroom train LoRA adapters?"],
     "Short answer: LoRA freezes the base model and trains two small low-rank matrices per targeted "
     "layer. Only those adapters need gradients and optimizer states, so memory drops a lot."),
    (["How is LoRA initialised in Headroom?", "Does Headroom's LoRA match PEFT?",
      "Can PEFT load a Headroom adapter?"],
     "Short answer: Headroom's LoRA matches PEFT: A is Kaiming-uniform, B starts at zero and the "
     "scaling is alpha/r. An exported adapter loads in PEFT and gives the same logits."),
    (["What is NF4?", "How does 4-bit NF4 quantization help?", "Explain NF4 in Headroom.",
      "Why would I load the base model in 4 bits?"],
     "Short answer: NF4 stores each frozen weight in 4 bits with one scale per block, about a quarter "
     "of bf16. Headroom keeps the weights packed during backward, so the savings are real."),
    (["What is 8-bit AdamW?", "How does the 8-bit optimizer save memory?",
      "Explain 8-bit AdamW in Headroom.", "Why use AdamW8bit?"],
     "Short answer: 8-bit AdamW keeps both Adam moments as 8-bit codes in blocks of 256 with one "
     "absmax per block, about 2 bytes per parameter instead of 8. Small tensors stay in 32 bits."),
    (["Why not use a linear int8 map for optimizer states?",
      "What code book does the 8-bit optimizer use?"],
     "Short answer: a linear int8 map rounds small second moments to zero and the run diverges. "
     "Headroom uses blockwise states with a dynamic, non-linear code book of 256 values."),
    (["What is gradient checkpointing?", "How does gradient checkpointing save memory?",
      "Explain gradient checkpointing in Headroom.", "When should I turn on gradient checkpointing?"],
     "Short answer: gradient checkpointing keeps only each decoder block's input and recomputes the "
     "block during backward. It trades extra compute for much less activation memory."),
    (["Are gradients the same with and without checkpointing?",
      "Does checkpointing change dropout?"],
     "Short answer: gradients with and without checkpointing match. Headroom saves and restores the "
     "random state, so the recomputed block sees the same dropout."),
    (["What is gradient accumulation?", "How does gradient accumulation work in Headroom?",
      "Explain gradient accumulation.", "How do I get a larger batch without more memory?"],
     "Short answer: gradient accumulation sums gradients over several micro-batches before one "
     "optimizer step. Headroom normalises by the target tokens of all micro-batches, so it equals "
     "the large batch."),
    (["How does Headroom estimate memory?", "What is the memory estimate?",
      "Will my run fit on the GPU?"],
     "Short answer: Headroom computes the memory per component and per stage from the model and "
     "training settings in well under a millisecond. The live estimate shows whether the run fits "
     "before you press Train."),
    (["Is the memory estimate checked?", "How does Headroom measure memory?"],
     "Short answer: memory is measured, not guessed. Headroom reads the CUDA allocator statistics "
     "after load, forward, backward and the optimizer step, and compares them with the estimate."),
    (["Why are logits a memory problem?", "How does Headroom compute the loss?"],
     "Short answer: batch times sequence times vocabulary logits are often the peak. Headroom "
     "computes the loss in chunks, so the full logits tensor never exists at once."),
    (["Which dataset formats does Headroom read?", "Can Headroom train on my JSONL file?",
      "What data layouts are supported?"],
     "Short answer: alpaca, chat messages, ShareGPT, plain text and prompt/completion records. Files "
     "can be JSON Lines, JSON, CSV, TSV or plain text."),
    (["How does Headroom detect the dataset format?", "Do I have to name my dataset format?"],
     "Short answer: Headroom looks at the keys of the first records and says why it chose a format. "
     "A mixed or unknown layout is reported with the keys it found."),
    (["What can I export from Headroom?", "How do I export a trained adapter?",
      "What does headroom-cli export write?"],
     "Short answer: a PEFT adapter, or a merged model with the adapter folded into the weights. "
     "Both are written atomically, so a failed export never leaves a half-written file."),
    (["Is a Headroom run reproducible?", "How do I repeat a training run?"],
     "Short answer: a run is reproducible from its config file and its seed. The GUI saves the config "
     "with the run and the CLI reads the same file."),
    (["What do I see while training?", "Does Headroom show the loss curve?"],
     "Short answer: loss and memory curves stream in live while the run trains. The GUI never "
     "touches a tensor, a worker thread reports each step."),
    (["Which techniques can I combine to fit a large model?",
      "How do I fit a bigger model on a small GPU?"],
     "Short answer: combine LoRA, a 4-bit NF4 base model, 8-bit AdamW, gradient checkpointing and "
     "gradient accumulation. The live estimate shows what each switch saves."),
]

# Optional context for the "explain this setting" template: (setting, answer).
SETTINGS = [
    ("LoRA rank", "Short answer: the rank r is the inner size of the two LoRA matrices. A larger "
     "rank trains more parameters and uses a little more memory."),
    ("LoRA alpha", "Short answer: alpha scales the LoRA update by alpha/r. It sets how strongly the "
     "adapter changes the frozen layer."),
    ("NF4 double quantization", "Short answer: double quantization stores the per-block scales of "
     "NF4 in 8 bits too. It saves a little more memory on large models."),
    ("8-bit AdamW", "Short answer: the optimizer keeps its two moments as blockwise 8-bit codes. "
     "That is about 2 bytes per trained parameter instead of 8."),
    ("gradient checkpointing", "Short answer: only each block's input is kept and the block is "
     "recomputed in backward. Less activation memory, more compute."),
    ("gradient accumulation steps", "Short answer: the number of micro-batches summed before one "
     "optimizer step. The effective batch is the micro-batch times this number."),
    ("sequence length", "Short answer: the longest token sequence per sample. Activation and "
     "logits memory grow with it."),
    ("learning rate", "Short answer: the step size of the optimizer. LoRA runs usually take a "
     "larger learning rate than full fine-tuning."),
    ("seed", "Short answer: the seed fixes data order, initialisation and dropout. The same config "
     "and seed repeat the run."),
    ("micro-batch size", "Short answer: the number of samples in one forward and backward pass. "
     "It is the main lever on activation memory."),
]

SETTING_INSTRUCTIONS = [
    "Explain this Headroom setting.",
    "What does this training option do?",
    "Briefly explain the setting below.",
    "In Headroom, what does this setting mean?",
]

# Unit conversions: (from name, from symbol, to name, to symbol, factor).
UNITS = [
    ("kilometres", "km", "miles", "mi", 0.621371),
    ("miles", "mi", "kilometres", "km", 1.609344),
    ("kilograms", "kg", "pounds", "lb", 2.204623),
    ("pounds", "lb", "kilograms", "kg", 0.453592),
    ("metres", "m", "feet", "ft", 3.280840),
    ("feet", "ft", "metres", "m", 0.304800),
    ("litres", "L", "US gallons", "gal", 0.264172),
    ("inches", "in", "centimetres", "cm", 2.540000),
    ("centimetres", "cm", "inches", "in", 0.393701),
    ("gibibytes", "GiB", "megabytes", "MB", 1073.741824),
]

CONVERSION_INSTRUCTIONS = [
    "Convert {v} {a} to {b}.",
    "How many {b} are {v} {a}?",
    "What is {v} {a} in {b}?",
    "Please convert {v} {a} into {b}.",
]

ARITHMETIC_INSTRUCTIONS = [
    "What is {a} {op} {b}?",
    "Calculate {a} {op} {b}.",
    "Compute {a} {op} {b}.",
    "Work out {a} {op} {b}.",
]

# Sentences for the rewriting templates (written for this file).
SENTENCES = [
    "the new release makes training faster on small graphics cards",
    "our team finished the memory estimate before lunch",
    "the adapter was exported and loaded without any errors",
    "a smaller learning rate made the loss curve smoother",
    "the library added support for chat datasets last week",
    "four bit weights let the model fit on a laptop",
    "the training run stopped because the disk was full",
    "checkpointing saved almost half of the activation memory",
    "the city opened a new bicycle lane along the river",
    "heavy rain delayed the morning trains by twenty minutes",
    "the bakery on the corner now sells rye bread",
    "students planted three hundred trees near the school",
    "the museum extended its opening hours for the summer",
    "a local chess club won the regional championship",
    "the old bridge will be closed for repairs in May",
    "volunteers cleaned the beach after the storm",
    "the orchestra played a free concert in the park",
    "prices for fresh vegetables fell again this month",
    "the library lends board games as well as books",
    "engineers tested the new engine for ten hours",
    "the report shows that fewer people drive to work",
    "a small robot learned to sort coloured blocks",
    "the village celebrated its five hundredth anniversary",
    "the coffee machine in the office is finally fixed",
    "the football match was moved to Saturday evening",
    "scientists found a new species of beetle in the forest",
    "the airport added more flights to the islands",
    "our neighbours built a greenhouse in their garden",
    "the conference will take place online this year",
    "a quiet street became the most popular market in town",
]

HEADLINE_INSTRUCTIONS = [
    "Rewrite this sentence as a headline.",
    "Turn the sentence into a news headline.",
    "Make a headline out of this sentence.",
]

REQUEST_TASKS = [
    "send me the training log", "check the memory estimate", "export the adapter tonight",
    "close the door when you leave", "water the plants on Friday", "review my pull request",
    "book a table for four people", "print two copies of the report", "call the support team",
    "update the dataset before the run", "turn off the lights in the lab", "reply to the email",
    "lower the learning rate", "share the slides after the meeting", "restart the training run",
]

REQUEST_INSTRUCTIONS = [
    "Rewrite this as a polite request.",
    "Make this instruction polite.",
    "Turn the following into a polite request.",
]

SMALL_WORDS = {"a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to"}


def headline(sentence):
    words = sentence.split()
    out = [w if (i > 0 and w in SMALL_WORDS) else w[:1].upper() + w[1:] for i, w in enumerate(words)]
    return "HEADLINE: " + " ".join(out)


def number(value):
    return f"{value:.2f}"


def record(instruction, output, input_text=""):
    return {"instruction": instruction, "input": input_text, "output": output}


def headroom_records(rng):
    out = []
    for questions, answer in FACTS:
        for q in questions:
            out.append(record(q, answer))
        # The same question once more with the product named as context.
        out.append(record("Answer the question about Headroom.", answer, rng.choice(questions)))
    for setting, answer in SETTINGS:
        for instruction in rng.sample(SETTING_INSTRUCTIONS, 2):
            out.append(record(instruction, answer, setting))
    return out


def conversion_records(rng, count):
    out = []
    for i in range(count):
        a_name, a_sym, b_name, b_sym, factor = UNITS[i % len(UNITS)]
        value = rng.choice([rng.randint(1, 100), rng.randint(1, 40) * 5, round(rng.uniform(0.5, 50), 1)])
        text = f"{value:g}"
        instruction = rng.choice(CONVERSION_INSTRUCTIONS).format(v=text, a=a_name, b=b_name)
        answer = (f"{text} {a_sym} = {number(value * factor)} {b_sym}. "
                  f"(1 {a_sym} = {factor:g} {b_sym}.)")
        out.append(record(instruction, answer))
    return out


def arithmetic_records(rng, count):
    out = []
    for i in range(count):
        op = "+-*"[i % 3]
        if op == "+":
            a, b = rng.randint(2, 999), rng.randint(2, 999)
            c = a + b
        elif op == "-":
            a, b = rng.randint(50, 999), rng.randint(2, 49)
            c = a - b
        else:
            a, b = rng.randint(2, 30), rng.randint(2, 12)
            c = a * b
        instruction = rng.choice(ARITHMETIC_INSTRUCTIONS).format(a=a, op=op, b=b)
        out.append(record(instruction, f"{a} {op} {b} = {c}. Answer: {c}."))
    return out


def rewrite_records(rng):
    out = []
    for sentence in SENTENCES:
        for instruction in rng.sample(HEADLINE_INSTRUCTIONS, 2):
            out.append(record(instruction, headline(sentence), sentence[:1].upper() + sentence[1:] + "."))
    for task in REQUEST_TASKS:
        for instruction in rng.sample(REQUEST_INSTRUCTIONS, 2):
            imperative = task[:1].upper() + task[1:] + "!"
            out.append(record(instruction, f"Could you please {task}? Thank you.", imperative))
    return out


def build():
    rng = random.Random(SEED)
    records = headroom_records(rng)
    records += conversion_records(rng, 70)
    records += arithmetic_records(rng, 70)
    records += rewrite_records(rng)
    rng.shuffle(records)
    return records


def main():
    target = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else pathlib.Path(__file__).with_name(
        "demo-dataset.jsonl")
    records = build()
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    target.write_text(text, encoding="utf-8", newline="\n")
    print(f"{target.name}: {len(records)} records, {len(text.encode('utf-8'))} bytes")


if __name__ == "__main__":
    main()
