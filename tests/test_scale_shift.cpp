// The integer scale-shift scheme: rounding shifts, half-even pools, the seed's bias
// formula, the interval analysis that sizes wide activations, and the YAML that describes it.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "net_builder.hpp"
#include "rtlgen/error.hpp"
#include "rtlgen/golden.hpp"
#include "rtlgen/npy.hpp"
#include "rtlgen/scale_shift.hpp"
#include "rtlgen/yaml_loader.hpp"

using namespace rtlgen;
namespace fs = std::filesystem;

TEST_CASE("shift_round: floor, half up and half even, negatives included", "[scale_shift]") {
  CHECK(shift_round(-5, 1, Rounding::Floor) == -3);
  CHECK(shift_round(-5, 1, Rounding::HalfUp) == -2);
  CHECK(shift_round(-5, 1, Rounding::HalfEven) == -2);
  CHECK(shift_round(-7, 1, Rounding::HalfEven) == -4);
  CHECK(shift_round(7, 1, Rounding::Floor) == 3);
  CHECK(shift_round(7, 1, Rounding::HalfUp) == 4);
  CHECK(shift_round(5, 1, Rounding::HalfEven) == 2);
  CHECK(shift_round(-1, 12, Rounding::Floor) == -1);
  CHECK(shift_round(-2048, 12, Rounding::HalfUp) == 0);
  CHECK(shift_round(-2049, 12, Rounding::HalfUp) == -1);
  CHECK(shift_round(123, 0, Rounding::Floor) == 123);
  CHECK(shift_round(-(int64_t(1) << 61), 62, Rounding::HalfEven) == 0);
}

TEST_CASE("divide_half_even: the seed's 2x2 average pool", "[scale_shift]") {
  CHECK(divide_half_even(10, 4) == 2);  // 2.5
  CHECK(divide_half_even(14, 4) == 4);  // 3.5
  CHECK(divide_half_even(-10, 4) == -2);
  CHECK(divide_half_even(-6, 4) == -2);  // -1.5
  CHECK(divide_half_even(9, 4) == 2);
  CHECK(divide_half_even(11, 4) == 3);
}

TEST_CASE("scale_shift_bias: round_half_even(float32(bias * gain) / float32(S / 2^k))",
          "[scale_shift]") {
  CHECK(scale_shift_bias(0.5f, 256.0f, 1, 1) == 256);
  CHECK(scale_shift_bias(2.5f / 256, 256.0f, 1, 0) == 2);  // tie to even
  CHECK(scale_shift_bias(3.5f / 256, 256.0f, 1, 0) == 4);
  CHECK(scale_shift_bias(-2.5f / 256, 256.0f, 1, 0) == -2);
  // float32 division, not double: 0.1f * 256 / (23 / 4096) = 4559.1304... either way here.
  CHECK(scale_shift_bias(0.1f, 256.0f, 23, 12) == 4559);
}

namespace {

// input uint8 1x1x2 -> FC (uint8 codes 0 and 255, zp 100) scale-shift 3 >> 2, ReLU.
Network tiny_fc(Activation act, int out_bits_given = 0) {
  Network n = test::network({1, 1, 2}, test::q(DType::UInt8, 1.0f, 0));
  Layer fc = test::weighted(OpKind::FullyConnected, {1, 2}, {0, 255}, {},
                            test::q(DType::UInt8, 1.0f, 0), DType::UInt8, 100);
  fc.bias = {10};
  fc.requant_mode = RequantMode::ScaleShift;
  fc.scale_shift.multiplier = 3;
  fc.scale_shift.shift = 2;
  fc.activation = act;
  fc.out_bits_auto = out_bits_given == 0;
  if (out_bits_given) fc.out_quant.bits = out_bits_given;
  test::add(n, fc);
  prepare_network(n);
  return n;
}

int32_t run_fc(const Network& n, int32_t a, int32_t b) {
  Tensor in(n.input.shape, DType::UInt8);
  in.data = {a, b};
  return golden::run_network(n, in).back().data[0];
}

}  // namespace

