// The hardware plan under construction (internal to the planner): the stream-building interface
// the per-op lowerings use (streams, forks, wires, FIFOs, width converters) and the stage graph
// they record (which input beats each stage's output beats need, each stage's latency, the
// joins), which the skip-FIFO pass reads once every stage is planned.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "rtlgen/hw_plan.hpp"

namespace rtlgen::plan {

// An instance of `module` named `name`, its clock and reset connected.
inline Instance instance(const std::string& module, const std::string& name) {
  return {module, name, {}, {{"clk", "clk"}, {"rst", "rst"}}};
}

constexpr int kFifoDepth = 16;  // between stages: absorbs the MVU's output bursts

// Instance parameter values: an integer, a file name.
ParamValue lit(int64_t v);
ParamValue str_lit(const std::string& s);
// Verilog concatenation {items[n-1], ..., items[0]}: item 0 in the lowest bits.
std::string concat_items(const std::vector<std::string>& items);
void connect_in(Instance& inst, const std::string& prefix);
void connect_out(Instance& inst, const std::string& prefix);
inline int signed_flag(DType t) { return t == DType::Int8 ? 1 : 0; }
// The parameters an MVU and a depthwise unit share, after their own: input and weight types and
// zero points, the accumulator width and the weight ROM.
InstanceParams weight_params(const TensorQuant& in_q, const Layer& l, int acc_bits,
                             const std::string& weight_file);
// The wires of a valid/ready stream `prefix` of `width` data bits.
std::vector<Wire> stream_wire_list(const std::string& prefix, int width, bool last = false,
                                   bool user = false);
// rtlgen_fifo `name` (DEPTH `depth`) of `width` bits from stream `from` to stream `to`.
Instance fifo_instance(const std::string& name, int width, int depth, const std::string& from,
                       const std::string& to);

// need[j]: how many beats of an input stream must have entered before output beat j of a stage
// can leave it (per frame); one entry per input the stage reads.
using StageNeed = std::vector<std::pair<std::string, std::vector<int64_t>>>;

// A tensor read by several stages: rtlgen_fork, one branch stream per consumer, in consumer
// order. `outputs[i]` is the stream the fork's output i drives (the branch itself, or the input
// of a skip FIFO in front of it).
struct Fork {
  std::string tensor;
  StreamInfo src;
  std::vector<StreamInfo> branches;
  std::vector<std::string> outputs;
};

// A stage that joins several streams (ADD, CONCATENATION): `in_need[k][j]` beats of input k
// that its output beat j needs (0: none yet). The skip-FIFO pass fills `fifos` and `wires`.
struct Join {
  std::string layer;
  std::vector<std::vector<int64_t>> in_need;
  size_t wire_pos = 0;  // where its skip FIFOs' wires go in plan.wires (stream order)
  std::vector<Instance> fifos;
  std::vector<Wire> wires;
};

// What the skip-FIFO pass reads: the finished stage graph.
struct StageGraph {
  std::map<std::string, StreamInfo> streams;  // tensor -> its stream (before any fork)
  std::map<std::string, int> layer_index;
  std::map<std::string, std::vector<std::pair<int, int>>> consumers;  // tensor -> (layer, slot)
  std::map<std::string, Fork> forks;                                  // tensor -> its fork
  std::map<std::string, StageNeed> stage_need;                        // tensor -> its stage's
  std::map<std::string, int64_t> stage_latency;  // tensor -> its stage's latency (cycles)
  std::vector<Join> joins;                       // in stream order
  // plan.glue in stream order: a fork (its tensor) or a join's skip FIFOs (index in joins).
  std::vector<std::pair<std::string, int>> glue_order;
};

class PlanBuilder {
 public:
  PlanBuilder(const Network& net, const PlanOptions& opt);

  const Network& net;
  const PlanOptions opt;
  HwPlan plan;
  StageGraph graph;

  // The stream layer `l` reads as its input `k`: the producer's stream, or this consumer's
  // branch of a fork when the tensor feeds several layers.
  StreamInfo stream_of(const Layer& l, int k = 0);
  void set_stream(const std::string& tensor, const StreamInfo& s) { graph.streams[tensor] = s; }
  const std::vector<std::pair<int, int>>& consumers_of(const std::string& tensor) {
    return graph.consumers[tensor];
  }

