#include "plan/plan_builder.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

#include "ops/op.hpp"
#include "rtlgen/error.hpp"
#include "rtlgen/resource_model.hpp"

namespace rtlgen::plan {

ParamValue lit(int64_t v) { return ParamValue::integer(v); }
ParamValue str_lit(const std::string& s) { return ParamValue::string(s); }

std::string concat_items(const std::vector<std::string>& items) {
  std::string s = "{";
  for (size_t i = items.size(); i-- > 0;) s += items[i] + (i ? ", " : "}");
  return s;
}

InstanceParams weight_params(const TensorQuant& in_q, const Layer& l, int acc_bits,
                             const std::string& weight_file) {
  return {{"IN_SIGNED", lit(signed_flag(in_q.dtype))},
          {"IN_ZP", lit(in_q.zero_point)},
          {"W_SIGNED", lit(signed_flag(l.weight_dtype))},
          {"W_ZP", lit(l.weight_zero_point)},
          {"ACC_BITS", lit(acc_bits)},
          {"WEIGHT_FILE", str_lit(weight_file)}};
}

std::vector<int64_t> count_up(int64_t n) {
  std::vector<int64_t> v(size_t(std::max<int64_t>(n, 0)));
  for (size_t j = 0; j < v.size(); ++j) v[j] = int64_t(j) + 1;
  return v;
}

PlanBuilder::PlanBuilder(const Network& network, const PlanOptions& options)
    : net(network), opt(options) {
  for (size_t i = 0; i < net.layers.size(); ++i) {
    graph.layer_index[net.layers[i].name] = int(i);
    if (op_def(net.layers[i].op).in_software()) continue;  // no stream to consume
    for (size_t k = 0; k < net.layers[i].inputs.size(); ++k)
      graph.consumers[net.layers[i].inputs[k]].push_back({int(i), int(k)});
  }
}

StreamInfo PlanBuilder::stream_of(const Layer& l, int k) {
  const std::string& t = l.inputs[size_t(k)];
  auto it = graph.streams.find(t);
  if (it == graph.streams.end()) fail(l, fmt::format("input stream '{}' not available", t));
  const auto& cons = graph.consumers[t];
  if (cons.size() <= 1) return it->second;
  if (!graph.forks.count(t)) make_fork(t, it->second);
  const int me = graph.layer_index.at(l.name);
  for (size_t i = 0; i < cons.size(); ++i)
    if (cons[i].first == me && cons[i].second == k) return graph.forks[t].branches[i];
  fail(l, fmt::format("internal: '{}' is not a consumer of '{}'", l.name, t));
}

// One branch stream `<t>_b<i>` per consumer; the instance is rendered by assemble_glue, when
// the skip-FIFO pass has said which outputs feed a FIFO.
void PlanBuilder::make_fork(const std::string& t, const StreamInfo& src) {
  Fork& f = graph.forks[t];
  f.tensor = t;
  f.src = src;
  for (size_t i = 0; i < graph.consumers[t].size(); ++i) {
    StreamInfo b = src;
    b.prefix = fmt::format("{}_b{}", t, i);
    stream_wires(b.prefix, src.width());
    f.branches.push_back(b);
    f.outputs.push_back(b.prefix);
  }
  graph.glue_order.push_back({t, -1});
}

std::vector<Wire> stream_wire_list(const std::string& prefix, int width, bool last, bool user) {
  std::vector<Wire> w = {
      {prefix + "_tdata", width}, {prefix + "_tvalid", 1}, {prefix + "_tready", 1}};
  if (last) w.push_back({prefix + "_tlast", 1});
  if (user) w.push_back({prefix + "_tuser", 1});
  return w;
}

void PlanBuilder::stream_wires(const std::string& prefix, int width, bool last, bool user) {
  for (Wire& w : stream_wire_list(prefix, width, last, user)) plan.wires.push_back(std::move(w));
}

void connect_in(Instance& inst, const std::string& prefix) {
  inst.ports.push_back({"s_axis_tdata", prefix + "_tdata"});
  inst.ports.push_back({"s_axis_tvalid", prefix + "_tvalid"});
  inst.ports.push_back({"s_axis_tready", prefix + "_tready"});
}

void connect_out(Instance& inst, const std::string& prefix) {
  inst.ports.push_back({"m_axis_tdata", prefix + "_tdata"});
  inst.ports.push_back({"m_axis_tvalid", prefix + "_tvalid"});
  inst.ports.push_back({"m_axis_tready", prefix + "_tready"});
}

HwLayer PlanBuilder::start(const Layer& l, const StreamInfo& src) const {
  HwLayer hw;
  hw.layer = l.name;
  hw.op = l.op;
  hw.in = src;
  hw.macs = l.macs;
  hw.lut_buffer = l.folding.lut_buffer;
  return hw;
}

Instance fifo_instance(const std::string& name, int width, int depth, const std::string& from,
                       const std::string& to) {
  Instance f = instance("rtlgen_fifo", name);
  f.params = {{"WIDTH", lit(width)},
              {"DEPTH", lit(depth)},
              {"LAST_ENABLE", lit(0)},
              {"USER_WIDTH", lit(0)},
              {"OUT_REG", lit(depth >= kFifoBlockRamMinDepth ? 1 : 0)}};
  connect_in(f, from);
  f.ports.push_back({"s_axis_tlast", "1'b0"});
  f.ports.push_back({"s_axis_tuser", "1'b0"});
  connect_out(f, to);
  f.ports.push_back({"m_axis_tlast", ""});
  f.ports.push_back({"m_axis_tuser", ""});
  return f;
}

void PlanBuilder::output_fifo(HwLayer& hw, const Layer& l, const std::string& from, int elems) {
  const int bits = l.out_quant.bits;
  hw.instances.push_back(fifo_instance(l.name + "_fifo", elems * bits, kFifoDepth, from, l.name));
  stream_wires(l.name, elems * bits);
  StreamInfo out{l.name, l.name, elems, l.out_shape, l.out_quant.dtype, bits};
  hw.out = out;
  graph.streams[l.name] = out;
}

std::string PlanBuilder::width_convert(HwLayer& hw, const Layer& l, const StreamInfo& src, int simd,
                                       const std::string& tag) {
  if (src.elems == simd) return src.prefix;
  if (src.elems % simd != 0 && simd % src.elems != 0)
    fail(l, fmt::format("hw.simd = {} and the {} elements per beat of '{}' must divide one "
                        "another (a width converter joins them)",
                        simd, src.elems, src.tensor));
  Instance w = instance("rtlgen_width_converter", l.name + tag);
  w.params = {{"IN_N", lit(src.elems)}, {"OUT_N", lit(simd)}, {"ELEM_BITS", lit(src.bits)}};
  connect_in(w, src.prefix);
  w.ports.push_back({"s_axis_tlast", "1'b0"});
  connect_out(w, l.name + tag + "v");
  w.ports.push_back({"m_axis_tlast", ""});
  stream_wires(l.name + tag + "v", simd * src.bits);
  hw.instances.push_back(w);
  return l.name + tag + "v";
}

// A stage's latency for skip-FIFO slack: one output row's share of the stage's cycles per frame
// (a line buffer downstream waits for whole rows, so a stage's output lags its last needed input
// by up to a row of compute), plus the register stages of its template chain (the resource
// model's stage_delay, from the templates' headers).
void PlanBuilder::push_layer(const HwLayer& hw) {
  const int64_t rows = std::max<int64_t>(1, hw.out.shape.h);
  graph.stage_latency[hw.layer] = (hw.est_cycles + rows - 1) / rows + stage_delay(hw);
  plan.layers.push_back(hw);
}

Pads PlanBuilder::total_pads(const Layer& l) const {
  Pads p = l.pads;
  auto it = merged_pads_.find(l.name);
  if (it != merged_pads_.end()) {
    p.top += it->second.top;
    p.bottom += it->second.bottom;
    p.left += it->second.left;
    p.right += it->second.right;
  }
  return p;
}

// rtlgen_swg's line-buffer word (WORD_N): with one tap per beat (SIMD divides IFM_C) and at most
// a pixel per input beat (IN_N divides IFM_C), a word of lcm(SIMD, IN_N) channels, what one
// output beat and whole input beats fill, instead of a whole pixel: a shallow buffer of wide
// pixel words fills its block RAM poorly (zoo mobilenet96's 80 x 512 bits: 15 RAMB18 at 5%), or
// goes to LUT RAM with a pixel-wide read register, and the window selects a SIMD chunk out of a
// registered pixel (Yosys, MobileNet v1 0.25/96 at 109 multipliers: LUT 40,455 -> 13,836, FF
// 51,350 -> 18,912). 0 (pixel words) where the chunk would be the whole pixel or the geometry
// does not allow it (several taps or pixels per beat).
namespace {
int64_t swg_word_elems(int64_t ifm_c, int64_t in_n, int64_t simd) {
  if (ifm_c <= 0 || in_n <= 0 || simd <= 0 || ifm_c % simd != 0 || ifm_c % in_n != 0) return 0;
  const int64_t word = std::lcm(simd, in_n);
  return word < ifm_c ? word : 0;
}
}  // namespace

Instance sliding_window(PlanBuilder& b, const Layer& l, const StreamInfo& src, int simd, int order,
                        const std::string& out_prefix, bool side_outputs, bool user_output) {
  const Shape in = src.shape;
  const Pads pads = b.total_pads(l);
  Instance s = instance("rtlgen_swg", l.name + "_swg");
  s.params = {
      {"IFM_H", lit(in.h)},          {"IFM_W", lit(in.w)},
      {"IFM_C", lit(in.c)},          {"K_H", lit(l.kernel_h)},
      {"K_W", lit(l.kernel_w)},      {"STRIDE_H", lit(l.stride_h)},
      {"STRIDE_W", lit(l.stride_w)}, {"PAD_T", lit(pads.top)},
      {"PAD_B", lit(pads.bottom)},   {"PAD_L", lit(pads.left)},
      {"PAD_R", lit(pads.right)},    {"PAD_VALUE", lit(b.net.quant_of(l.inputs[0]).zero_point)},
      {"IN_N", lit(src.elems)},      {"SIMD", lit(simd)},
      {"ORDER", lit(order)}};
  if (src.bits != 8) s.params.push_back({"ELEM_BITS", lit(src.bits)});
  if (const int64_t word = swg_word_elems(in.c, src.elems, simd); word > 0)
    s.params.push_back({"WORD_N", lit(word)});
  connect_in(s, src.prefix);
  connect_out(s, out_prefix);
  // Pooling needs the window boundary (tlast) and the in-image flag (tuser); the MVU does not.
  const bool side = order == 1 && side_outputs;
  s.ports.push_back({"m_axis_tlast", side ? out_prefix + "_tlast" : ""});
  s.ports.push_back({"m_axis_tuser", side && user_output ? out_prefix + "_tuser" : ""});
  b.stream_wires(out_prefix, simd * src.bits, side, side && user_output);
  return s;
}

// The line buffer releases output row oy once input row min(oy*S + K_H - 1 - PAD_T, H - 1) is
// completely written (rtlgen_swg's rule).
void PlanBuilder::record_window_need(const Layer& l, const StreamInfo& src, int out_elems) {
  const Shape in = src.shape;
  const Pads pads = total_pads(l);
  const int64_t per_px = l.out_shape.c / out_elems;
  const int64_t beats = int64_t(l.out_shape.h) * l.out_shape.w * per_px;
  const int64_t row_beats = int64_t(in.w) * in.c / src.elems;
  std::vector<int64_t> v(static_cast<size_t>(beats));
  for (int64_t j = 0; j < beats; ++j) {
    const int64_t oy = (j / per_px) / l.out_shape.w;
    const int64_t last_row =
        std::min<int64_t>(oy * l.stride_h + l.kernel_h - 1 - pads.top, in.h - 1);
    v[size_t(j)] = (last_row + 1) * row_beats;
  }
  record_need(l.name, {{src.tensor, v}});
}

void PlanBuilder::record_whole_frame_need(const Layer& l, const StreamInfo& src,
                                          const StreamInfo& out) {
  record_need(
      l.name,
      {{src.tensor, std::vector<int64_t>(size_t(out.beats_per_frame()), src.beats_per_frame())}});
}

void PlanBuilder::record_join(const Layer& l, std::vector<std::vector<int64_t>> in_need) {
  graph.glue_order.push_back({l.name, int(graph.joins.size())});
  graph.joins.push_back({l.name, std::move(in_need), plan.wires.size(), {}, {}});
}

// The fork's packed output ports: output i drives stream `outputs[i]` (highest index first in
// the concatenations).
static Instance fork_instance(const Fork& f) {
  Instance inst = instance("rtlgen_fork", f.tensor + "_fork");
  inst.params = {{"WIDTH", lit(f.src.width())}, {"N_OUT", lit(int64_t(f.outputs.size()))}};
  connect_in(inst, f.src.prefix);
  for (const char* sig : {"_tdata", "_tvalid", "_tready"}) {
    std::string cat;
    for (size_t i = f.outputs.size(); i-- > 0;) cat += f.outputs[i] + sig + (i ? ", " : "");
    inst.ports.push_back({std::string("m_axis") + sig, "{" + cat + "}"});
  }
  return inst;
}

void assemble_glue(PlanBuilder& b) {
  for (const auto& [name, join] : b.graph.glue_order) {
    if (join < 0) {
      b.plan.glue.push_back(fork_instance(b.graph.forks.at(name)));
      continue;
    }
    const Join& j = b.graph.joins[size_t(join)];
    b.plan.glue.insert(b.plan.glue.end(), j.fifos.begin(), j.fifos.end());
  }
  // Each join's wires where its stage stands in stream order: last join first, so that the
  // positions recorded before stay valid.
  for (auto j = b.graph.joins.rbegin(); j != b.graph.joins.rend(); ++j)
    b.plan.wires.insert(b.plan.wires.begin() + std::ptrdiff_t(j->wire_pos), j->wires.begin(),
                        j->wires.end());
}

}  // namespace rtlgen::plan
