// Automatic folding: budgets are respected, the bottleneck is what the plan measures, targets
// that cannot be met are refused with the limiting stage, and every choice is one the
// templates accept (the planner re-checks it).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "rtlgen/error.hpp"
#include "rtlgen/folding.hpp"
#include "rtlgen/hw_plan.hpp"
#include "rtlgen/network_io.hpp"
#include "rtlgen/passes.hpp"
#include "rtlgen/yaml_loader.hpp"
#include "net_builder.hpp"

using namespace rtlgen;

namespace {

std::string config(const std::string& name) {
  return std::string(RTLGEN_SOURCE_DIR) + "/configs/" + name;
}

// A budget with the utilisation floor off (always the fastest folding), or at `floor`.
FoldTarget budget(int64_t n, double floor = 0.0) {
  FoldTarget t;
  t.max_multipliers = n;
  t.min_utilisation = floor;
  return t;
}

}  // namespace

TEST_CASE("folding to a multiplier budget: within budget, balanced, planner agrees", "[fold]") {
  int64_t previous = INT64_MAX;
  for (int64_t b : {5, 16, 30, 64, 256, 712, 1024, 4096}) {
    Network net = load_network_yaml(config("lenet.yaml"));
    const FoldReport r = choose_folding(net, budget(b));
    INFO("budget " << b);
    CHECK(r.multipliers <= b);
    CHECK(r.bottleneck_cycles <= r.target_cycles);
    CHECK(r.bottleneck_cycles <= previous);  // more multipliers never make it slower
    previous = r.bottleneck_cycles;
    const HwPlan plan = plan_hardware(net);  // throws if a choice is one the templates refuse
    CHECK(plan.multipliers == r.multipliers);
    CHECK(plan.est_cycles_per_frame == r.bottleneck_cycles);
    // Minimality: one cycle less than the chosen bottleneck needs more than the budget.
    Network tighter = load_network_yaml(config("lenet.yaml"));
    FoldTarget fps;
    fps.clock_mhz = 1.0;
    fps.target_fps = 1e6 / double(r.bottleneck_cycles - 1);
    bool over = false;
    try {
      over = choose_folding(tighter, fps).multipliers > b;
    } catch (const Error&) {
      over = true;  // not reachable at all
    }
    CHECK(over);
  }
}

TEST_CASE("the utilisation floor trades a few percent of speed for idle multipliers", "[fold]") {
  for (int64_t b : {64, 256, 526, 712, 1024, 4096}) {
    INFO("budget " << b);
    Network fastest_net = load_network_yaml(config("lenet.yaml"));
    const FoldReport fastest = choose_folding(fastest_net, budget(b));
    Network net = load_network_yaml(config("lenet.yaml"));
    const FoldReport r = choose_folding(net, budget(b, 0.85));
    CHECK(r.multipliers <= b);
    CHECK(r.bottleneck_cycles >= fastest.bottleneck_cycles);
    if (fastest.utilisation() >= 0.85) {
      CHECK(r.bottleneck_cycles == fastest.bottleneck_cycles);  // the floor changes nothing
      CHECK(r.fastest_cycles == 0);
    } else {
      CHECK(r.utilisation() >= 0.85);
      CHECK(r.fastest_cycles == fastest.bottleneck_cycles);
      CHECK(r.fastest_multipliers == fastest.multipliers);
    }
    CHECK(plan_hardware(net).est_cycles_per_frame == r.bottleneck_cycles);
  }
  // LeNet: 784 cycles per frame (the 28 x 28 window bound) needs 710 multipliers (U 0.748)
  // because conv2's divisors jump from 300 to 480; 800 cycles needs 526 (U 0.990).
  Network net = load_network_yaml(config("lenet.yaml"));
  const FoldReport r = choose_folding(net, budget(1024, 0.85));
  CHECK(r.bottleneck_cycles == 800);
  CHECK(r.multipliers == 526);
  CHECK(r.fastest_cycles == 784);
  CHECK(r.fastest_multipliers == 710);
  // The default FoldTarget has the floor on.
  Network d = load_network_yaml(config("lenet.yaml"));
  FoldTarget t;
  t.max_multipliers = 1024;
  CHECK(choose_folding(d, t).bottleneck_cycles == 800);
}