TEST_CASE("interval analysis sizes accumulator, product and output of the worst case",
          "[scale_shift]") {
  const Network n = tiny_fc(Activation::Relu);
  const Layer& l = n.layers[0];
  // acc in 10 + [-100*255, 155*255] = [-25490, 39535]; *3 = [-76470, 118605]; >>2 floor =
  // [-19118, 29651]; ReLU: [0, 29651] -> uint15.
  CHECK(l.acc_bits == 17);
  CHECK(l.product_bits == 18);
  CHECK(l.out_min == 0);
  CHECK(l.out_max == 29651);
  CHECK(type_name(l.out_quant) == "uint15");
  CHECK(l.act_max == 32767);
  CHECK(run_fc(n, 0, 255) == 29651);  // the worst case is reached exactly
  CHECK(run_fc(n, 255, 0) == 0);
  CHECK(run_fc(n, 3, 1) == ((10 - 300 + 155) * 3 >> 2 < 0 ? 0 : (10 - 300 + 155) * 3 >> 2));

  const Network signed_net = tiny_fc(Activation::None);
  CHECK(type_name(signed_net.layers[0].out_quant) == "int16");
  CHECK(signed_net.layers[0].out_min == -19118);
  CHECK(run_fc(signed_net, 255, 0) == -19118);  // floor, not toward zero
}

TEST_CASE("a width narrower than the worst case is a clamp, in the golden model too",
          "[scale_shift]") {
  const Network n = tiny_fc(Activation::Relu, 12);
  CHECK(type_name(n.layers[0].out_quant) == "uint12");
  CHECK(n.layers[0].act_max == 4095);
  CHECK(run_fc(n, 0, 255) == 4095);
}

TEST_CASE("half-even average pool on a wide tensor keeps its width", "[scale_shift]") {
  Network n = test::network({2, 2, 1}, test::q(DType::UInt8, 1.0f, 0));
  Layer conv = test::weighted(OpKind::Conv2D, {1, 1, 1, 1}, {200}, {},
                              test::q(DType::UInt8, 1.0f, 0), DType::UInt8, 0);
  conv.requant_mode = RequantMode::ScaleShift;
  conv.scale_shift = {1, 1, Rounding::Floor};
  conv.out_bits_auto = true;
  test::add(n, conv);
  Layer pool;
  pool.op = OpKind::AveragePool2D;
  pool.kernel_h = pool.kernel_w = 2;
  pool.stride_h = pool.stride_w = 2;
  pool.pool_half_even = true;
  pool.out_quant = test::q(DType::UInt8, 1.0f, 0);
  test::add(n, pool);
  prepare_network(n);
  CHECK(type_name(n.layers[0].out_quant) == "uint15");  // 255 * 200 >> 1 = 25500
  CHECK(type_name(n.layers[1].out_quant) == "uint15");
  Tensor in(n.input.shape, DType::UInt8);
  in.data = {1, 0, 0, 0};  // conv: 100, 0, 0, 0 -> sum 100 / 4 = 25
  CHECK(golden::run_network(n, in).back().data[0] == 25);
  in.data = {1, 1, 0, 0};  // 200 / 4 = 50
  CHECK(golden::run_network(n, in).back().data[0] == 50);
  in.data = {0, 0, 0, 0};
  CHECK(golden::run_network(n, in).back().data[0] == 0);
}

TEST_CASE("half-even pool rounds ties to even where TFLite rounds away", "[scale_shift]") {
  Network n = test::network({2, 2, 1}, test::q(DType::UInt8, 1.0f, 0));
  Layer pool;
  pool.op = OpKind::AveragePool2D;
  pool.kernel_h = pool.kernel_w = 2;
  pool.stride_h = pool.stride_w = 2;
  pool.out_quant = test::q(DType::UInt8, 1.0f, 0);
  test::add(n, pool);
  Network even = n;
  even.layers[0].pool_half_even = true;
  prepare_network(n);
  prepare_network(even);
  Tensor in(n.input.shape, DType::UInt8);
  in.data = {1, 1, 0, 0};  // 2 / 4 = 0.5
  CHECK(golden::run_network(n, in).back().data[0] == 1);
  CHECK(golden::run_network(even, in).back().data[0] == 0);
  in.data = {3, 3, 0, 0};  // 1.5
  CHECK(golden::run_network(even, in).back().data[0] == 2);
}

