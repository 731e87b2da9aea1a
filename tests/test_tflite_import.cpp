// The .tflite importer: refusals (each with its message) on tiny models built here with
// FlatBufferBuilder, mapping rules, and the MobileNet seed model end to end through the YAML
// writer and loader.
#include <flatbuffers/flatbuffers.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

#include "rtlgen/error.hpp"
#include "rtlgen/passes.hpp"
#include "rtlgen/tflite_import.hpp"
#include "rtlgen/tflite_schema.hpp"
#include "rtlgen/yaml_loader.hpp"
#include "rtlgen/yaml_writer.hpp"

using namespace rtlgen;
namespace fs = std::filesystem;

namespace {

// ---- a tiny .tflite writer for tests ---------------------------------------------------------

struct TTensor {
  std::string name;
  std::vector<int32_t> shape;
  int8_t type = tfl::tensor_type::UINT8;
  uint32_t buffer = 0;
  std::vector<float> scale;
  std::vector<int64_t> zero_point;
  int32_t qdim = 0;
};

struct TOp {
  int32_t code = 0;
  std::vector<int32_t> inputs, outputs;
  uint8_t options_type = 0;
  // Scalar fields of the options table: (field id, byte size, value).
  struct Field {
    int id;
    int size;
    int64_t value;
  };
  std::vector<Field> options;
  float float_option = 0;  // SoftmaxOptions.beta (id 0) when options_type == SoftmaxOptions
};

struct TModel {
  std::vector<TTensor> tensors;
  std::vector<std::vector<uint8_t>> buffers{{}};  // buffer 0: the empty sentinel
  std::vector<TOp> ops;
  std::vector<int32_t> inputs, outputs;
  int subgraphs = 1;

  uint32_t add_buffer(std::vector<uint8_t> bytes) {
    buffers.push_back(std::move(bytes));
    return uint32_t(buffers.size() - 1);
  }
  int add_tensor(TTensor t) {
    tensors.push_back(std::move(t));
    return int(tensors.size() - 1);
  }

