#include <fmt/format.h>

#include <algorithm>

#include "ops/op.hpp"
#include "rtlgen/error.hpp"

namespace rtlgen {

// The table's entries, each defined in its file of gen/src/ops/.
const OpDef& conv_op();
const OpDef& fully_connected_op();
const OpDef& depthwise_op();
const OpDef& average_pool_op();
const OpDef& max_pool_op();
const OpDef& mean_op();
const OpDef& add_op();
const OpDef& concat_op();
const OpDef& pad_op();
const OpDef& reshape_op();
const OpDef& softmax_op();

Shape OpDef::output_shape(const Network& /*net*/, Layer& l) const {
  fail(l, "internal: the op's shape rule is not in the op table");
}

Tensor OpDef::golden(const Network& /*net*/, const Layer& l,
                     const std::vector<const Tensor*>& /*in*/) const {
  fail(l, "internal: the op's golden kernel is not in the op table");
}

namespace {

// One axis of a window: TFLite's padding rule (spec section 4), dilation 1.
void window_axis(Padding p, int in, int k, int s, int* out, int* before, int* after) {
  *out = p == Padding::Same ? (in + s - 1) / s : (in - k) / s + 1;
  const int total = std::max(0, (*out - 1) * s + k - in);
  *before = total / 2;
  *after = total - total / 2;
}

}  // namespace

Shape window_output_shape(Layer& l, const Shape& in, int out_c) {
  if (l.padding == Padding::Valid && (l.kernel_h > in.h || l.kernel_w > in.w))
    fail(l, fmt::format("window {}x{} is larger than the {} input with VALID padding", l.kernel_h,
                        l.kernel_w, in.str()));
  Shape out = in;
  out.c = out_c;
  window_axis(l.padding, in.h, l.kernel_h, l.stride_h, &out.h, &l.pads.top, &l.pads.bottom);
  window_axis(l.padding, in.w, l.kernel_w, l.stride_w, &out.w, &l.pads.left, &l.pads.right);
  return out;
}

void check_pe_divides(const Layer& l, int channels) {
  if (channels % l.folding.pe != 0)
    fail(l, fmt::format("hw.pe = {} must divide the {} output channels (try one of the divisors "
                        "of {})",
                        l.folding.pe, channels, channels));
}

const OpDef& op_def(OpKind op) {
  switch (op) {
    case OpKind::Conv2D:
      return conv_op();
    case OpKind::FullyConnected:
      return fully_connected_op();
    case OpKind::DepthwiseConv2D:
      return depthwise_op();
    case OpKind::AveragePool2D:
      return average_pool_op();
    case OpKind::MaxPool2D:
      return max_pool_op();
    case OpKind::Mean:
      return mean_op();
    case OpKind::Add:
      return add_op();
    case OpKind::Concat:
      return concat_op();
    case OpKind::Pad:
      return pad_op();
    case OpKind::Reshape:
      return reshape_op();
    case OpKind::Softmax:
      return softmax_op();
  }
  throw Error(fmt::format("internal: op {} has no op-table entry", int(op)));
}

InputCount op_input_count(OpKind op) { return op_def(op).input_count(); }

std::string op_names_where(bool (OpDef::*has)() const) {
  std::vector<std::string> names;
  for (OpKind op : kOpKinds)
    if ((op_def(op).*has)()) names.push_back(to_string(op));
  std::string list;
  for (size_t i = 0; i < names.size(); ++i)
    list += (i == 0 ? "" : i + 1 == names.size() ? " and " : ", ") + names[i];
  return list;
}

bool op_template_resources(const Instance& inst, const std::vector<MemFile>& mems,
                           ResourceCounts* c) {
  for (OpKind op : kOpKinds)
    if (op_def(op).template_resources(inst, mems, c)) return true;
  return false;
}

bool op_template_resources_ecp5(const Instance& inst, const std::vector<MemFile>& mems,
                                ResourceCounts* c) {
  for (OpKind op : kOpKinds)
    if (op_def(op).template_resources_ecp5(inst, mems, c)) return true;
  return false;
}

std::optional<int64_t> op_template_latency(const Instance& inst) {
  for (OpKind op : kOpKinds)
    if (const std::optional<int64_t> v = op_def(op).template_latency(inst)) return v;
  return std::nullopt;
}

}  // namespace rtlgen