namespace {

const char* kSeedNet = R"(network: seed
params: p
input: {shape: [4, 4, 1], dtype: uint8, scale: 1, zero_point: 0}
layers:
  - name: c1
    op: conv2d
    kernel: [3, 3]
    padding: same
    activation: relu
    weights: w.npy
    weight_zero_point: 99
    bias_float: b.npy
    bias_gain: 256
    requant: {multiplier: 23, shift: 12, rounding: floor}
    output: {dtype: uint, bits: auto}
  - name: s2
    op: average_pool2d
    pool: [2, 2]
    stride: [2, 2]
    rounding: half_even
  - name: fc
    op: fully_connected
    weights: fw.npy
    weight_zero_point: 128
    bias: fb.npy
    requant: {multiplier: 13, shift: 13, rounding: half_even, clamp: [-1000, 100]}
)";

struct SeedScratch {
  fs::path dir;
  SeedScratch() {
    dir = fs::temp_directory_path() / ("rtlgen_seed_test_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir / "p");
    std::vector<int64_t> w(2 * 9);
    for (size_t i = 0; i < w.size(); ++i) w[i] = int64_t((i * 37) % 256);
    write_npy((dir / "p/w.npy").string(), "|u1", {2, 3, 3, 1}, w);
    write_npy((dir / "p/b.npy").string(), "<f4", {2}, {}, {0.1, -0.25});
    write_npy((dir / "p/fw.npy").string(), "|u1", {3, 8}, std::vector<int64_t>(24, 200));
    write_npy((dir / "p/fb.npy").string(), "<i4", {3}, {5, -5, 0});
  }
  ~SeedScratch() { fs::remove_all(dir); }
  std::string load_error(const std::string& from, const std::string& to) const {
    std::string text = kSeedNet;
    const auto pos = text.find(from);
    REQUIRE(pos != std::string::npos);
    text.replace(pos, from.size(), to);
    std::ofstream((dir / "bad.yaml").string()) << text;
    try {
      load_network_yaml((dir / "bad.yaml").string());
    } catch (const Error& e) {
      return e.what();
    }
    FAIL("expected an error");
    return "";
  }
};

}  // namespace

TEST_CASE("YAML: requant, uint8 codes with a zero point, bias_float, widths",
          "[scale_shift][yaml]") {
  SeedScratch s;
  std::ofstream((s.dir / "net.yaml").string()) << kSeedNet;
  const Network n = load_network_yaml((s.dir / "net.yaml").string());
  const Layer& c1 = n.layers[0];
  CHECK(c1.requant_mode == RequantMode::ScaleShift);
  CHECK(c1.weight_zero_point == 99);
  CHECK(c1.bias == std::vector<int32_t>{4559, -11398});  // 0.1 / -0.25 x 256 / (23 / 2^12)
  CHECK(c1.out_quant.wide());
  CHECK(n.layers[1].pool_half_even);
  CHECK(n.layers[1].out_quant.bits == c1.out_quant.bits);
  const Layer& fc = n.layers[2];
  CHECK(fc.scale_shift.rounding == Rounding::HalfEven);
  CHECK(fc.act_min == 0);  // the worst case is non-negative: uint
  CHECK(fc.act_max == 100);
  CHECK(type_name(fc.out_quant) == "uint8");
}

TEST_CASE("YAML: bad scale-shift descriptions are refused with the place and the fix",
          "[scale_shift][yaml][errors]") {
  SeedScratch s;
  CHECK_THAT(s.load_error("rounding: floor}", "}"),
             Catch::Contains("bad.yaml:") && Catch::Contains("missing key 'rounding'"));
  CHECK_THAT(s.load_error("rounding: floor}", "rounding: up}"),
             Catch::Contains("rounding must be floor"));
  CHECK_THAT(s.load_error("multiplier: 23", "multiplier: 0"), Catch::Contains("non-zero"));
  CHECK_THAT(s.load_error("shift: 12", "shift: 70"), Catch::Contains("0..62"));
  CHECK_THAT(s.load_error("    requant: {multiplier: 23, shift: 12, rounding: floor}\n", ""),
             Catch::Contains("bias_float derives the bias from requant"));
  CHECK_THAT(s.load_error("bits: auto", "bits: 40"), Catch::Contains("8..32"));
  CHECK_THAT(s.load_error("dtype: uint, bits", "dtype: float, bits"),
             Catch::Contains("dtype must be int, uint"));
  CHECK_THAT(s.load_error("rounding: half_even\n", "rounding: even\n"),
             Catch::Contains("tflite (halves away from zero) or half_even"));
  CHECK_THAT(s.load_error("clamp: [-1000, 100]", "clamp: [5, 1]"),
             Catch::Contains("min must not exceed max"));
}
