// Semantic checks the two frontends (.tflite importer, YAML loader) run on every layer before
// the passes derive integer constants from it: quantization whose integer arithmetic would not
// fit int32, and accumulators that could overflow int32. Each returns "" when the layer is
// fine, else what is wrong (the caller prefixes where: file:line, or the operator).
#pragma once

#include <string>

#include "rtlgen/ir.hpp"

namespace rtlgen {

// Scales that no int32 arithmetic can represent: fused-activation clamp bounds beyond int32,
// requantization multipliers (input scale x weight scale / output scale, or input / output
// scale for MEAN) of 2^31 or more, ADD input scales whose doubled maximum is not a finite
// float. `second_in` is the second input of an ADD (else ignored).
std::string quantization_problem(const Layer& l, const TensorQuant& in, const TensorQuant& second_in);

// For CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED (weights, bias and weight_scales filled):
// the worst-case |sum (x - zx)(w - zw)| + |bias| of an output channel, and that value times
// the requantization left shift, must fit int32 (TFLite's and the hardware's accumulator).
std::string accumulator_problem(const Layer& l, const TensorQuant& in);

}  // namespace rtlgen