  std::string bytes() const {
    using namespace flatbuffers;
    FlatBufferBuilder b;
    // Operator codes: one per distinct op code, in order of first use.
    std::vector<int32_t> codes;
    for (const auto& op : ops)
      if (std::find(codes.begin(), codes.end(), op.code) == codes.end()) codes.push_back(op.code);
    std::vector<Offset<void>> code_offs;
    for (int32_t c : codes) {
      auto start = b.StartTable();
      b.AddElement<int8_t>(tfl::field(0), int8_t(std::min(c, 127)), 0);
      b.AddElement<int32_t>(tfl::field(3), c, 0);
      code_offs.push_back(Offset<void>(b.EndTable(start)));
    }
    std::vector<Offset<void>> tensor_offs;
    for (const auto& t : tensors) {
      auto shape = b.CreateVector(t.shape);
      auto name = b.CreateString(t.name);
      Offset<void> q;
      if (!t.scale.empty() || !t.zero_point.empty()) {
        auto sc = b.CreateVector(t.scale);
        auto zp = b.CreateVector(t.zero_point);
        auto start = b.StartTable();
        b.AddOffset(tfl::field(2), sc);
        b.AddOffset(tfl::field(3), zp);
        b.AddElement<int32_t>(tfl::field(6), t.qdim, 0);
        q = Offset<void>(b.EndTable(start));
      }
      auto start = b.StartTable();
      b.AddOffset(tfl::field(0), shape);
      b.AddElement<int8_t>(tfl::field(1), t.type, 0);
      b.AddElement<uint32_t>(tfl::field(2), t.buffer, 0);
      b.AddOffset(tfl::field(3), name);
      if (!q.IsNull()) b.AddOffset(tfl::field(4), q);
      tensor_offs.push_back(Offset<void>(b.EndTable(start)));
    }
    std::vector<Offset<void>> op_offs;
    for (const auto& op : ops) {
      auto in = b.CreateVector(op.inputs);
      auto out = b.CreateVector(op.outputs);
      Offset<void> opts;
      if (op.options_type != 0) {
        auto start = b.StartTable();
        if (op.options_type == tfl::builtin_options::SoftmaxOptions)
          b.AddElement<float>(tfl::field(0), op.float_option, 0.0f);
        for (const auto& f : op.options) {
          if (f.size == 1) b.AddElement<int8_t>(tfl::field(f.id), int8_t(f.value), int8_t(-99));
          if (f.size == 4) b.AddElement<int32_t>(tfl::field(f.id), int32_t(f.value), -99);
        }
        opts = Offset<void>(b.EndTable(start));
      }
      const auto index = uint32_t(std::find(codes.begin(), codes.end(), op.code) - codes.begin());
      auto start = b.StartTable();
      b.AddElement<uint32_t>(tfl::field(0), index, 0);
      b.AddOffset(tfl::field(1), in);
      b.AddOffset(tfl::field(2), out);
      b.AddElement<uint8_t>(tfl::field(3), op.options_type, 0);
      if (!opts.IsNull()) b.AddOffset(tfl::field(4), opts);
      op_offs.push_back(Offset<void>(b.EndTable(start)));
    }
    std::vector<Offset<void>> sg_offs;
    for (int s = 0; s < subgraphs; ++s) {
      auto tv = b.CreateVector(tensor_offs);
      auto iv = b.CreateVector(inputs);
      auto ov = b.CreateVector(outputs);
      auto opv = b.CreateVector(op_offs);
      auto start = b.StartTable();
      b.AddOffset(tfl::field(0), tv);
      b.AddOffset(tfl::field(1), iv);
      b.AddOffset(tfl::field(2), ov);
      b.AddOffset(tfl::field(3), opv);
      sg_offs.push_back(Offset<void>(b.EndTable(start)));
    }
    std::vector<Offset<void>> buf_offs;
    for (const auto& data : buffers) {
      Offset<Vector<uint8_t>> d;
      if (!data.empty()) {
        b.ForceVectorAlignment(data.size(), 1, 16);
        d = b.CreateVector(data);
      }
      auto start = b.StartTable();
      if (!data.empty()) b.AddOffset(tfl::field(0), d);
      buf_offs.push_back(Offset<void>(b.EndTable(start)));
    }
    auto cv = b.CreateVector(code_offs);
    auto sv = b.CreateVector(sg_offs);
    auto bv = b.CreateVector(buf_offs);
    auto start = b.StartTable();
    b.AddElement<uint32_t>(tfl::field(0), 3, 0);
    b.AddOffset(tfl::field(1), cv);
    b.AddOffset(tfl::field(2), sv);
    b.AddOffset(tfl::field(4), bv);
    b.Finish(Offset<void>(b.EndTable(start)), tfl::kFileIdentifier);
    return std::string(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
  }
};

TOp simple_op(int32_t code, std::vector<int32_t> in, std::vector<int32_t> out) {
  TOp op;
  op.code = code;
  op.inputs = std::move(in);
  op.outputs = std::move(out);
  return op;
}

std::vector<uint8_t> le32(const std::vector<int32_t>& v) {
  std::vector<uint8_t> out;
  for (int32_t x : v)
    for (int i = 0; i < 4; ++i) out.push_back(uint8_t(uint32_t(x) >> (8 * i)));
  return out;
}

constexpr int kConvOpt = tfl::builtin_options::Conv2DOptions;

// input [1,4,4,1] uint8 -> CONV_2D 3x3 VALID (2 filters, bias) -> [1,2,2,2] uint8.
TModel tiny_conv() {
  TModel m;
  int x = m.add_tensor({"input", {1, 4, 4, 1}, tfl::tensor_type::UINT8, 0, {0.5f}, {128}});
  std::vector<uint8_t> w(18);
  for (size_t i = 0; i < w.size(); ++i) w[i] = uint8_t(100 + i);
  int wt = m.add_tensor(
      {"conv/weights", {2, 3, 3, 1}, tfl::tensor_type::UINT8, m.add_buffer(w), {0.01f}, {120}});
  int bt = m.add_tensor(
      {"conv/bias", {2}, tfl::tensor_type::INT32, m.add_buffer(le32({-5, 7})), {0.005f}, {0}});
  int y =
      m.add_tensor({"model/conv/BiasAdd", {1, 2, 2, 2}, tfl::tensor_type::UINT8, 0, {0.25f}, {10}});
  TOp op;
  op.code = tfl::builtin_op::CONV_2D;
  op.inputs = {x, wt, bt};
  op.outputs = {y};
  op.options_type = kConvOpt;
  op.options = {{0, 1, tfl::padding::VALID}, {1, 4, 1}, {2, 4, 1}};
  m.ops.push_back(op);
  m.inputs = {x};
  m.outputs = {y};
  return m;
}

std::string import_error(const std::string& bytes, const std::string& name = "tiny.tflite") {
  try {
    import_tflite_bytes(bytes, name);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

std::string shared_dir() {
  if (const char* env = std::getenv("RTLGEN_SHARED")) return env;
#ifdef RTLGEN_SOURCE_DIR
  return std::string(RTLGEN_SOURCE_DIR) + "/../shared";
#else
  return "../shared";
#endif
}

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& tag) {
    path = fs::temp_directory_path() / ("rtlgen_test_" + tag + "_" + std::to_string(::getpid()));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

}  // namespace

using Catch::Matchers::Contains;

TEST_CASE("tflite: a tiny CONV_2D model imports", "[tflite]") {
  ImportNotes notes;
  Network net = import_tflite_bytes(tiny_conv().bytes(), "dir/1tiny-model.v2.tflite", &notes);
  CHECK(net.name == "tiny_model_v2");
  CHECK(net.source == "dir/1tiny-model.v2.tflite");
  CHECK(net.input.name == "input");
  CHECK(net.input.shape == Shape{4, 4, 1});
  CHECK(net.input.quant.dtype == DType::UInt8);
  CHECK(net.input.quant.scale == 0.5f);
  CHECK(net.input.quant.zero_point == 128);
  REQUIRE(net.layers.size() == 1);
  const Layer& l = net.layers[0];
  CHECK(l.name == "conv1");
  CHECK(l.source == "model/conv/BiasAdd");
  CHECK(l.op == OpKind::Conv2D);
  CHECK(l.inputs == std::vector<std::string>{"input"});
  CHECK(l.kernel_h == 3);
  CHECK(l.kernel_w == 3);
  CHECK(l.padding == Padding::Valid);
  CHECK(l.activation == Activation::None);
  CHECK(l.weight_dtype == DType::UInt8);
  CHECK(l.weight_shape == std::vector<int32_t>{2, 3, 3, 1});
  CHECK(l.weights.front() == 100);
  CHECK(l.weights.back() == 117);
  CHECK(l.weight_zero_point == 120);
  CHECK(l.weight_scales == std::vector<float>{0.01f});
  CHECK(l.bias == std::vector<int32_t>{-5, 7});
  CHECK(l.out_quant.scale == 0.25f);
  CHECK(l.out_quant.zero_point == 10);
  CHECK(l.out_shape == Shape{2, 2, 2});
  CHECK(notes.lines.empty());
}

TEST_CASE("tflite: truncated files are refused", "[tflite]") {
  const std::string good = tiny_conv().bytes();
  for (size_t keep : {size_t(0), size_t(5), size_t(good.size() / 2), good.size() - 1}) {
    INFO("kept " << keep << " of " << good.size() << " bytes");
    const std::string msg = import_error(good.substr(0, keep));
    CHECK_THAT(msg, Contains("tiny.tflite: byte "));
    if (keep >= 8)
      CHECK_THAT(msg, Contains("(the .tflite file is truncated or corrupt"));
    else
      CHECK_THAT(msg, Contains("byte 0: file header: not a TensorFlow Lite model: the file has "
                               "only"));
  }
  // The place that leads past the end: the last byte lost cuts a one-byte field of the operator
  // code, named at its vtable slot; half lost cuts the operator code table, named at the offset
  // to it.
  CHECK(import_error(good.substr(0, good.size() - 1)) ==
        "tiny.tflite: byte 732: Model.operator_codes[0].deprecated_builtin_code: the scalar field "
        "(1 byte at byte 751) runs past the end of the file (751 bytes) (the .tflite file is "
        "truncated or corrupt, or not a TensorFlow Lite model)");
  CHECK_THAT(import_error(good.substr(0, good.size() / 2)),
             Contains("tiny.tflite: byte 80: Model.operator_codes[0]: refers to a table at byte "
                      "740, past the end of the file (376 bytes)"));
}

TEST_CASE("tflite: corrupt bytes never crash and are refused or imported", "[tflite]") {
  const std::string good = tiny_conv().bytes();
  // Flip each byte in turn (a cheap deterministic fuzz): the importer must either import or throw
  // rtlgen::Error; anything else (crash, other exception) fails the test.
  int refused = 0;
  for (size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] = char(bad[i] ^ 0x5a);
    try {
      import_tflite_bytes(bad, "fuzz.tflite");
    } catch (const Error&) {
      ++refused;
    }
  }
  CHECK(refused > 0);
}

TEST_CASE("tflite: a bad file identifier is refused", "[tflite]") {
  std::string bytes = tiny_conv().bytes();
  std::memcpy(&bytes[4], "XYZ1", 4);
  CHECK(import_error(bytes) ==
        "tiny.tflite: byte 4: file header: not a TensorFlow Lite model: file identifier (bytes "
        "4-7) is 'XYZ1', expected 'TFL3'");
}

TEST_CASE("tflite: out-of-range indices are refused", "[tflite]") {
  SECTION("buffer index") {
    TModel m = tiny_conv();
    m.tensors[1].buffer = 99;
    CHECK_THAT(import_error(m.bytes()),
               Contains("tiny.tflite: byte 532: Model.subgraphs[0].tensors[1].buffer: tensor #1 "
                        "'conv/weights': buffer index 99 is out of range (the model has 3 "
                        "buffers)"));
  }
  SECTION("operator input tensor index") {
    TModel m = tiny_conv();
    m.ops[0].inputs[1] = 42;
    CHECK_THAT(import_error(m.bytes()),
               Contains("tiny.tflite: byte 328: Model.subgraphs[0].operators[0].inputs[1]: "
                        "operator #0 CONV_2D: input 1 refers to tensor index 42, but the "
                        "subgraph has 4 tensors (valid: 0..3)"));
  }
  SECTION("subgraph output tensor index") {
    TModel m = tiny_conv();
    m.outputs = {-3};
    CHECK_THAT(import_error(m.bytes()),
               Contains(": Model.subgraphs[0].outputs[0]: subgraph: output 0 refers to tensor "
                        "index -3"));
  }
}

TEST_CASE("tflite: semantic checks of tensors", "[tflite]") {
  SECTION("buffer size disagrees with the shape") {
    TModel m = tiny_conv();
    m.tensors[1].shape = {2, 3, 3, 2};
    CHECK_THAT(import_error(m.bytes()),
               Contains("tensor #1 'conv/weights': buffer 1 holds 18 bytes, but shape [2, 3, 3, "
                        "2] of uint8 needs 36 bytes"));
  }
  SECTION("non-positive scale") {
    TModel m = tiny_conv();
    m.tensors[3].scale = {-0.25f};
    CHECK_THAT(import_error(m.bytes()),
               Contains("quantization scale [0] = -0.25 must be positive and finite"));
  }
  SECTION("scale and zero point counts differ") {
    TModel m = tiny_conv();
    m.tensors[1].zero_point = {120, 120};
    CHECK_THAT(import_error(m.bytes()), Contains("quantization has 1 scales but 2 zero points"));
  }
  SECTION("per-channel scales of the wrong length") {
    TModel m = tiny_conv();
    m.tensors[1].scale = {0.1f, 0.2f, 0.3f};
    m.tensors[1].zero_point = {0, 0, 0};
    CHECK_THAT(import_error(m.bytes()), Contains("3 per-channel scales along dimension 0"));
  }
  SECTION("two subgraphs") {
    TModel m = tiny_conv();
    m.subgraphs = 2;
    CHECK_THAT(import_error(m.bytes()), Contains("the model has 2 subgraphs"));
  }
  SECTION("batch 2") {
    TModel m = tiny_conv();
    m.tensors[0].shape = {2, 4, 4, 1};
    m.tensors[3].shape = {2, 2, 2, 2};
    CHECK_THAT(import_error(m.bytes()), Contains("batch 2 is not supported (only 1)"));
  }
  SECTION("float model") {
    TModel m = tiny_conv();
    m.tensors[0].type = tfl::tensor_type::FLOAT32;
    m.tensors[0].scale.clear();
    m.tensors[0].zero_point.clear();
    CHECK_THAT(import_error(m.bytes()), Contains("is float32; rtlgen needs integer-quantized"));
  }
}

TEST_CASE("tflite: unsupported operators are refused with their tensors", "[tflite]") {
  TModel m = tiny_conv();
  m.ops[0].code = 28;  // TANH
  m.ops[0].inputs = {0};
  m.ops[0].options_type = 0;
  m.ops[0].options.clear();
  m.tensors[3].shape = {1, 4, 4, 1};
  CHECK(import_error(m.bytes()) ==
        "tiny.tflite: byte 248: operator #0 TANH (inputs: 'input', outputs: "
        "'model/conv/BiasAdd') is not "
        "supported by rtlgen; supported: CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, "
        "AVERAGE_POOL_2D, MAX_POOL_2D, MEAN (over H,W), ADD, CONCATENATION (channels; int8 with "
        "equal quantization), PAD, PADV2, RESHAPE, SQUEEZE, SOFTMAX, RELU/RELU6/RELU_N1_TO_1 (fused "
        "into the producer), QUANTIZE (network input only), DEQUANTIZE (network output only)");

  m.ops[0].code = 200;  // unknown to this schema
  CHECK_THAT(import_error(m.bytes()), Contains("operator #0 BUILTIN_200 (inputs: 'input'"));
}

TEST_CASE("tflite: conv options are checked", "[tflite]") {
  SECTION("dilation") {
    TModel m = tiny_conv();
    m.ops[0].options.push_back({5, 4, 2});
    CHECK_THAT(import_error(m.bytes()),
               Contains("operator #0 CONV_2D (inputs: 'input', 'conv/weights', 'conv/bias', "
                        "outputs: 'model/conv/BiasAdd'): dilation 2x1 is not supported (only 1)"));
  }
  SECTION("output size") {
    TModel m = tiny_conv();
    m.ops[0].options[0].value = tfl::padding::SAME;
    CHECK_THAT(import_error(m.bytes()),
               Contains("output height is 2, but input 4 with kernel 3, stride 1 and same "
                        "padding gives 4"));
  }
  SECTION("int8 weights with uint8 activations") {
    TModel m = tiny_conv();
    m.tensors[1].type = tfl::tensor_type::INT8;
    CHECK_THAT(import_error(m.bytes()), Contains("weights 'conv/weights' are int8 but the "
                                                 "activations are uint8"));
  }
  SECTION("missing options") {
    TModel m = tiny_conv();
    m.ops[0].options_type = 0;
    CHECK_THAT(import_error(m.bytes()), Contains("missing builtin options (Conv2DOptions)"));
  }
}

TEST_CASE("tflite: standalone RELU6 folds into its producer, edges are dropped", "[tflite]") {
  TModel m = tiny_conv();
  // float input -> QUANTIZE -> conv -> RELU6 -> DEQUANTIZE -> float output
  int fin = m.add_tensor({"image", {1, 4, 4, 1}, tfl::tensor_type::FLOAT32, 0, {}, {}});
  int relu =
      m.add_tensor({"model/conv/Relu6", {1, 2, 2, 2}, tfl::tensor_type::UINT8, 0, {0.25f}, {10}});
  int fout = m.add_tensor({"probs", {1, 2, 2, 2}, tfl::tensor_type::FLOAT32, 0, {}, {}});
  TOp q = simple_op(tfl::builtin_op::QUANTIZE, {fin}, {0});
  TOp r = simple_op(tfl::builtin_op::RELU6, {3}, {relu});
  TOp d = simple_op(tfl::builtin_op::DEQUANTIZE, {relu}, {fout});
  m.ops = {q, m.ops[0], r, d};
  m.inputs = {fin};
  m.outputs = {fout};
  ImportNotes notes;
  Network net = import_tflite_bytes(m.bytes(), "edges.tflite", &notes);
  CHECK(net.input.name == "input");
  CHECK(net.input.quant.zero_point == 128);
  REQUIRE(net.layers.size() == 1);
  CHECK(net.layers[0].name == "conv1");
  CHECK(net.layers[0].source == "model/conv/Relu6");
  CHECK(net.layers[0].activation == Activation::Relu6);
  REQUIRE(notes.lines.size() == 3);
  CHECK_THAT(notes.lines[0], Contains("QUANTIZE: dropped"));
  CHECK_THAT(notes.lines[1], Contains("RELU6: folded into the fused activation of operator #1"));
  CHECK_THAT(notes.lines[2], Contains("DEQUANTIZE: dropped"));

  SECTION("RELU6 with different quantization is refused") {
    m.tensors[size_t(relu)].scale = {0.5f};
    CHECK_THAT(import_error(m.bytes()),
               Contains("operator #2 RELU6 (inputs: 'model/conv/BiasAdd', outputs: "
                        "'model/conv/Relu6') is not supported by rtlgen (a standalone activation "
                        "is supported only when it can be fused"));
  }
  SECTION("DEQUANTIZE in the middle is refused") {
    m.outputs = {relu};
    CHECK_THAT(import_error(m.bytes()),
               Contains("DEQUANTIZE is supported only as the last operator"));
  }
}

TEST_CASE("tflite: MEAN over other axes is refused", "[tflite]") {
  TModel m = tiny_conv();
  int axes = m.add_tensor({"axes", {1}, tfl::tensor_type::INT32, m.add_buffer(le32({3})), {}, {}});
  int y = m.add_tensor({"mean", {1, 2, 2, 1}, tfl::tensor_type::UINT8, 0, {0.25f}, {10}});
  m.ops.push_back(simple_op(tfl::builtin_op::MEAN, {3, axes}, {y}));
  m.outputs = {y};
  CHECK_THAT(import_error(m.bytes()),
             Contains("operator #1 MEAN (inputs: 'model/conv/BiasAdd', 'axes', outputs: 'mean') "
                      "is not supported by rtlgen (MEAN is only supported over axes (1, 2) of an "
                      "NHWC tensor; this one reduces axes 3)"));
  // Axes (1, 2) work, negative forms included.
  m.buffers.back() = le32({-3, 2});
  m.tensors[size_t(axes)].shape = {2};
  m.tensors[size_t(y)].shape = {1, 2};  // keep_dims = false
  Network net = import_tflite_bytes(m.bytes(), "mean.tflite");
  REQUIRE(net.layers.size() == 2);
  CHECK(net.layers[1].op == OpKind::Mean);
  CHECK(net.layers[1].inputs == std::vector<std::string>{"conv1"});
}

TEST_CASE("tflite: schema version other than 3 is refused", "[tflite]") {
  // Patch the root table's version field (id 0) in place, located through its vtable.
  TModel m = tiny_conv();
  std::string bytes = m.bytes();
  const auto* model = tfl::get_model(reinterpret_cast<const uint8_t*>(bytes.data()));
  REQUIRE(model->version() == 3);
  const uint32_t root = uint32_t(uint8_t(bytes[0])) | uint32_t(uint8_t(bytes[1])) << 8 |
                        uint32_t(uint8_t(bytes[2])) << 16 | uint32_t(uint8_t(bytes[3])) << 24;
  int32_t soff;
  std::memcpy(&soff, &bytes[root], 4);
  const uint32_t vt = uint32_t(int64_t(root) - soff);
  uint16_t field_off;
  std::memcpy(&field_off, &bytes[vt + 4], 2);
  REQUIRE(field_off != 0);
  bytes[root + field_off] = 2;
  CHECK_THAT(import_error(bytes),
             Contains(fmt::format("tiny.tflite: byte {}: Model.version: schema version 2 is not "
                                  "supported",
                                  root + field_off)));
}

// int8 graph: x -> DEPTHWISE(dm 2, per-channel) -> a;  x -> CONV 1x1 (per-channel) -> b;
// ADD(a, b) -> MAX_POOL 2x2/2 -> RESHAPE [1, 16] -> FULLY_CONNECTED [3, 16] -> SOFTMAX.
TModel int8_graph() {
  TModel m;
  const int8_t I8 = tfl::tensor_type::INT8;
  auto bytes_i8 = [](size_t n, int seed) {
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = uint8_t(int8_t(int(i * 7 + seed) % 61 - 30));
    return v;
  };
  int x = m.add_tensor({"serving_default_x:0", {1, 4, 4, 2}, I8, 0, {0.05f}, {-3}});
  int dw_w = m.add_tensor({"dw/w",
                           {1, 3, 3, 4},
                           I8,
                           m.add_buffer(bytes_i8(36, 1)),
                           {0.01f, 0.02f, 0.03f, 0.04f},
                           {0, 0, 0, 0},
                           3});
  int dw_b = m.add_tensor(
      {"dw/b", {4}, tfl::tensor_type::INT32, m.add_buffer(le32({1, -2, 3, -4})), {}, {}});
  int a = m.add_tensor({"model/dw/Relu", {1, 4, 4, 4}, I8, 0, {0.1f}, {-128}});
  int c_w = m.add_tensor({"pw/w",
                          {4, 1, 1, 2},
                          I8,
                          m.add_buffer(bytes_i8(8, 2)),
                          {0.01f, 0.02f, 0.03f, 0.04f},
                          {0, 0, 0, 0},
                          0});
  int b = m.add_tensor({"model/pw/BiasAdd", {1, 4, 4, 4}, I8, 0, {0.08f}, {5}});
  int sum = m.add_tensor({"model/add/add", {1, 4, 4, 4}, I8, 0, {0.15f}, {-7}});
  int pool = m.add_tensor({"model/pool/MaxPool", {1, 2, 2, 4}, I8, 0, {0.15f}, {-7}});
  int shp =
      m.add_tensor({"shape", {2}, tfl::tensor_type::INT32, m.add_buffer(le32({1, 16})), {}, {}});
  int flat = m.add_tensor({"model/flatten/Reshape", {1, 16}, I8, 0, {0.15f}, {-7}});
  int fc_w = m.add_tensor({"fc/w", {3, 16}, I8, m.add_buffer(bytes_i8(48, 3)), {0.02f}, {0}});
  int logits = m.add_tensor({"model/fc/MatMul", {1, 3}, I8, 0, {0.2f}, {1}});
  int probs = m.add_tensor({"StatefulPartitionedCall:0", {1, 3}, I8, 0, {1.0f / 256}, {-128}});

  TOp dw = simple_op(tfl::builtin_op::DEPTHWISE_CONV_2D, {x, dw_w, dw_b}, {a});
  dw.options_type = tfl::builtin_options::DepthwiseConv2DOptions;
  dw.options = {
      {0, 1, tfl::padding::SAME}, {1, 4, 1}, {2, 4, 1}, {3, 4, 2}, {4, 1, tfl::activation::RELU}};
  TOp pw = simple_op(tfl::builtin_op::CONV_2D, {x, c_w, -1}, {b});
  pw.options_type = kConvOpt;
  pw.options = {{0, 1, tfl::padding::VALID}, {1, 4, 1}, {2, 4, 1}};
  TOp add = simple_op(tfl::builtin_op::ADD, {a, b}, {sum});
  TOp mp = simple_op(tfl::builtin_op::MAX_POOL_2D, {sum}, {pool});
  mp.options_type = tfl::builtin_options::Pool2DOptions;
  mp.options = {{0, 1, tfl::padding::VALID}, {1, 4, 2}, {2, 4, 2}, {3, 4, 2}, {4, 4, 2}};
  TOp rs = simple_op(tfl::builtin_op::RESHAPE, {pool, shp}, {flat});
  TOp fc = simple_op(tfl::builtin_op::FULLY_CONNECTED, {flat, fc_w, -1}, {logits});
  TOp sm = simple_op(tfl::builtin_op::SOFTMAX, {logits}, {probs});
  sm.options_type = tfl::builtin_options::SoftmaxOptions;
  sm.float_option = 1.0f;
  m.ops = {dw, pw, add, mp, rs, fc, sm};
  m.inputs = {x};
  m.outputs = {probs};
  return m;
}

TEST_CASE("tflite: an int8 graph with branches maps and round-trips", "[tflite]") {
  const Network net = import_tflite_bytes(int8_graph().bytes(), "int8_graph.tflite");
  CHECK(net.input.name == "serving_default_x_0");
  CHECK(net.input.quant.dtype == DType::Int8);
  REQUIRE(net.layers.size() == 7);
  const Layer& dw = net.layers[0];
  CHECK(dw.name == "dw1");
  CHECK(dw.source == "model/dw/Relu");
  CHECK(dw.op == OpKind::DepthwiseConv2D);
  CHECK(dw.depth_multiplier == 2);
  CHECK(dw.activation == Activation::Relu);
  CHECK(dw.weight_shape == std::vector<int32_t>{1, 3, 3, 4});
  CHECK(dw.weight_scales.size() == 4);
  CHECK(dw.weights[0] == -29);
  const Layer& pw = net.layers[1];
  CHECK(pw.inputs == std::vector<std::string>{"serving_default_x_0"});
  CHECK(pw.bias == std::vector<int32_t>(size_t(pw.weight_shape[0]), 0));  // absent: zeros
  const Layer& add = net.layers[2];
  CHECK(add.op == OpKind::Add);
  CHECK(add.name == "add1");
  CHECK(add.inputs == std::vector<std::string>{"dw1", "conv1"});
  CHECK(net.layers[3].op == OpKind::MaxPool2D);
  CHECK(net.layers[3].kernel_h == 2);
  CHECK(net.layers[4].reshape_to == Shape{1, 1, 16});
  CHECK(net.layers[5].op == OpKind::FullyConnected);
  CHECK(net.layers[5].weight_shape == std::vector<int32_t>{3, 16});
  CHECK(net.layers[6].name == "softmax1");
  CHECK(net.layers[6].source == "StatefulPartitionedCall:0");
  CHECK(net.layers[6].softmax_beta == 1.0f);

  TempDir tmp("int8_graph");
  const std::string yaml = (tmp.path / "g.yaml").string();
  write_network_yaml(net, yaml, "g_params");
  const Network back = load_network_yaml(yaml);
  REQUIRE(back.layers.size() == 7);
  for (size_t i = 0; i < 7; ++i) {
    INFO(net.layers[i].name);
    CHECK(back.layers[i].inputs == net.layers[i].inputs);
    CHECK(back.layers[i].weights == net.layers[i].weights);
    CHECK(back.layers[i].weight_scales == net.layers[i].weight_scales);
    CHECK(back.layers[i].out_shape == net.layers[i].out_shape);
    CHECK(back.layers[i].out_quant.zero_point == net.layers[i].out_quant.zero_point);
  }
}

// int8 [1,2,2,3] x -> CONCATENATION(x, x) -> y [1,2,2,6] with the given options and output
// quantization.
TModel concat_model(int32_t axis, int8_t act, float y_scale, int64_t y_zp) {
  TModel m;
  const int8_t I8 = tfl::tensor_type::INT8;
  int x = m.add_tensor({"x", {1, 2, 2, 3}, I8, 0, {0.1f}, {-5}});
  int y = m.add_tensor({"model/concat", {1, 2, 2, 6}, I8, 0, {y_scale}, {y_zp}});
  TOp op = simple_op(tfl::builtin_op::CONCATENATION, {x, x}, {y});
  op.options_type = tfl::builtin_options::ConcatenationOptions;
  op.options = {{0, 4, axis}, {1, 1, act}};
  m.ops = {op};
  m.inputs = {x};
  m.outputs = {y};
  return m;
}

TEST_CASE("tflite: CONCATENATION of the channels with equal quantization maps", "[tflite]") {
  for (int32_t axis : {3, -1}) {
    Network net = import_tflite_bytes(concat_model(axis, 0, 0.1f, -5).bytes(), "cat.tflite");
    prepare_network(net);
    REQUIRE(net.layers.size() == 1);
    CHECK(net.layers[0].op == OpKind::Concat);
    CHECK(net.layers[0].name == "concat1");
    CHECK(net.layers[0].inputs == std::vector<std::string>{"x", "x"});
    CHECK(net.layers[0].out_shape == Shape{2, 2, 6});
  }
  // refused, naming the operator and the reason
  CHECK_THAT(import_error(concat_model(2, 0, 0.1f, -5).bytes()),
             Contains("CONCATENATION") && Contains("axis 2 of a rank-4 tensor") &&
                 Contains("the channels only"));
  CHECK_THAT(
      import_error(concat_model(3, 0, 0.2f, -5).bytes()),
      Contains(
          "input 0 'x' (scale 0.100000001, zero point -5) and the output (scale 0.200000003") &&
          Contains("requires them equal"));
  CHECK_THAT(import_error(concat_model(3, tfl::activation::RELU, 0.1f, -5).bytes()),
             Contains("fused activation on CONCATENATION is refused"));
}

TEST_CASE("tflite: corrupt int8 graph bytes never crash", "[tflite]") {
  const std::string good = int8_graph().bytes();
  int refused = 0;
  for (size_t i = 0; i < good.size(); ++i) {
    for (uint8_t x : {uint8_t(0x01), uint8_t(0x80), uint8_t(0xff)}) {
      std::string bad = good;
      bad[i] = char(uint8_t(bad[i]) ^ x);
      try {
        import_tflite_bytes(bad, "fuzz.tflite");
      } catch (const Error&) {
        ++refused;
      }
    }
  }
  CHECK(refused > 0);
}

// ---- structure errors: byte offset + schema path ----------------------------------------------

namespace {

size_t byte_at(const std::string& bytes, const void* p) {
  return size_t(static_cast<const uint8_t*>(p) - reinterpret_cast<const uint8_t*>(bytes.data()));
}
void put_le32(std::string& bytes, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) bytes[at + size_t(i)] = char(v >> (8 * i));
}
const tfl::Model* model_of(const std::string& bytes) {
  return tfl::get_model(reinterpret_cast<const uint8_t*>(bytes.data()));
}
const std::string kCorrupt =
    " (the .tflite file is truncated or corrupt, or not a TensorFlow Lite model)";

}  // namespace

TEST_CASE("tflite: structure errors name the byte and the schema field", "[tflite]") {
  const std::string good = tiny_conv().bytes();
  const tfl::Model* model = model_of(good);
  const tfl::SubGraph* sg = model->subgraphs()->Get(0);
  const tfl::Operator* op = sg->operators()->Get(0);
  std::string bad = good;

  SECTION("a vector that runs past the end of the file") {
    const size_t at = byte_at(good, op->inputs());
    put_le32(bad, at, 1000);
    CHECK(import_error(bad) ==
          fmt::format("tiny.tflite: byte {}: Model.subgraphs[0].operators[0].inputs: vector runs "
                      "past the end of the file (len 1000, 4 bytes each, file {} bytes){}",
                      at, good.size(), kCorrupt));
  }
  SECTION("a string without its terminating NUL") {
    const auto* name = sg->tensors()->Get(0)->name();
    REQUIRE(name->str() == "input");
    bad[byte_at(good, name->c_str()) + 5] = 'x';
    CHECK(import_error(bad) ==
          fmt::format("tiny.tflite: byte {}: Model.subgraphs[0].tensors[0].name: string of length "
                      "5 is not NUL-terminated inside the file{}",
                      byte_at(good, name), kCorrupt));
  }
  SECTION("a table whose vtable lies outside the file") {
    const size_t at = byte_at(good, op);
    put_le32(bad, at, 0x40000000u);
    CHECK(import_error(bad) ==
          fmt::format("tiny.tflite: byte {}: Model.subgraphs[0].operators[0]: vtable offset "
                      "1073741824 points to byte {}, outside the file ({} bytes){}",
                      at, int64_t(at) - 0x40000000, good.size(), kCorrupt));
  }
  SECTION("an offset of 0 and an offset past the end") {
    const auto* weights = sg->tensors()->Get(1);
    const size_t at = byte_at(good, weights->address(tfl::Tensor::VT_QUANTIZATION));
    put_le32(bad, at, 0);
    CHECK(import_error(bad) ==
          fmt::format("tiny.tflite: byte {}: Model.subgraphs[0].tensors[1].quantization: offset 0 "
                      "(points to itself){}",
                      at, kCorrupt));
    put_le32(bad, at, 5000);
    CHECK_THAT(import_error(bad),
               Contains(fmt::format("tiny.tflite: byte {}: Model.subgraphs[0].tensors[1]."
                                    "quantization: offset 5000 points to byte {}, past the end of "
                                    "the file ({} bytes)",
                                    at, at + 5000, good.size())));
  }
  SECTION("a vtable of odd size") {
    const auto* conv_options = op->builtin_options();
    int32_t soff;
    std::memcpy(&soff, good.data() + byte_at(good, conv_options), 4);
    const size_t vt = size_t(int64_t(byte_at(good, conv_options)) - soff);
    bad[vt] = char(bad[vt] | 1);
    CHECK_THAT(import_error(bad),
               Contains(fmt::format("tiny.tflite: byte {}: Model.subgraphs[0].operators[0]."
                                    "builtin_options: vtable size {} is odd",
                                    vt, uint8_t(bad[vt]))));
  }
  SECTION("a root table offset beyond the end") {
    put_le32(bad, 0, 0x00ffffffu);
    CHECK_THAT(import_error(bad), Contains("tiny.tflite: byte 0: root table offset: truncated or "
                                           "corrupt .tflite file: the root table offset 16777215"));
  }
}

TEST_CASE("tflite: index and count errors name the byte and the schema field", "[tflite]") {
  SECTION("opcode index") {
    const std::string good = int8_graph().bytes();
    std::string bad = good;
    const tfl::Operator* op1 = model_of(good)->subgraphs()->Get(0)->operators()->Get(1);
    REQUIRE(op1->opcode_index() == 1);
    const size_t at = byte_at(good, op1->address(tfl::Operator::VT_OPCODE_INDEX));
    put_le32(bad, at, 50);
    CHECK_THAT(import_error(bad),
               Contains(fmt::format("tiny.tflite: byte {}: Model.subgraphs[0].operators[1]."
                                    "opcode_index: operator #1: opcode index 50 is out of range "
                                    "(the model has 7 operator codes)",
                                    at)));
  }
  SECTION("two inputs") {
    TModel m = tiny_conv();
    m.inputs = {0, 0};
    const std::string bytes = m.bytes();
    const size_t at =
        byte_at(bytes, model_of(bytes)->subgraphs()->Get(0)->address(tfl::SubGraph::VT_INPUTS));
    CHECK(import_error(bytes) ==
          fmt::format("tiny.tflite: byte {}: Model.subgraphs[0].inputs: the model has 2 inputs; "
                      "rtlgen supports exactly one",
                      at));
  }
  SECTION("no operators") {
    TModel m = tiny_conv();
    m.ops.clear();
    CHECK_THAT(import_error(m.bytes()),
               Contains(": Model.subgraphs[0].operators: the subgraph has no operators"));
  }
  SECTION("a non-positive scale names the scale element") {
    TModel m = tiny_conv();
    m.tensors[3].scale = {-0.25f};
    const std::string bytes = m.bytes();
    const auto* q = model_of(bytes)->subgraphs()->Get(0)->tensors()->Get(3)->quantization();
    CHECK_THAT(import_error(bytes),
               Contains(fmt::format("tiny.tflite: byte {}: Model.subgraphs[0].tensors[3]."
                                    "quantization.scale[0]: tensor #3 'model/conv/BiasAdd': "
                                    "quantization scale [0] = -0.25",
                                    byte_at(bytes, q->scale()->data()))));
  }
  SECTION("a constant whose bytes disagree with its shape names the buffer") {
    TModel m = tiny_conv();
    m.tensors[1].shape = {2, 3, 3, 2};
    CHECK_THAT(import_error(m.bytes()),
               Contains(": Model.buffers[1]: tensor #1 'conv/weights': buffer 1 holds 18 bytes"));
  }
  SECTION("the network output is the input") {
    TModel m = tiny_conv();
    m.outputs = {0};
    CHECK_THAT(import_error(m.bytes()), Contains(": Model.subgraphs[0].outputs[0]: "));
  }
}

TEST_CASE("tflite: the structure check accepts exactly what the FlatBuffers verifier accepts",
          "[tflite][fuzz]") {
  // Mutants of three models: every truncation of the small ones, every byte xor 0xff and set to
  // 0, and 3,000 random 1-4 byte mutations of configs/lenet.tflite. find_structure_error() must
  // refuse exactly the buffers verify_model() refuses, and name a byte inside the file.
  std::vector<std::string> mutants;
  for (const std::string& good : {tiny_conv().bytes(), int8_graph().bytes()}) {
    for (size_t keep = 0; keep < good.size(); ++keep) mutants.push_back(good.substr(0, keep));
    for (size_t i = 0; i < good.size(); ++i)
      for (char v : {char(good[i] ^ 0xff), char(0)}) {
        std::string m = good;
        m[i] = v;
        mutants.push_back(m);
      }
  }
  const std::string lenet = slurp(fs::path(RTLGEN_SOURCE_DIR) / "configs/lenet.tflite");
  REQUIRE(lenet.size() > 10000);
  uint64_t rng = 12345;
  auto next = [&rng] {
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return uint32_t(rng >> 33);
  };
  for (int n = 0; n < 3000; ++n) {
    std::string m = lenet;
    const int edits = 1 + int(next() % 4);
    // Structure lives mostly outside the weight buffers: aim half of the edits at the first and
    // last 4 KiB.
    for (int e = 0; e < edits; ++e) {
      size_t at = next() % m.size();
      if (next() % 2) at = next() % 2 ? next() % 4096 : m.size() - 1 - next() % 4096;
      m[at] = char(next() % 3 == 0 ? 0xff : next());
    }
    mutants.push_back(m);
  }
  int refused = 0, disagree = 0;
  for (const std::string& m : mutants) {
    std::vector<uint64_t> aligned(m.size() / 8 + 1);  // verify_model needs 8-byte alignment
    std::memcpy(aligned.data(), m.data(), m.size());
    const auto* p = reinterpret_cast<const uint8_t*>(aligned.data());
    const auto e = tfl::find_structure_error(p, m.size());
    const bool flatbuffers_ok = m.size() >= 8 && tfl::verify_model(p, m.size());
    if (e.has_value() == flatbuffers_ok) ++disagree;
    if (e) {
      ++refused;
      CHECK(e->offset <= m.size());
      CHECK_FALSE(e->path.empty());
    }
  }
  INFO(mutants.size() << " mutants, " << refused << " refused");
  CHECK(disagree == 0);
  CHECK(refused > int(mutants.size()) / 4);
  CHECK(refused < int(mutants.size()));
}

TEST_CASE("tflite: padding operators", "[tflite]") {
  TModel m = tiny_conv();
  int pads = m.add_tensor({"paddings",
                           {4, 2},
                           tfl::tensor_type::INT32,
                           m.add_buffer(le32({0, 0, 1, 2, 0, 1, 0, 0})),
                           {},
                           {}});
  int y = m.add_tensor({"padded", {1, 5, 3, 2}, tfl::tensor_type::UINT8, 0, {0.25f}, {10}});
  m.ops.push_back(simple_op(tfl::builtin_op::PAD, {3, pads}, {y}));
  m.outputs = {y};
  Network net = import_tflite_bytes(m.bytes(), "pad.tflite");
  REQUIRE(net.layers.size() == 2);
  CHECK(net.layers[1].op == OpKind::Pad);
  CHECK(net.layers[1].pads.top == 1);
  CHECK(net.layers[1].pads.bottom == 2);
  CHECK(net.layers[1].pads.left == 0);
  CHECK(net.layers[1].pads.right == 1);

  SECTION("channel padding is refused") {
    m.buffers[size_t(m.tensors[size_t(pads)].buffer)] = le32({0, 0, 1, 2, 0, 1, 0, 1});
    m.tensors[size_t(y)].shape = {1, 5, 3, 3};
    CHECK_THAT(import_error(m.bytes()),
               Contains("only H/W padding is supported; this pads batch by [0, 0] and channels "
                        "by [0, 1]"));
  }
  SECTION("PADV2 with a constant other than the zero point is refused") {
    int cv = m.add_tensor({"cv", {}, tfl::tensor_type::UINT8, m.add_buffer({3}), {0.25f}, {10}});
    m.ops.back() = simple_op(tfl::builtin_op::PADV2, {3, pads, cv}, {y});
    CHECK_THAT(import_error(m.bytes()),
               Contains("PADV2 pads with 3, but rtlgen pads only with the output zero point 10"));
    m.buffers.back() = {10};
    CHECK(import_tflite_bytes(m.bytes(), "padv2.tflite").layers.size() == 2);
  }
}

TEST_CASE("tflite: sanitize_identifier", "[tflite]") {
  CHECK(sanitize_identifier("MobilenetV1/MobilenetV1/Conv2d_0/Relu6", "x") ==
        "MobilenetV1_Conv2d_0_Relu6");
  CHECK(sanitize_identifier("seq/conv/Relu;seq/conv/BiasAdd", "x") == "seq_conv_Relu");
  CHECK(sanitize_identifier("StatefulPartitionedCall:0", "x") == "StatefulPartitionedCall_0");
  CHECK(sanitize_identifier("0_12 -- layer..name__", "x") == "layer_name");
  CHECK(sanitize_identifier("123", "fallback") == "fallback");
  CHECK(sanitize_identifier("", "fallback") == "fallback");
}

TEST_CASE("tflite: YAML writer refuses foreign directories and is deterministic", "[tflite]") {
  Network net = import_tflite_bytes(tiny_conv().bytes(), "tiny.tflite");
  TempDir tmp("yaml_writer");
  const std::string yaml = (tmp.path / "out" / "tiny.yaml").string();
  write_network_yaml(net, yaml, "tiny_params");
  CHECK(fs::exists(tmp.path / "out" / "tiny_params" / ".rtlgen"));
  CHECK(fs::exists(tmp.path / "out" / "tiny_params" / "conv1_weights.npy"));
  const std::string first = slurp(yaml);
  const std::string first_w = slurp(tmp.path / "out" / "tiny_params" / "conv1_weights.npy");
  write_network_yaml(net, yaml, "tiny_params");  // overwriting our own output is fine
  CHECK(slurp(yaml) == first);
  CHECK(slurp(tmp.path / "out" / "tiny_params" / "conv1_weights.npy") == first_w);
  CHECK_THAT(first, Contains("scale: 0.5\n"));
  CHECK_THAT(first, Contains("output: {dtype: uint8, scale: 0.25, zero_point: 10}"));
  // No temporary siblings left behind.
  int entries = 0;
  for (const auto& e : fs::directory_iterator(tmp.path / "out")) {
    (void)e;
    ++entries;
  }
  CHECK(entries == 2);

  fs::create_directories(tmp.path / "foreign" / "tiny_params");
  { std::ofstream(tmp.path / "foreign" / "tiny_params" / "keep.txt") << "mine"; }
  try {
    write_network_yaml(net, (tmp.path / "foreign" / "tiny.yaml").string(), "tiny_params");
    FAIL("expected a refusal");
  } catch (const Error& e) {
    CHECK_THAT(std::string(e.what()), Contains("refusing to overwrite a non-empty directory that "
                                               "rtlgen did not write"));
  }
  CHECK(slurp(tmp.path / "foreign" / "tiny_params" / "keep.txt") == "mine");
  CHECK_FALSE(fs::exists(tmp.path / "foreign" / "tiny.yaml"));

  { std::ofstream(tmp.path / "user.yaml") << "network: mine\n"; }
  CHECK_THROWS_WITH(write_network_yaml(net, (tmp.path / "user.yaml").string(), "p"),
                    Contains("refusing to overwrite a file that rtlgen did not write"));
}

TEST_CASE("tflite: the tiny model round-trips through YAML", "[tflite]") {
  Network net = import_tflite_bytes(tiny_conv().bytes(), "tiny.tflite");
  TempDir tmp("tiny_roundtrip");
  const std::string yaml = (tmp.path / "tiny.yaml").string();
  write_network_yaml(net, yaml, "tiny_params");
  Network back = load_network_yaml(yaml);
  REQUIRE(back.layers.size() == 1);
  CHECK(back.layers[0].weights == net.layers[0].weights);
  CHECK(back.layers[0].bias == net.layers[0].bias);
  CHECK(back.layers[0].weight_scales == net.layers[0].weight_scales);
  CHECK(back.layers[0].out_shape == Shape{2, 2, 2});
}

TEST_CASE("tflite: MobileNet v1 0.25 128 seed model", "[tflite][shared]") {
  const fs::path model = fs::path(shared_dir()) / "models" / "mobilenet_v1_0.25_128_quant.tflite";
  if (!fs::exists(model)) {
    WARN("skipped: " << model.string() << " not found (set RTLGEN_SHARED to the shared/ dir)");
    return;
  }
  ImportNotes notes;
  const Network net = import_tflite(model.string(), &notes);
  CHECK(net.name == "mobilenet_v1_0_25_128_quant");
  CHECK(net.input.name == "input");
  CHECK(net.input.shape == Shape{128, 128, 3});
  CHECK(net.input.quant.dtype == DType::UInt8);
  CHECK(net.input.quant.scale == 1.0f / 128.0f);
  CHECK(net.input.quant.zero_point == 128);
  REQUIRE(net.layers.size() == 31);
  std::map<OpKind, int> count;
  for (const auto& l : net.layers) ++count[l.op];
  CHECK(count[OpKind::Conv2D] == 15);
  CHECK(count[OpKind::DepthwiseConv2D] == 13);
  CHECK(count[OpKind::AveragePool2D] == 1);
  CHECK(count[OpKind::Reshape] == 1);
  CHECK(count[OpKind::Softmax] == 1);
  CHECK(notes.lines.empty());

  const Layer& first = net.layers.front();
  CHECK(first.name == "conv1");
  CHECK(first.inputs == std::vector<std::string>{"input"});
  CHECK(first.weight_shape == std::vector<int32_t>{8, 3, 3, 3});
  CHECK(first.stride_h == 2);
  CHECK(first.padding == Padding::Same);
  CHECK(first.activation == Activation::Relu6);
  CHECK(first.weight_dtype == DType::UInt8);
  CHECK(first.out_quant.zero_point == 0);
  CHECK(first.out_quant.scale == Approx(6.0 / 255.0).epsilon(1e-3));
  const Layer& dw = net.layers[1];
  CHECK(dw.op == OpKind::DepthwiseConv2D);
  CHECK(dw.weight_shape == std::vector<int32_t>{1, 3, 3, 8});
  CHECK(dw.inputs == std::vector<std::string>{first.name});
  const Layer& last = net.layers.back();
  CHECK(last.op == OpKind::Softmax);
  CHECK(last.out_shape == Shape{1, 1, 1001});
  CHECK(last.out_quant.scale == 1.0f / 256.0f);
  CHECK(last.out_quant.zero_point == 0);
  CHECK(net.layers[29].op == OpKind::Reshape);
  CHECK(net.layers[29].reshape_to == Shape{1, 1, 1001});
  for (size_t i = 1; i < net.layers.size(); ++i)
    CHECK(net.layers[i].inputs == std::vector<std::string>{net.layers[i - 1].name});

  // Round trip through the YAML writer and the loader.
  TempDir tmp("mobilenet");
  const std::string yaml = (tmp.path / "mobilenet.yaml").string();
  write_network_yaml(net, yaml, "mobilenet_params");
  const Network back = load_network_yaml(yaml);
  CHECK(back.name == net.name);
  CHECK(back.input.name == net.input.name);
  CHECK(back.input.shape == net.input.shape);
  CHECK(back.input.quant.scale == net.input.quant.scale);
  CHECK(back.input.quant.zero_point == net.input.quant.zero_point);
  REQUIRE(back.layers.size() == net.layers.size());
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& a = net.layers[i];
    const Layer& b = back.layers[i];
    INFO("layer " << a.name);
    CHECK(b.name == a.name);
    CHECK(b.op == a.op);
    CHECK(b.inputs == a.inputs);
    CHECK(b.source == a.source);
    CHECK(b.kernel_h == a.kernel_h);
    CHECK(b.kernel_w == a.kernel_w);
    CHECK(b.stride_h == a.stride_h);
    CHECK(b.stride_w == a.stride_w);
    CHECK(b.padding == a.padding);
    CHECK(b.activation == a.activation);
    CHECK(b.depth_multiplier == a.depth_multiplier);
    CHECK(b.weight_dtype == a.weight_dtype);
    CHECK(b.weight_shape == a.weight_shape);
    CHECK(b.weights == a.weights);
    CHECK(b.weight_scales == a.weight_scales);
    CHECK(b.weight_zero_point == a.weight_zero_point);
    CHECK(b.bias == a.bias);
    CHECK(b.out_quant.dtype == a.out_quant.dtype);
    CHECK(b.out_quant.scale == a.out_quant.scale);
    CHECK(b.out_quant.zero_point == a.out_quant.zero_point);
    CHECK(b.out_shape == a.out_shape);
    CHECK(b.softmax_beta == a.softmax_beta);
  }
}

