// The analytic resource / latency model against the Yosys synth_xilinx calibration points.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "rtlgen/folding.hpp"
#include "rtlgen/hw_plan.hpp"
#include "rtlgen/network_io.hpp"
#include "rtlgen/resource_model.hpp"
#include "rtlgen/yaml_loader.hpp"

using namespace rtlgen;

namespace {

std::string config(const std::string& name) {
  return std::string(RTLGEN_SOURCE_DIR) + "/configs/" + name;
}

// Relative error of an estimate against a measured figure.
double rel(double estimate, double measured) { return std::fabs(estimate - measured) / measured; }

// Every memory back in block RAM (MEM_STYLE 0), as the designs were before the generator chose
// distributed memories: the reference figures measured then still check the block-RAM model.
void all_block_ram(HwPlan& plan) {
  for (auto& hw : plan.layers)
    for (auto& inst : hw.instances)
      for (auto& [k, v] : inst.params)
        if (k == "MEM_STYLE") v = "0";
}

}  // namespace

// Yosys 0.23 `rtlgen synth --xilinx-only` (synth_xilinx -family xc7), every memory in block RAM
// (before MEM_STYLE):
//   lenet_small (30 multipliers): LUT 5,896, FF 3,941, DSP 57, RAMB36 25 + RAMB18 14 (32 BRAM36)
//   lenet (712 multipliers):      LUT 23,290, FF 27,430, DSP 854, RAMB36 22 + RAMB18 154 (99.0)
// (re-synthesised after the requantizer ROM became one wide word per channel group: lenet was
// LUT 26,897, RAMB18 223 with one 72-bit word per channel and PE read ports)
// Tolerance: 25% on LUT / FF / BRAM36 totals, DSP exact within 2%. The latency model is checked
// against the Verilator measurements (lenet_small 38,523 cycles, lenet 2,936 cycles) within 10%.
TEST_CASE("resource model matches the calibrated LeNet synthesis results", "[resource]") {
  struct Point {
    const char* yaml;
    double lut, ff, dsp, bram36, latency;
  };
  for (const Point& p : {Point{"lenet_small.yaml", 5896, 3941, 57, 32.0, 38523},
                         Point{"lenet.yaml", 23290, 27430, 854, 99.0, 2936}}) {
    INFO(p.yaml);
    const Network net = load_network_yaml(config(p.yaml));
    HwPlan plan = plan_hardware(net);
    all_block_ram(plan);  // (measured with every memory in block RAM)
    const ResourceEstimate e = estimate_resources(plan);
    REQUIRE(e.layers.size() == plan.layers.size());
    INFO("LUT " << e.total.lut << " FF " << e.total.ff << " DSP " << e.total.dsp << " BRAM36 "
                << e.total.bram36() << " latency " << e.latency_cycles);
    CHECK(rel(double(e.total.lut), p.lut) <= 0.25);
    CHECK(rel(double(e.total.ff), p.ff) <= 0.25);
    CHECK(rel(double(e.total.dsp), p.dsp) <= 0.02);
    CHECK(rel(e.total.bram36(), p.bram36) <= 0.25);
    CHECK(rel(double(e.latency_cycles), p.latency) <= 0.10);
    CHECK(e.cycles_per_frame == plan.est_cycles_per_frame);
    // Per-layer estimates add up to the totals (plus the glue).
    ResourceCounts sum = e.glue;
    for (const auto& l : e.layers) sum.add(l.res);
    CHECK(sum.lut == e.total.lut);
    CHECK(sum.dsp == e.total.dsp);
  }
}

// Yosys 0.23 `rtlgen synth OUT --xilinx-only` on configs/lenet.yaml with the memory styles the
// generator chooses (1,580 s): LUT 24,958, FF 33,437, LUT RAM 896, DSP 854, RAMB36 4 + RAMB18 30
// = 19.0 BRAM36 (all block RAM: LUT 23,708, FF 36,094, LUT RAM 224, 22 + 154 = 99.0).
TEST_CASE("resource model matches LeNet synthesised with distributed memories", "[resource]") {
  const HwPlan plan = plan_hardware(load_network_yaml(config("lenet.yaml")));
  const ResourceEstimate e = estimate_resources(plan);
  INFO("LUT " << e.total.lut << " FF " << e.total.ff << " LUT RAM " << e.total.lutram << " BRAM36 "
              << e.total.bram36());
  CHECK(rel(double(e.total.lut), 24958) <= 0.15);
  CHECK(rel(double(e.total.ff), 33437) <= 0.10);
  CHECK(e.total.dsp == 854);
  CHECK(e.total.ramb36 == 4);
  CHECK(e.total.ramb18 == 30);
}

// Yosys 0.23 synth_xilinx on the seed MobileNet v1 0.25/128 at its default folding (512 budget,
// 406 multipliers; `rtlgen synth OUT --xilinx-only`, 830 s CPU), every memory in block RAM
// (before MEM_STYLE; not re-synthesised with distributed memories yet): LUT 50,516, FF 49,477,
// DSP48E1 679, RAMB36 110 + RAMB18 417 = 318.5 BRAM36. Out of the LeNet calibration set except
// the per-tensor requantizer and the wide-pixel chunk select terms. Skips without ../shared.
TEST_CASE("resource model matches the MobileNet synthesis results", "[resource]") {
  namespace fs = std::filesystem;
  const char* env = std::getenv("RTLGEN_SHARED");
  const fs::path model = fs::path(env ? env : std::string(RTLGEN_SOURCE_DIR) + "/../shared") /
                         "models" / "mobilenet_v1_0.25_128_quant.tflite";
  if (!fs::exists(model)) {
    WARN("skipped: " << model.string() << " not found (../shared absent)");
    return;
  }
  const Network net = load_network(model.string());
  HwPlan plan = plan_hardware(net);
  all_block_ram(plan);  // (measured with every memory in block RAM)
  REQUIRE(plan.multipliers == 406);
  const ResourceEstimate e = estimate_resources(plan);
  INFO("LUT " << e.total.lut << " FF " << e.total.ff << " DSP " << e.total.dsp << " BRAM36 "
              << e.total.bram36());
  CHECK(rel(double(e.total.lut), 50516) <= 0.10);
  CHECK(rel(double(e.total.ff), 49477) <= 0.10);
  CHECK(e.total.dsp == 679);
  CHECK(rel(e.total.bram36(), 318.5) <= 0.05);
}

