// What engineers integrating rtlgen meet (issue 20): imported layer names, the argmax side
// channel only where it means something, and the project files for FuseSoC and IP-XACT.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "rtlgen/emit.hpp"
#include "rtlgen/error.hpp"
#include "rtlgen/hw_plan.hpp"
#include "rtlgen/network_io.hpp"

using namespace rtlgen;
namespace fs = std::filesystem;
using Catch::Matchers::Contains;

namespace {

fs::path source_dir() { return fs::path(RTLGEN_SOURCE_DIR); }

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// A copy of configs/<rel> next to the original (so `params:` still resolves) with `extra`
// added as a top-level line; removed on destruction.
struct ConfigWith {
  fs::path path;
  ConfigWith(const std::string& rel, const std::string& extra) {
    const fs::path orig = source_dir() / "configs" / rel;
    path = orig.parent_path() / (".test_" + std::to_string(::getpid()) + "_" + orig.filename().string());
    std::string y = slurp(orig);
    const size_t p = y.find("\nparams:");
    REQUIRE(p != std::string::npos);
    y.insert(p + 1, extra + "\n");
    std::ofstream(path) << y;
  }
  ~ConfigWith() {
    std::error_code ec;
    fs::remove(path, ec);
  }
};

HwPlan plan_of(const fs::path& yaml) { return plan_hardware(load_network(yaml.string())); }

}  // namespace

TEST_CASE("argmax: classifiers get the class index, an autoencoder none, the YAML decides",
          "[argmax][generate]") {
  // LeNet: fully connected 1x1x10 scores from a 28x28 image -> a classifier.
  const HwPlan lenet = plan_of(source_dir() / "configs/lenet.yaml");
  CHECK(lenet.classify);
  CHECK(lenet.class_bits == 4);
  CHECK_THAT(emit_top(lenet, "test"), Contains("m_axis_tuser"));
  // dscnn_kws ends in softmax (in software): a classifier.
  CHECK(plan_of(source_dir() / "configs/zoo/dscnn_kws/dscnn_kws.yaml").classify);
  // fc_autoencoder: 640 values reconstructing its 640 inputs -> no argmax, no tuser port.
  const HwPlan ae = plan_of(source_dir() / "configs/zoo/fc_autoencoder/fc_autoencoder.yaml");
  CHECK_FALSE(ae.classify);
  const std::string top = emit_top(ae, "test");
  CHECK(top.find("output wire [") != std::string::npos);
  CHECK(top.find("rtlgen_argmax") == std::string::npos);
  CHECK(top.find("output wire m_axis_tuser") == std::string::npos);
  CHECK(top.find("m_axis_tuser\n") == std::string::npos);
  // The YAML overrides both ways.
  CHECK_FALSE(plan_of(ConfigWith("lenet.yaml", "argmax: false").path).classify);
  CHECK(plan_of(ConfigWith("zoo/fc_autoencoder/fc_autoencoder.yaml", "argmax: true").path).classify);
  // ... within reason: a 10x8x4 feature map has no class index.
  const ConfigWith spatial("residual_tiny.yaml", "argmax: true");
  CHECK_THROWS_WITH(plan_of(spatial.path),
                    Contains("residual_tiny.yaml:4:9") && Contains("argmax: true needs an output of 1x1xC") &&
                        Contains("10x8x4"));
  const ConfigWith bad("lenet.yaml", "argmax: maybe");
  CHECK_THROWS_WITH(load_network(bad.path.string()),
                    Contains("argmax: expected true") && Contains("lenet.yaml:3:9"));
}

TEST_CASE("info and reports print layer names in full; imported layers are conv1, pool1, ...",
          "[names]") {
  Network net = load_network((source_dir() / "configs/lenet.yaml").string());
  std::vector<std::string> names;
  for (const auto& l : net.layers) names.push_back(l.name);
  CHECK(names == std::vector<std::string>{"conv1", "pool1", "conv2", "pool2", "conv3", "fc1", "fc2"});
  CHECK(net.layers[0].source.rfind("lenet5_1/c1_1/Relu;", 0) == 0);  // the TFLite tensor
  const std::string long_name = "a_layer_name_much_longer_than_any_column_was";
  net.layers[2].name = long_name;
  net.layers[3].inputs = {long_name};
  const std::string info = info_table(net);
  CHECK_THAT(info, Contains(long_name + " conv2d"));
  CHECK_THAT(info, Contains("lenet5_1/c3_1/Relu\n"));  // source: the op's own result name
  CHECK(info.find("...") == std::string::npos);
  const std::string report = emit_report_text(net, plan_hardware(net));
  CHECK_THAT(report, Contains(long_name + " conv2d"));
  CHECK(report.find("...") == std::string::npos);
}
