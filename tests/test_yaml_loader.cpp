// The YAML + .npy frontend: a valid description loads; every malformed one gets a clear error
// naming the file, line:column and what was expected.
#include <algorithm>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <unistd.h>

#include "rtlgen/error.hpp"
#include "rtlgen/hw_plan.hpp"
#include "rtlgen/npy.hpp"
#include "rtlgen/resource_model.hpp"
#include "rtlgen/yaml_loader.hpp"
#include "rtlgen/yaml_writer.hpp"

using namespace rtlgen;
namespace fs = std::filesystem;

namespace {

const char* kNet = R"(network: small
params: p
input: {shape: [6, 6, 2], dtype: int8, scale: 0.5, zero_point: 0}
layers:
  - name: conv
    op: conv2d
    kernel: [3, 3]
    padding: same
    weights: w.npy
    bias: b.npy
    weight_scales: s.npy
    output: {dtype: int8, scale: 1.0, zero_point: 0}
    hw: {pe: 2, simd: 6}
  - name: fc
    op: fully_connected
    weights: fw.npy
    weight_scales: 0.01
    output: {scale: 0.5, zero_point: 3}
)";

// A scratch directory holding a description and valid parameters; tests then break one thing.
struct Scratch {
  fs::path dir;
  explicit Scratch(const std::string& yaml_text = kNet) {
    static int counter = 0;
    dir = fs::temp_directory_path() / ("rtlgen_yaml_test_" + std::to_string(::getpid()) + "_" +
                                       std::to_string(counter++));
    fs::remove_all(dir);
    fs::create_directories(dir / "p");
    std::vector<int64_t> w(4 * 9 * 2);
    for (size_t i = 0; i < w.size(); ++i) w[i] = int64_t(i % 7) - 3;
    write_npy(path("p/w.npy"), "|i1", {4, 3, 3, 2}, w);
    write_npy(path("p/b.npy"), "<i4", {4}, {1, 2, 3, 4});
    write_npy(path("p/s.npy"), "<f4", {4}, {}, {0.01, 0.02, 0.03, 0.04});
    write_npy(path("p/fw.npy"), "|i1", {3, 144}, std::vector<int64_t>(3 * 144, 1));
    yaml(yaml_text);
  }
  ~Scratch() { fs::remove_all(dir); }
  std::string path(const std::string& rel) const { return (dir / rel).string(); }
  std::string yaml_path() const { return path("net.yaml"); }
  void yaml(const std::string& text) const { std::ofstream(yaml_path()) << text; }
  void replace(const std::string& from, const std::string& to) const {
    std::string text = kNet;
    const auto pos = text.find(from);
    REQUIRE(pos != std::string::npos);
    text.replace(pos, from.size(), to);
    yaml(text);
  }
  std::string error() const {
    try {
      load_network_yaml(yaml_path());
    } catch (const Error& e) {
      return e.what();
    }
    FAIL("expected an error");
    return "";
  }
};

}  // namespace

TEST_CASE("a valid description loads with derived shapes and quantization", "[yaml]") {
  Scratch s;
  const Network net = load_network_yaml(s.yaml_path());
  REQUIRE(net.layers.size() == 2);
  CHECK(net.layers[0].out_shape == Shape{6, 6, 4});
  CHECK(net.layers[0].pads.top == 1);
  CHECK(net.layers[0].requant.size() == 4);
  CHECK(net.layers[0].folding.pe == 2);
  CHECK(net.layers[1].inputs == std::vector<std::string>{"conv"});
  CHECK(net.layers[1].out_shape == Shape{1, 1, 3});
  CHECK(net.layers[1].out_quant.dtype == DType::Int8);
  CHECK(net.layers[1].bias == std::vector<int32_t>{0, 0, 0});
}

TEST_CASE("missing key names the file, line and what is expected", "[yaml][errors]") {
  Scratch s;
  s.replace("    weights: w.npy\n", "");
  const auto e = s.error();
  CHECK_THAT(e, Catch::Contains("net.yaml:5:5"));
  CHECK_THAT(e, Catch::Contains("layer 'conv': missing key 'weights'"));
}

TEST_CASE("unknown op and unknown key list what is allowed", "[yaml][errors]") {
  Scratch s;
  s.replace("op: conv2d", "op: conv3d");
  CHECK_THAT(s.error(), Catch::Contains("net.yaml:6:9") && Catch::Contains("unknown op 'conv3d'") &&
                            Catch::Contains("supported: add, average_pool2d"));
  s.replace("kernel: [3, 3]", "kernal: [3, 3]");
  CHECK_THAT(s.error(), Catch::Contains("unknown key 'kernal'"));
}

