// Each golden op on small hand-computed cases.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "net_builder.hpp"
#include "rtlgen/golden.hpp"
#include "rtlgen/ops/concat.hpp"

using namespace rtlgen;

namespace {

Tensor tensor(Shape s, DType t, std::vector<int32_t> v) {
  Tensor x(s, t);
  x.data = std::move(v);
  return x;
}

std::vector<int32_t> run_last(Network& net, const Tensor& in) {
  prepare_network(net);
  return golden::run_network(net, in).back().data;
}

}  // namespace

TEST_CASE("conv2d int8, stride 2 SAME adds the extra pixel bottom/right", "[golden]") {
  // in 4x4x1 = 1..16, 3x3 all-ones kernel; m = 1 * 0.5 / 1 = 0.5 -> round half away of acc/2.
  Network net = test::network({4, 4, 1}, test::q(DType::Int8, 1.0f, 0));
  Layer l = test::weighted(OpKind::Conv2D, {1, 3, 3, 1}, std::vector<int32_t>(9, 1), {0.5f},
                           test::q(DType::Int8, 1.0f, -1));
  l.stride_h = l.stride_w = 2;
  l.padding = Padding::Same;
  test::add(net, l);
  std::vector<int32_t> x(16);
  for (int i = 0; i < 16; ++i) x[i] = i + 1;
  const auto out = run_last(net, tensor({4, 4, 1}, DType::Int8, x));
  CHECK(net.layers[0].pads.top == 0);
  CHECK(net.layers[0].pads.bottom == 1);
  CHECK(net.layers[0].pads.right == 1);
  // windows: 54 -> 27, 45 -> 22.5 -> 23, 72 -> 36, 54 -> 27; then zero point -1.
  CHECK(out == std::vector<int32_t>{26, 22, 35, 26});
}

TEST_CASE("conv2d odd size VALID with bias, input zero point and relu clamp", "[golden]") {
  // 3x5x2 input, 3x3 VALID -> 1x3x1; x - zp = 1 everywhere; weights alternate 1, -1 over taps.
  Network net = test::network({3, 5, 2}, test::q(DType::Int8, 1.0f, 5));
  std::vector<int32_t> w(18);
  for (int i = 0; i < 18; ++i) w[i] = (i % 2) ? 2 : 1;  // per tap: ch0 = 1, ch1 = 2 -> 3 per tap
  Layer l = test::weighted(OpKind::Conv2D, {1, 3, 3, 2}, w, {1.0f}, test::q(DType::Int8, 2.0f, 0));
  l.bias = {-40};
  l.activation = Activation::Relu;
  test::add(net, l);
  const auto out = run_last(net, tensor({3, 5, 2}, DType::Int8, std::vector<int32_t>(30, 6)));
  // acc = 9 taps * 3 = 27; + bias -40 = -13; * 1/2 = -6.5 -> -7; relu clamps at 0.
  CHECK(out == std::vector<int32_t>{0, 0, 0});
}

TEST_CASE("uint8 conv and fully_connected with a non-zero weight zero point", "[golden]") {
  // x - 128 = (2, -2), w - 100 = (3, -1): acc = 6 + 2 = 8; m = (0.5*0.25 in float)/0.125 = 1.
  for (OpKind op : {OpKind::Conv2D, OpKind::FullyConnected}) {
    Network net = test::network({1, 1, 2}, test::q(DType::UInt8, 0.5f, 128));
    const std::vector<int32_t> shape =
        op == OpKind::Conv2D ? std::vector<int32_t>{1, 1, 1, 2} : std::vector<int32_t>{1, 2};
    test::add(net, test::weighted(op, shape, {103, 99}, {0.25f}, test::q(DType::UInt8, 0.125f, 10),
                                  DType::UInt8, 100));
    CHECK(run_last(net, tensor({1, 1, 2}, DType::UInt8, {130, 126})) == std::vector<int32_t>{18});
  }
}

