// The ONNX importer and its protobuf wire reader: tiny models written here with a few protobuf
// helpers (mapping, weight layout, refusals naming the node), truncated and corrupted copies of
// the committed models (an rtlgen::Error, never a crash), ONNX Runtime's requantization rule.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <random>
#include <sstream>

#include "rtlgen/error.hpp"
#include "rtlgen/golden.hpp"
#include "rtlgen/ops/concat.hpp"
#include "rtlgen/hw_plan.hpp"
#include "rtlgen/onnx_import.hpp"
#include "rtlgen/passes.hpp"
#include "rtlgen/protobuf_wire.hpp"
#include "rtlgen/weight_packing.hpp"

using namespace rtlgen;

namespace {

// ---- a minimal protobuf writer for ONNX messages ----
std::string varint(uint64_t v) {
  std::string s;
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    if (v) b |= 0x80;
    s.push_back(char(b));
  } while (v);
  return s;
}
std::string key(int field, int type) { return varint(uint64_t(field) << 3 | unsigned(type)); }
std::string bytes_f(int field, const std::string& v) {
  return key(field, 2) + varint(v.size()) + v;
}
std::string int_f(int field, int64_t v) { return key(field, 0) + varint(uint64_t(v)); }
std::string float_f(int field, float v) {
  std::string s = key(field, 5);
  s.append(reinterpret_cast<const char*>(&v), 4);
  return s;
}

template <typename T>
std::string tensor(const std::string& name, int dtype, std::vector<int64_t> dims,
                   const std::vector<T>& values) {
  std::string s;
  for (int64_t d : dims) s += int_f(1, d);
  s += int_f(2, dtype) + bytes_f(8, name);
  s += bytes_f(
      9, std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T)));
  return s;
}
std::string node(const std::string& op, std::vector<std::string> ins, std::vector<std::string> outs,
                 const std::string& name, const std::string& domain = "",
                 const std::string& attrs = "") {
  std::string s;
  for (auto& i : ins) s += bytes_f(1, i);
  for (auto& o : outs) s += bytes_f(2, o);
  s += bytes_f(3, name) + bytes_f(4, op) + attrs;
  if (!domain.empty()) s += bytes_f(7, domain);
  return s;
}
std::string ints_attr(const std::string& name, std::vector<int64_t> v) {
  std::string a = bytes_f(1, name);
  for (int64_t x : v) a += int_f(8, x);
  return bytes_f(5, a + int_f(20, 7));
}
std::string int_attr(const std::string& name, int64_t v) {
  return bytes_f(5, bytes_f(1, name) + int_f(3, v) + int_f(20, 2));
}
std::string value_info(const std::string& name, int elem, std::vector<int64_t> dims) {
  std::string shape;
  for (int64_t d : dims) shape += bytes_f(1, int_f(1, d));
  return bytes_f(1, name) + bytes_f(2, bytes_f(1, int_f(1, elem) + bytes_f(2, shape)));
}
std::string model(const std::vector<std::string>& nodes, const std::vector<std::string>& inits,
                  const std::string& in, const std::string& out) {
  std::string g;
  for (auto& n : nodes) g += bytes_f(1, n);
  g += bytes_f(2, "g");
  for (auto& t : inits) g += bytes_f(5, t);
  g += bytes_f(11, in) + bytes_f(12, out);
  return int_f(1, 8) + bytes_f(7, g);
}