TEST_CASE("wrong dtype and wrong shape in .npy parameters", "[yaml][errors]") {
  Scratch s;
  write_npy(s.path("p/w.npy"), "<i4", {4, 3, 3, 2}, std::vector<int64_t>(72, 1));
  CHECK_THAT(s.error(), Catch::Contains("net.yaml:9:14") &&
                            Catch::Contains("weights must be int8 or uint8, the file holds '<i4'"));
  write_npy(s.path("p/w.npy"), "|i1", {4, 3, 3, 3}, std::vector<int64_t>(108, 1));
  CHECK_THAT(s.error(), Catch::Contains("weights expect 3 input channels") &&
                            Catch::Contains("has 2"));
  write_npy(s.path("p/w.npy"), "|i1", {4, 9, 2}, std::vector<int64_t>(72, 1));
  CHECK_THAT(s.error(), Catch::Contains("weights must have rank 4"));
  write_npy(s.path("p/b.npy"), "<i4", {3}, {1, 2, 3});
  write_npy(s.path("p/w.npy"), "|i1", {4, 3, 3, 2}, std::vector<int64_t>(72, 1));
  CHECK_THAT(s.error(), Catch::Contains("bias has 3 values, expected 4"));
}

TEST_CASE("truncated and corrupt .npy files", "[yaml][errors]") {
  Scratch s;
  {
    const std::string full = encode_npy("|i1", {4, 3, 3, 2}, std::vector<int64_t>(72, 1));
    std::ofstream(s.path("p/w.npy"), std::ios::binary) << full.substr(0, full.size() - 5);
  }
  CHECK_THAT(s.error(), Catch::Contains("w.npy: truncated .npy data"));
  std::ofstream(s.path("p/w.npy"), std::ios::binary) << "not numpy at all";
  CHECK_THAT(s.error(), Catch::Contains("not a .npy file"));
  fs::remove(s.path("p/w.npy"));
  CHECK_THAT(s.error(), Catch::Contains("parameter file 'w.npy' not found"));
}

TEST_CASE("YAML syntax errors, bad references and bad folding", "[yaml][errors]") {
  Scratch s;
  s.yaml("network: x\nlayers: [\n  - name: a\n");
  CHECK_THAT(s.error(), Catch::Contains("net.yaml:") && Catch::Contains("YAML syntax error"));
  s.replace("  - name: fc\n", "  - name: fc\n    inputs: [nowhere]\n");
  CHECK_THAT(s.error(), Catch::Contains("input 'nowhere' is not the network input or an earlier layer"));
  s.replace("hw: {pe: 2, simd: 6}", "hw: {pe: 3, simd: 6}");
  CHECK_THAT(s.error(), Catch::Contains("hw.pe = 3 must divide the 4 output channels"));
  s.replace("dtype: int8, scale: 0.5", "dtype: int16, scale: 0.5");
  CHECK_THAT(s.error(), Catch::Contains("dtype must be uint8 or int8, got 'int16'"));
  s.replace("scale: 0.5, zero_point: 3", "scale: -0.5, zero_point: 3");
  CHECK_THAT(s.error(), Catch::Contains("scale must be a positive finite number"));
}

TEST_CASE("the example network in configs/ loads and runs", "[yaml]") {
  const Network net = load_network_yaml(std::string(RTLGEN_SOURCE_DIR) + "/configs/tiny.yaml");
  CHECK(net.layers.size() == 7);
  CHECK(net.layers.back().out_shape == Shape{1, 1, 10});
}

TEST_CASE("npy round trip keeps dtype, shape and values", "[npy]") {
  const std::string bytes = encode_npy("<i4", {2, 3}, {1, -2, 3, -4, 5, INT32_MIN});
  const NpyArray a = parse_npy(bytes, "mem");
  CHECK(a.descr == "<i4");
  CHECK(a.shape == std::vector<int64_t>{2, 3});
  CHECK(a.ints == std::vector<int64_t>{1, -2, 3, -4, 5, INT32_MIN});
  const NpyArray f = parse_npy(encode_npy("<f4", {2}, {}, {0.25, -1.5}), "mem");
  CHECK(f.floats == std::vector<double>{0.25, -1.5});
  CHECK_THROWS_WITH(parse_npy(bytes.substr(0, 20), "cut.npy"), Catch::Contains("cut.npy: truncated"));
}