TEST_CASE("depthwise conv with depth multiplier 2 maps oc = ic * 2 + m", "[golden]") {
  Network net = test::network({2, 2, 2}, test::q(DType::Int8, 1.0f, 0));
  // weights [1][ky][kx][oc]; taps in order (0,0),(0,1),(1,0),(1,1)
  const int w_tap[4][4] = {{1, 1, 1, 0}, {1, 0, 1, 1}, {1, 0, 1, 1}, {1, -1, 1, 0}};
  std::vector<int32_t> w;
  for (auto& tap : w_tap) w.insert(w.end(), tap, tap + 4);
  Layer l = test::weighted(OpKind::DepthwiseConv2D, {1, 2, 2, 4}, w, {1, 1, 1, 1},
                           test::q(DType::Int8, 1.0f, 0));
  l.depth_multiplier = 2;
  test::add(net, l);
  // ch0 = 1, 2, 3, 4; ch1 = 10, 20, 30, 40 (HWC interleaved)
  const auto out = run_last(net, tensor({2, 2, 2}, DType::Int8, {1, 10, 2, 20, 3, 30, 4, 40}));
  CHECK(out == std::vector<int32_t>{10, -3, 100, 50});
}

TEST_CASE("average pool rounds halves away from zero (int8) and up (uint8), clipped windows",
          "[golden]") {
  Layer l;
  l.op = OpKind::AveragePool2D;
  l.kernel_h = l.kernel_w = 2;
  l.stride_h = l.stride_w = 2;
  l.padding = Padding::Same;
  {
    Network net = test::network({3, 3, 1}, test::q(DType::Int8, 1.0f, 0));
    l.out_quant = net.input.quant;
    test::add(net, l);
    // windows: {-1,-1,0,0} -> -0.5 -> -1; {-3, 0} -> -1.5 -> -2; {-5, 4} -> -0.5 -> -1; {7} -> 7
    const auto out = run_last(net, tensor({3, 3, 1}, DType::Int8, {-1, -1, -3, 0, 0, 0, -5, 4, 7}));
    CHECK(out == std::vector<int32_t>{-1, -2, -1, 7});
  }
  {
    Network net = test::network({3, 3, 1}, test::q(DType::UInt8, 1.0f, 0));
    l.out_quant = net.input.quant;
    test::add(net, l);
    const auto out = run_last(net, tensor({3, 3, 1}, DType::UInt8, {1, 1, 3, 0, 0, 0, 5, 4, 7}));
    // {1,1,0,0} -> 0.5 -> 1; {3,0} -> 1.5 -> 2; {5,4} -> 4.5 -> 5; {7}
    CHECK(out == std::vector<int32_t>{1, 2, 5, 7});
  }
}

TEST_CASE("max pool ignores padding taps", "[golden]") {
  Network net = test::network({3, 3, 2}, test::q(DType::Int8, 1.0f, 0));
  Layer l;
  l.op = OpKind::MaxPool2D;
  l.kernel_h = l.kernel_w = 2;
  l.stride_h = l.stride_w = 2;
  l.padding = Padding::Same;
  l.out_quant = net.input.quant;
  test::add(net, l);
  std::vector<int32_t> x(18, -100);
  x[17] = -90;  // (2,2) channel 1
  const auto out = run_last(net, tensor({3, 3, 2}, DType::Int8, x));
  CHECK(out == std::vector<int32_t>{-100, -100, -100, -100, -100, -100, -100, -90});
}

TEST_CASE("mean over H and W folds 1/N into the multiplier", "[golden]") {
  Network net = test::network({2, 2, 1}, test::q(DType::Int8, 1.0f, 0));
  Layer l;
  l.op = OpKind::Mean;
  l.out_quant = net.input.quant;
  test::add(net, l);
  // sum 11; M = 2^30, shift 1 -> M' = 2^30, shift -1: srdhm(11) = 6 (5.5 away), rdbpot(6,1) = 3
  CHECK(run_last(net, tensor({2, 2, 1}, DType::Int8, {1, 2, 3, 5})) == std::vector<int32_t>{3});
  CHECK(net.layers[0].requant[0] == QuantizedMultiplier{1 << 30, -1});
}

