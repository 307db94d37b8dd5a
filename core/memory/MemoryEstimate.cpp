// The estimate's formulas; see MemoryEstimate.h. Units: bytes. Notation:
// N = micro_batch × max_seq_len tokens, H hidden, I intermediate, Hq / Hkv
// heads, D head dim, V vocab, L layers, cd = bytes of the compute dtype,
// r = LoRA rank. Every term says which code allocates it; "saved" means kept
// alive by an autograd node until backward reaches it.
#include "memory/MemoryEstimate.h"

#include "common/Error.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <sstream>

namespace headroom::memory {

namespace {

using train::Precision;
using train::Quantization;

int64_t ceilDiv(int64_t a, int64_t b)
{
    return (a + b - 1) / b;
}

// One linear projection of a decoder block.
struct Projection
{
    const char *name; // module path below the layer, as the checkpoint names it
    int64_t in = 0, out = 0;
    bool adapted = false; // carries a LoRA adapter
};

struct Shape
{
    bool gpt2 = false;
    int64_t h = 0, inter = 0, layers = 0, vocab = 0, heads = 0, kvHeads = 0, headDim = 0;
    int64_t qOut = 0, kvOut = 0;
    std::vector<Projection>
        projections; // Llama: q k v o gate up down; GPT-2: c_attn c_proj c_fc c_proj
    int64_t perLayerOtherParams = 0;     // norms and biases (never quantized, never adapted)
    int64_t outsideParams = 0;           // embeddings, final norm, untied lm_head
    std::vector<int64_t> outsideTensors; // their numel, one entry per tensor (optimizer state)
    std::vector<int64_t> perLayerOtherTensors;
};

Shape shapeOf(const model::ModelConfig &m, const train::TrainConfig &c)
{
    if (m.hiddenSize <= 0 || m.numLayers <= 0 || m.vocabSize <= 0 || m.numHeads <= 0 ||
        m.intermediateSize <= 0)
        throw Error("memory estimate: the model config has zero sizes (hidden " +
                    std::to_string(m.hiddenSize) + ", layers " + std::to_string(m.numLayers) +
                    ", vocab " + std::to_string(m.vocabSize) + ")");
    Shape s;
    s.gpt2 = m.family == model::Family::Gpt2;
    s.h = m.hiddenSize;
    s.inter = m.intermediateSize;
    s.layers = m.numLayers;
    s.vocab = m.vocabSize;
    s.heads = m.numHeads;
    s.kvHeads = m.numKvHeads > 0 ? m.numKvHeads : m.numHeads;
    s.headDim = m.headDim > 0 ? m.headDim : m.hiddenSize / m.numHeads;
    s.qOut = s.heads * s.headDim;
    s.kvOut = s.kvHeads * s.headDim;
    const int64_t h = s.h, inter = s.inter;
    if (s.gpt2) {
        s.projections = {{"attn.c_attn", h, 3 * h},
                         {"attn.c_proj", h, h},
                         {"mlp.c_fc", h, inter},
                         {"mlp.c_proj", inter, h}};
        // ln_1, ln_2 (weight, bias) and the four Conv1D biases.
        s.perLayerOtherTensors = {h, h, h, h, 3 * h, h, inter, h};
        s.outsideTensors = {m.vocabSize * h, m.maxPositions * h, h, h}; // wte, wpe, ln_f
    } else {
        s.projections = {{"self_attn.q_proj", h, s.qOut},  {"self_attn.k_proj", h, s.kvOut},
                         {"self_attn.v_proj", h, s.kvOut}, {"self_attn.o_proj", s.qOut, h},
                         {"mlp.gate_proj", h, inter},      {"mlp.up_proj", h, inter},
                         {"mlp.down_proj", inter, h}};
        s.perLayerOtherTensors = {h, h}; // input_layernorm, post_attention_layernorm
        const bool qkvBias = m.attentionBias || m.qkvBias;
        if (qkvBias)
            for (int64_t n : {s.qOut, s.kvOut, s.kvOut})
                s.perLayerOtherTensors.push_back(n);
        if (m.attentionBias)
            s.perLayerOtherTensors.push_back(h);
        if (m.mlpBias)
            for (int64_t n : {inter, inter, h})
                s.perLayerOtherTensors.push_back(n);
        s.outsideTensors = {m.vocabSize * h, h}; // embed_tokens, model.norm
    }
    if (!m.tieWordEmbeddings)
        s.outsideTensors.push_back(m.vocabSize * h); // lm_head
    for (int64_t n : s.perLayerOtherTensors)
        s.perLayerOtherParams += n;
    for (int64_t n : s.outsideTensors)
        s.outsideParams += n;
    if (c.lora.enabled) {
        const std::string prefix = s.gpt2 ? "transformer.h.0." : "model.layers.0.";
        for (auto &p : s.projections)
            p.adapted = loraTargets(c.lora.targetModules, prefix + p.name);
    }
    return s;
}

// Estimates are computed in int64 bytes. Before any of that arithmetic, a
// bound of every component is computed in double from the same shape, with
// factors at least those of the formulas below; a run whose bound passes
// kMaxEstimateBytes is refused, so that each component stays under it and
// their sums (a stage adds at most a dozen) stay far inside 64 bits. A
// type-valid but absurd config (hidden size 10^7, 10^5 layers, lora.r 10^18,
// 10^12 tokens) would otherwise overflow silently.
constexpr double kMaxEstimateBytes = 0x1p58; // 256 PiB

double estimateBound(const model::ModelConfig &m, const train::TrainConfig &c)
{
    const auto pos = [](int64_t v) { return double(std::max<int64_t>(0, v)); };
    const double h = pos(m.hiddenSize), inter = pos(m.intermediateSize), layers = pos(m.numLayers),
                 vocab = pos(m.vocabSize), heads = pos(m.numHeads),
                 kvHeads = m.numKvHeads > 0 ? pos(m.numKvHeads) : heads,
                 headDim = m.headDim > 0 ? pos(m.headDim) : (heads > 0 ? h / heads : h),
                 positions = pos(m.maxPositions), r = c.lora.enabled ? pos(c.lora.r) : 0.0;
    const double rows = std::max(1.0, pos(c.microBatchSize)), seq = std::max(2.0, pos(c.maxSeqLen));
    // T² terms exist with eager attention only (SDPA saves no probabilities).
    const double tokens = rows * seq,
                 seq2 = c.attention == train::Attention::Eager ? seq * seq : 0.0;
    // Widest per-token term of a block: every projection's in/out size and r.
    const double w = h + inter + heads * headDim + kvHeads * headDim + heads + r + 16;
    const double params =
        (2 * vocab + positions + 4) * h + layers * (7 * w * w + 12 * w) + layers * 14 * w * w;
    return 64 * params // weights, grads, states
           + layers * (128 * w * tokens + 8 * heads * rows * seq2 + seq2 + 5056) // activations
           + 64 * w * tokens + 32 * tokens                   // tail, batch, targets
           + 1024 * (4 * h + 12 * vocab) + 8 * vocab * h     // logits and loss
           + 12 * rows * heads * seq2 + 16 * w * w + 0x1p25; // scratch
}

std::string humanBound(double bytes)
{
    const char *units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    int u = 0;
    while (bytes >= 1024 && u < 6) {
        bytes /= 1024;
        ++u;
    }
    std::ostringstream out;
    out.precision(3);
    out << bytes << " " << units[u];
    return out.str();
}

int64_t bytesOf(Precision p)
{
    return p == Precision::Fp32 ? 4 : 2;
}

// quant::Int8Weight::bytes / Nf4Weight::bytes for an [out, in] weight.
int64_t quantizedBytes(const Projection &p, Quantization q, bool doubleQuant)
{
    const int64_t n = p.in * p.out;
    if (q == Quantization::Int8)
        return n + 4 * p.out; // int8 codes + fp32 SCB per row
    const int64_t blocks = ceilDiv(n, 64);
    int64_t bytes = ceilDiv(n, 2); // two 4-bit codes per byte
    if (doubleQuant)
        bytes += blocks + 4 * ceilDiv(blocks, 256) + 4 * 256; // uint8 absmax, nested absmax, code
    else
        bytes += 4 * blocks; // fp32 absmax per 64-element block
    return bytes;
}

// optim::AdamW::stateBytesFor / AdamW8bit::stateBytesFor, tensor bytes only
// (the 8-bit step counter is a plain integer, not a tensor).
int64_t stateBytes(int64_t numel, train::Optimizer optimizer)
{
    if (optimizer == train::Optimizer::AdamW)
        return 8 * numel + 4; // m, v fp32 + fp32 step scalar
    if (numel < 4096)
        return 8 * numel;                       // small tensors keep fp32 m and v
    return 2 * numel + 8 * ceilDiv(numel, 256); // uint8 m, v + fp32 absmax per 256-block
}

// Per-token bytes a LoRA adapter saves (lora/LoraFunction): its input as it
// came, once for the adapters that share it (q/k/v, gate/up) and nothing where
// another node keeps that tensor already, and A's output [N, r] in the
// compute dtype. The dropout mask is drawn again in backward.
int64_t loraSavedPerToken(int64_t in, int64_t r, int64_t cd, bool inputCounted)
{
    return cd * r + (inputCounted ? 0 : cd * in);
}

struct Activations
{
    int64_t perToken = 0;   // bytes per token of one micro-batch, T² terms aside
    int64_t perRowT2 = 0;   // bytes per batch row per T² (eager attention probabilities)
    int64_t perLayerT2 = 0; // bytes per T² once per layer (eager causal mask)
};

// What one decoder block saves for backward. `gradIn`: its input requires grad.
Activations blockSaved(const Shape &s, const train::TrainConfig &c, bool gradIn)
{
    const int64_t cd = bytesOf(c.precision);
    const bool full = !c.lora.enabled;
    const bool eager = c.attention == train::Attention::Eager;
    const int64_t r = c.lora.r;
    const int64_t h = s.h, inter = s.inter;
    Activations a;
    auto lora = [&](const Projection &p, bool &inputCounted) {
        if (!p.adapted)
            return;
        a.perToken += loraSavedPerToken(p.in, r, cd, inputCounted);
        inputCounted = true;
    };
    const auto &proj = s.projections;

    if (s.gpt2) {
        // ln_1: native_layer_norm saves its input and fp32 mean/rstd [N].
        if (gradIn)
            a.perToken += cd * h + 8;
        if (full)
            a.perToken += cd * h; // ln_1's output, saved by c_attn's addmm
        // Adapters exist only without full fine-tuning: no other node keeps
        // ln_1's output then.
        bool counted = false;
        lora(proj[0], counted);
        const bool attnGrad = gradIn || proj[0].adapted;
        if (attnGrad) {
            // q, k, v are views of the [N, 3H] c_attn output: SDPA (or eager's
            // matmuls) keep the whole buffer.
            a.perToken += 3 * cd * h;
            if (eager) {
                a.perRowT2 += s.heads * cd; // softmax output in the activation dtype
                a.perLayerT2 += 1;          // the causal mask (bool)
            } else {
                a.perToken += cd * h + 4 * s.heads; // output + fp32 logsumexp
            }
        }
        const bool resGrad = attnGrad || proj[1].adapted;
        if (full && eager)
            a.perToken += cd * h; // c_proj's input: the merged heads (SDPA: a view of its output)
        counted = !eager && attnGrad; // SDPA keeps the output c_proj reads a view of
        lora(proj[1], counted);
        if (resGrad)
            a.perToken += cd * h + 8; // ln_2 input + mean/rstd
        if (full)
            a.perToken += cd * h; // ln_2's output, saved by c_fc
        counted = false;
        lora(proj[2], counted);
        const bool mlpGrad = resGrad || proj[2].adapted;
        if (mlpGrad)
            a.perToken += cd * inter; // gelu's input
        if (full)
            a.perToken += cd * inter; // gelu's output, saved by c_proj
        counted = false;              // gelu keeps its input, not its output
        lora(proj[3], counted);
        return a;
    }

    // Llama. rmsNorm: x.to(fp32) is saved by pow and the multiply (x itself when
    // fp32), plus rsqrt [N, 1]; a trained weight also saves the normalised x.
    auto rmsNorm = [&](bool grad) {
        if (grad)
            a.perToken += 4 * h + 4;
        if (full)
            a.perToken += cd * h + cd * h; // normalised x (weight's grad) + output (linears' input)
    };
    rmsNorm(gradIn);
    bool counted = false; // q, k and v share the norm's output, which nothing else keeps
    for (int i = 0; i < 3; ++i)
        lora(proj[i], counted);
    const bool attnGrad = gradIn || proj[0].adapted || proj[1].adapted || proj[2].adapted;
    if (attnGrad) {
        if (eager) {
            const int64_t groups = s.heads / s.kvHeads;
            a.perToken += cd * s.qOut; // q (matmul)
            a.perToken +=
                groups > 1 ? 2 * cd * s.heads * s.headDim : 2 * cd * s.kvOut; // repeated k, v
            a.perRowT2 += s.heads * (4 + (cd == 4 ? 0 : cd)); // fp32 softmax output + its cast
            a.perLayerT2 += 1;                                // the causal mask (bool)
        } else {
            // SDPA saves q, k, v (after rope), its output and the fp32 logsumexp.
            a.perToken += cd * (2 * s.qOut + 2 * s.kvOut) + 4 * s.heads;
        }
    }
    // o_proj's input, the merged heads: a copy after eager attention; SDPA's
    // output is laid out [B, T, Hq, D] already, so it is a view of what SDPA saved.
    if (full && eager)
        a.perToken += cd * s.qOut;
    counted = !eager && attnGrad; // a view of the output SDPA keeps
    lora(proj[3], counted);
    const bool resGrad = attnGrad || proj[3].adapted;
    rmsNorm(resGrad);
    counted = false;
    lora(proj[4], counted);
    lora(proj[5], counted);
    const bool mlpGrad = resGrad || proj[4].adapted || proj[5].adapted;
    if (mlpGrad)
        a.perToken += 3 * cd * inter; // silu's input, silu(gate) and up (the product's inputs)
    if (full)
        a.perToken += cd * inter; // down_proj's input
    counted = false;              // the product silu(gate) · up is kept by nothing else
    lora(proj[6], counted);
    return a;
}

int64_t savedBytes(const Activations &a, int64_t tokens, int64_t rows, int64_t seq)
{
    return a.perToken * tokens + a.perRowT2 * rows * seq * seq + a.perLayerT2 * seq * seq;
}

} // namespace

const char *stageName(Stage stage)
{
    switch (stage) {
    case Stage::Load:
        return "load";
    case Stage::Forward:
        return "forward";
    case Stage::Backward:
        return "backward";
    case Stage::Optimizer:
        return "optimizer";
    }
    return "?";
}

bool loraTargets(const std::vector<std::string> &targets, const std::string &moduleName)
{
    if (targets.empty())
        return true;
    for (const auto &t : targets)
        if (moduleName == t || moduleName.ends_with("." + t))
            return true;
    return false;
}

int64_t MemoryEstimate::stage(Stage s) const
{
    switch (s) {
    case Stage::Load:
        return load;
    case Stage::Forward:
        return forward;
    case Stage::Backward:
        return backward;
    case Stage::Optimizer:
        return optimizer;
    }
    return 0;
}

std::vector<MemoryComponent> MemoryEstimate::components() const
{
    std::vector<MemoryComponent> out = {
        {"base_weights", "base weights (compute dtype)", baseWeights},
        {"quantized_weights", "quantized projections + constants", quantizedWeights},
        {"lora_parameters", "LoRA A and B (fp32)", loraParameters},
        {"master_weights", "fp32 master weights", masterWeights},
        {"gradients",
         gradientsResident ? "gradients (fp32 all-reduce buckets, held all run)"
                           : "gradients (fp32)",
         gradients},
        {"optimizer_states", "optimizer states", optimizerStates},
        {"activations", "saved activations", activations},
        {"attention_scores", "attention scores (eager)", attentionScores},
        {"logits_and_loss", "logits and loss (one chunk)", logitsAndLoss},
        {"backward_scratch", "backward working memory", backwardScratch},
        {"dequant_scratch", "dequantization scratch", dequantScratch},
        {"optimizer_scratch", "optimizer step scratch", optimizerScratch},
        {"batch", "token ids and labels", batch},
        {"cuda_context", "CUDA context and workspaces", cudaContext},
        {"allocator_slack", "allocator slack", allocatorSlack},
    };
    return out;
}

MemoryEstimate estimateMemory(const model::ModelConfig &m, const train::TrainConfig &c,
                              const DeviceInfo &device, int processes)
{
    if (processes < 1)
        throw Error("memory estimate: processes must be at least 1, not " +
                    std::to_string(processes));
    if (const double bound = estimateBound(m, c); !(bound <= kMaxEstimateBytes))
        throw Error("memory estimate: this run needs more than " + humanBound(kMaxEstimateBytes) +
                    " (bound " + (std::isfinite(bound) ? humanBound(bound) : "infinite") +
                    "), more than any device holds; the estimator stops there. Shape: " +
                    std::to_string(m.numLayers) + " layers of hidden size " +
                    std::to_string(m.hiddenSize) + ", intermediate size " +
                    std::to_string(m.intermediateSize) + ", vocabulary " +
                    std::to_string(m.vocabSize) + "; max_seq_len " + std::to_string(c.maxSeqLen) +
                    " × micro_batch_size " + std::to_string(c.microBatchSize) +
                    (c.lora.enabled ? "; lora.r " + std::to_string(c.lora.r) : std::string()));
    const Shape s = shapeOf(m, c);
    const bool cuda = device.isCuda();
    const bool full = !c.lora.enabled;
    const bool quantized = c.quantization != Quantization::None;
    const int64_t cd = bytesOf(c.precision);
    const int64_t rows = std::max<int64_t>(1, c.microBatchSize);
    const int64_t seq = std::max<int64_t>(2, c.maxSeqLen);
    const int64_t tokens = rows * seq;
    const int64_t targets = rows * (seq - 1); // the last position of a row has no target
    const int64_t L = s.layers;

    MemoryEstimate e;
    e.tokensPerMicroBatch = tokens;
    e.processes = processes;
    e.checkpointed = c.gradientCheckpointing;

    // --- weights (TrainingSession: loadModel in the compute dtype, then quantizeBaseWeights).
    int64_t projectionParams = 0, quantBytes = 0, loraParams = 0;
    std::vector<int64_t> trainableTensors;
    for (const auto &p : s.projections) {
        projectionParams += p.in * p.out;
        if (quantized)
            quantBytes += quantizedBytes(p, c.quantization,
                                         c.doubleQuant && c.quantization == Quantization::Nf4);
        if (p.adapted) {
            loraParams += c.lora.r * (p.in + p.out);
            trainableTensors.push_back(c.lora.r * p.in);  // A [r, in]
            trainableTensors.push_back(p.out * c.lora.r); // B [out, r]
        }
    }
    e.parameters = s.outsideParams + L * (projectionParams + s.perLayerOtherParams);
    const int64_t unquantizedParams = e.parameters - (quantized ? L * projectionParams : 0);
    e.baseWeights = cd * unquantizedParams;
    e.quantizedWeights = L * quantBytes;
    e.loraParameters = full ? 0 : 4 * L * loraParams;
    e.trainableParameters = full ? e.parameters : L * loraParams;
    e.masterWeights = full && cd != 4 ? 4 * e.parameters : 0;

    // --- optimizer states (lazily created at the first step, kept): one entry per tensor.
    int64_t states = 0;
    if (full) {
        for (int64_t n : s.outsideTensors)
            states += stateBytes(n, c.optimizer);
        for (const auto &p : s.projections)
            states += L * stateBytes(p.in * p.out, c.optimizer);
        for (int64_t n : s.perLayerOtherTensors)
            states += L * stateBytes(n, c.optimizer);
    } else {
        for (int64_t n : trainableTensors)
            states += L * stateBytes(n, c.optimizer);
    }
    if (c.optimizer == train::Optimizer::AdamW8bit)
        states +=
            (full ? 2 : 1) * 2 * 256 * 4; // code books per optimizer (decay / no-decay groups)
    e.optimizerStates = states;
    e.gradients = 4 * e.trainableParameters;

    // --- saved activations of one micro-batch.
    const bool layer0Grad = full; // LoRA: the embedding output needs no grad
    const Activations first = blockSaved(s, c, layer0Grad);
    const Activations later = blockSaved(s, c, true);
    const int64_t firstBytes = savedBytes(first, tokens, rows, seq);
    const int64_t laterBytes = savedBytes(later, tokens, rows, seq);
    const int64_t layerT2 = (later.perRowT2 * rows + later.perLayerT2) * seq * seq;
    // After the blocks: the final norm (rmsNorm's fp32 input / layer_norm's input
    // and statistics), the hidden states the chunked loss saves, and its
    // target positions and targets (int64 each).
    int64_t tail = cd * s.h * tokens + 16 * targets;
    if (!full)
        tail += cd * s.h * tokens; // dL/dhidden, computed by the loss's forward (frozen head)
    if (s.gpt2)
        tail += (cd * s.h + 8) * tokens;
    else
        tail += (4 * s.h + 4 + (full ? cd * s.h : 0)) * tokens;
    int64_t blocks = 0, scores = 0;
    if (c.gradientCheckpointing) {
        // Every block's input, kept by the checkpoint node, and the CPU RNG state
        // it captured (at::CPUGeneratorImpl: 5056 bytes).
        blocks = L * (cd * s.h * tokens + 5056);
    } else {
        blocks = firstBytes + (L - 1) * laterBytes;
        scores = L * layerT2;
    }
    e.attentionScores = scores;
    e.activations = blocks - scores + tail;

    // --- transients.
    const int64_t chunk = std::min<int64_t>(128, targets); // ChunkedLossOptions::chunkTokens
    const int64_t logits32 = cd == 4 ? 0 : 4;              // .to(fp32) is a copy unless fp32
    // Forward: rows [c, H], logits [c, V], their fp32 copy and log_softmax's output.
    e.logitsAndLoss = cd * chunk * s.h + (cd + logits32 + 4) * chunk * s.vocab;
    // Backward of the loss with a trained head (ChunkedLossFunction::backward), one chunk at a time
    // beside dL/dhidden [N, H] and the chunk's rows [c, H]: (1) logits [c, V]
    // with graph, their fp32 copy and softmax's output; (2) logits, the fp32
    // softmax and its compute-dtype cast (the same tensor in fp32); (3) with a
    // trained head: logits, gradient of the logits, the head weight's
    // gradient in the compute dtype and its fp32 accumulator; (4) the
    // accumulator and its cast back, handed to autograd.
    const int64_t cV = chunk * s.vocab, VH = s.vocab * s.h;
    std::vector<int64_t> lossPhases = {(cd + logits32 + 4) * cV,
                                       (cd + 4 + (cd == 4 ? 0 : cd)) * cV};
    if (full) {
        lossPhases.push_back(2 * cd * cV + (cd == 4 ? 4 : cd + 4) * VH);
        lossPhases.push_back((cd == 4 ? 4 : cd + 4) * VH);
    }
    // With a frozen head the loss's backward only scales the kept dL/dhidden
    // into a new tensor.
    const int64_t lossBackward = full ? cd * tokens * s.h + 2 * cd * chunk * s.h +
                                            *std::max_element(lossPhases.begin(), lossPhases.end())
                                      : cd * tokens * s.h;
    // A block's backward: gradients flowing through it while its saved tensors
    // are released one node at a time.
    const int64_t blockBackward = (2 * cd * s.h + 2 * 4 * std::max(s.inter, s.h)) * tokens +
                                  (layerT2 > 0 ? (cd + 4 + 4) * rows * s.heads * seq * seq : 0);
    e.backwardScratch = std::max(lossBackward, blockBackward);
    if (quantized) {
        int64_t largest = 0;
        for (const auto &p : s.projections)
            largest = std::max(largest, p.in * p.out);
        // QuantizedLinear: dequantize() to the compute dtype (CPU NF4 writes it
        // directly; int8 and the generic path pass through fp32).
        const bool viaFp32 = c.quantization == Quantization::Int8 || cuda;
        e.dequantScratch = (cd + (viaFp32 ? 8 : 0)) * largest;
    }
    if (c.optimizer == train::Optimizer::AdamW8bit) {
        int64_t largest = 0;
        for (int64_t n : trainableTensors)
            largest = std::max(largest, n);
        if (full) {
            for (int64_t n : s.outsideTensors)
                largest = std::max(largest, n);
            for (const auto &p : s.projections)
                largest = std::max(largest, p.in * p.out);
        }
        // AdamW8bit::step8bitChunk: fp32 and int64 temporaries over at most
        // 1024 blocks of 256 elements (about 19 tensors of 4 bytes per element).
        e.optimizerScratch = 75 * std::min<int64_t>(largest, 1024 * 256); // measured: 75 B/element
    }
    const int64_t ga = std::max<int64_t>(1, c.gradAccumSteps);
    e.batch = 16 * tokens; // ids + labels int64 of the live micro-batch
    // Several processes (Trainer's trainStep): each runs ceil(ga / processes)
    // of the step's micro-batches, so it accumulates only when that is > 1.
    e.microBatchesPerProcess = ceilDiv(ga, processes);
    e.gradientsResident = processes > 1;

    // --- stages (StageMemory).
    // One process: the gradients exist from the first backward until the
    // optimizer step frees them; several: always (the all-reduce buckets).
    const int64_t residentGrads = e.gradientsResident ? e.gradients : 0;
    e.load =
        e.baseWeights + e.quantizedWeights + e.loraParameters + e.masterWeights + residentGrads;
    e.optimizer = e.load + e.optimizerStates;
    const int64_t gradsDuringForward =
        !e.gradientsResident && e.microBatchesPerProcess > 1 ? e.gradients : 0;
    e.forward = e.optimizer + gradsDuringForward + e.activations + e.attentionScores + e.batch;
    e.backward = e.optimizer + e.gradients - residentGrads + e.batch;
    if (c.gradientCheckpointing) {
        // The checkpoint nodes' RNG states live as long as the graph (the loss
        // keeps it until the micro-batch ends); with LoRA the first block's
        // input is a fresh leaf (checkpoint() detaches the embedding output), so
        // its gradient [N, H] stays in that leaf's AccumulateGrad.
        e.backward += L * 5056 + (full ? 0 : cd * s.h * tokens);
    }

    // --- peak: the largest of the moments that can hold it.
    struct Moment
    {
        int64_t bytes;
        Stage stage;
    };
    const int64_t recompute =
        c.gradientCheckpointing ? laterBytes + e.dequantScratch : e.dequantScratch;
    std::vector<Moment> moments = {
        {e.forward + e.logitsAndLoss + 8 * tokens, Stage::Forward}, // + the shifted targets
        {e.forward + lossBackward, Stage::Backward},
        {e.forward + recompute + blockBackward, Stage::Backward},
        {e.backward + e.optimizerScratch, Stage::Optimizer},
    };
    if (full) {
        // One process: compute-dtype gradients of every weight at the end of
        // backward, before accumulateIntoMasters turns them into fp32 one by
        // one; several: each goes into its bucket as soon as it exists.
        if (!e.gradientsResident)
            moments.push_back(
                {e.optimizer + gradsDuringForward + cd * e.parameters + e.batch, Stage::Backward});
        int64_t largest = 0;
        for (int64_t n : s.outsideTensors)
            largest = std::max(largest, n);
        moments.push_back({e.backward + cd * largest, Stage::Backward});
    }
    const auto top =
        std::max_element(moments.begin(), moments.end(),
                         [](const Moment &a, const Moment &b) { return a.bytes < b.bytes; });
    e.peak = top->bytes;
    e.peakStage = top->stage;

    // Evaluation (Trainer's evaluate): no graph, so one block's tensors at a
    // time beside the residual stream, then the loss's forward chunk.
    e.evaluation =
        e.optimizer + e.batch + 2 * cd * s.h * tokens + std::max(laterBytes, e.logitsAndLoss);
    // Merged export (exporting::MergedExport): one output shard (at most 5 GB)
    // in memory next to the memory-mapped base, plus one fp32 LoRA delta.
    int64_t largestProjection = 0;
    for (const auto &p : s.projections)
        largestProjection = std::max(largestProjection, p.in * p.out);
    e.exportMerge =
        std::min<int64_t>(5'000'000'000LL, cd * e.parameters) + (full ? 0 : 4 * largestProjection);

    if (device.calibrated && device.correction > 0) {
        // Capped: a correction read from a damaged calibration file must not
        // turn into an out-of-range double-to-int64 cast.
        auto scale = [&](int64_t &v) {
            v = static_cast<int64_t>(std::min(static_cast<double>(v) * device.correction, 0x1p62));
        };
        for (int64_t *v : {&e.forward, &e.backward, &e.optimizer, &e.peak})
            scale(*v);
        e.calibrated = true;
        e.correction = device.correction;
    }
    if (cuda) {
        e.cudaContext = 500ll << 20; // lazy module loading + cuBLAS workspace (MEMORY.md §8)
        e.allocatorSlack = e.peak / 12 + (64ll << 20); // block rounding, cached segments
    }
    e.devicePeak = e.peak + e.cudaContext + e.allocatorSlack;
    return e;
}

} // namespace headroom::memory
