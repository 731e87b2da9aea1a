// The ECP5 resource model (resource_model_ecp5.cpp) against Yosys synth_ecp5 with RTLGEN_ECP5,
// as `rtlgen pnr` runs it.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "pixel_words.hpp"
#include "rtlgen/hw_plan.hpp"
#include "rtlgen/resource_model.hpp"
#include "rtlgen/yaml_loader.hpp"
#include "yosys_memories.hpp"

using namespace rtlgen;

namespace {

double rel(double estimate, double measured) { return std::fabs(estimate - measured) / measured; }

}  // namespace

// Yosys 0.23 and 0.70 synth_ecp5 -noflatten on one memory each (tests/yosys_memories.hpp; both
// versions give the same counts): DP16KD cells (the 36-bit PDPW16KD mode is a DP16KD cell too).
// A ROM takes DP16KD at 16384 x 1 .. 1024 x 18 or the 512 x 36 mode, address ranges packed side
// by side (1,152 x 128: 11); a written memory pads its word to 9-bit bytes and takes the 36-bit
// mode only at 36 bits a port (96 x 512: 15).
TEST_CASE("ECP5 block RAM counts are those of Yosys synth_ecp5", "[resource][ecp5]") {
  struct Shape {
    bool written;
    int64_t words, width, dp16kd;
  };
  for (const Shape& s :
       {Shape{false, 1152, 128, 11}, Shape{false, 1152, 256, 22}, Shape{false, 600, 100, 6},
        Shape{false, 1500, 20, 2}, Shape{false, 200, 96, 3}, Shape{false, 472, 32, 1},
        Shape{false, 5000, 9, 3}, Shape{false, 3000, 30, 5}, Shape{false, 100, 300, 9},
        Shape{false, 20000, 3, 4}, Shape{false, 840, 8, 1}, Shape{true, 2200, 20, 4},
        Shape{true, 300, 130, 4}, Shape{true, 1100, 64, 6}, Shape{true, 640, 48, 3},
        Shape{true, 96, 512, 15}, Shape{true, 1536, 40, 4}, Shape{true, 60, 36, 1},
        Shape{true, 50, 54, 2}}) {
    INFO((s.written ? "RAM " : "ROM ") << s.words << " x " << s.width);
    const ResourceCounts c = block_ram_ecp5(s.words, s.width, 1, s.written);
    CHECK(c.ramb18 == s.dp16kd);
    CHECK(c.ramb36 == 0);
  }
}

// Yosys itself (when installed; ~10-30 s) on four of those memories.
TEST_CASE("ECP5 block RAM model against a Yosys synth_ecp5 run", "[resource][ecp5][yosys]") {
  if (!rtlgen_test::have_yosys()) {
    WARN("skipped: yosys not found");
    return;
  }
  const std::vector<rtlgen_test::MemoryShape> shapes = {
      {false, 1152, 128}, {false, 200, 96}, {true, 96, 512}, {true, 50, 54}};
  auto cells = rtlgen_test::yosys_memory_cells(shapes, "synth_ecp5 -noflatten", {"DP16KD"});
  REQUIRE_FALSE(cells.count("(yosys failed)"));
  for (size_t k = 0; k < shapes.size(); ++k) {
    const auto& s = shapes[k];
    INFO((s.written ? "RAM " : "ROM ") << s.words << " x " << s.width);
    CHECK(cells["m" + std::to_string(k)]["DP16KD"] ==
          block_ram_ecp5(s.words, s.width, 1, s.written).ramb18);
  }
}

