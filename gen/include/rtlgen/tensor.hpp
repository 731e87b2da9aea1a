// A quantized activation tensor (batch 1, HWC, row-major), values widened to int32.
#pragma once

#include <cstdint>
#include <vector>

#include "rtlgen/ir.hpp"

namespace rtlgen {

struct Tensor {
  Shape shape;
  DType dtype = DType::Int8;
  std::vector<int32_t> data;

  Tensor() = default;
  Tensor(Shape s, DType t) : shape(s), dtype(t), data(size_t(s.elements()), 0) {}
  int32_t& at(int h, int w, int c) { return data[(size_t(h) * shape.w + w) * shape.c + c]; }
  int32_t at(int h, int w, int c) const { return data[(size_t(h) * shape.w + w) * shape.c + c]; }
};

// The element type a tensor of this quantization is stored and dumped as: wide tensors (the
// scale-shift scheme's activations above 8 bits) as int32.
inline DType storage_dtype(const TensorQuant& q) { return q.wide() ? DType::Int32 : q.dtype; }

}  // namespace rtlgen