TEST_CASE("add uses the left-shift-20 scheme and clamps", "[golden]") {
  Network net = test::network({1, 1, 3}, test::q(DType::Int8, 1.0f, 0));
  Layer a;
  a.name = "a";
  a.op = OpKind::Reshape;
  a.reshape_to = {1, 1, 3};
  a.out_quant = net.input.quant;
  test::add(net, a);
  Layer l;
  l.op = OpKind::Add;
  l.out_quant = test::q(DType::Int8, 1.0f, 0);
  test::add(net, l, {"input", "a"});
  CHECK(run_last(net, tensor({1, 1, 3}, DType::Int8, {100, -3, 7})) ==
        std::vector<int32_t>{127, -6, 14});
  CHECK(net.layers[1].add.output == QuantizedMultiplier{1 << 30, -18});
}

TEST_CASE("concat joins the channels per pixel, ONNX Runtime rule requantizes", "[golden]") {
  // concat(input, copy of input): 1x2 pixels of 2 channels {1, 2}, {3, 4}
  auto build = [](TensorQuant out_q, RequantMode mode) {
    Network net = test::network({1, 2, 2}, test::q(DType::Int8, 1.0f, 0));
    Layer a;
    a.name = "a";
    a.op = OpKind::Reshape;
    a.reshape_to = {1, 2, 2};
    a.out_quant = net.input.quant;
    test::add(net, a);
    Layer l;
    l.op = OpKind::Concat;
    l.out_quant = out_q;
    l.requant_mode = mode;
    test::add(net, l, {"input", "a"});
    return net;
  };
  const Tensor x = tensor({1, 2, 2}, DType::Int8, {1, 2, 3, 4});
  Network same = build(test::q(DType::Int8, 1.0f, 0), RequantMode::FromScales);
  CHECK(run_last(same, x) == std::vector<int32_t>{1, 2, 1, 2, 3, 4, 3, 4});
  CHECK(same.layers[1].out_shape == Shape{1, 2, 4});
  // scale 1 -> 0.4, zero point 0 -> 1: q * 2.5 rounded half to even, + 1 (by hand: 2.5 -> 2,
  // 5, 7.5 -> 8, 10)
  Network ort = build(test::q(DType::Int8, 0.4f, 1), RequantMode::OnnxRuntimeFloat);
  CHECK(run_last(ort, x) == std::vector<int32_t>{3, 6, 3, 6, 9, 11, 9, 11});
  // TFLite's int8 kernel has no rescaling: refused, naming the input and the fix
  Network tflite = build(test::q(DType::Int8, 0.4f, 1), RequantMode::FromScales);
  CHECK_THROWS_WITH(run_last(tflite, x),
                    Catch::Contains("input 'input' (scale 1, zero point 0) differs from the "
                                    "output's quantization"));
}

TEST_CASE("concat: TFLite's uint8 rule rounds half away from zero in float32", "[golden]") {
  // scale 0.1 -> 0.2: every odd q is a tie (q * 0.5f exactly); TFLite rounds it away from
  // zero, ONNX Runtime to even (by hand: q 1, 3, 5 -> 1, 2, 3 and 0, 2, 2)
  const TensorQuant in_q = test::q(DType::UInt8, 0.1f, 0), out_q = test::q(DType::UInt8, 0.2f, 0);
  const std::vector<int32_t> tfl = golden::tflite_concat_table(in_q, out_q),
                             ort = golden::onnxruntime_concat_table(in_q, out_q);
  REQUIRE(tfl.size() == 256);
  CHECK(std::vector<int32_t>{tfl[1], tfl[3], tfl[5]} == std::vector<int32_t>{1, 2, 3});
  CHECK(std::vector<int32_t>{ort[1], ort[3], ort[5]} == std::vector<int32_t>{0, 2, 2});
  // zero points and saturation, values from TFLite's reference kernel (ai-edge-litert 2.3.0):
  // input scale 0.05, zero point 3 -> output 0.07, 5: q 0, 2, 3, 255 -> 3, 4, 5, 185; scale 0.1,
  // zero point 10: q 0 -> 0 (saturated)
  const std::vector<int32_t> a = golden::tflite_concat_table(test::q(DType::UInt8, 0.05f, 3),
                                                             test::q(DType::UInt8, 0.07f, 5));
  CHECK(std::vector<int32_t>{a[0], a[2], a[3], a[255]} == std::vector<int32_t>{3, 4, 5, 185});
  CHECK(golden::tflite_concat_table(test::q(DType::UInt8, 0.1f, 10),
                                    test::q(DType::UInt8, 0.07f, 5))[0] == 0);
}

