// Passes over the IR. Each completes or checks one aspect; prepare_network runs them in order.
#pragma once

#include "rtlgen/ir.hpp"

namespace rtlgen {

// Every tensor (the input and each layer's output) has at most this many elements (2^26,
// 256 MiB as the golden model's int32): checked by infer_shapes, naming the layer.
constexpr int64_t kMaxTensorElements = int64_t(1) << 26;

// Input names resolve to earlier tensors, dtypes agree, op-specific quantization rules hold.
void validate_graph(Network& net);
// Output shapes, SAME/VALID padding amounts, parameter shapes against input shapes, MACs.
void infer_shapes(Network& net);
// Requantization multipliers/shifts, activation clamps, ADD/SOFTMAX/MEAN constants (TFLite rules).
void derive_quantization(Network& net);
// Worst-case accumulator width per layer; refuses anything that could overflow int32.
void analyze_accumulators(Network& net);
// Checks folding hints (pe | output channels, simd | vector length) and fills unset ones.
void check_folding(Network& net);

// All of the above, in order.
void prepare_network(Network& net);

// TFLite's fused-activation clamp range for an output quantization.
void activation_range(Activation act, const TensorQuant& q, int32_t* act_min, int32_t* act_max);

}  // namespace rtlgen
