// Shared depthwise units (rtlgen_dwu_shared): the folding packs light depthwise layers into
// units within kSharedUnitMaxLoad of the target, saves multipliers and keeps U >= 0.85 where a
// unit per layer cannot; the planner instantiates one unit per group with the members' streams,
// zero points and concatenated weights; YAML carries `hw.share` both ways; bad groupings are
// refused naming the layer. (Bit-exactness and cycles: tests/rtl dwu_shared_* and the
// sim_zoo_mobilenet96_shared64 regression.)
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "net_builder.hpp"
#include "rtlgen/error.hpp"
#include "rtlgen/folding.hpp"
#include "rtlgen/hw_plan.hpp"
#include "rtlgen/network_io.hpp"
#include "rtlgen/passes.hpp"
#include "rtlgen/weight_packing.hpp"
#include "rtlgen/yaml_loader.hpp"
#include "rtlgen/yaml_writer.hpp"

using namespace rtlgen;
namespace fs = std::filesystem;

namespace {

std::string zoo(const std::string& m) {
  return std::string(RTLGEN_SOURCE_DIR) + "/configs/zoo/" + m + "/" + m + ".yaml";
}

FoldTarget budget(int64_t n, bool share = true, double floor = kDefaultMinUtilisation) {
  FoldTarget t;
  t.max_multipliers = n;
  t.share_depthwise = share;
  t.min_utilisation = floor;
  return t;
}

std::string param_of(const Instance& inst, const std::string& name) {
  for (const auto& [k, v] : inst.params)
    if (k == name) return v.verilog();
  return "";
}

const Instance* find_instance(const HwPlan& plan, const std::string& module,
                              const std::string& name) {
  for (const auto& hw : plan.layers)
    for (const auto& inst : hw.instances)
      if (inst.module == module && inst.name == name) return &inst;
  return nullptr;
}

}  // namespace

TEST_CASE("light depthwise layers share a unit: fewer multipliers, U above the floor",
          "[fold][share]") {
  Network net = load_network_yaml(zoo("mobilenet96"));
  prepare_network(net);
  Network own = net;
  const FoldReport r = choose_folding(net, budget(64));
  const FoldReport o = choose_folding(own, budget(64, false));
  INFO("shared: " << r.multipliers << " mults, " << r.bottleneck_cycles
                  << " cycles; own units: " << o.multipliers << " mults, " << o.bottleneck_cycles);
  REQUIRE_FALSE(r.shared.empty());
  CHECK(o.shared.empty());
  CHECK(r.multipliers <= 64);
  // never slower within the same budget, and the multipliers are better used
  CHECK(r.bottleneck_cycles <= o.bottleneck_cycles);
  CHECK(r.utilisation() >= kDefaultMinUtilisation);
  CHECK(r.utilisation() > o.utilisation());

  const HwPlan plan = plan_hardware(net);
  CHECK(plan.multipliers == r.multipliers);
  CHECK(plan.est_cycles_per_frame == r.bottleneck_cycles);
  for (const SharedUnit& u : r.shared) {
    INFO("unit " << u.name);
    REQUIRE(u.layers.size() >= 2);
    CHECK(double(u.cycles) <= kSharedUnitMaxLoad * double(r.target_cycles));
    // one instance, on the last member, with every member's streams and constants
    const Instance* d = find_instance(plan, "rtlgen_dwu_shared", u.name + "_dwu");
    REQUIRE(d != nullptr);
    CHECK(param_of(*d, "N") == std::to_string(u.layers.size()));
    CHECK(param_of(*d, "PE") == std::to_string(u.pe));
    int64_t words = 0, busy = 0, mults = 0;
    for (const auto& name : u.layers) {
      const Layer* l = net.find(name);
      REQUIRE(l != nullptr);
      CHECK(l->folding.share == u.name);
      CHECK(l->folding.pe == u.pe);
      CHECK(l->out_shape.c % u.pe == 0);
      words += l->out_shape.c / u.pe * l->kernel_h * l->kernel_w;
      busy += int64_t(l->out_shape.h) * l->out_shape.w * (l->out_shape.c / u.pe) * l->kernel_h *
              l->kernel_w;
      CHECK(param_of(*d, "s_axis_tdata").empty());  // ports, not parameters
      bool wired = false;
      for (const auto& [port, net_expr] : d->ports)
        if (port == "s_axis_tdata") wired = net_expr.find(name + "_win_tdata") != std::string::npos;
      CHECK(wired);
      for (const auto& hw : plan.layers)
        if (hw.layer == name) {
          CHECK(hw.shared_unit == u.name);
          CHECK(hw.est_cycles >= busy);  // the unit's cycles, not the member's alone
          mults += hw.multipliers;
        }
    }
    CHECK(busy == u.cycles);
    CHECK(mults == u.pe);  // counted once, on the last member
    bool mem_found = false;
    for (const auto& hw : plan.layers)
      for (const auto& m : hw.mems)
        if (m.name == u.name + "_weights.mem") {
          mem_found = true;
          CHECK(int64_t(m.words.size()) == words);
          CHECK(m.word_bits == u.pe * 8);
        }
    CHECK(mem_found);
  }
  // The first member's weights open the unit's ROM in the documented layout.
  const SharedUnit& u0 = r.shared.front();
  const Layer* first = net.find(u0.layers.front());
  const int c = first->out_shape.c, taps = first->kernel_h * first->kernel_w;
  std::vector<int32_t> w_ct(size_t(c) * taps);
  for (int t = 0; t < taps; ++t)
    for (int ch = 0; ch < c; ++ch) w_ct[size_t(ch) * taps + t] = first->weights[size_t(t) * c + ch];
  const std::vector<std::string> expect = pack_depthwise_weights(w_ct, c, taps, u0.pe);
  for (const auto& hw : plan.layers)
    for (const auto& m : hw.mems)
      if (m.name == u0.name + "_weights.mem")
        for (size_t i = 0; i < expect.size(); ++i) CHECK(m.words[i].hex() == expect[i]);
}

