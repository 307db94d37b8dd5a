// Quantizes the frozen base of a loaded model for QLoRA-style training: every
// decoder-block projection (the modules LoRA can adapt) becomes an int8
// (per-row absmax) or NF4 (block 64, optional double quantization) weight and
// its full-precision tensor is released. Embeddings, norms and the LM head
// stay in the compute dtype, as bitsandbytes' transformers integration keeps
// them. Deliberately no saving of quantized checkpoints.
#pragma once

#include "model/CausalLM.h"

namespace headroom::model {

enum class BaseQuantization { None, Int8, Nf4 };

struct QuantizeOptions
{
    BaseQuantization kind = BaseQuantization::Nf4;
    bool doubleQuant = false; // NF4 only: quantize the block absmax values too
    int64_t blocksize = 64;   // NF4 block
};

struct QuantizeReport
{
    int64_t modules = 0;        // projections quantized
    int64_t originalBytes = 0;  // their weights before, in the compute dtype
    int64_t quantizedBytes = 0; // packed weights + constants after
};

// Quantizes in place on the weights' device, one projection at a time, so
// the extra memory is one projection's fp32 copy at most. kind None does
// nothing.
QuantizeReport quantizeBaseWeights(CausalLM &model, const QuantizeOptions &options);

} // namespace headroom::model