TEST_CASE("the input stream width is part of the folding", "[fold]") {
  // LeNet's conv1 (SAME, 28 x 28 windows, one per cycle) bounds it at 784 cycles whatever the
  // input width: the narrowest input is kept.
  Network lenet = load_network_yaml(config("lenet.yaml"));
  CHECK(choose_folding(lenet, budget(100000)).bottleneck_cycles == 784);
  CHECK(lenet.input.pixels_per_beat == 1);
  // A VALID 3x3 conv on 16 x 16: 196 windows but 256 input pixels, so one pixel per beat would
  // leave the input as the bottleneck; two pixels per beat let the windows set the pace.
  Network n = test::network({16, 16, 1}, test::q(DType::Int8, 0.02f, 0));
  Layer& c = test::add(n, test::weighted(OpKind::Conv2D, {4, 3, 3, 1},
                                         std::vector<int32_t>(36, 1), {0.01f},
                                         test::q(DType::Int8, 0.1f, 0)));
  c.padding = Padding::Valid;
  prepare_network(n);
  const FoldReport r = choose_folding(n, budget(1000));
  CHECK(r.bottleneck_cycles == 196);
  CHECK(n.input.pixels_per_beat == 2);
  CHECK(plan_hardware(n).input.elems == 2);
}

TEST_CASE("a frame rate beyond the input stream is refused naming the limit", "[fold]") {
  Network net = load_network_yaml(config("lenet.yaml"));
  FoldTarget t;
  t.target_fps = 1e6;  // 200 cycles per frame at 200 MHz < 784 input beats
  CHECK_THROWS_WITH(choose_folding(net, t), Catch::Contains("input stream") &&
                                                Catch::Contains("lower the target frame rate"));
  t.target_fps = 200e6 / 23520.0;  // exactly lenet_small's bottleneck
  const FoldReport r = choose_folding(net, t);
  CHECK(r.bottleneck_cycles <= 23520);
  CHECK(r.multipliers <= 32);
  CHECK_THROWS_WITH(choose_folding(net, budget(4)), Catch::Contains("at least 5 multipliers"));
}

TEST_CASE("candidates respect divisibility and stream joins", "[fold]") {
  const Network net = load_network_yaml(config("lenet.yaml"));
  for (const Layer& l : net.layers)
    for (int in_elems : {1, 2, 4}) {
      if (net.shape_of(l.inputs[0]).c % in_elems) continue;
      for (const FoldChoice& c : fold_candidates(net, l, in_elems)) {
        if (!has_weights(l.op)) continue;
        CHECK(output_channels(l) % c.pe == 0);
        CHECK(c.multipliers == c.pe * c.simd);
        if (l.op == OpKind::FullyConnected)
          CHECK((c.simd % in_elems == 0 || in_elems % c.simd == 0));
      }
    }
}

TEST_CASE("YAML fold: replaces the hw hints; bad fold specs are refused", "[fold]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / "rtlgen_fold_yaml_test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string text = [] {
    std::ifstream f(config("lenet_small.yaml"));
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  }();
  auto write = [&](const std::string& head) {
    std::ofstream(dir / "n.yaml")
        << head << "params: " << config("lenet_params") << "\n"
        << text.substr(text.find("input:"));
  };
  write("network: lenet\nfold: {max_multipliers: 64}\n");
  const Network net = load_network((dir / "n.yaml").string());
  const HwPlan plan = plan_hardware(net);
  CHECK(plan.multipliers <= 64);
  CHECK(plan.multipliers > 32);
  write("network: lenet\nfold: {max_multipliers: 0}\n");
  CHECK_THROWS_WITH(load_network((dir / "n.yaml").string()), Catch::Contains("n.yaml:2"));
  write("network: lenet\nfold: {max_multipliers: 64, min_utilisation: 1.5}\n");
  CHECK_THROWS_WITH(load_network((dir / "n.yaml").string()),
                    Catch::Contains("n.yaml:2") && Catch::Contains("min_utilisation must lie"));
  write("network: lenet\nfold: {max_multipliers: 1024, min_utilisation: 0}\n");
  CHECK(plan_hardware(load_network((dir / "n.yaml").string())).est_cycles_per_frame == 784);
  write("network: lenet\nfold: {max_multipliers: 1024}\n");
  CHECK(plan_hardware(load_network((dir / "n.yaml").string())).est_cycles_per_frame == 800);
  write("network: lenet\nfold: {speed: 3}\n");
  CHECK_THROWS_WITH(load_network((dir / "n.yaml").string()),
                    Catch::Contains("unknown key 'speed'"));
  fs::remove_all(dir);
}
