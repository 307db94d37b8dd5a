// The tensor side of the NF4/FP4 CUDA kernels; see Nf4Cuda.h. Without
// HEADROOM_WITH_CUDA_KERNELS (cmake/HeadroomCuda.cmake) the same functions
// check their inputs and then report the missing kernels, so that callers
// need no #if and tests see the same messages in every build.
#include "quant/Nf4Cuda.h"

#include "common/Error.h"
#include "quant/CudaDispatch.h"

#ifdef HEADROOM_WITH_CUDA_KERNELS
#include "quant/Nf4Kernels.h"

#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

#include <c10/core/GradMode.h>

#include <algorithm>
#include <string>

namespace headroom::quant {

namespace {

bool isPowerOfTwo(int64_t v)
{
    return v > 0 && (v & (v - 1)) == 0;
}

bool isValueDtype(at::ScalarType t)
{
    return t == at::kFloat || t == at::kBFloat16 || t == at::kHalf;
}

std::string dtypeName(at::ScalarType t)
{
    return c10::toString(t);
}

// Why the kernels cannot take this weight ("" when they can), from shapes
// and dtypes alone; the device is checked by the callers.
std::string problemWith(const Nf4Weight &w)
{
    if (!w.packed.defined() || !w.absmax.defined())
        return "the weight has no packed data or no absmax";
    const int64_t n = w.numel();
    if (w.shape.empty() || n <= 0)
        return "the weight has no elements";
    if (!isPowerOfTwo(w.blocksize) || w.blocksize < 8)
        return "blocksize " + std::to_string(w.blocksize) + " is not a power of two >= 8";
    if (w.packed.nbytes() < static_cast<size_t>((n + 1) / 2))
        return "the packed weight has " + std::to_string(w.packed.nbytes()) + " bytes, " +
               std::to_string(n) + " elements need " + std::to_string((n + 1) / 2);
    const int64_t blocks = (n + w.blocksize - 1) / w.blocksize;
    if (w.absmax.numel() != blocks)
        return "absmax has " + std::to_string(w.absmax.numel()) + " values, the shape needs " +
               std::to_string(blocks);
    if (!w.nested())
        return at::isFloatingType(w.absmax.scalar_type()) ? "" : "absmax must be floating-point";
    if (w.absmax.scalar_type() != at::kByte)
        return "a double-quantized absmax must be uint8 codes, got " +
               dtypeName(w.absmax.scalar_type());
    if (!isPowerOfTwo(w.nestedBlocksize))
        return "nested blocksize " + std::to_string(w.nestedBlocksize) + " is not a power of two";
    const int64_t groups = (blocks + w.nestedBlocksize - 1) / w.nestedBlocksize;
    if (w.nestedAbsmax.scalar_type() != at::kFloat || w.nestedAbsmax.numel() != groups)
        return "nested absmax must be fp32 [" + std::to_string(groups) + "], got " +
               dtypeName(w.nestedAbsmax.scalar_type()) + " " + c10::str(w.nestedAbsmax.sizes());
    if (!w.nestedCode.defined() || w.nestedCode.scalar_type() != at::kFloat ||
        w.nestedCode.numel() != 256)
        return "the nested code must be fp32 [256]";
    return "";
}

void requireBuilt(const std::string &what)
{
    if (!cudaKernelsBuilt())
        throw Error(what + ": this build has no CUDA kernels (LibTorch without CUDA, no nvcc, "
                           "or HEADROOM_CUDA_KERNELS=OFF)");
}

void requireCudaWeight(const Nf4Weight &w, const std::string &what)
{
    if (auto problem = problemWith(w); !problem.empty())
        throw Error(what + ": " + problem);
    if (!w.packed.is_cuda())
        throw Error(what + ": the packed weight is on " + w.packed.device().str() +
                    ", not on a CUDA device");
}

#ifdef HEADROOM_WITH_CUDA_KERNELS

int log2Of(int64_t powerOfTwo)
{
    int shift = 0;
    while ((int64_t{1} << shift) < powerOfTwo)
        ++shift;
    return shift;
}

// The weight's tensors on its device, contiguous, kept alive for the launch,
// and the raw view of them that the kernels take.
struct Prepared
{
    at::Tensor packed, absmax, nestedAbsmax, nestedCode;
    kernels::Nf4Layout layout;
};

Prepared prepare(const Nf4Weight &w)
{
    const auto device = w.packed.device();
    Prepared p;
    auto bytes = w.packed.reshape(-1);
    if (bytes.scalar_type() != at::kByte)
        bytes = bytes.view(at::kByte); // other quant_storage dtypes hold the same bytes
    p.packed = bytes.contiguous();
    auto &l = p.layout;
    l.packed = p.packed.data_ptr<uint8_t>();
    l.n = w.numel();
    l.blockShift = log2Of(w.blocksize);
    auto table = fourBitCodeTable(w.type).contiguous(); // fp32 [16] on the CPU
    std::copy_n(table.data_ptr<float>(), 16, l.table);
    if (w.nested()) {
        p.absmax = w.absmax.to(device).contiguous(); // uint8 codes
        p.nestedAbsmax = w.nestedAbsmax.to(device).contiguous();
        p.nestedCode = w.nestedCode.to(device).contiguous();
        l.scales.absmaxCodes = p.absmax.data_ptr<uint8_t>();
        l.scales.nestedAbsmax = p.nestedAbsmax.data_ptr<float>();
        l.scales.nestedCode = p.nestedCode.data_ptr<float>();
        l.scales.nestedOffset = w.nestedOffset;
        l.scales.nestedShift = log2Of(w.nestedBlocksize);
    } else {
        p.absmax = w.absmax.to(device, at::kFloat).contiguous();
        l.scales.absmax = p.absmax.data_ptr<float>();
    }
    return p;
}

kernels::ValueType valueType(at::ScalarType t)
{
    if (t == at::kBFloat16)
        return kernels::ValueType::BFloat16;
    return t == at::kHalf ? kernels::ValueType::Half : kernels::ValueType::Float;
}

void checkLaunch(cudaError_t status, const std::string &what)
{
    if (status != cudaSuccess)
        throw Error(what + ": CUDA kernel failed to launch: " + cudaGetErrorString(status));
}

#endif

} // namespace

bool nf4CudaSupports(const Nf4Weight &weight, at::ScalarType dtype)
{
    return cudaKernelsEnabled() && weight.packed.defined() && weight.packed.is_cuda() &&
           isValueDtype(dtype) && problemWith(weight).empty();
}

at::Tensor dequantizeNf4Cuda(const Nf4Weight &weight, at::ScalarType dtype)
{
    const std::string what = "4-bit dequantization (CUDA)";
    if (!isValueDtype(dtype))
        throw Error(what + ": output dtype " + dtypeName(dtype) +
                    " is not float32, bfloat16 or float16");
    requireCudaWeight(weight, what);
    requireBuilt(what);
#ifdef HEADROOM_WITH_CUDA_KERNELS
    c10::NoGradGuard noGrad;
    const c10::cuda::CUDAGuard guard(weight.packed.device());
    auto p = prepare(weight);
    auto out = at::empty({p.layout.n}, p.packed.options().dtype(dtype)); // [n]
    checkLaunch(kernels::launchDequantizeNf4(p.layout, valueType(dtype), out.data_ptr(),
                                             c10::cuda::getCurrentCUDAStream().stream()),
                what);
    return out.reshape(weight.shape);
#else
    return {};
#endif
}

at::Tensor nf4GemvCuda(const at::Tensor &x, const Nf4Weight &weight, const at::Tensor &bias)
{
    const std::string what = "4-bit GEMV (CUDA)";
    if (weight.shape.size() != 2)
        throw Error(what + ": the weight must be 2-D [out, in], got " +
                    std::to_string(weight.shape.size()) + " dimensions");
    const int64_t out = weight.shape[0], in = weight.shape[1];
    if (!x.defined() || x.dim() < 1 || x.size(-1) != in || x.numel() != in)
        throw Error(what + ": x must hold one row of " + std::to_string(in) + " values, got " +
                    (x.defined() ? c10::str(x.sizes()) : std::string("none")));
    if (!isValueDtype(x.scalar_type()))
        throw Error(what + ": x has dtype " + dtypeName(x.scalar_type()) +
                    ", not float32, bfloat16 or float16");
    if (bias.defined() && bias.numel() != out)
        throw Error(what + ": bias has " + std::to_string(bias.numel()) + " values, expected " +
                    std::to_string(out));
    requireCudaWeight(weight, what);
    if (x.device() != weight.packed.device())
        throw Error(what + ": x is on " + x.device().str() + ", the weight on " +
                    weight.packed.device().str());
    requireBuilt(what);
#ifdef HEADROOM_WITH_CUDA_KERNELS
    c10::NoGradGuard noGrad;
    const c10::cuda::CUDAGuard guard(x.device());
    auto p = prepare(weight);
    auto xs = x.contiguous();
    at::Tensor b;
    if (bias.defined())
        b = bias.detach().to(x.device(), x.scalar_type()).reshape(-1).contiguous(); // [out]
    auto sizes = x.sizes().vec();
    sizes.back() = out;
    auto y = at::empty(sizes, xs.options()); // [..., out]
    checkLaunch(kernels::launchNf4Gemv(p.layout, out, in, valueType(x.scalar_type()), xs.data_ptr(),
                                       b.defined() ? b.data_ptr() : nullptr, y.data_ptr(),
                                       c10::cuda::getCurrentCUDAStream().stream()),
                what);
    return y;
#else
    return {};
#endif
}

} // namespace headroom::quant
