#include <fmt/format.h>

#include "ops/op.hpp"
#include "rtlgen/error.hpp"

namespace rtlgen {

void check_pe_divides(const Layer& l, int channels) {
  if (channels % l.folding.pe != 0)
    fail(l, fmt::format("hw.pe = {} must divide the {} output channels (try one of the divisors "
                        "of {})",
                        l.folding.pe, channels, channels));
}

const OpDef* op_def(OpKind op) {
  switch (op) {
    case OpKind::Conv2D:
      return &conv_op();
    case OpKind::FullyConnected:
      return &fully_connected_op();
    case OpKind::DepthwiseConv2D:
      return &depthwise_op();
    case OpKind::AveragePool2D:
    case OpKind::MaxPool2D:
      return &pool_op();
    case OpKind::Mean:
      return &mean_op();
    case OpKind::Add:
      return &add_op();
    case OpKind::Concat:
      return &concat_op();
    case OpKind::Pad:
      return &pad_op();
    case OpKind::Reshape:
      return &reshape_op();
    default:
      return nullptr;
  }
}

}  // namespace rtlgen
