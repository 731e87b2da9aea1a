// Builds small networks in code for the unit tests (no files needed).
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "rtlgen/ir.hpp"
#include "rtlgen/passes.hpp"

namespace test {

// The seed MobileNet v1 0.25/128 (.tflite) in ../shared/models (or $RTLGEN_SHARED/models);
// tests that need it skip when this path does not exist.
inline std::filesystem::path seed_mobilenet() {
  const char* env = std::getenv("RTLGEN_SHARED");
  return std::filesystem::path(env ? env : std::string(RTLGEN_SOURCE_DIR) + "/../shared") /
         "models" / "mobilenet_v1_0.25_128_quant.tflite";
}

inline rtlgen::TensorQuant q(rtlgen::DType t, float scale, int zp) { return {t, scale, zp}; }

inline rtlgen::Network network(rtlgen::Shape in, rtlgen::TensorQuant in_q) {
  rtlgen::Network n;
  n.name = "test";
  n.source = "<test>";
  n.input.shape = in;
  n.input.quant = in_q;
  return n;
}

// Adds a layer reading the previous output (or `inputs` if given).
inline rtlgen::Layer& add(rtlgen::Network& n, rtlgen::Layer l, std::vector<std::string> inputs = {}) {
  if (l.name.empty()) l.name = "l" + std::to_string(n.layers.size());
  l.inputs = inputs.empty()
                 ? std::vector<std::string>{n.layers.empty() ? n.input.name : n.layers.back().name}
                 : inputs;
  n.layers.push_back(std::move(l));
  return n.layers.back();
}

inline rtlgen::Layer weighted(rtlgen::OpKind op, std::vector<int32_t> shape, std::vector<int32_t> w,
                              std::vector<float> scales, rtlgen::TensorQuant out,
                              rtlgen::DType wt = rtlgen::DType::Int8, int wzp = 0) {
  rtlgen::Layer l;
  l.op = op;
  l.weight_shape = shape;
  l.weights = w;
  l.weight_scales = scales;
  l.weight_dtype = wt;
  l.weight_zero_point = wzp;
  l.out_quant = out;
  if (op != rtlgen::OpKind::FullyConnected) {
    l.kernel_h = shape[1];
    l.kernel_w = shape[2];
  }
  const int oc = op == rtlgen::OpKind::DepthwiseConv2D ? shape[3] : shape[0];
  l.bias.assign(oc, 0);
  return l;
}

}  // namespace test
