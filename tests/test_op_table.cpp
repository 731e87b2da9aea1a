// The op table (gen/src/ops/): the YAML reader and writer, the passes and the golden model take
// an op's keys, input count, requantization rule, shape rule and golden kernel from its entry.
// CONCATENATION is the op moved into the table whole (gen/src/ops/concat.cpp); softmax, the
// op that stays in software, has its entry too (gen/src/ops/softmax.cpp).
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "rtlgen/error.hpp"
#include "rtlgen/golden.hpp"
#include "rtlgen/yaml_loader.hpp"
#include "rtlgen/yaml_writer.hpp"

using namespace rtlgen;
namespace fs = std::filesystem;

namespace {

// A network of weightless layers: `layers` is the YAML of its layers.
std::string net_yaml(const std::string& layers) {
  return "network: t\ninput: {name: x, shape: [2, 3, 2], dtype: int8, scale: 0.5, "
         "zero_point: 0}\nlayers:\n" +
         layers;
}

Network load(const std::string& yaml) {
  const fs::path p =
      fs::temp_directory_path() / ("rtlgen_op_table_" + std::to_string(::getpid()) + ".yaml");
  std::ofstream(p) << yaml;
  struct Remove {
    fs::path p;
    ~Remove() { fs::remove(p); }
  } remove{p};
  return load_network_yaml(p.string());
}

std::string load_error(const std::string& yaml) {
  try {
    load(yaml);
  } catch (const Error& e) {
    return e.what();
  }
  FAIL("expected an error");
  return "";
}

const char* kPool =
    "  - {name: a, op: max_pool2d, pool: [1, 1], output: {scale: 0.5, zero_point: 0}}\n";

}  // namespace

TEST_CASE("the YAML reader takes input counts and requantization rules from the op table",
          "[op_table][yaml]") {
  CHECK_THAT(load_error(net_yaml(std::string(kPool) +
                                 "  - {name: c, op: concat, inputs: [a], output: {scale: 0.5, "
                                 "zero_point: 0}}\n")),
             Catch::Contains("concat takes 2 or more input(s), got 1"));
  CHECK_THAT(load_error(net_yaml(std::string(kPool) +
                                 "  - {name: s, op: add, inputs: [x, a, a], output: {scale: 0.5, "
                                 "zero_point: 0}}\n")),
             Catch::Contains("add takes 2 input(s), got 3"));
  CHECK_THAT(load_error(net_yaml("  - {name: a, op: max_pool2d, pool: [1, 1], requantization: "
                                 "onnxruntime, output: {scale: 0.5, zero_point: 0}}\n")),
             Catch::Contains("requantization applies to conv2d, depthwise_conv2d, "
                             "fully_connected, average_pool2d, mean, add and concat only"));
  CHECK_THAT(load_error(net_yaml("  - {name: c, op: concat, pool: [1, 1], inputs: [x, x], "
                                 "output: {scale: 0.5, zero_point: 0}}\n")),
             Catch::Contains("unknown key 'pool'"));
}

TEST_CASE("an entry reads and writes its own YAML keys", "[op_table][yaml]") {
  const Network net = load(
      net_yaml("  - {name: p, op: pad, pads: [1, 0, 0, 2], output: {scale: 0.5, zero_point: 0}}\n"
               "  - {name: a, op: average_pool2d, pool: [2, 1], stride: [1, 2], padding: valid, "
               "rounding: half_even, activation: relu, output: {scale: 0.5, zero_point: 0}}\n"
               "  - {name: r, op: reshape, shape: [1, 3, 4]}\n"));
  CHECK(net.layers[0].pads.right == 2);
  CHECK(net.layers[1].out_shape == Shape{2, 3, 2});
  CHECK(net.layers[2].out_quant.scale == 0.5f);  // pass-through: the input's quantization
  const std::string text = network_yaml_text(net, "t_params");
  CHECK_THAT(text, Catch::Contains("pads: [1, 0, 0, 2]"));
  CHECK_THAT(text, Catch::Contains("pool: [2, 1]\n    stride: [1, 2]\n    padding: valid\n"
                                   "    rounding: half_even\n    activation: relu\n"));
  CHECK_THAT(text, Catch::Contains("shape: [1, 3, 4]"));
}