// Yosys 0.70 (YoWASP, the flow's default) synth_ecp5 -noflatten with RTLGEN_ECP5, each
// instance's cells summed (LUT4 sites = LUT4 + 2 x CCU2C). The LUT4 / FF terms were fitted on
// the instances of LeNet small, LeNet at 64 multipliers and a DS-CNN folding (145 multipliers),
// and checked on mobilenet96 (107) and ResNet-8 (89), all within 3% in total, on the templates
// before 7d546e7 / 2262ac9 (wide ROMs and input buffers declared 1024 deep, requantizer ROMs
// over 32 words in block RAM). The figures below are on the templates after them:
//   LeNet small (30 multipliers): 9,556 LUT4 sites, 10,255 FF, 53 MULT18X18D, 878
//     TRELLIS_DPR16X4, 58 DP16KD on the templates after cd027a6 (the window's pixel assembly by
//     shifting; before it 9,974 LUT4 sites (6,680 LUT4 + 1,647 CCU2C), the rest the same, 218 s
//     at load 12; before 7d546e7: 10,537, 10,351, 53, 890, 40. Debian's Yosys 0.23 then: 14,292
//     LUT4 sites, 10,421 FF). The DS-CNN folded to the LFE5U-85F (141 multipliers) after
//     cd027a6: 36,807 LUT4 sites (model 38,427), 30,222 FF (30,802), 111 / 2,572 / 123 exact.
// Multipliers, LUT RAM and block RAM exact; LUT4 sites and FF within 10%.
TEST_CASE("ECP5 resource model matches Yosys synth_ecp5 on generated designs", "[resource][ecp5]") {
  struct Point {
    const char* yaml;  // relative to the source tree
    double lut, ff;
    int64_t dsp, dpr, dp16kd;
  };
  for (const Point& p : {Point{"configs/lenet_small.yaml", 9556, 10255, 53, 878, 58}}) {
    const Network net = load_network_yaml(std::string(RTLGEN_SOURCE_DIR) + "/" + p.yaml);
    HwPlan plan = plan_hardware(net);
    test::pixel_words(plan);  // (measured on whole-pixel line buffers)
    const ResourceEstimate e = estimate_resources(plan, ResourceFamily::Ecp5);
    INFO(p.yaml << ": LUT4 " << e.total.lut << " FF " << e.total.ff << " MULT18X18D " << e.total.dsp
                << " DPR16X4 " << e.total.lutram << " DP16KD " << e.total.ramb18);
    CHECK(rel(double(e.total.lut), p.lut) <= 0.10);
    CHECK(rel(double(e.total.ff), p.ff) <= 0.10);
    CHECK(e.total.dsp == p.dsp);
    CHECK(e.total.lutram == p.dpr);
    CHECK(e.total.ramb18 == p.dp16kd);
  }
}

// rtlgen_requant's parameter ROM in block RAM: Yosys 0.70 synth_ecp5 -noflatten on the template
// with 64-word ROMs whose bias (32 bits) and M (29 bits) columns vary and whose shift is one
// value, two negative ones or two positive ones (61, 62, 63 varying columns in 4 blocks of 18).
// The fourth block holds only high bias bits; it stays when the lane reads one of them (bias
// bits below MUL_BITS + 1, or below MUL_BITS with single rounding). The DS-CNN folded to the
// LFE5U-85F has three such ROMs (MUL_BITS 20-22): 3 DP16KD each, where 4 were counted.
TEST_CASE("ECP5 requantizer ROM blocks holding only unread bias bits are not counted",
          "[resource][ecp5]") {
  struct Case {
    std::vector<int> shifts;
    int64_t mul_bits, rounding, dp16kd;
  };
  for (const Case& k : {Case{{-7}, 22, 0, 3}, Case{{-7}, 24, 0, 3}, Case{{-8, -7}, 23, 0, 3},
                        Case{{-8, -7}, 23, 1, 3}, Case{{1, 2}, 22, 0, 3}, Case{{1, 2}, 23, 0, 4},
                        Case{{1, 2}, 23, 1, 3}, Case{{1, 2}, 24, 1, 4}}) {
    MemFile mem{"rq.mem", {}, 72};
    for (uint64_t i = 0; i < 64; ++i) {
      const uint64_t bias = (i * 0x9E3779B1u) & 0xFFFFFFFFu,
                     m = 0x20000000u | ((i * 0x2545F491u) & 0x1FFFFFFFu),
                     shift = uint64_t(k.shifts[i % k.shifts.size()]) & 0xFFu;
      // {bias, M, shift}: 72 bits
      mem.words.push_back(requant_word(int32_t(uint32_t(bias)),
                                       {int32_t(uint32_t(m)), int(int8_t(uint8_t(shift)))}));
    }
    Instance inst{"rtlgen_requant", "rq", {}, {}};
    inst.params.emplace_back("PE", ParamValue::integer(1));
    inst.params.emplace_back("CHANNELS", ParamValue::integer(64));
    inst.params.emplace_back("ACC_BITS", ParamValue::integer(k.mul_bits - 1));
    inst.params.emplace_back("MUL_BITS", ParamValue::integer(k.mul_bits));
    inst.params.emplace_back("MUL_CYCLES", ParamValue::integer(2));
    inst.params.emplace_back("PARAM_FILE", ParamValue::string("rq.mem"));
    inst.params.emplace_back("ROUNDING", ParamValue::integer(k.rounding));
    inst.params.emplace_back("MEM_STYLE", ParamValue::integer(0));
    INFO("shifts " << k.shifts.size() << " first " << k.shifts[0] << ", MUL_BITS " << k.mul_bits
                   << ", ROUNDING " << k.rounding);
    CHECK(estimate_instance_ecp5(inst, {mem}).ramb18 == k.dp16kd);
  }
}
