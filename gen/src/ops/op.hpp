// The op table: one definition per op (softmax's says it stays in software). It owns what the op's
// templates take and do: the folding rule (which PE / SIMD are legal, checked at load and again
// when planning), the folding candidates with the op's only cycles-per-frame formula (the planner's
// estimate is the same formula at the chosen folding), and the lowering to hardware stages through
// the plan's stream-building interface (plan/plan_builder.hpp). Passes (check_folding), folding
// (fold_candidates) and the planner dispatch through op_def.
//
// Each entry owns also its YAML keys and input count, its quantization check, its shape rule, its
// golden kernel and the resource and latency terms of its templates; the YAML reader and writer,
// the passes, the golden model and the resource model ask the table for them
// (docs/adding_an_op.md: the entries, and the files an op touches).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "rtlgen/folding.hpp"
#include "rtlgen/ir.hpp"
#include "rtlgen/tensor.hpp"

namespace rtlgen {
namespace plan {
class PlanBuilder;
}
namespace yaml {
class LayerKeysIn;
class LayerKeysOut;
}  // namespace yaml
struct Instance;
struct MemFile;
struct ResourceCounts;

// 2^31: a requantization multiplier must stay below it (int32 fixed point).
inline constexpr double kTwoTo31 = 2147483648.0;

// How many inputs a layer of the op takes.
struct InputCount {
  size_t min = 1, max = 1;
  static constexpr size_t kAny = std::numeric_limits<size_t>::max();
};

class OpDef {
 public:
  virtual ~OpDef() = default;
  // ---- the layer ----
  // The YAML keys of the op beside the common ones (name, op, inputs, output, hw, source,
  // requantization), and how many inputs it takes.
  virtual std::vector<const char*> yaml_keys() const { return {}; }
  virtual InputCount input_count() const { return {}; }
  // Reads the op's own keys into the layer (the reader has refused keys not in yaml_keys) and
  // writes them back; the YAML form is in yaml/layer_keys.hpp.
  virtual void read_yaml(const yaml::LayerKeysIn& /*in*/, Layer& /*l*/) const {}
  virtual void write_yaml(yaml::LayerKeysOut& /*out*/, const Layer& /*l*/) const {}
  // Whether `requantization:` may name a rule other than tflite (the op rescales values), and
  // whether onnxruntime_u8 too (ONNX Runtime ran the op of an int8 QDQ graph as uint8).
  virtual bool takes_requantization_mode() const { return false; }
  virtual bool takes_onnxruntime_u8() const { return false; }
  // Whether the output's values are input values (picked, averaged, padded with the zero point,
  // reordered): the output's quantization defaults to the input's.
  virtual bool passes_values_through() const { return false; }
  // Whether the output holds, beside the input's values, the output zero point (padding): the
  // scale-shift analysis widens the output's value range by it.
  virtual bool adds_zero_points() const { return false; }
  // Whether the output's dtype is the op's own (check_quantization checks it), not necessarily
  // the input's.
  virtual bool sets_output_dtype() const { return false; }
  // A weighted op's weight tensor as its .npy file holds it: the layout ("[O, KH, KW, I]"),
  // whose rank the reader checks, and a shape that does not fit the layer's other keys (the
  // message, empty when it fits).
  virtual const char* weight_layout() const { return nullptr; }
  // Whether the output channel is the weight tensor's last axis (depthwise) rather than its
  // first (conv, fully connected).
  virtual bool weights_channel_last() const { return false; }
  virtual std::string weight_shape_problem(const Layer& /*l*/) const { return ""; }
  // Whether requant: (the integer scale-shift scheme) applies.
  virtual bool takes_scale_shift() const { return false; }
  // Whether hw: mult: lut (multipliers in LUTs) and hw: share (a shared unit) apply.
  virtual bool takes_lut_multipliers() const { return false; }
  virtual bool takes_shared_unit() const { return false; }
  // Scales whose integer arithmetic no int32 can represent (multipliers of 2^31 or more ...),
  // the frontends' check before the passes (quant_checks.cpp): the message, empty when they
  // fit. `second_in`: the second input's quantization (the first's for an op of one input).
  virtual std::string scale_problem(const Layer& /*l*/, const TensorQuant& /*in*/,
                                    const TensorQuant& /*second_in*/) const {
    return "";
  }
  // Refuses quantization the op cannot compute (after the graph's generic checks).
  virtual void check_quantization(const Network& /*net*/, const Layer& /*l*/) const {}
  // The integer constants of the op's arithmetic, from the scales (requantization multipliers,
  // ONNX Runtime's float scales, biases): called with the layer's activation range set and its
  // multipliers cleared, for every requantization rule but the scale-shift scheme's.
  virtual void derive_quantization(const Network& /*net*/, Layer& /*l*/) const {}
  // The largest magnitude the op's accumulator reaches over every input (0: none; it sizes
  // Layer::acc_bits), refusing one that could overflow int32. Called after derive_quantization.
  virtual int64_t accumulator_bound(const Network& /*net*/, const Layer& /*l*/) const { return 0; }
  // The shape rule: the output shape from the inputs' (and may set derived fields of `l`).
  virtual Shape output_shape(const Network& net, Layer& l) const;
  // The golden kernel: the output tensor from the inputs' tensors, in `l.inputs` order.
  virtual Tensor golden(const Network& net, const Layer& l,
                        const std::vector<const Tensor*>& in) const;
  // The resource and latency terms of the op's own templates (the Xilinx 7-series model;
  // `mems`: the plan's memory files, whose contents decide constant ROM bit columns): false /
  // nullopt for a module that is not one of them.
  virtual bool template_resources(const Instance& /*inst*/, const std::vector<MemFile>& /*mems*/,
                                  ResourceCounts* /*c*/) const {
    return false;
  }
  virtual std::optional<int64_t> template_latency(const Instance& /*inst*/) const {
    return std::nullopt;
  }
  // ... and their terms in the Lattice ECP5 model (resource_model_ecp5.cpp): false for a module
  // without terms there (the model takes the 7-series estimate converted).
  virtual bool template_resources_ecp5(const Instance& /*inst*/,
                                       const std::vector<MemFile>& /*mems*/,
                                       ResourceCounts* /*c*/) const {
    return false;
  }
  // ---- the hardware ----
  // Refuses a folding (hw: pe / simd) the op's templates cannot take, naming the fix. Called at
  // load, after weighted layers' unset pe / simd became 1 (pooling's 0 follows the stream).
  virtual void check_folding(const Network& /*net*/, const Layer& /*l*/) const {}
  // Every folding the op's templates take behind an input stream of `in_elems` elements per
  // beat; empty for an op with nothing to fold (its output stream is as wide as its input).
  virtual std::vector<FoldChoice> fold_candidates(const Network& /*net*/, const Layer& /*l*/,
                                                  int /*in_elems*/) const {
    return {};
  }
  // Whether its stage reads several pixels per beat when it reads the network input.
  virtual bool takes_wide_input() const { return false; }
  // Whether the op stays in software: the planner lowers none of it, and takes it only as the
  // network's last layer (after the hardware's output stream).
  virtual bool in_software() const { return false; }
  // Appends the layer's stage to the plan (or, for ops without hardware of their own, its
  // stream under the layer's name).
  virtual void lower(plan::PlanBuilder& b, const Layer& l) const = 0;
};

// Fails unless hw.pe divides the layer's `channels` (its output lanes take them in turn).
void check_pe_divides(const Layer& l, int channels);

// The weighted ops (conv, depthwise, fully connected; ops/weighted.cpp): the real
// requantization multiplier of output channel `c` as TFLite forms it (`float_overflow`, when
// given: whether the float32 product of the scales overflowed) ...
double weighted_multiplier(const Layer& l, const TensorQuant& in, size_t c,
                           bool* float_overflow = nullptr);
// ... and their entries' common base: the layer's multipliers and float scales from it, the
// bound of the dot products.
class WeightedOp : public OpDef {
 public:
  bool takes_requantization_mode() const override { return true; }
  std::string scale_problem(const Layer& l, const TensorQuant& in,
                            const TensorQuant& second_in) const override;
  void derive_quantization(const Network& net, Layer& l) const override;
  int64_t accumulator_bound(const Network& net, const Layer& l) const override;
};

// The shape rule of a window over the input `in` (convolutions, pooling): TFLite's SAME / VALID
// padding (spec section 4, dilation 1) gives the output's height and width and sets `l.pads`;
// the output has `out_c` channels.
Shape window_output_shape(Layer& l, const Shape& in, int out_c);

// A depthwise layer's multiplier cycles per frame at `pe` channels in parallel (one tap per
// cycle): a shared unit's load is its members' sum.
int64_t depthwise_busy_cycles(const Layer& l, int pe);

// The definition of `op` (every op has one).
const OpDef& op_def(OpKind op);
// The input count of `op`.
InputCount op_input_count(OpKind op);
// The names of the ops whose definition has the property (`has`), as a list for a message:
// "a", "a and b", "a, b and c".
std::string op_names_where(bool (OpDef::*has)() const);
// The ops' own template terms (OpDef::template_resources / template_latency /
// template_resources_ecp5), asked of every definition in turn.
bool op_template_resources(const Instance& inst, const std::vector<MemFile>& mems,
                           ResourceCounts* c);
std::optional<int64_t> op_template_latency(const Instance& inst);
bool op_template_resources_ecp5(const Instance& inst, const std::vector<MemFile>& mems,
                                ResourceCounts* c);

// The one instance of the definition T (an entry of the table).
template <class T>
const OpDef& the_op() {
  static const T op;
  return op;
}

}  // namespace rtlgen
