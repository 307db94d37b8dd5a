// Base-weight quantization of a whole model; see QuantizeModel.h.
#include "model/QuantizeModel.h"

namespace headroom::model {

QuantizeReport quantizeBaseWeights(CausalLM &model, const QuantizeOptions &options)
{
    QuantizeReport report;
    if (options.kind == BaseQuantization::None)
        return report;
    for (auto &linear : model.adaptableLinears()) {
        auto &weight = *linear.weight;
        if (!weight.defined())
            continue; // already quantized
        // Conv1D keeps [in, out]; quantize the Linear layout [out, in].
        auto rows = linear.fanInFanOut ? weight.t().contiguous() : weight;
        report.originalBytes += weight.nbytes();
        if (options.kind == BaseQuantization::Int8) {
            *linear.quantized = quant::quantizeInt8(rows);
        } else {
            quant::Nf4Options nf4;
            nf4.doubleQuant = options.doubleQuant;
            nf4.blocksize = options.blocksize;
            *linear.quantized = quant::quantizeNf4(rows, nf4);
        }
        report.quantizedBytes += quant::quantizedBytes(**linear.quantized);
        weight = at::Tensor(); // the packed form is now the only copy
        ++report.modules;
    }
    return report;
}

} // namespace headroom::model