TEST_CASE("pad fills with the zero point; reshape keeps the bytes", "[golden]") {
  Network net = test::network({1, 2, 1}, test::q(DType::Int8, 1.0f, -3));
  Layer p;
  p.op = OpKind::Pad;
  p.pads = {1, 0, 0, 1};
  p.out_quant = net.input.quant;
  test::add(net, p);
  Layer r;
  r.op = OpKind::Reshape;
  r.out_quant = net.input.quant;
  test::add(net, r);
  CHECK(run_last(net, tensor({1, 2, 1}, DType::Int8, {5, 6})) ==
        std::vector<int32_t>{-3, -3, -3, 5, 6, -3});
  CHECK(net.layers[1].out_shape == Shape{1, 1, 6});
}

TEST_CASE("softmax: equal logits give 1/N exactly, random logits track float", "[golden]") {
  for (DType t : {DType::UInt8, DType::Int8}) {
    Network net = test::network({1, 1, 4}, test::q(t, 0.1f, 0));
    Layer l;
    l.op = OpKind::Softmax;
    l.out_quant = test::q(t, 1.0f / 256, t == DType::UInt8 ? 0 : -128);
    test::add(net, l);
    const int off = t == DType::UInt8 ? 0 : -128;
    CHECK(run_last(net, tensor({1, 1, 4}, t, {7, 7, 7, 7})) ==
          std::vector<int32_t>{64 + off, 64 + off, 64 + off, 64 + off});
  }
  std::mt19937 rng(9);
  Network net = test::network({1, 1, 10}, test::q(DType::Int8, 0.15f, 3));
  Layer l;
  l.op = OpKind::Softmax;
  l.out_quant = test::q(DType::Int8, 1.0f / 256, -128);
  test::add(net, l);
  prepare_network(net);
  for (int trial = 0; trial < 200; ++trial) {
    Tensor in({1, 1, 10}, DType::Int8);
    for (auto& v : in.data) v = int32_t(rng() % 256) - 128;
    const auto out = golden::run_network(net, in).back().data;
    double denom = 0;
    for (int v : in.data) denom += std::exp(0.15 * (v - 3));
    for (int c = 0; c < 10; ++c) {
      const double p = std::exp(0.15 * (in.data[c] - 3)) / denom;
      REQUIRE(std::abs((out[c] + 128) - std::min(255.0, p * 256)) <= 1.01);
    }
  }
}

TEST_CASE("accumulator analysis sizes and refuses int32 overflow", "[golden][passes]") {
  Network net = test::network({1, 1, 4}, test::q(DType::Int8, 1.0f, 0));
  test::add(net, test::weighted(OpKind::FullyConnected, {1, 4}, {127, -128, 1, 0}, {1.0f},
                                test::q(DType::Int8, 1.0f, 0)));
  prepare_network(net);
  // worst |x - zp| = 128, sum |w| = 256 -> 32768 -> 17 signed bits
  CHECK(net.layers[0].acc_bits == 17);
  CHECK(net.layers[0].macs == 4);

  Network big = test::network({1, 1, 200000}, test::q(DType::Int8, 1.0f, 0));
  test::add(big, test::weighted(OpKind::FullyConnected, {1, 200000},
                                std::vector<int32_t>(200000, -128), {1.0f},
                                test::q(DType::Int8, 1.0f, 0)));
  CHECK_THROWS_WITH(prepare_network(big), Catch::Contains("overflows int32"));
}