// ---- semantic validation the FlatBuffers verifier cannot do, and fuzzing regressions ----------

TEST_CASE("tflite: an absent bias becomes zeros, so the passes can run", "[tflite][fuzz]") {
  // Regression: the bias was left empty and the passes read bias[c] out of bounds.
  for (const std::vector<int32_t>& inputs : {std::vector<int32_t>{0, 1}, {0, 1, -1}}) {
    TModel m = tiny_conv();
    m.ops[0].inputs = inputs;
    Network net = import_tflite_bytes(m.bytes(), "nobias.tflite");
    REQUIRE(net.layers.size() == 1);
    CHECK(net.layers[0].bias == std::vector<int32_t>{0, 0});
    prepare_network(net);
    CHECK(net.layers[0].acc_bits > 0);
  }
}

TEST_CASE("tflite: shapes and sizes the verifier cannot check", "[tflite][fuzz]") {
  SECTION("more than 2^31 - 1 elements (element counts must not overflow)") {
    TModel m = tiny_conv();
    m.tensors[3].shape = {1, 65536, 65536, 2};
    CHECK_THAT(import_error(m.bytes()),
               Contains("tensor #3 'model/conv/BiasAdd' has shape [1, 65536, 65536, 2]: more "
                        "than 2^31 - 1 elements are not supported"));
    m.tensors[3].shape = {1, 2147483647, 2147483647, 0};  // empty, but a huge product
    CHECK_THAT(import_error(m.bytes()), Contains("has an empty dimension"));
  }
  SECTION("height or width above 65536") {
    TModel m = tiny_conv();
    m.tensors[0].shape = {1, 70000, 4, 1};
    CHECK_THAT(import_error(m.bytes()),
               Contains("input tensor 'input' has shape [1, 70000, 4, 1]: height and width above "
                        "65536 are not supported"));
  }
  SECTION("stride near 2^31 (the output size must not overflow)") {
    TModel m = tiny_conv();
    m.ops[0].options[1].value = 2147483647;
    CHECK_THAT(import_error(m.bytes()),
               Contains("width: kernel 3 / stride 2147483647 must be in 1..65536"));
  }
  SECTION("misaligned int64 zero points (fuzz crash: misaligned load)") {
    const std::string bytes = slurp(fs::path(RTLGEN_SOURCE_DIR) / "tests/fuzz/corpus/tflite" /
                                    "crash_misaligned_zero_point.tflite");
    REQUIRE(bytes.size() > 1000);
    CHECK(import_error(bytes, "crash.tflite") ==
          "crash.tflite: byte 5928: Model.subgraphs[0].tensors[7].quantization.zero_point: its "
          "8-byte elements start at byte 5932, not 8-byte aligned (the .tflite file is truncated "
          "or corrupt, or not a TensorFlow Lite model)");
  }
}