TEST_CASE("the YAML reader's per-op refusals come from the entries", "[op_table][yaml]") {
  const struct {
    const char* layers;
    const char* message;
  } cases[] = {
      {"  - {name: a, op: max_pool2d, stride: [1, 1], output: {scale: 0.5, zero_point: 0}}\n",
       "missing key 'pool' ([KH, KW] pooling window)"},
      {"  - {name: p, op: pad, pads: [1, 0, -1, 0]}\n", "pads must be in 0..65536"},
      {"  - {name: m, op: mean, requantization: onnxruntime_u8, output: {scale: 0.5, "
       "zero_point: 0}}\n",
       "(onnxruntime_u8: average_pool2d and add only)"},
      {"  - {name: a, op: max_pool2d, pool: [1, 1], hw: {mult: lut}, output: {scale: 0.5, "
       "zero_point: 0}}\n",
       "lut is implemented for conv2d and fully_connected layers only"},
      {"  - {name: a, op: max_pool2d, pool: [1, 1], hw: {share: u}, output: {scale: 0.5, "
       "zero_point: 0}}\n",
       "only depthwise_conv2d layers can use one"},
      {"  - {name: s, op: softmax, output: {dtype: int8, scale: 0.5, zero_point: -128}}\n",
       "softmax output must have scale 1/256 and zero point -128"},
      {"  - {name: s, op: softmax, beta: -1, output: {dtype: int8, scale: 0.00390625, "
       "zero_point: -128}}\n",
       "beta must be positive and finite"},
      {"  - {name: s, op: softmax, pool: [1, 1], output: {dtype: int8, scale: 0.00390625, "
       "zero_point: -128}}\n",
       "unknown key 'pool'"},
  };
  for (const auto& c : cases) {
    INFO(c.layers);
    CHECK_THAT(load_error(net_yaml(c.layers)), Catch::Contains(c.message));
  }
}

TEST_CASE("concat's entry gives the shape rule, the checks and the golden kernel",
          "[op_table][golden]") {
  const Network net =
      load(net_yaml(std::string(kPool) + "  - {name: c, op: concat, inputs: [x, a, x], output: "
                                         "{scale: 0.5, zero_point: 0}}\n"));
  const Layer& c = net.layers[1];
  CHECK(c.out_shape == Shape{2, 3, 6});
  Tensor in(net.input.shape, DType::Int8);
  for (size_t i = 0; i < in.data.size(); ++i) in.data[i] = int32_t(i) - 6;
  const std::vector<Tensor> out = golden::run_network(net, in);
  for (int y = 0; y < 2; ++y)
    for (int x = 0; x < 3; ++x)
      for (int ch = 0; ch < 6; ++ch) CHECK(out[1].at(y, x, ch) == in.at(y, x, ch % 2));
  // int8 with another zero point than the output: TFLite's int8 kernel refuses it
  CHECK_THAT(load_error(net_yaml(std::string(kPool) +
                                 "  - {name: c, op: concat, inputs: [x, a], output: {scale: 0.5, "
                                 "zero_point: 1}}\n")),
             Catch::Contains("TFLite's int8 CONCATENATION requires them equal"));
  CHECK_THAT(load_error(net_yaml(
                 "  - {name: a, op: max_pool2d, pool: [2, 2], stride: [1, 1], padding: valid, "
                 "output: {scale: 0.5, zero_point: 0}}\n"
                 "  - {name: c, op: concat, inputs: [x, a], output: {scale: 0.5, "
                 "zero_point: 0}}\n")),
             Catch::Contains("a concatenation joins the channels of inputs of equal height and "
                             "width"));
}

TEST_CASE("softmax's entry: its key, constants, shape and golden kernel", "[op_table][yaml]") {
  const char* kSoftmax =
      "  - {name: s, op: softmax, beta: 0.5, output: {dtype: int8, scale: 0.00390625, "
      "zero_point: -128}}\n";
  const Network net = load(net_yaml(std::string(kPool) + kSoftmax));
  const Layer& s = net.layers[1];
  CHECK(s.out_shape == Shape{2, 3, 2});
  CHECK(s.softmax_beta == 0.5f);
  CHECK(s.softmax.input_multiplier > 0);  // TFLite's constants, derived by the entry
  CHECK_THAT(network_yaml_text(net, "t_params"), Catch::Contains("beta: 0.5"));
  Tensor in(net.input.shape, DType::Int8);
  const std::vector<Tensor> out = golden::run_network(net, in);  // equal logits: 1/2 each
  for (int32_t v : out[1].data) CHECK(v == 0);                   // 128/256 - 128
  // its refusals: in "the YAML reader's per-op refusals come from the entries"
}
