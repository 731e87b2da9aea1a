// The op table: one definition per op with hardware. It owns what the op's templates take and
// do: the folding rule (which PE / SIMD are legal, checked at load and again when planning), the
// folding candidates with the op's only cycles-per-frame formula (the planner's estimate is the
// same formula at the chosen folding), and the lowering to hardware stages through the plan's
// stream-building interface (plan/plan_builder.hpp). Passes (check_folding), folding
// (fold_candidates) and the planner dispatch through op_def.
#pragma once

#include <vector>

#include "rtlgen/folding.hpp"
#include "rtlgen/ir.hpp"

namespace rtlgen {
namespace plan {
class PlanBuilder;
}

class OpDef {
 public:
  virtual ~OpDef() = default;
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
  // Appends the layer's stage to the plan (or, for ops without hardware of their own, its
  // stream under the layer's name).
  virtual void lower(plan::PlanBuilder& b, const Layer& l) const = 0;
};

// Fails unless hw.pe divides the layer's `channels` (its output lanes take them in turn).
void check_pe_divides(const Layer& l, int channels);

// A depthwise layer's multiplier cycles per frame at `pe` channels in parallel (one tap per
// cycle): a shared unit's load is its members' sum.
int64_t depthwise_busy_cycles(const Layer& l, int pe);

// The definition of `op`; nullptr for an op without hardware (softmax stays in software).
const OpDef* op_def(OpKind op);

// The one instance of the definition T (an entry of the table).
template <class T>
const OpDef& the_op() {
  static const T op;
  return op;
}

// The table's entries, defined in the files of gen/src/ops/.
const OpDef& conv_op();
const OpDef& fully_connected_op();
const OpDef& depthwise_op();
const OpDef& pool_op();
const OpDef& mean_op();
const OpDef& add_op();
const OpDef& concat_op();
const OpDef& pad_op();
const OpDef& reshape_op();

}  // namespace rtlgen
