// Folding to a device: the chosen folding's estimate fits the device at the fill and a faster one
// does not; designs or weights that cannot fit are refused naming the resource and the amounts;
// the device travels through the YAML to generate, the report and the vendor scripts.
#include <fmt/format.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "net_builder.hpp"
#include "pixel_words.hpp"
#include "rtlgen/emit.hpp"
#include "rtlgen/emit_vendor.hpp"
#include "rtlgen/error.hpp"
#include "rtlgen/folding.hpp"
#include "rtlgen/hw_plan.hpp"
#include "rtlgen/network_io.hpp"
#include "rtlgen/passes.hpp"
#include "rtlgen/resource_model.hpp"
#include "rtlgen/yaml_loader.hpp"
#include "rtlgen/yaml_writer.hpp"

using namespace rtlgen;
namespace fs = std::filesystem;

namespace {

std::string config(const std::string& name) {
  return std::string(RTLGEN_SOURCE_DIR) + "/configs/" + name;
}

FoldTarget device_target(const std::string& device, double fill) {
  FoldTarget t;
  t.device = device;
  t.fill = fill;
  return t;
}

// (pixel_words: with every line buffer in whole-pixel words, as the plan made them before
// channel-chunk words; see pixel_words.hpp)
DeviceFit fit_of(const Network& net, const std::string& device, bool pixel_words = false) {
  HwPlan plan = plan_hardware(net);
  if (pixel_words) test::pixel_words(plan);
  return fit_to_device(estimate_resources(plan), plan, find_device(device));
}

// configs/lenet.yaml with `head` in place of its params line (absolute params path).
fs::path lenet_with(const std::string& head) {
  const fs::path dir =
      fs::temp_directory_path() / ("rtlgen_fold_device_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ifstream in(config("lenet.yaml"));
  std::stringstream ss;
  ss << in.rdbuf();
  std::string y = ss.str();
  const std::string key = "params: lenet_params";
  const size_t p = y.find(key);
  REQUIRE(p != std::string::npos);
  y.replace(p, key.size(), "params: " + config("lenet_params") + "\n" + head);
  const fs::path f = dir / "lenet_dev.yaml";
  std::ofstream(f) << y;
  return f;
}

// `net` written to YAML and read back (in a scratch folder, removed): the folding's choices
// must travel.
Network through_yaml(const Network& net, const std::string& stem) {
  const fs::path out = lenet_with("").parent_path() / (stem + ".yaml");
  write_network_yaml(net, out.string(), stem + "_params");
  Network back = load_network(out.string());
  fs::remove_all(out.parent_path());
  REQUIRE(back.layers.size() == net.layers.size());
  return back;
}

}  // namespace

TEST_CASE("fold --device: the fastest folding whose estimate fits at the fill", "[fold][device]") {
  // (xcu250: the fastest folding of all fits; the folding left in the network must be that one,
  // not the last budget tried)
  for (const char* dev : {"xc7z020", "xc7a100t", "LFE5U-85F", "xcu250"}) {
    for (double fill : {0.5, 0.8}) {
      Network net = load_network_yaml(config("lenet.yaml"));
      const FoldReport r = choose_folding(net, device_target(dev, fill));
      CHECK(net.device == dev);
      CHECK(r.device == find_device(dev).name);
      const DeviceFit fit = fit_of(net, dev);
      INFO(dev << " fill " << fill << ": " << fit.summary());
      CHECK(fit.fits(fill));
      CHECK(plan_hardware(net).est_cycles_per_frame == r.bottleneck_cycles);
      // Every faster folding (a larger budget) breaks the fill.
      Network faster = load_network_yaml(config("lenet.yaml"));
      FoldTarget b;
      b.max_multipliers = r.multipliers * 2 + 16;
      b.min_utilisation = 0;
      const FoldReport rf = choose_folding(faster, b);
      if (rf.bottleneck_cycles < r.bottleneck_cycles) CHECK_FALSE(fit_of(faster, dev).fits(fill));
    }
  }
  // A larger fill never folds slower.
  Network a = load_network_yaml(config("lenet.yaml")), b = load_network_yaml(config("lenet.yaml"));
  CHECK(choose_folding(a, device_target("xc7z020", 0.9)).bottleneck_cycles <=
        choose_folding(b, device_target("xc7z020", 0.3)).bottleneck_cycles);
}

TEST_CASE("fold --device refuses what cannot fit, naming the resource and the amounts",
          "[fold][device]") {
  Network net = load_network_yaml(config("lenet.yaml"));
  // LeNet's weights take more block RAM than 3% of an xc7z010 holds, even at one multiplier
  // per layer.
  CHECK_THROWS_WITH(choose_folding(net, device_target("xc7z010", 0.03)),
                    Catch::Contains("does not fit xc7z010 at fill 0.03") &&
                        Catch::Contains("RAMB36") && Catch::Contains("(0.03 x 60)"));
  CHECK_THROWS_WITH(choose_folding(net, device_target("xc7z020", 1.5)),
                    Catch::Contains("fill 1.5 must lie in (0, 1]"));
  CHECK_THROWS_WITH(choose_folding(net, device_target("xc9z999", 0.8)),
                    Catch::Contains("unknown device 'xc9z999'") && Catch::Contains("pynq-z2"));
}

TEST_CASE("weights larger than all on-chip memory of the device are reported in bits",
          "[fold][device]") {
  // A 2048 x 1024 fully-connected layer: 16 Mbit of weights against the LFE5U-25F's ~1.2 Mbit.
  Network net;
  net.name = "big";
  net.source = "<test>";
  net.input.shape = {1, 1, 2048};
  net.input.quant = {DType::Int8, 0.1f, 0};
  Layer l;
  l.name = "fc";
  l.op = OpKind::FullyConnected;
  l.inputs = {"input"};
  l.weight_shape = {1024, 2048};
  l.weights.assign(size_t(1024) * 2048, 1);
  l.weight_scales = {0.01f};
  l.bias.assign(1024, 0);
  l.out_quant = {DType::Int8, 0.5f, 0};
  net.layers.push_back(l);
  prepare_network(net);
  CHECK_THROWS_WITH(choose_folding(net, device_target("orangecrab", 0.8)),
                    Catch::Contains("need") && Catch::Contains("bits on chip") &&
                        Catch::Contains("LFE5U-25F has"));
}

TEST_CASE("the device travels: YAML, report, vendor part, and generate refuses a misfit",
          "[fold][device]") {
  // fold: {device, fill} in the YAML folds on load and sets the network's device.
  const Network folded = load_network(lenet_with("fold: {device: pynq-z2, fill: 0.6}").string());
  CHECK(folded.device == "pynq-z2");
  CHECK(fit_of(folded, "pynq-z2").fits(0.6));
  const HwPlan plan = plan_hardware(folded);
  const auto files = generate_files(folded, plan, "rtlgen generate t.yaml -o out");
  CHECK(files.at("vivado/create_project.tcl").find("set part xc7z020clg400-1\n") !=
        std::string::npos);
  CHECK(files.at("vivado/create_project.tcl").find("the network's device (pynq-z2)") !=
        std::string::npos);
  const std::string json = files.at("report.json");
  CHECK(json.find("\"device\"") != std::string::npos);
  CHECK(json.find("\"part\": \"xc7z020clg400-1\"") != std::string::npos);
  CHECK(json.find("bram36_estimate") == std::string::npos);  // one block RAM figure
  // The written YAML names the device; loading it back gives the same folding.
  const fs::path out = lenet_with("").parent_path() / "written.yaml";
  write_network_yaml(folded, out.string(), "written_params");
  const Network back = load_network(out.string());
  CHECK(back.device == "pynq-z2");
  CHECK(plan_hardware(back).est_cycles_per_frame == plan.est_cycles_per_frame);

  // lenet.yaml's own folding (712 multipliers) does not fit an xc7a35t: generate says why.
  const Network big = load_network(lenet_with("device: xc7a35t").string());
  CHECK_THROWS_WITH(generate_files(big, plan_hardware(big), "rtlgen generate"),
                    Catch::Contains("does not fit device 'xc7a35t'") &&
                        Catch::Contains("DSP48E1") && Catch::Contains("> 90"));
  // Unknown devices are refused with the YAML location.
  CHECK_THROWS_WITH(load_network(lenet_with("device: pynq-z9").string()),
                    Catch::Contains("lenet_dev.yaml:") && Catch::Contains("unknown device"));
  CHECK_THROWS_WITH(
      load_network(lenet_with("fold: {device: xc7z020, max_multipliers: 8}").string()),
      Catch::Contains("drop max_multipliers"));
  fs::remove_all(out.parent_path());
}

TEST_CASE("without a device the vendor parts are the smallest that hold the estimate",
          "[vendor][device]") {
  const Network net = load_network_yaml(config("lenet_small.yaml"));
  const HwPlan plan = plan_hardware(net);
  const ResourceEstimate est = estimate_resources(plan);
  const VendorInfo info = vendor_info(net, plan);
  const Device x = find_device(info.vivado_part);
  CHECK(fit_to_device(est, plan, x).fits(1.0));
  for (const auto& d : known_devices())
    if (d.vendor == "xilinx" && d.luts < x.luts) CHECK_FALSE(fit_to_device(est, plan, d).fits(1.0));
  CHECK(find_device(info.quartus_device).vendor == "intel");
}

TEST_CASE("generate draws the block diagram with the bottleneck marked", "[vendor][diagram]") {
  const Network net = load_network_yaml(config("lenet_small.yaml"));
  const HwPlan plan = plan_hardware(net);
  const auto files = generate_files(net, plan, "rtlgen generate lenet_small.yaml -o out");
  const std::string dot = files.at("diagram.dot");
  CHECK(dot.find("DO NOT EDIT") != std::string::npos);
  for (const auto& hw : plan.layers) {
    CHECK(dot.find("\"" + hw.layer + "\" [label=\"" + hw.layer) != std::string::npos);
    if (hw.multipliers > 0)
      CHECK(dot.find(fmt::format("PE {} x SIMD {}: {} multipliers", hw.pe, hw.simd,
                                 hw.multipliers)) != std::string::npos);
  }
  const size_t b = dot.find("\"" + plan.bottleneck + "\" [label=");
  REQUIRE(b != std::string::npos);
  const std::string line = dot.substr(b, dot.find('\n', b) - b);
  CHECK(line.find("BOTTLENECK") != std::string::npos);
  CHECK(line.find("color=\"#c00000\"") != std::string::npos);
  CHECK(dot.find("BOTTLENECK") == dot.rfind("BOTTLENECK"));  // one stage only
  if (std::system("command -v dot >/dev/null 2>&1") == 0) {
    REQUIRE(files.count("diagram.svg"));
    CHECK(files.at("diagram.svg").find("<svg") != std::string::npos);
    CHECK(files.at("diagram.svg").find("BOTTLENECK") != std::string::npos);
  }
}

TEST_CASE("fold --device moves MAC multipliers to LUTs when the DSPs run short", "[fold][device]") {
  // xc7z010: 80 DSP48E1 and 17,600 LUTs; LeNet's fastest foldings need hundreds of multipliers.
  Network net = load_network_yaml(config("lenet.yaml"));
  const FoldReport r = choose_folding(net, device_target("xc7z010", 0.8));
  const DeviceFit fit = fit_of(net, "xc7z010");
  INFO(fit.summary());
  CHECK(fit.fits(0.8));
  int lut_layers = 0;
  for (const Layer& l : net.layers) lut_layers += l.folding.lut_mult;
  CHECK(lut_layers > 0);
  // The same folding with every multiplier on a DSP does not fit: the LUTs bought the speed.
  Network all_dsp = net;
  for (Layer& l : all_dsp.layers) l.folding.lut_mult = false;
  CHECK_FALSE(fit_of(all_dsp, "xc7z010").fits(0.8));
  CHECK(plan_hardware(net).est_cycles_per_frame == r.bottleneck_cycles);
  // The choice travels in the YAML.
  const Network back = through_yaml(net, "written_lut");
  for (size_t i = 0; i < net.layers.size(); ++i)
    CHECK(back.layers[i].folding.lut_mult == net.layers[i].folding.lut_mult);
}

// The seed MobileNet v1 0.25/128 at its smallest folding (16 multipliers) needs more block RAM
// than an xc7z020 has (the model: 150.5 RAMB36 > 140), most of it in the line buffers of its
// wide shallow maps (16 x 16 x 64: 80 x 512 bits in 7.5 RAMB36 at 15%); fold --device moves such
// buffers to LUT RAM (hw: {buffer: lut}) while the LUTs hold them, and the choice travels in the
// YAML. Skips without ../shared. (Yosys on the fill-1 folding, 103 multipliers: BRAM36 125.5 of
// 140, but LUT 39,988 + 3,542 LUT RAM cells + 267 SRL = 54,423 LUT sites > 53,200: the model's
// LUTs are 5% short there, so by Yosys it misses by 2.3%.)
TEST_CASE("fold --device moves line buffers to LUT RAM when block RAM runs short",
          "[fold][device]") {
  const fs::path model = test::seed_mobilenet();
  if (!fs::exists(model)) {
    WARN("skipped: " << model.string() << " not found (../shared absent)");
    return;
  }
  Network net = load_network(model.string());
  const FoldReport r = choose_folding(net, device_target("xc7z020", 1.0));
  const DeviceFit fit = fit_of(net, "xc7z020");
  INFO(fit.summary());
  CHECK(fit.fits(1.0));
  int lut_buffers = 0;
  for (const Layer& l : net.layers) lut_buffers += l.folding.lut_buffer;
  CHECK(lut_buffers > 0);
  // The same folding with the rule's memory styles does not fit: the LUTs took the buffers.
  Network rule = net;
  for (Layer& l : rule.layers) l.folding.lut_buffer = false;
  CHECK_FALSE(fit_of(rule, "xc7z020").fits(1.0));
  CHECK(plan_hardware(net).est_cycles_per_frame == r.bottleneck_cycles);
  const Network back = through_yaml(net, "written_buffer");
  for (size_t i = 0; i < net.layers.size(); ++i)
    CHECK(back.layers[i].folding.lut_buffer == net.layers[i].folding.lut_buffer);
}

// The MLPerf Tiny reference architectures at their published sizes (tools/build_zoo.py,
// configs/zoo/mlperf_*) fold to the xc7z020 of the Pynq-Z2 / ZedBoard (Yosys's counts:
// bench/results/mlperf_tiny_xc7z020.md). MobileNet v1 0.25/96 only at fill 1, with the line
// buffers of its small wide maps in LUT RAM (in block RAM, 232 RAMB36 at any folding).
TEST_CASE("the MLPerf Tiny reference models fold to an xc7z020", "[fold][device]") {
  const struct {
    const char* name;
    double fill;
    int64_t max_cycles;  // at most the cycles per frame measured in the bench table
  } models[] = {{"mlperf_resnet8", 0.8, 80000},
                {"mlperf_dscnn", 0.8, 20000},
                {"mlperf_ad", 0.8, 2000},
                {"mlperf_vww", 1.0, 800000}};
  for (const auto& m : models) {
    Network net = load_network_yaml(config(fmt::format("zoo/{0}/{0}.yaml", m.name)));
    const FoldReport r = choose_folding(net, device_target("xc7z020", m.fill));
    const DeviceFit fit = fit_of(net, "xc7z020");
    INFO(m.name << ": " << fit.summary() << ", " << r.bottleneck_cycles << " cycles per frame");
    CHECK(fit.fits(m.fill));
    CHECK(r.bottleneck_cycles <= m.max_cycles);
  }
}

// Skip FIFOs hold the fork beats of the branches' latency difference at the rate the fork can
// deliver them, never more than a frame: ResNet-8 folded to 10 multipliers (a branch latency of
// ~150,000 cycles) once asked for 150,000-deep FIFOs, 232 RAMB36 in all.
TEST_CASE("skip FIFOs of a heavily folded residual network stay within a frame", "[fold][plan]") {
  Network net = load_network_yaml(config("zoo/mlperf_resnet8/mlperf_resnet8.yaml"));
  FoldTarget t;
  t.max_multipliers = 10;
  t.min_utilisation = 0;
  choose_folding(net, t);
  const HwPlan plan = plan_hardware(net);
  REQUIRE(plan.skip_fifos.size() == 3);
  for (const SkipFifo& f : plan.skip_fifos) {
    const int64_t beats = int64_t(net.shape_of(f.fork).elements()) / f.elems;
    INFO(f.join << ": capacity " << f.capacity << " + slack " << f.slack << " of " << beats);
    CHECK(f.slack <= beats);
    CHECK(f.depth <= 2 * beats);
  }
  CHECK(estimate_resources(plan).total.bram36() < 60);
}

// The fit counts every LUT site Yosys uses (LUT + 4 per LUT RAM cell + SRL) and keeps LUTs and
// FFs a model error (10%) below the device whatever the fill: MobileNet v1 0.25/96 folded at
// fill 1.0 to 109 multipliers had 98.6% of the xc7z020's LUT sites by the model and 101% by
// Yosys (the seed MobileNet 105%), both with line buffers of whole pixels (channel-chunk words
// take the window chunk selects, 24,000 of its 39,600 estimated LUTs, off that folding).
TEST_CASE("fold --device keeps LUT sites a model error below the device", "[device][fold]") {
  Network net = load_network_yaml(config("zoo/mlperf_vww/mlperf_vww.yaml"));
  FoldTarget budget;
  budget.max_multipliers = 109;
  choose_folding(net, budget);
  const DeviceFit old_fit = fit_of(net, "xc7z020", true);
  INFO(old_fit.summary());
  CHECK(old_fit.fits(1.0, false));  // the estimate itself within the device
  CHECK_FALSE(old_fit.fits(1.0));   // not with the model's error
  CHECK(old_fit.overflow(1.0).find("less the model's 10% error") != std::string::npos);

  choose_folding(net, device_target("xc7z020", 1.0));
  const DeviceFit fit = fit_of(net, "xc7z020");
  INFO(fit.summary());
  CHECK(fit.rows[0].used <= 53200 / 1.1);
  CHECK(fit.rows[1].used <= 106400 / 1.1);
  // SRLs are LUT sites
  const HwPlan plan = plan_hardware(net);
  const ResourceCounts t = estimate_resources(plan).total;
  CHECK(t.srl > 0);
  CHECK(fit.rows[0].used == double(t.lut + 4 * t.lutram + t.srl));
}

// ECP5: the device's own model (multipliers exact), LUT4 sites with six per DPR16X4 and a
// pass-through LUT4 for 0.3 of the flip-flops. The DS-CNN folded with the 7-series conversion
// used 149 of 156 MULT18X18D by nextpnr (model 124); now the fit holds the fill by exact counts.
TEST_CASE("fold --device LFE5U-85F fits by the ECP5 model", "[device][fold][ecp5]") {
  Network net = load_network_yaml(config("zoo/dscnn_kws/dscnn_kws.yaml"));
  choose_folding(net, device_target("LFE5U-85F", 0.8));
  const HwPlan plan = plan_hardware(net);
  const DeviceFit fit = fit_to_device(estimate_resources(plan), plan, find_device("LFE5U-85F"));
  INFO(fit.summary());
  const ResourceCounts e = estimate_resources(plan, ResourceFamily::Ecp5).total;
  CHECK_FALSE(fit.converted);
  CHECK(fit.rows[2].resource == "MULT18X18D");
  CHECK(fit.rows[2].used == double(e.dsp));
  CHECK(fit.rows[2].used <= 0.8 * 156);
  CHECK(fit.rows[0].used == double(e.lut + 6 * e.lutram) + std::round(0.3 * double(e.ff)));
  CHECK(fit.rows[0].used <= 0.8 * 83640);
  CHECK(fit.rows[3].used == double(e.ramb18));
}
