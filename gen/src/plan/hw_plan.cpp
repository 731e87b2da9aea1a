#include "rtlgen/hw_plan.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "ops/op.hpp"
#include "plan/plan_builder.hpp"
#include "rtlgen/error.hpp"
#include "rtlgen/names.hpp"
#include "rtlgen/resource_model.hpp"

namespace rtlgen {
namespace {

using namespace plan;

// Templates that instantiate other templates: the file list, the FuseSoC core and the IP-XACT
// file set (all from plan.templates) need those files too.
// rtlgen_mul: the registered multiplier that becomes an ECP5 MULT18X18D with its own registers
// (also the ECP5 tiles of rtlgen_mul_wide); rtlgen_skid: the output skid register that makes a
// stall-able pipeline's clock enable a register; rtlgen_round_clamp: the zero point, rounding
// and clamp stages of the ADD's requantization; rtlgen_dwu_lane: a depthwise multiply-accumulate
// lane (its rtlgen_mul included).
std::vector<const char*> template_submodules(const std::string& module) {
  if (module == "rtlgen_requant") return {"rtlgen_mul_wide", "rtlgen_mul", "rtlgen_skid"};
  if (module == "rtlgen_add")
    return {"rtlgen_mul_wide", "rtlgen_mul", "rtlgen_skid", "rtlgen_round_clamp"};
  if (module == "rtlgen_requant_float") return {"rtlgen_mul_wide", "rtlgen_mul"};
  if (module == "rtlgen_mvu") return {"rtlgen_mul", "rtlgen_skid"};
  if (module == "rtlgen_swg" || module == "rtlgen_width_converter") return {"rtlgen_skid"};
  // (rtlgen_dwu_shared's requantizer for all its layers: REQUANT 1)
  if (module == "rtlgen_dwu_shared")
    return {"rtlgen_dwu_lane", "rtlgen_mul", "rtlgen_requant", "rtlgen_mul_wide", "rtlgen_skid"};
  if (module == "rtlgen_dwu") return {"rtlgen_dwu_lane", "rtlgen_mul"};
  if (module == "rtlgen_pool") return {"rtlgen_mul"};
  return {};
}

// The argmax side channel (Network::argmax): classifiers only, unless the YAML says.
bool wants_argmax(const Network& net, const StreamInfo& out) {
  const bool scores = out.shape.h == 1 && out.shape.w == 1 && out.shape.c > 1;
  switch (net.argmax) {
    case Network::Argmax::Off:
      return false;
    case Network::Argmax::On:
      if (!scores)
        throw Error(net.argmax_loc,
                    fmt::format("argmax: true needs an output of 1x1xC scores (C > 1); the "
                                "hardware output '{}' is {}. Remove the key or set it to false",
                                out.tensor, out.shape.str()));
      return true;
    case Network::Argmax::Auto:
      break;
  }
  return scores && (net.layers.back().op == OpKind::Softmax ||
                    out.shape.elements() < net.input.shape.elements());
}

// The output framer (and argmax), the plan's totals and the list of templates it uses.
void finish(PlanBuilder& b) {
  HwPlan& plan = b.plan;
  const StreamInfo& out = plan.output;
  Instance t = instance("rtlgen_tlast_gen", "output_framer");
  t.params = {{"WIDTH", lit(out.width())}, {"BEATS", lit(out.beats_per_frame())}};
  connect_in(t, out.prefix);
  plan.classify = wants_argmax(b.net, out);
  const std::string framed = plan.classify ? "framed" : "m_axis";
  connect_out(t, framed);
  t.ports.push_back({"m_axis_tlast", framed + "_tlast"});
  plan.tlast = t;
  if (plan.classify) {
    b.stream_wires(framed, out.width(), true);
    int bits = 1;
    while ((int64_t(1) << bits) < out.shape.c) ++bits;
    plan.class_bits = bits;
    Instance a = instance("rtlgen_argmax", "output_argmax");
    a.params = {{"N", lit(out.elems)},
                {"BEATS", lit(out.beats_per_frame())},
                {"SIGNED", lit(signed_flag(out.dtype))},
                {"IDX_BITS", lit(bits)}};
    if (out.bits != 8) a.params.push_back({"ELEM_BITS", lit(out.bits)});
    connect_in(a, framed);
    a.ports.push_back({"s_axis_tlast", framed + "_tlast"});
    connect_out(a, "m_axis");
    a.ports.push_back({"m_axis_tlast", "m_axis_tlast"});
    a.ports.push_back({"m_axis_tuser", "m_axis_tuser"});
    plan.argmax = a;
  }
  for (const auto& hw : plan.layers) {
    plan.multipliers += hw.multipliers;
    plan.macs += hw.macs;
    plan.rom_bits += hw.rom_bits;
    plan.ideal_cycles_per_frame = std::max(plan.ideal_cycles_per_frame, hw.ideal_cycles);
    if (hw.est_cycles > plan.est_cycles_per_frame) {
      plan.est_cycles_per_frame = hw.est_cycles;
      plan.bottleneck = hw.layer;
    }
  }
  plan.est_cycles_per_frame = std::max(plan.est_cycles_per_frame, plan.input.beats_per_frame());
  std::vector<std::string> used = {"rtlgen_fifo", "rtlgen_tlast_gen"};
  if (plan.classify) used.push_back("rtlgen_argmax");
  const auto use = [&](const std::string& module) {
    if (std::find(used.begin(), used.end(), module) != used.end()) return;
    used.push_back(module);
    for (const char* sub : template_submodules(module))  // leaves: no deeper nesting
      if (std::find(used.begin(), used.end(), sub) == used.end()) used.push_back(sub);
  };
  for (const auto& hw : plan.layers)
    for (const auto& inst : hw.instances) use(inst.module);
  for (const auto& inst : plan.glue) use(inst.module);
  std::sort(used.begin(), used.end());
  for (const auto& m : used) plan.templates.push_back(m + ".v");
}

// Every stage in stream order, then the skip-FIFO pass over the finished stage graph.
HwPlan plan_stages(const Network& net, const PlanOptions& opt) {
  PlanBuilder b(net, opt);
  b.plan.top = net.name + "_top";
  StreamInfo in;
  in.tensor = net.input.name;
  in.prefix = "s_axis";
  in.elems = net.input.shape.c * net.input.pixels_per_beat;
  in.shape = net.input.shape;
  in.dtype = net.input.quant.dtype;
  in.bits = net.input.quant.bits;
  b.plan.input = in;
  b.set_stream(in.tensor, in);

  for (size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& l = net.layers[i];
    const OpDef& op = op_def(l.op);
    if (op.in_software()) {
      if (i + 1 != net.layers.size())
        fail(l, fmt::format("{} is only supported as the last layer (it stays in software)",
                            to_string(l.op)));
      b.plan.software.push_back(l.name);
      continue;
    }
    op.lower(b, l);
  }
  if (b.plan.software.size() == net.layers.size())  // e.g. a network of one softmax
    throw Error(net.layers.back().loc,
                fmt::format("network '{}': no layer runs in hardware ('{}' ({}) stays in "
                            "software); add a hardware layer before it",
                            net.name, net.layers.back().name, to_string(net.layers.back().op)));
  const std::string last =
      b.plan.software.empty() ? net.layers.back().name : net.layers[net.layers.size() - 2].name;
  b.plan.output = b.graph.streams.at(last);
  size_skip_fifos(b);
  assemble_glue(b);
  finish(b);
  return b.plan;
}

}  // namespace

HwPlan plan_hardware(const Network& net, const PlanOptions& opt) {
  HwPlan plan = plan_stages(net, opt);
  choose_memory_styles(plan);  // block or distributed memories, by the resource model's rule
  bank_deep_roms(plan);        // block-RAM weight ROMs deeper than one block: banks
  check_netlist_identifiers(net, plan);  // a user name equal to a generated one is refused
  return plan;
}

void check_names_at_load(const Network& net) {
  // The planner's own naming, not a copy of its suffixes: plan, then look for duplicates.
  HwPlan plan;
  try {
    plan = plan_stages(net, {});
  } catch (const Error&) {
    return;  // not plannable as it stands: generate says why (and checks the names then)
  }
  check_netlist_identifiers(net, plan);
}

}  // namespace rtlgen