TEST_CASE("DSP estimate grows with the multiplier budget", "[resource]") {
  // (LUTs need not be monotone: a different folding can drop a wide channel-chunk multiplexer
  // of a sliding-window generator, e.g. LeNet at 58 -> 106 multipliers.)
  int64_t prev_dsp = -1, prev_mults = -1;
  for (int64_t budget : {32, 64, 128, 256, 512, 1024}) {
    Network net = load_network_yaml(config("lenet.yaml"));
    FoldTarget t;
    t.max_multipliers = budget;
    choose_folding(net, t);
    const HwPlan plan = plan_hardware(net);
    const ResourceEstimate e = estimate_resources(plan);
    INFO("budget " << budget << ": " << plan.multipliers << " multipliers, DSP " << e.total.dsp);
    // Every 9x9 product is a DSP48E1, plus four per requantizer lane (and one per average-pool
    // lane): never fewer DSPs than multipliers.
    CHECK(e.total.dsp >= plan.multipliers);
    if (plan.multipliers > prev_mults) {
      CHECK(e.total.dsp > prev_dsp);
    }
    prev_dsp = e.total.dsp;
    prev_mults = plan.multipliers;
  }
}

TEST_CASE("block RAM shapes follow the 7-series cost rules", "[resource]") {
  // 196 x 8 line buffer: one RAMB18.
  auto a = block_ram(196, 8, 1);
  CHECK(a.ramb18 == 1);
  CHECK(a.ramb36 == 0);
  // 30 x 40 ROM: one RAMB36 in 72-bit SDP mode is cheaper than two RAMB18.
  auto b = block_ram(30, 40, 1);
  CHECK(b.ramb36 == 1);
  CHECK(b.ramb18 == 0);
  // 750 x 512: 29 RAMB18 at 1K x 18.
  auto c = block_ram(750, 512, 1);
  CHECK(c.ramb18 == 29);
  // Two read ports share one true-dual-port copy.
  auto d = block_ram(84, 66, 2);
  CHECK(d.bram36() == Approx(2.0));
}

TEST_CASE("memories under the distributed threshold go to LUTs, the others to block RAM",
          "[resource]") {
  // block RAM would hold fewer than 4,096 bits per RAMB18: LUTs (and at most 32,768 bits)
  CHECK(distributed_memory(64, 8));           // 512 bits in one RAMB18
  CHECK(distributed_memory(455, 9));          // 4,095 bits in one RAMB18
  CHECK_FALSE(distributed_memory(512, 8));    // 4,096 bits in one RAMB18: the threshold
  CHECK_FALSE(distributed_memory(1024, 18));  // a full RAMB18
  CHECK(distributed_memory(2, 1000));         // 2,000 bits spread over 28 RAMB18 (36 bits each)
  CHECK_FALSE(distributed_memory(64, 600));   // 38,400 bits: over kDistributedMaxBits
  CHECK_FALSE(distributed_memory(0, 8));

  // The generator sets MEM_STYLE by that rule, and the model counts the memory by it: LeNet's
  // conv2 weights (16 x 150 x 8 bits) and conv1's 224 x 8 line buffers in LUTs, fc1's 384,000
  // weight bits in block RAM.
  const Network net = load_network_yaml(config("lenet.yaml"));
  HwPlan plan = plan_hardware(net);
  auto style = [](const Instance& inst) {
    for (const auto& [k, v] : inst.params)
      if (k == "MEM_STYLE") return v;
    return std::string("none");
  };
  int lut_mems = 0, block_mems = 0;
  for (auto& hw : plan.layers)
    for (auto& inst : hw.instances) {
      const bool memory = inst.module == "rtlgen_swg" || inst.module == "rtlgen_mvu" ||
                          inst.module == "rtlgen_dwu" || inst.module == "rtlgen_requant";
      INFO(inst.name << " MEM_STYLE " << style(inst));
      if (!memory) {
        CHECK(style(inst) == "none");
        continue;
      }
      REQUIRE((style(inst) == "0" || style(inst) == "1"));
      if (inst.name == "conv1_swg" || inst.name == "conv2_mvu") CHECK(style(inst) == "1");
      if (inst.name == "fc1_mvu") CHECK(style(inst) == "0");
      const ResourceCounts c = estimate_instance(inst, hw.mems);
      // the other style, counted by the same model
      Instance flipped = inst;
      for (auto& [k, v] : flipped.params)
        if (k == "MEM_STYLE") v = v == "1" ? "0" : "1";
      const ResourceCounts f = estimate_instance(flipped, hw.mems);
      if (style(inst) == "1") {
        ++lut_mems;
        CHECK(c.bram36() == 0);
        CHECK(f.bram36() > 0);
        CHECK(c.lut + c.lutram > f.lut + f.lutram);
      } else {
        // (a one-word or all-constant ROM is logic in either style: no block RAM)
        if (c.bram36() > 0) ++block_mems;
        CHECK(f.bram36() == 0);
      }
    }
  CHECK(lut_mems > 0);
  CHECK(block_mems > 0);
}