TEST_CASE("tflite: quantization whose integer arithmetic does not fit int32", "[tflite][fuzz]") {
  const std::string conv =
      "operator #0 CONV_2D (inputs: 'input', 'conv/weights', 'conv/bias', outputs: "
      "'model/conv/BiasAdd'): ";
  SECTION("accumulator + bias could overflow int32") {
    TModel m = tiny_conv();
    m.buffers[2] = le32({2147483647 - 10, 7});
    // channel 0: sum |w - 120| = 20 + 19 + ... + 12 = 144, times max |x - 128| = 128
    CHECK(import_error(m.bytes()) ==
          "tiny.tflite: byte 252: " + conv +
              "output channel 0: worst-case accumulator 2147502069 overflows int32 (vector length "
              "9); split the layer or reduce weight magnitudes");
  }
  SECTION("accumulator times the requantization left shift could overflow int32") {
    TModel m = tiny_conv();
    m.tensors[3].scale = {0.005f / 1048576.0f};  // multiplier 2^20: left shift 2^21
    CHECK_THAT(import_error(m.bytes()),
               Contains(conv + "output channel 0: accumulator + bias (up to 18437) times the "
                               "requantization left shift 2^21 could overflow int32"));
  }
  SECTION("requantization multiplier of 2^31 or more") {
    TModel m = tiny_conv();
    m.tensors[3].scale = {1e-30f};
    CHECK_THAT(import_error(m.bytes()),
               Contains(conv + "requantization multiplier of output channel 0 (input scale 0.5 x "
                               "weight scale 0.00999999978 / output scale 1e-30) is 2^31 or more"));
  }
  SECTION("fused RELU6 clamp bound beyond int32") {
    TModel m = tiny_conv();
    m.ops[0].options.push_back({3, 1, tfl::activation::RELU6});
    m.tensors[3].scale = {1e-12f};
    CHECK_THAT(import_error(m.bytes()),
               Contains(conv + "output scale 9.99999996e-13 is too small for the fused relu6 "
                               "activation: its clamp bound 6 / scale does not fit int32"));
  }
  SECTION("infinite and NaN scales") {
    TModel m = tiny_conv();
    m.tensors[1].scale = {std::numeric_limits<float>::infinity()};
    CHECK_THAT(import_error(m.bytes()),
               Contains("tensor #1 'conv/weights': quantization scale [0] = inf must be positive "
                        "and finite"));
    m.tensors[1].scale = {std::numeric_limits<float>::quiet_NaN()};
    CHECK_THAT(import_error(m.bytes()), Contains("quantization scale [0] = nan must be positive"));
  }
}