TEST_CASE("values the integer arithmetic cannot represent are refused at their line",
          "[yaml][errors][fuzz]") {
  Scratch s;
  s.replace("scale: 0.5, zero_point: 3", "scale: 1e39, zero_point: 3");
  CHECK_THAT(s.error(), Catch::Contains("net.yaml:18:21") &&
                            Catch::Contains("scale 1e39 is outside the float32 range"));
  s.replace("scale: 0.5, zero_point: 3", "scale: 1e-50, zero_point: 3");  // underflows to 0
  CHECK_THAT(s.error(), Catch::Contains("scale 1e-50 is outside the float32 range"));
  s.replace("scale: 0.5, zero_point: 3", "scale: 1e-20, zero_point: 3");
  CHECK_THAT(s.error(), Catch::Contains("net.yaml:14:5: layer 'fc': requantization multiplier of "
                                        "output channel 0") &&
                            Catch::Contains("is 2^31 or more"));
  s.replace("    output: {dtype: int8, scale: 1.0, zero_point: 0}",
            "    activation: relu6\n    output: {dtype: int8, scale: 1e-12, zero_point: 0}");
  CHECK_THAT(s.error(), Catch::Contains("layer 'conv': output scale 9.99999996e-13 is too small "
                                        "for the fused relu6 activation"));
  {  // a float64 scales file (encode_npy writes float32 only)
    std::string b = encode_npy("<f4", {4}, {}, {0, 0, 0, 0});
    const std::string hdr = b.substr(0, b.find('\n') + 1);
    std::string h = hdr;
    h.replace(h.find("<f4"), 3, "<f8");
    std::string data;
    for (double v : {0.01, 1e39, 0.03, 0.04}) data.append(reinterpret_cast<const char*>(&v), 8);
    std::ofstream(s.path("p/s.npy"), std::ios::binary) << h + data;
  }
  s.yaml(kNet);
  CHECK_THAT(s.error(), Catch::Contains("weight scale 1e+39 is not a positive finite float32"));
}

TEST_CASE("sizes that would overflow are refused", "[yaml][errors][fuzz]") {
  Scratch s;
  s.replace("input: {shape: [6, 6, 2]", "input: {shape: [65536, 65536, 2]");
  CHECK_THAT(s.error(), Catch::Contains("input: shape 65536x65536x2 has 8589934592 elements; at "
                                        "most 2^31 - 1 are supported"));
  s.replace("  - name: fc\n", "  - {name: pd, op: pad, pads: [2147483647, 0, 0, 1]}\n  - name: fc\n");
  CHECK_THAT(s.error(), Catch::Contains("layer 'pd': pads must be in 0..65536"));
  write_npy(s.path("p/fw.npy"), "|i1", {0, 144}, {});
  s.yaml(kNet);
  CHECK_THAT(s.error(), Catch::Contains("layer 'fc': weights are empty (shape (0, 144))"));
  s.replace("weights: fw.npy", "weights: " + std::string(300, 'w') + ".npy");
  CHECK_THAT(s.error(), Catch::Contains("parameter file '" + std::string(300, 'w') +
                                        ".npy' not found") &&
                            Catch::Contains("File name too long"));
  s.replace("  - name: fc\n", "  - {name: sm, op: softmax, beta: .inf, output: {dtype: int8, "
                              "scale: 0.00390625, zero_point: -128}}\n  - name: fc\n");
  CHECK_THAT(s.error(), Catch::Contains("layer 'sm': beta must be positive and finite"));
}

TEST_CASE("hw: {mult: lut} reaches the matrix unit, the model and the written YAML", "[yaml]") {
  Scratch s;
  s.replace("hw: {pe: 2, simd: 6}", "hw: {pe: 2, simd: 6, mult: lut}");
  const Network net = load_network_yaml(s.yaml_path());
  CHECK(net.layers[0].folding.lut_mult);
  CHECK_FALSE(net.layers[1].folding.lut_mult);
  const HwPlan plan = plan_hardware(net);
  const ResourceEstimate e = estimate_resources(plan);
  int lut_mvus = 0;
  for (size_t i = 0; i < plan.layers.size(); ++i)
    for (const auto& inst : plan.layers[i].instances)
      if (inst.module == "rtlgen_mvu") {
        const std::pair<std::string, ParamValue> lut_style{"MULT_STYLE", ParamValue::integer(1)};
        const bool lut = std::count(inst.params.begin(), inst.params.end(), lut_style) == 1;
        CHECK(lut == (i == 0));
        lut_mvus += lut;
        if (lut) CHECK(estimate_instance(inst, plan.layers[i].mems).dsp == 0);
      }
  CHECK(lut_mvus == 1);
  CHECK(network_yaml_text(net, "p").find("mult: lut") != std::string::npos);
  s.replace("hw: {pe: 2, simd: 6}", "hw: {pe: 2, simd: 6, mult: dsp}");
  CHECK_FALSE(load_network_yaml(s.yaml_path()).layers[0].folding.lut_mult);
  s.replace("hw: {pe: 2, simd: 6}", "hw: {pe: 2, simd: 6, mult: lutram}");
  CHECK_THAT(s.error(), Catch::Contains("net.yaml:") &&
                            Catch::Contains("hw: mult: 'lutram' is not dsp or lut"));
}