// One requantizer for the unit (REQUANT 1) instead of one per member: the members keep no
// rtlgen_requant of their own, the unit's parameter ROM holds every member's channels in member
// order, the result slots cover its latency, and the DSP count drops by the members' own
// requantizers while the cycles per frame stay.
TEST_CASE("a shared depthwise unit requantizes for all its members", "[fold][share]") {
  Network net = load_network_yaml(zoo("mobilenet96"));
  prepare_network(net);
  const FoldReport r = choose_folding(net, budget(64));
  REQUIRE_FALSE(r.shared.empty());
  const HwPlan plan = plan_hardware(net);
  CHECK(plan.est_cycles_per_frame == r.bottleneck_cycles);
  for (const SharedUnit& u : r.shared) {
    INFO("unit " << u.name);
    const Instance* d = find_instance(plan, "rtlgen_dwu_shared", u.name + "_dwu");
    REQUIRE(d != nullptr);
    CHECK(param_of(*d, "REQUANT") == "1");
    const int rq = std::stoi(param_of(*d, "RQ_PE"));
    const int split = u.pe / rq, mul_cycles = std::stoi(param_of(*d, "MUL_CYCLES"));
    const int taps = std::stoi(param_of(*d, "TAPS"));
    CHECK(split * mul_cycles <= taps);  // never holds the array up
    const int latency = split == 1 ? 19 : 20 + (split - 1) * mul_cycles;
    CHECK((std::stoi(param_of(*d, "OUT_DEPTH")) - 1) * taps >= latency);
    int64_t groups = 0;
    for (const auto& name : u.layers) {
      const Layer* l = net.find(name);
      REQUIRE(l != nullptr);
      groups += l->out_shape.c / rq;
      for (const auto& hw : plan.layers)
        if (hw.layer == name)
          for (const auto& inst : hw.instances) CHECK(inst.module != "rtlgen_requant");
    }
    bool found = false;
    for (const auto& hw : plan.layers)
      for (const auto& m : hw.mems)
        if (m.name == u.name + "_requant.mem") {
          found = true;
          CHECK(int64_t(m.words.size()) == groups);
          CHECK(m.word_bits == rq * 72);
        }
    CHECK(found);
  }
}

TEST_CASE("sharing never costs: budgets on networks without light depthwise layers",
          "[fold][share]") {
  for (int64_t b : {16, 64, 512}) {
    Network a = load_network_yaml(std::string(RTLGEN_SOURCE_DIR) + "/configs/lenet.yaml");
    Network c = a;
    const FoldReport with = choose_folding(a, budget(b));
    const FoldReport without = choose_folding(c, budget(b, false));
    INFO("budget " << b);
    CHECK(with.shared.empty());
    CHECK(with.multipliers == without.multipliers);
    CHECK(with.bottleneck_cycles == without.bottleneck_cycles);
  }
  // dscnn_kws: at every budget the fastest folding with sharing is at least as fast as
  // without (utilisation floor off: with it, sharing may reach the floor at a slower T)
  for (int64_t b : {32, 64, 128, 256}) {
    Network a = load_network_yaml(zoo("dscnn_kws"));
    Network c = a;
    const FoldReport with = choose_folding(a, budget(b, true, 0.0));
    const FoldReport without = choose_folding(c, budget(b, false, 0.0));
    INFO("budget " << b);
    CHECK(with.multipliers <= b);
    CHECK(with.bottleneck_cycles <= without.bottleneck_cycles);
    CHECK(plan_hardware(a).est_cycles_per_frame == with.bottleneck_cycles);
  }
}