// QuantizeLinear -> QLinearConv (2 output channels, 3x3, pad 1) [-> extra node] -> output.
std::string qlinear_conv_model_nodes(const std::vector<std::string>& extra_nodes,
                                     const std::string& out,
                                     const std::vector<std::string>& extra_inits = {}) {
  std::vector<int8_t> w(2 * 1 * 3 * 3);
  for (size_t i = 0; i < w.size(); ++i) w[i] = int8_t(int(i) - 9);
  std::vector<std::string> inits = {
      tensor<float>("xs", 1, {}, {1.0f / 255}), tensor<int8_t>("xz", 3, {}, {-128}),
      tensor<int8_t>("w", 3, {2, 1, 3, 3}, w),  tensor<float>("ws", 1, {2}, {0.01f, 0.02f}),
      tensor<int8_t>("wz", 3, {2}, {0, 0}),     tensor<float>("ys", 1, {}, {0.05f}),
      tensor<int8_t>("yz", 3, {}, {-3}),        tensor<int32_t>("b", 6, {2}, {100, -200})};
  inits.insert(inits.end(), extra_inits.begin(), extra_inits.end());
  std::vector<std::string> nodes = {
      node("QuantizeLinear", {"x", "xs", "xz"}, {"xq"}, "quant"),
      node("QLinearConv", {"xq", "xs", "xz", "w", "ws", "wz", "ys", "yz", "b"}, {"y"}, "conv_node",
           "", ints_attr("pads", {1, 1, 1, 1}))};
  nodes.insert(nodes.end(), extra_nodes.begin(), extra_nodes.end());
  return model(nodes, inits, value_info("x", 1, {1, 1, 5, 5}), value_info(out, 3, {}));
}
std::string qlinear_conv_model(const std::string& extra_node = "", const std::string& out = "y") {
  return qlinear_conv_model_nodes(
      extra_node.empty() ? std::vector<std::string>{} : std::vector<std::string>{extra_node}, out);
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("onnx: QLinearConv maps to a conv2d with ONNX Runtime requantization, OIHW -> OHWI") {
  Network net = import_onnx_bytes(qlinear_conv_model(), "tiny.onnx");
  prepare_network(net);
  REQUIRE(net.layers.size() == 1);
  const Layer& l = net.layers[0];
  CHECK(l.op == OpKind::Conv2D);
  CHECK(l.requant_mode == RequantMode::OnnxRuntimeFloat);
  CHECK(l.padding == Padding::Same);
  CHECK(l.out_shape == Shape{5, 5, 2});
  CHECK(l.weight_shape == std::vector<int32_t>{2, 3, 3, 1});
  CHECK(l.weights[9] == 0);  // OHWI [1][0][0][0] = OIHW [1][0][0][0] = index 9 - 9
  CHECK(l.bias == std::vector<int32_t>{100, -200});
  CHECK(net.input.quant.zero_point == -128);
  // float32 scale in ONNX Runtime's order: (x_scale * w_scale) / y_scale.
  CHECK(l.float_scale[1] == (1.0f / 255 * 0.02f) / 0.05f);
  CHECK(l.source == "y");
}

TEST_CASE("onnx: unsupported operators are refused naming the node and the reason") {
  const std::string add = node("QLinearAdd", {"y", "ys", "yz", "y", "ys", "yz", "ys", "yz"}, {"z"},
                               "residual_add", "com.microsoft");
  Network added = import_onnx_bytes(qlinear_conv_model(add, "z"), "add.onnx");
  REQUIRE(added.layers.size() == 2);
  CHECK(added.layers[1].op == OpKind::Add);
  CHECK(added.layers[1].inputs.size() == 2);
  // a concatenation along another axis than the channels: refused naming node, axis and fix
  const std::string cat = node("QLinearConcat", {"ys", "yz", "y", "ys", "yz", "y", "ys", "yz"},
                               {"z"}, "cat", "com.microsoft", int_attr("axis", 2));
  try {
    import_onnx_bytes(qlinear_conv_model(cat, "z"), "cat.onnx");
    FAIL("QLinearConcat along H accepted");
  } catch (const Error& e) {
    const std::string m = e.what();
    CHECK(m.find("cat.onnx: node 2 'cat' (com.microsoft.QLinearConcat)") != std::string::npos);
    CHECK(m.find("axis 2 of a rank-4 tensor is refused") != std::string::npos);
    CHECK(m.find("along the channels only") != std::string::npos);
  }
  const std::string qdq_cat =
      node("Concat", {"d", "d"}, {"c"}, "qdq_cat", "", int_attr("axis", -1));
  CHECK_THROWS_WITH(
      import_onnx_bytes(
          qlinear_conv_model_nodes({node("DequantizeLinear", {"y", "ys", "yz"}, {"d"}, "dq"),
                                    qdq_cat, node("QuantizeLinear", {"c", "ys", "yz"}, {"z"}, "q")},
                                   "z"),
          "qdqcat.onnx"),
      Catch::Contains("node 3 'qdq_cat' (Concat): axis -1 of a rank-4 tensor is refused"));
  const std::string mmi = node("MatMulInteger", {"y", "y"}, {"z"}, "mm");
  CHECK_THROWS_WITH(import_onnx_bytes(qlinear_conv_model(mmi, "z"), "mmi.onnx"),
                    Catch::Contains("node 2 'mm' (MatMulInteger): dynamic quantization is "
                                    "refused") &&
                        Catch::Contains("quantize_static"));
  const std::string sig = node("Sigmoid", {"y"}, {"z"}, "act");
  CHECK_THROWS_WITH(import_onnx_bytes(qlinear_conv_model(sig, "z"), "sig.onnx"),
                    Catch::Contains("node 2 'act' (Sigmoid): this operator is not supported"));
  const std::string dil = node("MaxPool", {"y"}, {"z"}, "mp", "",
                               ints_attr("kernel_shape", {2, 2}) + ints_attr("dilations", {2, 2}));
  CHECK_THROWS_WITH(import_onnx_bytes(qlinear_conv_model(dil, "z"), "mp.onnx"),
                    Catch::Contains("'mp' (MaxPool): dilation other than 1"));
}

TEST_CASE("onnx: malformed protobuf is an rtlgen::Error naming what was being read") {
  const std::string good = qlinear_conv_model();
  CHECK_THROWS_WITH(import_onnx_bytes(good.substr(0, good.size() - 7), "cut.onnx"),
                    Catch::Contains("cut.onnx: not a valid ONNX protobuf"));
  CHECK_THROWS_WITH(
      import_onnx_bytes(std::string("\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 11), "v.onnx"),
      Catch::Contains("varint longer than 10 bytes"));
  CHECK_THROWS_WITH(import_onnx_bytes("", "empty.onnx"), Catch::Contains("no graph"));
  // Every truncation and single-byte corruption of the committed models: Error, never a crash.
  for (const char* path : {"configs/lenet_qdq.onnx", "configs/onnx_qop_cnn.onnx"}) {
    const std::string bytes = read_file(path);
    REQUIRE(bytes.size() > 1000);
    int refused = 0;
    for (size_t cut = 0; cut < bytes.size(); cut += bytes.size() / 97 + 1) {
      try {
        import_onnx_bytes(bytes.substr(0, cut), path);
      } catch (const Error&) {
        ++refused;
      }
      std::string flipped = bytes;
      flipped[cut] = char(flipped[cut] ^ 0x5a);
      try {
        Network n = import_onnx_bytes(flipped, path);
        prepare_network(n);
      } catch (const Error&) {
      }
    }
    CHECK(refused > 90);
  }
}

TEST_CASE("onnx: the committed models import; LeNet QDQ groups become 8 layers") {
  Network net = import_onnx("configs/lenet_qdq.onnx");
  prepare_network(net);
  REQUIRE(net.layers.size() == 8);
  CHECK(net.layers[0].activation == Activation::None);  // quantize_static removed the ReLUs
  CHECK(net.layers[0].out_quant.zero_point == -128);    // ... leaving the clamp at zp -128
  CHECK(net.layers[1].op == OpKind::AveragePool2D);
  CHECK(net.layers[1].onnx_zero_point_offset == 128);  // ORT ran the int8 QDQ graph as uint8
  CHECK(net.layers[4].out_shape == Shape{1, 1, 120});
  CHECK(net.layers[7].out_shape == Shape{1, 1, 10});
  Network qop = import_onnx("configs/onnx_qop_cnn.onnx");
  prepare_network(qop);
  CHECK(qop.layers.size() == 12);
  CHECK(qop.layers[4].op == OpKind::Add);  // the residual com.microsoft QLinearAdd
  CHECK(qop.layers[4].inputs == std::vector<std::string>{"conv3", "conv2"});
  CHECK(qop.layers[4].requant_mode == RequantMode::OnnxRuntimeFloat);
  CHECK(qop.layers[6].op == OpKind::Concat);  // com.microsoft QLinearConcat(add, 1x1 conv)
  CHECK(qop.layers[6].inputs == std::vector<std::string>{"add1", "conv4"});
  CHECK(qop.layers[6].out_shape == Shape{6, 6, 20});
  CHECK(qop.layers[8].op == OpKind::Mean);
  CHECK(qop.layers[7].onnx_zero_point_offset == 0);
}

TEST_CASE("onnx: ONNX Runtime's requantization rounds float32 products half to even") {
  // 5 * 0.5 = 2.5 -> 2; 7 * 0.5 = 3.5 -> 4; -5 * 0.5 = -2.5 -> -2.
  CHECK(golden::requantize_onnxruntime(5, 0, 0.5f, 0, -128, 127) == 2);
  CHECK(golden::requantize_onnxruntime(7, 0, 0.5f, 0, -128, 127) == 4);
  CHECK(golden::requantize_onnxruntime(-5, 0, 0.5f, 0, -128, 127) == -2);
  // The int32 -> float32 conversion rounds above 2^24: 2^24 + 1 becomes 2^24, so with scale
  // 2^-25 the product is exactly 0.5 (-> 0), where exact arithmetic would give 0.50000003 (-> 1).
  CHECK(golden::requantize_onnxruntime((1 << 24) + 1, 0, 1.0f / (1 << 25), 0, -128, 127) == 0);
  // Bias is added in int32 before the conversion; the clamp applies after the zero point.
  CHECK(golden::requantize_onnxruntime(10, 20, 0.1f, 5, -128, 127) == 8);
  CHECK(golden::requantize_onnxruntime(100000, 0, 1.0f, -128, -128, 127) == 127);
  CHECK(golden::requantize_onnxruntime(-100000, 0, 1.0f, -128, -128, 127) == -128);
}

TEST_CASE("onnx: rtlgen_requant_float's parameter word encodes the float32 scale exactly") {
  std::string w;
  REQUIRE(pack_float_requant(-2, 0.5f, &w));  // 0.5 = 2^23 / 2^24
  CHECK(w == "fffffffe80000018");
  REQUIRE(pack_float_requant(7, 1e-40f, &w));  // subnormal: significand without hidden bit, 149
  CHECK(w.substr(8) == "0116c295");
  CHECK(!pack_float_requant(0, -0.5f, &w));
  CHECK(!pack_float_requant(0, 3e7f, &w));  // 2^24 or more: no encoding
  REQUIRE(pack_float_requant(0, 0.0f, &w));
  CHECK(w == "0000000000000095");
}

TEST_CASE("onnx: an empty packed float attribute (fuzz_onnx crash: memcpy of null) is read") {
  // tests/fuzz/corpus/onnx/crash_empty_packed_floats.onnx had a zero-length packed `floats`;
  // append_floats passed the empty vector's null data to memcpy (UBSan). Now it is a no-op.
  std::vector<float> v;
  wire::Field f;
  f.type = wire::WireType::Bytes;
  wire::append_floats(f, &v);
  CHECK(v.empty());
  const std::string attr = bytes_f(5, bytes_f(1, "scales") + bytes_f(7, ""));
  const std::string n = node("Sigmoid", {"y"}, {"z"}, "s", "", attr);
  CHECK_THROWS_WITH(import_onnx_bytes(qlinear_conv_model(n, "z"), "e.onnx"),
                    Catch::Contains("'s' (Sigmoid): this operator is not supported"));
}

TEST_CASE("protobuf wire reader: packed and unpacked repeated fields, bounds") {
  using namespace rtlgen::wire;
  std::vector<int64_t> v;
  Field f;
  const std::string packed = bytes_f(1, varint(3) + varint(300) + varint(uint64_t(-1)));
  Reader r(packed);
  REQUIRE(r.next(&f));
  append_int64s(f, &v);
  CHECK(v == std::vector<int64_t>{3, 300, -1});
  const std::string bad_len = key(1, 2) + varint(50) + "abc";
  Reader r2(bad_len);
  CHECK_THROWS_AS(r2.next(&f), WireError);
  const std::string group = key(1, 3);
  Reader r3(group);
  CHECK_THROWS_AS(r3.next(&f), WireError);
}

// rtlgen_avgpool_float's arithmetic in C++: the float32 window sum as integers in units of the
// input scale's 2^e (every float32 rounding a round_to_float24), then the threshold search; it
// must equal the golden float kernel on every window, including ties and windows whose float32
// sum differs from the exact sum.
TEST_CASE("onnx: the integer-sum + threshold pool equals ONNX Runtime's float32 average pool") {
  std::mt19937 rng(21);
  int64_t windows = 0, sum_rounded = 0;
  for (int trial = 0; trial < 60; ++trial) {
    const int count = (trial % 3 == 0) ? 9 : (trial % 3 == 1 ? 4 : 2);
    const bool sgn = trial % 2 == 0;
    const int32_t lo = sgn ? -128 : 0, hi = sgn ? 127 : 255;
    const int32_t in_zp = std::uniform_int_distribution<int32_t>(lo, hi)(rng);
    const float in_scale =
        std::ldexp(float(std::uniform_int_distribution<int32_t>(1 << 23, (1 << 24) - 1)(rng)),
                   std::uniform_int_distribution<int>(-60, -10)(rng));
    const float out_scale = trial % 4 == 0
                                ? in_scale
                                : in_scale * std::uniform_real_distribution<float>(0.2f, 3.0f)(rng);
    const int32_t offset = sgn && trial % 4 < 2 ? 128 : 0;
    const int32_t out_zp = std::uniform_int_distribution<int32_t>(lo, lo + 60)(rng);
    const int32_t act_max = trial % 5 == 0 ? lo + 150 : hi;
    const golden::OnnxPoolThresholds t = golden::onnxruntime_pool_thresholds(
        in_scale, count, out_scale, out_zp, offset, lo, act_max);
    REQUIRE(std::ldexp(double(t.in_mant), t.exponent) == double(in_scale));
    for (int w = 0; w < 20000; ++w) {
      float fsum = 0.0f;
      int64_t s = 0, exact = 0;
      for (int k = 0; k < count; ++k) {
        const int32_t x = w % 3 == 0 ? (rng() % 2 ? lo : hi)
                                     : std::uniform_int_distribution<int32_t>(lo, hi)(rng);
        volatile float product = in_scale * static_cast<float>(x - in_zp);  // no FMA
        fsum = fsum + product;
        const int64_t term = golden::round_to_float24(int64_t(x - in_zp) * t.in_mant);
        s = golden::round_to_float24(s + term);
        exact += int64_t(x - in_zp) * t.in_mant;
      }
      REQUIRE(std::ldexp(double(s), t.exponent) == double(fsum));
      int32_t searched = lo;
      for (int k = 1; k < 256; ++k) searched += s >= t.thresholds[size_t(k)] ? 1 : 0;
      const int32_t want =
          golden::onnxruntime_pool_quantize(fsum, count, out_scale, out_zp, offset, lo, act_max);
      REQUIRE(searched == want);
      ++windows;
      sum_rounded += s != exact;
    }
  }
  INFO(windows << " windows, " << sum_rounded << " float32 sums != exact");
  CHECK(sum_rounded > 1000);
}

TEST_CASE(
    "onnx: LeNet's float average pools map to rtlgen_avgpool_float; padded ones are refused") {
  Network net = import_onnx("configs/lenet_qdq.onnx");
  prepare_network(net);
  const HwPlan plan = plan_hardware(net);
  int float_pools = 0;
  for (const auto& hw : plan.layers)
    for (const auto& inst : hw.instances) float_pools += inst.module == "rtlgen_avgpool_float";
  CHECK(float_pools == 2);

  Network padded = import_onnx("configs/lenet_qdq.onnx");
  padded.layers[1].kernel_h = padded.layers[1].kernel_w = 3;
  padded.layers[1].padding = Padding::Same;  // 28x28 -> 14x14 with clipped edge windows
  prepare_network(padded);
  CHECK_THROWS_WITH(plan_hardware(padded), Catch::Contains("pool1") &&
                                               Catch::Contains("lie in the image") &&
                                               Catch::Contains("remove the padding"));
}

// ONNX Runtime's QLinearAdd rule (established by tools/probe_onnxruntime.py) against its exact
// integer form (rtlgen_add_float's arithmetic), on every (a, b) pair for random scale sets.
TEST_CASE("onnx: QLinearAdd's float32 rule equals its integer form on every input pair") {
  std::mt19937 rng(7);
  int64_t pairs = 0, configs = 0;
  for (int trial = 0; trial < 40; ++trial) {
    const bool sgn = trial % 3 != 0;
    const int32_t offset = sgn && trial % 2 == 0 ? 128 : 0;
    const int32_t lo = sgn ? -128 : 0, hi = sgn ? 127 : 255;
    auto scale = [&](float lo_s, float hi_s) {
      return std::exp(std::uniform_real_distribution<float>(std::log(lo_s), std::log(hi_s))(rng));
    };
    TensorQuant qa, qb, qc;
    qa.dtype = qb.dtype = qc.dtype = sgn ? DType::Int8 : DType::UInt8;
    qc.scale = scale(1e-3f, 1.0f);
    qa.scale = qc.scale * scale(1.0f / 256, 64.0f);
    qb.scale = trial % 5 == 0 ? qa.scale : qc.scale * scale(1.0f / 256, 64.0f);
    qa.zero_point = std::uniform_int_distribution<int32_t>(lo, hi)(rng);
    qb.zero_point = std::uniform_int_distribution<int32_t>(lo, hi)(rng);
    qc.zero_point = std::uniform_int_distribution<int32_t>(lo, hi)(rng);
    const golden::OnnxAddRule r = golden::onnxruntime_add_rule(qa, qb, qc, offset);
    const golden::OnnxAddHw hw = golden::onnxruntime_add_hw(r);
    REQUIRE(hw.ok);
    if (hw.width > 62) continue;  // the C++ integer form is int64
    ++configs;
    for (int32_t a = lo; a <= hi; ++a)
      for (int32_t b = lo; b <= hi; ++b) {
        REQUIRE(golden::onnxruntime_add_integer(r, hw, a, b) == golden::onnxruntime_add(r, a, b));
        ++pairs;
      }
  }
  CHECK(configs >= 30);
  INFO(pairs << " pairs");
}

TEST_CASE("onnx: QLinearConcat and a QDQ Concat map to concat with ONNX Runtime's rule") {
  // QLinearConcat(y, y') where y' is y requantized: output scale 0.02, zero point 3
  const std::string cat = node("QLinearConcat", {"cs", "cz", "y", "ys", "yz", "y", "ys", "yz"},
                               {"z"}, "cat", "com.microsoft", int_attr("axis", 1));
  const std::vector<std::string> extra = {tensor<float>("cs", 1, {}, {0.02f}),
                                          tensor<int8_t>("cz", 3, {}, {3})};
  Network net = import_onnx_bytes(qlinear_conv_model_nodes({cat}, "z", extra), "cat.onnx");
  prepare_network(net);
  REQUIRE(net.layers.size() == 2);
  const Layer& l = net.layers[1];
  CHECK(l.op == OpKind::Concat);
  CHECK(l.inputs == std::vector<std::string>{"conv1", "conv1"});
  CHECK(l.out_shape == Shape{5, 5, 4});
  CHECK(l.requant_mode == RequantMode::OnnxRuntimeFloat);
  // y: scale 0.05, zero point -3 -> 0.02, 3: ratio 2.5, ties to even (probed; half away from
  // zero would give 6 and 11 for the two ties below)
  const std::vector<int32_t> t =
      golden::onnxruntime_concat_table(net.layers[0].out_quant, l.out_quant);
  REQUIRE(t.size() == 256);
  CHECK(t[size_t(-3 + 128)] == 3);      // zero stays zero
  CHECK(t[size_t(-2 + 128)] == 3 + 2);  // 2.5 -> 2
  CHECK(t[size_t(0 + 128)] == 3 + 8);   // 7.5 -> 8
  CHECK(t[size_t(127 + 128)] == 127);   // saturates
  CHECK(t[size_t(-128 + 128)] == -128);
  // the golden model: channels of input 0, then input 1, each requantized by the table
  Tensor y(Shape{5, 5, 2}, DType::Int8);
  for (size_t i = 0; i < y.data.size(); ++i) y.data[i] = int32_t(i % 256) - 128;
  const Tensor out =
      golden::concat(l, {&y, &y}, {net.layers[0].out_quant, net.layers[0].out_quant});
  for (int py = 0; py < 5; ++py)
    for (int px = 0; px < 5; ++px)
      for (int c = 0; c < 4; ++c) CHECK(out.at(py, px, c) == t[size_t(y.at(py, px, c % 2) + 128)]);

  // QDQ int8: refused (ONNX Runtime leaves it and the Convs feeding it unfused)
  const std::string qdq = qlinear_conv_model_nodes(
      {node("DequantizeLinear", {"y", "ys", "yz"}, {"d"}, "dq"),
       node("Concat", {"d", "d", "d"}, {"c"}, "qdq_cat", "", int_attr("axis", 1)),
       node("QuantizeLinear", {"c", "cs", "cz"}, {"z"}, "q")},
      "z", extra);
  CHECK_THROWS_WITH(import_onnx_bytes(qdq, "qdqcat.onnx"),
                    Catch::Contains("node 3 'qdq_cat' (Concat): an int8 QDQ Concat is refused") &&
                        Catch::Contains("QUInt8"));
  // QDQ uint8 (quantize_static QUInt8): the same layer as QLinearConcat
  Network qnet = import_onnx("configs/onnx_qdq_concat_u8.onnx");
  prepare_network(qnet);
  REQUIRE(qnet.layers.size() == 2);
  CHECK(qnet.layers[1].op == OpKind::Concat);
  CHECK(qnet.layers[1].inputs == std::vector<std::string>{"conv1", "x"});
  CHECK(qnet.layers[1].out_shape == Shape{8, 8, 8});
  CHECK(qnet.layers[1].out_quant.dtype == DType::UInt8);
  CHECK(qnet.layers[1].source == "out_QuantizeLinear_Output");
  // three inputs: one rtlgen_concat of three streams (the tensor three times: a fork of three)
  Network three = import_onnx_bytes(
      qlinear_conv_model_nodes(
          {node("QLinearConcat", {"cs", "cz", "y", "ys", "yz", "y", "ys", "yz", "y", "ys", "yz"},
                {"z"}, "cat3", "com.microsoft", int_attr("axis", 1))},
          "z", extra),
      "cat3.onnx");
  prepare_network(three);
  CHECK(three.layers[1].inputs.size() == 3);
  CHECK(three.layers[1].out_shape == Shape{5, 5, 6});
  const HwPlan plan = plan_hardware(three);
  const HwLayer& cat3 = plan.layers.back();
  const auto it = std::find_if(cat3.instances.begin(), cat3.instances.end(),
                               [](const Instance& i) { return i.module == "rtlgen_concat"; });
  REQUIRE(it != cat3.instances.end());
  CHECK(std::find(it->params.begin(), it->params.end(),
                  std::pair<std::string, ParamValue>{"N_IN", ParamValue::integer(3)}) !=
        it->params.end());
  // keeps the pace of the stages before it
  CHECK(cat3.est_cycles <=
        std::max(plan.layers.front().est_cycles, plan.input.beats_per_frame()));
}

TEST_CASE("onnx: a uint8 QDQ Add maps to QLinearAdd's rule, an int8 one is refused") {
  const std::string dq = node("DequantizeLinear", {"y", "ys", "yz"}, {"yf"}, "dq");
  const std::string add = node("Add", {"yf", "yf"}, {"z"}, "residual");
  CHECK_THROWS_WITH(import_onnx_bytes(qlinear_conv_model_nodes({dq, add}, "z"), "qdq_add.onnx"),
                    Catch::Contains("node 3 'residual' (Add): an int8 QDQ Add is refused") &&
                        Catch::Contains("fuses no QDQ group") && Catch::Contains("QUInt8"));
  CHECK_THROWS_WITH(import_onnx("configs/onnx_qdq_add_i8.onnx"),
                    Catch::Contains("'residual_add' (Add): an int8 QDQ Add is refused"));
  // uint8 (quantize_static QUInt8): ONNX Runtime fuses it into QLinearAdd (offset 0)
  Network net = import_onnx("configs/onnx_qdq_add_u8.onnx");
  prepare_network(net);
  REQUIRE(net.layers.size() == 2);
  const Layer& l = net.layers[1];
  CHECK(l.op == OpKind::Add);
  CHECK(l.inputs == std::vector<std::string>{"conv1", "x"});
  CHECK(l.out_quant.dtype == DType::UInt8);
  CHECK(l.requant_mode == RequantMode::OnnxRuntimeFloat);
  CHECK(l.onnx_zero_point_offset == 0);
  const HwPlan plan = plan_hardware(net);
  bool float_add = false;
  for (const Instance& i : plan.layers.back().instances)
    float_add |= i.module == "rtlgen_add_float";
  CHECK(float_add);
}
