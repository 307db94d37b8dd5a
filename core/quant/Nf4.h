// 4-bit blockwise weight quantization in the bitsandbytes layout (SPECS.md
// §1): NF4 (QLoRA) and FP4, optional double quantization of the absmax values.
// Bit-identical to bitsandbytes' quantize_4bit / dequantize_4bit on CPU.
// Deliberately no matmul kernels here (the CUDA dequantize-GEMV lives in
// Nf4Cuda), no file I/O (the state-dict names are
// documented on Nf4Weight so that io/ can write them), no stochastic rounding.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <vector>

namespace headroom::quant {

enum class FourBitType { Nf4, Fp4 };

// "nf4" / "fp4", as in bnb's quant_type and `quant_state.bitsandbytes__<type>`.
const char *fourBitTypeName(FourBitType type);

// The 16 code values indexed by 4-bit code (bnb get_4bit_type), fp32 [16].
at::Tensor fourBitCodeTable(FourBitType type);

struct Nf4Options
{
    FourBitType type = FourBitType::Nf4;
    int64_t blocksize = 64;   // 32, 64, …, 4096 (bnb's accepted values)
    bool doubleQuant = false; // bnb compress_statistics / bnb_4bit_use_double_quant
};

// A quantized weight. Serialized names for a module prefix P (SPECS §1.5):
// packed -> P.weight, absmax -> P.weight.absmax, fourBitCodeTable(type) ->
// P.weight.quant_map, nestedAbsmax -> P.weight.nested_absmax, nestedCode ->
// P.weight.nested_quant_map; shape, dtype, blocksize, nestedOffset and
// nestedBlocksize go into the JSON of P.weight.quant_state.bitsandbytes__nf4.
struct Nf4Weight
{
    at::Tensor packed;       // uint8 [ceil(n/2), 1]: element 2i in the high nibble, 2i+1 in the low
    at::Tensor absmax;       // fp32 [nblocks]; uint8 [nblocks] (dynamic-map codes) when nested
    at::Tensor nestedAbsmax; // fp32 [ceil(nblocks/256)], nested only
    at::Tensor nestedCode;   // fp32 [256] signed dynamic map, nested only
    float nestedOffset = 0.0f; // mean of the fp32 absmax, nested only
    int64_t nestedBlocksize = 256;
    std::vector<int64_t> shape;        // the original weight's shape
    at::ScalarType dtype = at::kFloat; // the original weight's dtype
    int64_t blocksize = 64;
    FourBitType type = FourBitType::Nf4;

    bool nested() const { return nestedAbsmax.defined(); }
    int64_t numel() const;
    // Bytes held by the tensors above (packed + all quantization constants).
    int64_t bytes() const;
};

// Row-major flatten, blocks of `blocksize`, fp32 absmax per block, nearest
// code by the fp32 midpoints of the sorted table (strict `>`: a value on a
// midpoint takes the lower code), two codes per byte, odd counts padded with
// a zero. An all-zero block stores absmax 0 (a trailing partial block: 1e-38,
// as bnb clamps it) and code 7 (NF4 0.0) / 0 (FP4 +0.0) for every element, so
// it dequantizes to exact zeros. Any float dtype, any shape; no gradient.
Nf4Weight quantizeNf4(const at::Tensor &weight, const Nf4Options &options = {});

// The fp32 per-block absmax [nblocks], undoing double quantization:
// nestedCode[q] * nestedAbsmax[i / 256] + nestedOffset (fp32, two roundings).
at::Tensor blockAbsmax(const Nf4Weight &weight);

// code[nibble] * absmax[block] in fp32, rounded once to `dtype`, as bnb's CUDA
// and native CPU kernels and (in bnb 0.50) its pure-PyTorch path. Older
// pure-PyTorch paths rounded the table to `dtype` first (SPECS §1.3): a last-bit
// difference in bf16/fp16 only. FP4 code 8 gives +0.0 as bnb's table (its
// native CPU kernel gives -0.0). Returns the original shape.
at::Tensor dequantizeNf4(const Nf4Weight &weight, at::ScalarType dtype);

} // namespace headroom::quant