  void wire(const std::string& name, int width) { plan.wires.push_back({name, width}); }
  // Declares a valid/ready stream `prefix` of `width` data bits.
  void stream_wires(const std::string& prefix, int width, bool last = false, bool user = false);

  HwLayer start(const Layer& l, const StreamInfo& src) const;
  // Output FIFO of a stage: `from` -> layer output stream `l.name`.
  void output_fifo(HwLayer& hw, const Layer& l, const std::string& from, int elems);
  // Joins `src` to a consumer taking `simd` elements per beat; returns the stream to read.
  std::string width_convert(HwLayer& hw, const Layer& l, const StreamInfo& src, int simd,
                            const std::string& tag = "_wc");
  // Appends a stage and records its latency for skip-FIFO slack.
  void push_layer(const HwLayer& hw);

  // PAD merged into the convolution it feeds (lower_pad); a line buffer's padding is its own
  // plus the merged one.
  void merge_pad(const std::string& conv, const Pads& p) { merged_pads_[conv] = p; }
  bool has_merged_pad(const std::string& conv) const { return merged_pads_.count(conv) > 0; }
  Pads total_pads(const Layer& l) const;

  // ---- the stage graph's dependence records
  void record_need(const std::string& tensor, StageNeed need) {
    graph.stage_need[tensor] = std::move(need);
  }
  // Convolution / depthwise / pooling: rtlgen_swg's rule for when an output row is released.
  void record_window_need(const Layer& l, const StreamInfo& src, int out_elems);
  void record_whole_frame_need(const Layer& l, const StreamInfo& src, const StreamInfo& out);
  // A join stage whose forks get skip FIFOs (sized after planning by size_skip_fifos).
  void record_join(const Layer& l, std::vector<std::vector<int64_t>> in_need);

 private:
  void make_fork(const std::string& t, const StreamInfo& src);
  std::map<std::string, Pads> merged_pads_;  // conv -> padding of the PAD before it
};

std::vector<int64_t> count_up(int64_t n);  // 1, 2, ..., n: beat j needs beats 0..j

// The fork instances and skip FIFOs into plan.glue and the skip FIFOs' wires into plan.wires,
// in stream order, once size_skip_fifos has run.
void assemble_glue(PlanBuilder& b);

// ---- the skip-FIFO pass (skip_fifo.cpp): over the finished stage graph, sizes a FIFO on every
// fork branch a join needs one on.
void size_skip_fifos(PlanBuilder& b);

// ---- pieces the op lowerings (gen/src/ops/) share
// rtlgen_swg line buffer of `l` reading `src`: `simd` elements per beat, ORDER `order`.
Instance sliding_window(PlanBuilder& b, const Layer& l, const StreamInfo& src, int simd, int order,
                        const std::string& out_prefix, bool side_outputs = true,
                        bool user_output = true);

// Requantizers (requant.cpp): accumulators `from` (`lanes` per beat) -> output FIFO of `l`.
void requant(PlanBuilder& b, HwLayer& hw, const Layer& l, const std::string& from, int lanes,
             int channels, int acc_bits, const std::vector<int32_t>& bias,
             const std::vector<QuantizedMultiplier>& qm, int64_t vector_cycles = 1);
void requant_shift(PlanBuilder& b, HwLayer& hw, const Layer& l, const std::string& from, int lanes,
                   int channels, int acc_bits);

struct RequantSharing {
  int lanes = 1;       // requantizer lanes (divides the stream's lanes)
  int mul_cycles = 1;  // rtlgen_requant MUL_CYCLES: 2 = one hard multiplier per lane, half rate
};
RequantSharing requant_sharing(int lanes, int64_t vector_cycles, int mul_bits);
int requant_mul_bits(int acc_bits, const std::vector<int32_t>& bias,
                     const std::vector<QuantizedMultiplier>& qm, bool single);
void append_requant_words(MemFile& mem, const std::vector<int32_t>& bias,
                          const std::vector<QuantizedMultiplier>& qm, int channels, int lanes);

}  // namespace rtlgen::plan
