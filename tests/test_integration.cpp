// What engineers integrating rtlgen meet: imported layer names, the argmax side
// channel only where it means something, and the project files for FuseSoC and IP-XACT.
#include <unistd.h>

#include <catch2/catch.hpp>
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
    path = orig.parent_path() /
           (".test_" + std::to_string(::getpid()) + "_" + orig.filename().string());
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
  CHECK(
      plan_of(ConfigWith("zoo/fc_autoencoder/fc_autoencoder.yaml", "argmax: true").path).classify);
  // ... within reason: a 10x8x4 feature map has no class index.
  const ConfigWith spatial("residual_tiny.yaml", "argmax: true");
  CHECK_THROWS_WITH(plan_of(spatial.path), Contains("residual_tiny.yaml:4:9") &&
                                               Contains("argmax: true needs an output of 1x1xC") &&
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
  CHECK(names ==
        std::vector<std::string>{"conv1", "pool1", "conv2", "pool2", "conv3", "fc1", "fc2"});
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

TEST_CASE("generate packages the design for FuseSoC, IP-XACT and cocotb", "[generate][vendor]") {
  const Network net = load_network((source_dir() / "configs/lenet_small.yaml").string());
  const HwPlan plan = plan_hardware(net);
  const auto files = generate_files(net, plan, "test");
  REQUIRE(files.count("lenet_top.core"));
  REQUIRE(files.count("ip/component.xml"));
  REQUIRE(files.count("tb/cocotb/test_lenet_top.py"));
  REQUIRE(files.count("tb/cocotb/run_cocotb.py"));
  const std::string& core = files.at("lenet_top.core");
  CHECK(core.rfind("CAPI=2:\n", 0) == 0);
  CHECK_THAT(core, Contains("name: rtlgen:nn:lenet_top:0.1.0"));
  for (const char* target : {"  default:\n", "  sim:\n", "  lint:\n"})
    CHECK_THAT(core, Contains(target));
  // Every source of filelist.f and every weight file is in the core, the ROMs copied to the
  // simulator's working directory by name.
  std::istringstream filelist(files.at("filelist.f"));
  for (std::string line; std::getline(filelist, line);)
    if (line.size() > 2 && line.compare(line.size() - 2, 2, ".v") == 0)
      CHECK_THAT(core, Contains("      - " + line + "\n"));
  int mems = 0, banks = 0;
  for (const auto& [path, text] : files)
    if (path.rfind("mem/", 0) == 0) {
      ++(path.find("_bank") != std::string::npos ? banks : mems);
      CHECK_THAT(core, Contains("- " + path + ": {copyto: " + path.substr(4) + "}"));
      CHECK_THAT(files.at("ip/component.xml"),
                 Contains("<ipxact:name>../" + path + "</ipxact:name>"));
    }
  CHECK(mems == 10);
  CHECK(banks == 9);  // the deep weight ROMs in banks for the open ECP5 flow, listed as well
  CHECK_THAT(core, Contains("- tb/expected_class.hex: {copyto: expected_class.hex}"));
  const std::string& cocotb = files.at("tb/cocotb/test_lenet_top.py");
  CHECK_THAT(cocotb, Contains("OUT_BEATS = 10  # per frame"));
  CHECK_THAT(cocotb, Contains("CLASSIFY = True"));
  CHECK_THAT(files.at("ip/component.xml"), Contains("<ipxact:name>TUSER_WIDTH</ipxact:name>\n"
                                                    "          <ipxact:value>4</ipxact:value>"));
  // No argmax: no tuser anywhere, no class vectors.
  const Network ae =
      load_network((source_dir() / "configs/zoo/fc_autoencoder/fc_autoencoder.yaml").string());
  const auto ae_files = generate_files(ae, plan_hardware(ae), "test");
  CHECK(ae_files.at("fc_autoencoder_top.core").find("expected_class") == std::string::npos);
  CHECK(ae_files.at("ip/component.xml").find("m_axis_tuser") == std::string::npos);
  CHECK_THAT(ae_files.at("tb/cocotb/test_fc_autoencoder_top.py"), Contains("CLASSIFY = False"));
}