TEST_CASE("seed MobileNet at 64 multipliers: U >= 0.85 with a shared unit", "[fold][share]") {
  const fs::path model = test::seed_mobilenet();
  if (!fs::exists(model)) {
    WARN("skipped: " << model.string() << " not found (../shared absent)");
    return;
  }
  for (int64_t b : {64, 96, 128, 256}) {
    Network net = load_network(model.string());  // folded at its default budget
    const FoldReport r = choose_folding(net, budget(b));
    INFO("budget " << b << ": " << r.multipliers << " mults, " << r.bottleneck_cycles
                   << " cycles, U " << r.utilisation());
    CHECK(r.multipliers <= b);
    CHECK(r.utilisation() >= 0.85);
    CHECK_FALSE(r.shared.empty());
    CHECK(plan_hardware(net).est_cycles_per_frame == r.bottleneck_cycles);
  }
  // the figure the closing note quotes: 262,144 cycles per frame on 55 multipliers at 64
  Network net = load_network(model.string());
  const FoldReport r = choose_folding(net, budget(64));
  CHECK(r.bottleneck_cycles == 262144);
  CHECK(r.multipliers == 55);
}

TEST_CASE("hw.share in YAML: round trip, and bad groupings are refused", "[fold][share]") {
  const fs::path dir = fs::temp_directory_path() / "rtlgen_share_yaml_test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  Network net = load_network_yaml(zoo("mobilenet96"));
  prepare_network(net);
  const FoldReport r = choose_folding(net, budget(64));
  REQUIRE_FALSE(r.shared.empty());
  write_network_yaml(net, (dir / "m.yaml").string(), "m_params");
  const Network back = load_network_yaml((dir / "m.yaml").string());
  std::map<std::string, std::string> a, b;
  for (const auto& l : net.layers) a[l.name] = l.folding.share;
  for (const auto& l : back.layers) b[l.name] = l.folding.share;
  CHECK(a == b);
  CHECK(plan_hardware(back).multipliers == r.multipliers);

  const std::string text = [&] {
    std::ifstream f(dir / "m.yaml");
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  }();
  auto rewrite = [&](const std::string& from, const std::string& to) {
    std::string t = text;
    const size_t at = t.find(from);
    REQUIRE(at != std::string::npos);
    t.replace(at, from.size(), to);
    std::ofstream(dir / "bad.yaml") << t;
    return (dir / "bad.yaml").string();
  };
  const std::string unit = r.shared.front().name;
  const std::string pe = std::to_string(r.shared.front().pe);
  // a member with another PE: the plan names the layer and the fix
  const std::string bad_pe = rewrite(
      "{pe: " + pe + ", simd: 1, share: " + unit + "}",
      "{pe: " + std::to_string(r.shared.front().pe / 2) + ", simd: 1, share: " + unit + "}");
  CHECK_THROWS_WITH(
      plan_hardware(load_network_yaml(bad_pe)),
      Catch::Contains("shares depthwise unit '" + unit + "'") && Catch::Contains("same hw.pe"));
  // a unit named like a layer: its instance and weight file would collide
  const Layer* some = nullptr;
  for (const auto& l : net.layers)
    if (l.folding.share.empty()) some = &l;
  REQUIRE(some != nullptr);
  std::string renamed = text;
  for (size_t at = renamed.find("share: " + unit); at != std::string::npos;
       at = renamed.find("share: " + unit, at + 1))
    renamed.replace(at, 7 + unit.size(), "share: " + some->name);
  std::ofstream(dir / "clash.yaml") << renamed;
  CHECK_THROWS_WITH(plan_hardware(load_network_yaml((dir / "clash.yaml").string())),
                    Catch::Contains("also the name of a tensor"));
  // share on a convolution, and a name that is no identifier: refused by the loader with a line
  const std::string conv_share = rewrite("hw: {pe: 1, simd: 4}", "hw: {pe: 1, simd: 4, share: u}");
  CHECK_THROWS_WITH(load_network_yaml(conv_share),
                    Catch::Contains("bad.yaml:") && Catch::Contains("only depthwise_conv2d"));
  const std::string bad_name = rewrite("share: " + unit, "share: 9bad-name");
  CHECK_THROWS_WITH(load_network_yaml(bad_name),
                    Catch::Contains("bad.yaml:") && Catch::Contains("hw: share"));
  fs::remove_all(dir);
}
