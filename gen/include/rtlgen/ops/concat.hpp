// CONCATENATION along the channels: the requantization rules of its inputs, which the golden
// kernel and the hardware (a table per requantized input, rtlgen_remap) share. The op itself
// (shape rule, checks, golden kernel, lowering, template terms) is its op-table entry,
// gen/src/ops/concat.cpp.
#pragma once

#include <vector>

#include "rtlgen/ir.hpp"
#include "rtlgen/tensor.hpp"

namespace rtlgen::golden {

// ONNX Runtime's QLinearConcat (com.microsoft; a QDQ Concat computes the same): an input value
// q becomes sat(rne(f32(f32(q - in_zp) * in_scale) / out_scale) + out_zp) (probed:
// tools/probe_onnxruntime.py). As a table over the values of an 8-bit input (entry q - qmin).
std::vector<int32_t> onnxruntime_concat_table(const TensorQuant& in_q, const TensorQuant& out_q);
// TFLite's uint8 CONCATENATION (reference_ops::ConcatenationWithScaling; its int8 kernel refuses
// differing quantization): in float32, scale = in_scale * (1 / out_scale), bias = -in_zp * scale,
// q becomes sat(round_half_away(q * scale + bias) + out_zp) (probed with ai-edge-litert 2.3.0,
// docs/network-format.md). The same table form as onnxruntime_concat_table.
std::vector<int32_t> tflite_concat_table(const TensorQuant& in_q, const TensorQuant& out_q);
// True when an input of a concatenation changes its values (its quantization differs from the
// output's): the hardware looks them up in concat_table (rtlgen_remap).
bool concat_input_requantized(const TensorQuant& in_q, const TensorQuant& out_q);
// The requantization table of a concatenation input: ONNX Runtime's rule for a layer with
// requantization: onnxruntime, else TFLite's.
std::vector<int32_t> concat_table(const Layer& l, const TensorQuant& in_q);
// The golden kernel: channels of in[0], then in[1], ... per pixel; inputs with another
// quantization than the output are requantized by concat_table.
Tensor concat(const Layer& l, const std::vector<const Tensor*>& in,
              const std::vector<TensorQuant>& in_q);

}  // namespace rtlgen::golden
