// ONNX importer: wire-format parsing of ModelProto/GraphProto/NodeProto/TensorProto/
// AttributeProto/ValueInfoProto (field numbers from onnx.proto), then a mapping of QDQ groups and
// QOperator nodes onto rtlgen's IR. See rtlgen/onnx_import.hpp for what is supported.
#include "rtlgen/onnx_import.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "rtlgen/error.hpp"
#include "rtlgen/file_util.hpp"
#include "rtlgen/protobuf_wire.hpp"

namespace rtlgen {

namespace {

using wire::Field;
using wire::Reader;
using wire::WireType;

// ONNX TensorProto.DataType values used here.
enum : int { kFloat = 1, kUInt8 = 2, kInt8 = 3, kInt32 = 6, kInt64 = 7 };
constexpr int64_t kMaxElements = int64_t(1) << 28;  // refuse absurd constant sizes early
// MatMulInteger / ConvInteger: int32 outputs rescaled by float ops. ONNX Runtime's
// quantize_dynamic writes them behind DynamicQuantizeLinear, whose activation scale and zero
// point come from each input's min and max at run time: no fixed integer hardware computes that.
constexpr const char* kIntegerOpRefusal =
    "dynamic quantization is refused: quantize_dynamic's DynamicQuantizeLinear -> "
    "MatMulInteger/ConvInteger -> Cast -> Mul rescales with an activation scale computed from "
    "each input at run time, which fixed integer hardware cannot reproduce (a static "
    "MatMulInteger/ConvInteger with constant zero points and float rescaling is not mapped "
    "either); quantize with quantize_static (QDQ or QOperator), which rtlgen maps";

const char* dtype_name(int t) {
  switch (t) {
    case kFloat:
      return "float32";
    case kUInt8:
      return "uint8";
    case kInt8:
      return "int8";
    case kInt32:
      return "int32";
    case kInt64:
      return "int64";
    default:
      return "an unsupported type";
  }
}

struct OnnxTensor {
  std::string name;
  int data_type = 0;
  std::vector<int64_t> dims;
  std::string_view raw;
  bool has_raw = false;
  std::vector<float> float_data;
  std::vector<int64_t> int_data;  // int32_data (int8/uint8/int32) or int64_data
  bool external = false;
};

struct OnnxAttr {
  std::string name;
  float f = 0;
  int64_t i = 0;
  std::string s;
  std::vector<int64_t> ints;
  std::vector<float> floats;
  bool has_t = false;
  OnnxTensor t;
};

struct OnnxNode {
  int index = 0;
  std::string name, op_type, domain;
  std::vector<std::string> inputs, outputs;
  std::vector<OnnxAttr> attrs;
};

struct ValueInfo {
  std::string name;
  int elem_type = 0;
  std::vector<int64_t> dims;  // -1 = symbolic/unknown
};

OnnxTensor parse_tensor(std::string_view msg) {
  OnnxTensor t;
  Reader r(msg);
  Field f;
  while (r.next(&f)) {
    switch (f.number) {
      case 1:
        wire::append_int64s(f, &t.dims);
        break;
      case 2:
        t.data_type = int(wire::as_int64(f));
        break;
      case 4:
        wire::append_floats(f, &t.float_data);
        break;
      case 5:
      case 7:
        wire::append_int64s(f, &t.int_data);
        break;
      case 8:
        t.name = wire::as_string(f);
        break;
      case 9:
        if (f.type != WireType::Bytes) throw wire::WireError("raw_data is not length-delimited");
        t.raw = f.bytes;
        t.has_raw = true;
        break;
      case 13:
        t.external = true;
        break;
      case 14:
        t.external = t.external || wire::as_int64(f) == 1;
        break;
      default:
        break;
    }
    if (t.dims.size() > 8) throw wire::WireError("tensor of rank > 8");
  }
  return t;
}

ValueInfo parse_value_info(std::string_view msg) {
  ValueInfo v;
  Reader r(msg);
  Field f;
  while (r.next(&f)) {
    if (f.number == 1) v.name = wire::as_string(f);
    if (f.number != 2 || f.type != WireType::Bytes) continue;
    Reader type(f.bytes);  // TypeProto
    Field tf;
    while (type.next(&tf)) {
      if (tf.number != 1 || tf.type != WireType::Bytes) continue;  // tensor_type
      Reader tensor(tf.bytes);
      Field ef;
      while (tensor.next(&ef)) {
        if (ef.number == 1) v.elem_type = int(wire::as_int64(ef));
        if (ef.number != 2 || ef.type != WireType::Bytes) continue;  // shape
        Reader shape(ef.bytes);
        Field df;
        while (shape.next(&df)) {
          if (df.number != 1 || df.type != WireType::Bytes) continue;
          int64_t value = -1;
          Reader dim(df.bytes);
          Field vf;
          while (dim.next(&vf))
            if (vf.number == 1) value = wire::as_int64(vf);
          v.dims.push_back(value);
          if (v.dims.size() > 8) throw wire::WireError("value of rank > 8");
        }
      }
    }
  }
  return v;
}

OnnxAttr parse_attr(std::string_view msg) {
  OnnxAttr a;
  Reader r(msg);
  Field f;
  while (r.next(&f)) {
    switch (f.number) {
      case 1:
        a.name = wire::as_string(f);
        break;
      case 2:
        a.f = wire::as_float(f);
        break;
      case 3:
        a.i = wire::as_int64(f);
        break;
      case 4:
        a.s = wire::as_string(f);
        break;
      case 5:
        if (f.type != WireType::Bytes) throw wire::WireError("attribute tensor is not a message");
        a.t = parse_tensor(f.bytes);
        a.has_t = true;
        break;
      case 7:
        wire::append_floats(f, &a.floats);
        break;
      case 8:
        wire::append_int64s(f, &a.ints);
        break;
      default:
        break;
    }
  }
  return a;
}

OnnxNode parse_node(std::string_view msg, int index) {
  OnnxNode n;
  n.index = index;
  Reader r(msg);
  Field f;
  while (r.next(&f)) {
    switch (f.number) {
      case 1:
        n.inputs.push_back(wire::as_string(f));
        break;
      case 2:
        n.outputs.push_back(wire::as_string(f));
        break;
      case 3:
        n.name = wire::as_string(f);
        break;
      case 4:
        n.op_type = wire::as_string(f);
        break;
      case 5:
        if (f.type != WireType::Bytes) throw wire::WireError("attribute is not a message");
        n.attrs.push_back(parse_attr(f.bytes));
        break;
      case 7:
        n.domain = wire::as_string(f);
        break;
      default:
        break;
    }
  }
  return n;
}

struct OnnxGraph {
  std::vector<OnnxNode> nodes;
  std::map<std::string, OnnxTensor> initializers;
  std::vector<ValueInfo> inputs, outputs;
};

// A DequantizeLinear of a constant (weights or bias), kept as integers plus their scales.
struct QConst {
  std::vector<int64_t> dims;
  std::vector<int64_t> values;
  int dtype = 0;
  std::vector<float> scales;  // 1 = per tensor
  std::vector<int64_t> zero_points;
  int axis = 1;
};

// An integer activation tensor already mapped to an rtlgen tensor.
struct QAct {
  std::string rtl;  // layer name or the network input's name
  TensorQuant quant;
  std::vector<int64_t> nchw;       // ONNX shape (1, C, H, W) or (1, N)
  std::vector<int64_t> flat_from;  // set when this is a Flatten of a (1, C, H, W), H*W > 1
};

class OnnxImporter {
 public:
  OnnxImporter(const std::string& bytes, const std::string& file) : file_(file) {
    try {
      parse(bytes);
    } catch (const wire::WireError& e) {
      throw Error(fmt::format("{}: not a valid ONNX protobuf: {} (while reading {})", file_,
                              e.what(), where_));
    }
  }

  Network run(ImportNotes* notes);

 private:
  void parse(const std::string& bytes);
  [[noreturn]] void fail(const OnnxNode& n, const std::string& msg) const {
    throw Error(fmt::format("{}: node {} '{}' ({}{}): {}", file_, n.index, n.name,
                            n.domain.empty() ? "" : n.domain + ".", n.op_type, msg));
  }
  [[noreturn]] void fail(const std::string& msg) const {
    throw Error(fmt::format("{}: {}", file_, msg));
  }
  const OnnxAttr* attr(const OnnxNode& n, const std::string& name) const {
    for (const auto& a : n.attrs)
      if (a.name == name) return &a;
    return nullptr;
  }
  int64_t attr_int(const OnnxNode& n, const std::string& name, int64_t dflt) const {
    const OnnxAttr* a = attr(n, name);
    return a ? a->i : dflt;
  }
  std::vector<int64_t> attr_ints(const OnnxNode& n, const std::string& name) const {
    const OnnxAttr* a = attr(n, name);
    return a ? a->ints : std::vector<int64_t>{};
  }
  const std::string& in(const OnnxNode& n, size_t i, const char* what) const {
    if (i >= n.inputs.size() || n.inputs[i].empty())
      fail(n, fmt::format("input {} ({}) is missing", i, what));
    return n.inputs[i];
  }
  bool has_in(const OnnxNode& n, size_t i) const {
    return i < n.inputs.size() && !n.inputs[i].empty();
  }

  // Constant access.
  const OnnxTensor& constant(const OnnxNode& n, const std::string& name, const char* what) const;
  std::vector<int64_t> int_values(const OnnxNode& n, const OnnxTensor& t, const char* what) const;
  std::vector<float> float_values(const OnnxNode& n, const OnnxTensor& t, const char* what) const;
  float scalar_scale(const OnnxNode& n, const std::string& name, const char* what) const;
  int32_t scalar_zero_point(const OnnxNode& n, const std::string& name, int* dtype,
                            const char* what) const;
  TensorQuant act_quant(const OnnxNode& n, const std::string& scale, const std::string& zp,
                        const char* what) const;
  QConst weight_const(const OnnxNode& n, const std::string& values, const std::string& scale,
                      const std::string& zp, int axis, const char* what) const;

  const QAct& act(const OnnxNode& n, const std::string& name, const char* what) const;
  void add_layer(Layer l, const OnnxNode& n, const std::string& out_name, const QAct& in,
                 std::vector<int64_t> out_shape);

  // Mappers shared by both styles.
  void map_conv(const OnnxNode& n, const QAct& x, const QConst& w, const std::vector<int32_t>& bias,
                const TensorQuant& out_q, const std::string& out_name);
  void map_fc(const OnnxNode& n, const QAct& x, const QConst& w, bool w_is_out_in,
              const std::vector<int32_t>& bias, const TensorQuant& out_q,
              const std::string& out_name);
  void map_pool(const OnnxNode& n, OpKind op, const QAct& x, const TensorQuant& out_q,
                const std::string& out_name);
  void map_add(const OnnxNode& n, const QAct& a, const QAct& b, const TensorQuant& out_q,
               const std::string& out_name, int32_t offset);
  void map_global_pool(const OnnxNode& n, const QAct& x, const TensorQuant& out_q,
                       const std::string& out_name);
  void map_concat(const OnnxNode& n, const std::vector<QAct>& xs, const TensorQuant& out_q,
                  const std::string& out_name);
  void map_flatten(const OnnxNode& n, const QAct& x, const std::string& out_name);
  std::vector<int32_t> bias_values(const OnnxNode& n, const std::string& name, const QAct& x,
                                   const QConst& w, int channels, bool dequantized) const;
  void set_geometry(const OnnxNode& n, Layer* l, const QAct& x, int kh, int kw,
                    std::vector<int64_t>* out_shape);

  void node_qdq(const OnnxNode& n);
  void node(const OnnxNode& n);

  std::string file_;
  std::string where_ = "ModelProto";
  std::string bytes_;
  OnnxGraph g_;
  Network net_;
  bool input_bound_ = false;
  std::map<std::string, QAct> acts_;           // integer tensors
  std::map<std::string, std::string> dq_act_;  // float tensor -> integer tensor it dequantizes
  std::map<std::string, std::pair<std::string, std::string>> dq_const_;  // float -> (node, ...)
  std::map<std::string, const OnnxNode*> dq_nodes_;  // float tensor -> its DequantizeLinear
  std::map<std::string, size_t> pending_;  // float output of a QDQ group -> layer awaiting its Q
  std::map<size_t, std::vector<int64_t>> pending_shape_;
  std::map<std::string, int> name_count_;
  std::set<std::string> taken_;
  ImportNotes* notes_ = nullptr;
};

void OnnxImporter::parse(const std::string& bytes) {
  bytes_ = bytes;
  Reader model(bytes_);
  Field f;
  bool have_graph = false;
  while (model.next(&f)) {
    if (f.number != 7) continue;  // ModelProto.graph
    if (f.type != WireType::Bytes) throw wire::WireError("graph is not a message");
    have_graph = true;
    Reader graph(f.bytes);
    Field gf;
    int node_index = 0;
    while (graph.next(&gf)) {
      if (gf.type != WireType::Bytes) continue;
      switch (gf.number) {
        case 1:
          where_ = fmt::format("node {}", node_index);
          g_.nodes.push_back(parse_node(gf.bytes, node_index++));
          break;
        case 5: {
          where_ = "an initializer";
          OnnxTensor t = parse_tensor(gf.bytes);
          where_ = fmt::format("initializer '{}'", t.name);
          g_.initializers[t.name] = std::move(t);
          break;
        }
        case 11:
          where_ = "a graph input";
          g_.inputs.push_back(parse_value_info(gf.bytes));
          break;
        case 12:
          where_ = "a graph output";
          g_.outputs.push_back(parse_value_info(gf.bytes));
          break;
        default:
          break;
      }
    }
  }
  where_ = "ModelProto";
  if (!have_graph) throw wire::WireError("no graph (ModelProto field 7)");
}

const OnnxTensor& OnnxImporter::constant(const OnnxNode& n, const std::string& name,
                                         const char* what) const {
  auto it = g_.initializers.find(name);
  if (it == g_.initializers.end())
    fail(n,
         fmt::format("{} '{}' must be a constant (an initializer or a Constant node)", what, name));
  if (it->second.external)
    fail(n, fmt::format("{} '{}' is stored in an external file; save the model with its "
                        "weights inside",
                        what, name));
  return it->second;
}

std::vector<int64_t> OnnxImporter::int_values(const OnnxNode& n, const OnnxTensor& t,
                                              const char* what) const {
  int64_t count = 1;
  for (int64_t d : t.dims) {
    if (d < 0 || d > kMaxElements)
      fail(n, fmt::format("{} '{}' has a bad dimension {}", what, t.name, d));
    count *= d;
    if (count > kMaxElements) fail(n, fmt::format("{} '{}' is too large", what, t.name));
  }
  size_t width = 0;
  switch (t.data_type) {
    case kInt8:
    case kUInt8:
      width = 1;
      break;
    case kInt32:
      width = 4;
      break;
    case kInt64:
      width = 8;
      break;
    default:
      fail(n, fmt::format("{} '{}' is {} (data type {}), expected an integer type", what, t.name,
                          dtype_name(t.data_type), t.data_type));
  }
  std::vector<int64_t> v;
  if (t.has_raw) {
    if (t.raw.size() != size_t(count) * width)
      fail(n, fmt::format("{} '{}': raw_data has {} bytes, its shape needs {}", what, t.name,
                          t.raw.size(), size_t(count) * width));
    v.resize(size_t(count));
    for (size_t i = 0; i < v.size(); ++i) {
      const char* p = t.raw.data() + i * width;
      if (t.data_type == kInt8)
        v[i] = static_cast<int8_t>(p[0]);
      else if (t.data_type == kUInt8)
        v[i] = static_cast<uint8_t>(p[0]);
      else if (t.data_type == kInt32) {
        int32_t x;
        std::memcpy(&x, p, 4);
        v[i] = x;
      } else {
        int64_t x;
        std::memcpy(&x, p, 8);
        v[i] = x;
      }
    }
  } else {
    if (t.int_data.size() != size_t(count))
      fail(n, fmt::format("{} '{}' has {} values, its shape needs {}", what, t.name,
                          t.int_data.size(), count));
    v = t.int_data;
    for (int64_t& x : v) {  // int32_data carries int8/uint8/int32 widened
      if (t.data_type == kInt8)
        x = static_cast<int8_t>(x);
      else if (t.data_type == kUInt8)
        x = static_cast<uint8_t>(x);
      else if (t.data_type == kInt32)
        x = static_cast<int32_t>(x);
    }
  }
  return v;
}

std::vector<float> OnnxImporter::float_values(const OnnxNode& n, const OnnxTensor& t,
                                              const char* what) const {
  if (t.data_type != kFloat)
    fail(n, fmt::format("{} '{}' is {}, expected float32", what, t.name, dtype_name(t.data_type)));
  int64_t count = 1;
  for (int64_t d : t.dims) {
    if (d < 0 || d > kMaxElements)
      fail(n, fmt::format("{} '{}' has a bad dimension {}", what, t.name, d));
    count *= d;
    if (count > kMaxElements) fail(n, fmt::format("{} '{}' is too large", what, t.name));
  }
  std::vector<float> v;
  if (t.has_raw) {
    if (t.raw.size() != size_t(count) * 4)
      fail(n, fmt::format("{} '{}': raw_data has {} bytes, its shape needs {}", what, t.name,
                          t.raw.size(), size_t(count) * 4));
    v.resize(size_t(count));
    if (count) std::memcpy(v.data(), t.raw.data(), size_t(count) * 4);
  } else {
    if (t.float_data.size() != size_t(count))
      fail(n, fmt::format("{} '{}' has {} values, its shape needs {}", what, t.name,
                          t.float_data.size(), count));
    v = t.float_data;
  }
  return v;
}

float OnnxImporter::scalar_scale(const OnnxNode& n, const std::string& name,
                                 const char* what) const {
  const auto v = float_values(n, constant(n, name, what), what);
  if (v.size() != 1)
    fail(n,
         fmt::format("{} '{}' must be a scalar (per-tensor activation quantization)", what, name));
  if (!(v[0] > 0.0f) || !std::isfinite(v[0]))
    fail(n, fmt::format("{} '{}' is {}, must be positive and finite", what, name, v[0]));
  return v[0];
}

int32_t OnnxImporter::scalar_zero_point(const OnnxNode& n, const std::string& name, int* dtype,
                                        const char* what) const {
  const OnnxTensor& t = constant(n, name, what);
  const auto v = int_values(n, t, what);
  if (v.size() != 1) fail(n, fmt::format("{} '{}' must be a scalar", what, name));
  if (t.data_type != kInt8 && t.data_type != kUInt8)
    fail(n, fmt::format("{} '{}' is {}; rtlgen supports int8 and uint8 tensors", what, name,
                        dtype_name(t.data_type)));
  *dtype = t.data_type;
  return static_cast<int32_t>(v[0]);
}

TensorQuant OnnxImporter::act_quant(const OnnxNode& n, const std::string& scale,
                                    const std::string& zp, const char* what) const {
  TensorQuant q;
  q.scale = scalar_scale(n, scale, what);
  int dt = 0;
  if (zp.empty())
    fail(n, fmt::format("{}: the zero point is missing (rtlgen needs it for the int8/uint8 type)",
                        what));
  q.zero_point = scalar_zero_point(n, zp, &dt, what);
  q.dtype = dt == kInt8 ? DType::Int8 : DType::UInt8;
  return q;
}

QConst OnnxImporter::weight_const(const OnnxNode& n, const std::string& values,
                                  const std::string& scale, const std::string& zp, int axis,
                                  const char* what) const {
  QConst c;
  const OnnxTensor& t = constant(n, values, what);
  c.dims = t.dims;
  c.values = int_values(n, t, what);
  c.dtype = t.data_type;
  c.scales = float_values(n, constant(n, scale, "weight scale"), "weight scale");
  if (!zp.empty()) {
    const OnnxTensor& z = constant(n, zp, "weight zero point");
    c.zero_points = int_values(n, z, "weight zero point");
  }
  if (c.zero_points.empty()) c.zero_points.assign(c.scales.size(), 0);
  c.axis = axis;
  if (c.scales.empty() || c.zero_points.size() != c.scales.size())
    fail(n, fmt::format("{} '{}': {} scales but {} zero points", what, values, c.scales.size(),
                        c.zero_points.size()));
  for (float s : c.scales)
    if (!(s > 0.0f) || !std::isfinite(s))
      fail(n, fmt::format("{} '{}' has a scale {}, must be positive and finite", what, values, s));
  return c;
}

const QAct& OnnxImporter::act(const OnnxNode& n, const std::string& name, const char* what) const {
  auto it = acts_.find(name);
  if (it == acts_.end())
    fail(n, fmt::format("{} '{}' is not an integer (quantized) tensor rtlgen has mapped; only "
                        "QDQ groups and QLinear* operators are supported, and a float tensor must "
                        "come from a DequantizeLinear",
                        what, name));
  return it->second;
}

void OnnxImporter::add_layer(Layer l, const OnnxNode& n, const std::string& out_name, const QAct& x,
                             std::vector<int64_t> out_shape) {
  const std::string prefix = imported_layer_prefix(l.op);
  do l.name = fmt::format("{}{}", prefix, ++name_count_[prefix]);
  while (taken_.count(l.name));
  taken_.insert(l.name);
  l.inputs = {x.rtl};
  // source: the ONNX integer tensor this layer's output equals (tools/onnx_compare.py matches
  // on it); a QDQ group's is set when its QuantizeLinear is reached.
  l.source = out_name;
  l.loc.file = file_;
  QAct out;
  out.rtl = l.name;
  out.quant = l.out_quant;
  out.nchw = std::move(out_shape);
  net_.layers.push_back(std::move(l));
  acts_[out_name] = out;
}

void OnnxImporter::set_geometry(const OnnxNode& n, Layer* l, const QAct& x, int kh, int kw,
                                std::vector<int64_t>* out_shape) {
  if (x.nchw.size() != 4) fail(n, "the input must be a (1, C, H, W) tensor");
  const int64_t H = x.nchw[2], W = x.nchw[3];
  auto strides = attr_ints(n, "strides");
  auto pads = attr_ints(n, "pads");
  auto dil = attr_ints(n, "dilations");
  const OnnxAttr* auto_pad = attr(n, "auto_pad");
  if (strides.empty()) strides = {1, 1};
  if (pads.empty()) pads = {0, 0, 0, 0};
  if (strides.size() != 2 || pads.size() != 4) fail(n, "only 2-D windows are supported");
  for (int64_t d : dil)
    if (d != 1) fail(n, "dilation other than 1 is not supported");
  if (attr_int(n, "ceil_mode", 0) != 0) fail(n, "ceil_mode 1 is not supported");
  if (strides[0] < 1 || strides[1] < 1 || strides[0] > 64 || strides[1] > 64)
    fail(n, "strides must be 1..64");
  l->kernel_h = kh;
  l->kernel_w = kw;
  l->stride_h = int(strides[0]);
  l->stride_w = int(strides[1]);
  const std::string ap = auto_pad ? auto_pad->s : "NOTSET";
  auto same_pads = [](int64_t in, int64_t k, int64_t s, int64_t* before, int64_t* after) {
    const int64_t out = (in + s - 1) / s;
    const int64_t total = std::max<int64_t>(0, (out - 1) * s + k - in);
    *before = total / 2;
    *after = total - total / 2;
  };
  int64_t st, sb, sl, sr;
  same_pads(H, kh, strides[0], &st, &sb);
  same_pads(W, kw, strides[1], &sl, &sr);
  if (ap == "SAME_UPPER") {
    pads = {st, sl, sb, sr};
  } else if (ap == "VALID") {
    pads = {0, 0, 0, 0};
  } else if (ap != "NOTSET" && !ap.empty()) {
    fail(n, fmt::format("auto_pad {} is not supported (use explicit pads or SAME_UPPER)", ap));
  }
  for (int64_t p : pads)
    if (p < 0 || p > 64) fail(n, "pads must be 0..64");
  if (pads == std::vector<int64_t>{0, 0, 0, 0}) {
    l->padding = Padding::Valid;
  } else if (pads == std::vector<int64_t>{st, sl, sb, sr}) {
    l->padding = Padding::Same;
  } else {
    fail(n, fmt::format("pads [{}] are neither zero nor TFLite-style SAME for this input; "
                        "rtlgen's conv/pool padding is SAME or VALID",
                        fmt::join(pads, ", ")));
  }
  if (H + pads[0] + pads[2] < kh || W + pads[1] + pads[3] < kw)
    fail(n, "the window is larger than the padded input");
  const int64_t oh = (H + pads[0] + pads[2] - kh) / strides[0] + 1;
  const int64_t ow = (W + pads[1] + pads[3] - kw) / strides[1] + 1;
  *out_shape = {1, 0, oh, ow};
}

std::vector<int32_t> OnnxImporter::bias_values(const OnnxNode& n, const std::string& name,
                                               const QAct& x, const QConst& w, int channels,
                                               bool dequantized) const {
  std::vector<int64_t> v;
  if (dequantized) {
    // QDQ: DequantizeLinear(int32 bias, scale = input scale x weight scale, zero point 0).
    auto it = dq_nodes_.find(name);
    if (it == dq_nodes_.end())
      fail(n, fmt::format("bias '{}' must be an int32 constant through DequantizeLinear (a float "
                          "bias cannot be fused into ONNX Runtime's integer kernels)",
                          name));
    const OnnxNode& dq = *it->second;
    const OnnxTensor& t = constant(dq, in(dq, 0, "bias"), "bias");
    if (t.data_type != kInt32) fail(n, fmt::format("bias '{}' must be int32", name));
    v = int_values(dq, t, "bias");
    const auto scales =
        float_values(dq, constant(dq, in(dq, 1, "bias scale"), "bias scale"), "bias scale");
    if (scales.size() != 1 && scales.size() != size_t(channels))
      fail(n, "bias scales must be one or one per output channel");
    for (size_t c = 0; c < size_t(channels); ++c) {
      const float expect = x.quant.scale * w.scales[w.scales.size() == 1 ? 0 : c];
      const float got = scales[scales.size() == 1 ? 0 : c];
      if (std::fabs(double(got) - double(expect)) > 1e-6 * double(expect))
        fail(n, fmt::format("bias scale of channel {} is {:.9g}, not input scale x weight scale "
                            "= {:.9g}; ONNX Runtime's integer kernels add the int32 bias as is",
                            c, got, expect));
    }
  } else {
    const OnnxTensor& t = constant(n, name, "bias");
    if (t.data_type != kInt32) fail(n, fmt::format("bias '{}' must be int32", name));
    v = int_values(n, t, "bias");
  }
  if (v.size() != size_t(channels))
    fail(n, fmt::format("bias has {} values for {} output channels", v.size(), channels));
  return std::vector<int32_t>(v.begin(), v.end());
}

// Weights common checks: int8 symmetric, or uint8 per tensor with uint8 input.
void check_weights(const OnnxNode& n, const QConst& w, int channels, const std::string& file) {
  auto bad = [&](const std::string& msg) {
    throw Error(fmt::format("{}: node {} '{}' ({}): {}", file, n.index, n.name, n.op_type, msg));
  };
  if (w.dtype != kInt8 && w.dtype != kUInt8) bad("weights must be int8 or uint8");
  if (w.scales.size() != 1 && w.scales.size() != size_t(channels))
    bad(
        fmt::format("{} weight scales for {} output channels (per-channel scales must be along "
                    "the output-channel axis)",
                    w.scales.size(), channels));
  for (int64_t z : w.zero_points)
    if (z != w.zero_points[0]) bad("per-channel weight zero points must all be equal");
  if (w.dtype == kInt8 && w.zero_points[0] != 0)
    bad("int8 weights must be symmetric (zero point 0)");
}

void OnnxImporter::map_conv(const OnnxNode& n, const QAct& x, const QConst& w,
                            const std::vector<int32_t>& bias, const TensorQuant& out_q,
                            const std::string& out_name) {
  if (w.dims.size() != 4) fail(n, "weights must be (O, I/group, KH, KW)");
  const int64_t O = w.dims[0], I = w.dims[1], KH = w.dims[2], KW = w.dims[3];
  if (x.nchw.size() != 4) fail(n, "the input must be a (1, C, H, W) tensor");
  const int64_t C = x.nchw[1];
  const int64_t group = attr_int(n, "group", 1);
  Layer l;
  if (group == 1) {
    if (I != C) fail(n, fmt::format("weights expect {} input channels, the input has {}", I, C));
    l.op = OpKind::Conv2D;
  } else if (group == C && I == 1 && O % C == 0) {
    l.op = OpKind::DepthwiseConv2D;
    l.depth_multiplier = int(O / C);
  } else {
    fail(n,
         fmt::format("group {} is not supported (1, or depthwise: group = input channels)", group));
  }
  if (w.axis != 0 && w.scales.size() > 1) fail(n, "per-channel weight scales must be on axis 0");
  check_weights(n, w, int(O), file_);
  std::vector<int64_t> out_shape;
  set_geometry(n, &l, x, int(KH), int(KW), &out_shape);
  out_shape[1] = O;
  l.weight_dtype = w.dtype == kInt8 ? DType::Int8 : DType::UInt8;
  l.weight_zero_point = int32_t(w.zero_points[0]);
  l.weight_scales = w.scales;
  if (l.op == OpKind::Conv2D) {  // OIHW -> OHWI
    l.weight_shape = {int32_t(O), int32_t(KH), int32_t(KW), int32_t(I)};
    l.weights.resize(w.values.size());
    for (int64_t o = 0; o < O; ++o)
      for (int64_t i = 0; i < I; ++i)
        for (int64_t y = 0; y < KH; ++y)
          for (int64_t xx = 0; xx < KW; ++xx)
            l.weights[size_t(((o * KH + y) * KW + xx) * I + i)] =
                int32_t(w.values[size_t(((o * I + i) * KH + y) * KW + xx)]);
  } else {  // (C*DM, 1, KH, KW) -> [1][KH][KW][C*DM]
    l.weight_shape = {1, int32_t(KH), int32_t(KW), int32_t(O)};
    l.weights.resize(w.values.size());
    for (int64_t o = 0; o < O; ++o)
      for (int64_t y = 0; y < KH; ++y)
        for (int64_t xx = 0; xx < KW; ++xx)
          l.weights[size_t((y * KW + xx) * O + o)] =
              int32_t(w.values[size_t((o * KH + y) * KW + xx)]);
  }
  l.bias = bias.empty() ? std::vector<int32_t>(size_t(O), 0) : bias;
  l.out_quant = out_q;
  l.requant_mode = RequantMode::OnnxRuntimeFloat;
  add_layer(std::move(l), n, out_name, x, out_shape);
}

void OnnxImporter::map_fc(const OnnxNode& n, const QAct& x, const QConst& w, bool w_is_out_in,
                          const std::vector<int32_t>& bias, const TensorQuant& out_q,
                          const std::string& out_name) {
  if (w.dims.size() != 2) fail(n, "weights must be a matrix");
  const int64_t O = w_is_out_in ? w.dims[0] : w.dims[1];
  const int64_t I = w_is_out_in ? w.dims[1] : w.dims[0];
  int64_t n_in = 1;
  for (size_t i = 1; i < x.nchw.size(); ++i) n_in *= x.nchw[i];
  if (x.nchw.size() != 2 && !(x.nchw.size() == 4 && x.nchw[2] == 1 && x.nchw[3] == 1))
    fail(n, "the input must be (1, N): flatten it first");
  if (I != n_in) fail(n, fmt::format("weights expect {} inputs, the input has {}", I, n_in));
  const int w_axis = w_is_out_in ? 0 : 1;
  if (w.scales.size() > 1 && w.axis != w_axis)
    fail(n, fmt::format("per-channel weight scales must be on the output axis {}", w_axis));
  check_weights(n, w, int(O), file_);
  Layer l;
  l.op = OpKind::FullyConnected;
  l.weight_dtype = w.dtype == kInt8 ? DType::Int8 : DType::UInt8;
  l.weight_zero_point = int32_t(w.zero_points[0]);
  l.weight_scales = w.scales;
  l.weight_shape = {int32_t(O), int32_t(I)};
  l.weights.resize(size_t(O * I));
  // Flatten of (1, C, H, W) in ONNX is channel-major; rtlgen's tensors are HWC: permute columns.
  const bool permute = !x.flat_from.empty();
  const int64_t C = permute ? x.flat_from[1] : 0, H = permute ? x.flat_from[2] : 0,
                W = permute ? x.flat_from[3] : 0;
  for (int64_t o = 0; o < O; ++o)
    for (int64_t i = 0; i < I; ++i) {
      const int64_t v = w_is_out_in ? w.values[size_t(o * I + i)] : w.values[size_t(i * O + o)];
      int64_t col = i;
      if (permute) {  // i = c*H*W + y*W + x  ->  (y*W + x)*C + c
        const int64_t c = i / (H * W), y = (i / W) % H, xx = i % W;
        col = (y * W + xx) * C + c;
      }
      l.weights[size_t(o * I + col)] = int32_t(v);
    }
  l.bias = bias.empty() ? std::vector<int32_t>(size_t(O), 0) : bias;
  l.out_quant = out_q;
  l.requant_mode = RequantMode::OnnxRuntimeFloat;
  add_layer(std::move(l), n, out_name, x, {1, O});
}

void OnnxImporter::map_pool(const OnnxNode& n, OpKind op, const QAct& x, const TensorQuant& out_q,
                            const std::string& out_name) {
  const auto k = attr_ints(n, "kernel_shape");
  if (k.size() != 2 || k[0] < 1 || k[1] < 1 || k[0] > 64 || k[1] > 64)
    fail(n, "kernel_shape must be two values 1..64");
  Layer l;
  l.op = op;
  std::vector<int64_t> out_shape;
  set_geometry(n, &l, x, int(k[0]), int(k[1]), &out_shape);
  out_shape[1] = x.nchw[1];
  if (op == OpKind::AveragePool2D && attr_int(n, "count_include_pad", 0) != 0 &&
      l.padding != Padding::Valid)
    fail(n,
         "count_include_pad 1 with padding is not supported (rtlgen averages the in-image "
         "part of each window)");
  if (op == OpKind::MaxPool2D && attr_int(n, "storage_order", 0) != 0)
    fail(n, "storage_order 1 is not supported");
  if (n.outputs.size() > 1 && !n.outputs[1].empty()) fail(n, "MaxPool indices are not supported");
  l.out_quant = out_q;
  if (op == OpKind::AveragePool2D) {
    l.requant_mode = RequantMode::OnnxRuntimeFloat;
  } else if (out_q.scale != x.quant.scale || out_q.zero_point != x.quant.zero_point ||
             out_q.dtype != x.quant.dtype) {
    fail(n,
         "input and output quantization differ; ONNX Runtime runs MaxPool on the integers "
         "only when they are equal");
  }
  add_layer(std::move(l), n, out_name, x, out_shape);
}

// ONNX Runtime's QLinearAdd (also what a uint8 QDQ Add is fused into): elementwise, same shapes,
// one quantization per tensor; the float32 rule is golden::onnxruntime_add.
void OnnxImporter::map_add(const OnnxNode& n, const QAct& a, const QAct& b,
                           const TensorQuant& out_q, const std::string& out_name, int32_t offset) {
  if (a.nchw != b.nchw)
    fail(n, "the two inputs have different shapes (broadcasting is not supported)");
  if (a.quant.dtype != b.quant.dtype) fail(n, "the two inputs have different data types");
  Layer l;
  l.op = OpKind::Add;
  l.out_quant = out_q;  // a QDQ group's comes with its QuantizeLinear, which must keep the type
  l.out_quant.dtype = a.quant.dtype;
  l.requant_mode = RequantMode::OnnxRuntimeFloat;
  l.onnx_zero_point_offset = offset;
  add_layer(std::move(l), n, out_name, a, a.nchw);
  net_.layers.back().inputs.push_back(b.rtl);
}

// Concat along the channels (QLinearConcat, or a QDQ Concat, which ONNX Runtime computes the
// same way: probed, docs/onnx-runtime-arithmetic.md): inputs of one type and equal (H, W), or
// flattened (1, N) vectors; each input with another quantization is requantized by
// golden::onnxruntime_concat_table.
void OnnxImporter::map_concat(const OnnxNode& n, const std::vector<QAct>& xs,
                              const TensorQuant& out_q, const std::string& out_name) {
  const OnnxAttr* axis_attr = attr(n, "axis");
  if (!axis_attr) fail(n, "the axis attribute is missing");
  const QAct& x0 = xs.at(0);
  const int64_t rank = int64_t(x0.nchw.size());
  const int64_t axis = axis_attr->i < 0 ? axis_attr->i + rank : axis_attr->i;
  if (axis != 1)
    fail(n, fmt::format("axis {} of a rank-{} tensor is refused: rtlgen concatenates along the "
                        "channels only (axis 1 of (1, C, H, W) or of a flattened (1, N)); "
                        "concatenate the channels, or reorder the graph so that it does",
                        axis_attr->i, rank));
  if (xs.size() < 2) fail(n, "a concatenation needs two or more inputs");
  std::vector<int64_t> out_shape = x0.nchw;
  out_shape[1] = 0;
  for (size_t k = 0; k < xs.size(); ++k) {
    const QAct& x = xs[k];
    if (x.nchw.size() != x0.nchw.size() || (rank != 4 && rank != 2))
      fail(n, "the inputs must all be (1, C, H, W) or all (1, N) tensors");
    for (int64_t d = 0; d < rank; ++d)
      if (d != 1 && x.nchw[size_t(d)] != x0.nchw[size_t(d)])
        fail(n, fmt::format("input {} has shape ({}) but input 0 has ({}); only the channel "
                            "counts may differ",
                            k, fmt::join(x.nchw, ", "), fmt::join(x0.nchw, ", ")));
    if (!x.flat_from.empty())
      fail(n, fmt::format("input {} is a flattened (C, H, W) tensor with H*W > 1, which rtlgen "
                          "holds in HWC order; concatenate before the Flatten",
                          k));
    if (x.quant.dtype != x0.quant.dtype) fail(n, "the inputs have different data types");
    out_shape[1] += x.nchw[1];
  }
  Layer l;
  l.op = OpKind::Concat;
  l.out_quant = out_q;  // a QDQ group's comes with its QuantizeLinear, which must keep the type
  l.out_quant.dtype = x0.quant.dtype;
  l.requant_mode = RequantMode::OnnxRuntimeFloat;
  add_layer(std::move(l), n, out_name, x0, out_shape);
  for (size_t k = 1; k < xs.size(); ++k) net_.layers.back().inputs.push_back(xs[k].rtl);
}

void OnnxImporter::map_global_pool(const OnnxNode& n, const QAct& x, const TensorQuant& out_q,
                                   const std::string& out_name) {
  if (x.nchw.size() != 4) fail(n, "the input must be a (1, C, H, W) tensor");
  if (attr_int(n, "channels_last", 0) != 0) fail(n, "channels_last 1 is not supported");
  Layer l;
  l.op = OpKind::Mean;
  l.out_quant = out_q;
  l.requant_mode = RequantMode::OnnxRuntimeFloat;
  add_layer(std::move(l), n, out_name, x, {1, x.nchw[1], 1, 1});
}

void OnnxImporter::map_flatten(const OnnxNode& n, const QAct& x, const std::string& out_name) {
  int64_t total = 1;
  for (size_t i = 1; i < x.nchw.size(); ++i) total *= x.nchw[i];
  if (n.op_type == "Flatten") {
    if (attr_int(n, "axis", 1) != 1) fail(n, "only axis 1 (keep the batch) is supported");
  } else {  // Reshape to (1, N) or (-1, N) or (1, -1)
    const auto shape = int_values(n, constant(n, in(n, 1, "shape"), "shape"), "shape");
    const bool ok = shape.size() == 2 && (shape[0] == 1 || shape[0] == -1) &&
                    (shape[1] == total || shape[1] == -1) && !(shape[0] == -1 && shape[1] == -1);
    if (!ok) fail(n, fmt::format("only a reshape to (1, {}) (flatten) is supported", total));
  }
  QAct out = x;
  if (x.nchw.size() == 4 && x.nchw[2] * x.nchw[3] > 1 && x.nchw[1] > 1) out.flat_from = x.nchw;
  Layer l;
  l.op = OpKind::Reshape;
  l.out_quant = x.quant;
  add_layer(std::move(l), n, out_name, x, {1, total});
  acts_[out_name].flat_from = out.flat_from;
}

// QDQ ops: a float op whose inputs are DequantizeLinear outputs; its float output must reach
// a QuantizeLinear (which completes the layer) possibly through Relu/Clip.
void OnnxImporter::node_qdq(const OnnxNode& n) {
  const std::string& op = n.op_type;
  auto dq_input = [&](size_t i, const char* what) -> const QAct& {
    const std::string& name = in(n, i, what);
    auto it = dq_act_.find(name);
    if (it == dq_act_.end())
      fail(n, fmt::format("{} '{}' does not come from a DequantizeLinear of a mapped integer "
                          "tensor (float sub-graphs are not supported: quantize the model with "
                          "QDQ around every op)",
                          what, name));
    return act(n, it->second, what);
  };
  auto dq_weights = [&](size_t i, int axis_default) -> QConst {
    const std::string& name = in(n, i, "weights");
    auto it = dq_nodes_.find(name);
    if (it == dq_nodes_.end() || dq_act_.count(name))
      fail(n, fmt::format("weights '{}' must be an int8/uint8 constant through DequantizeLinear",
                          name));
    const OnnxNode& dq = *it->second;
    return weight_const(dq, in(dq, 0, "weights"), in(dq, 1, "weight scale"),
                        has_in(dq, 2) ? dq.inputs[2] : "", int(attr_int(dq, "axis", axis_default)),
                        "weights");
  };
  const std::string& out_name = n.outputs.empty() ? "" : n.outputs[0];
  if (out_name.empty()) fail(n, "has no output");
  TensorQuant unknown;  // completed by the QuantizeLinear
  if (op == "Conv") {
    const QAct& x = dq_input(0, "input");
    const QConst w = dq_weights(1, 1);
    const int64_t O = w.dims.empty() ? 0 : w.dims[0];
    const auto bias =
        has_in(n, 2) ? bias_values(n, n.inputs[2], x, w, int(O), true) : std::vector<int32_t>{};
    map_conv(n, x, w, bias, unknown, out_name);
  } else if (op == "Gemm" || op == "MatMul") {
    const QAct& x = dq_input(0, "input");
    bool trans_b = false;
    if (op == "Gemm") {
      if (attr_int(n, "transA", 0) != 0) fail(n, "transA 1 is not supported");
      const OnnxAttr* alpha = attr(n, "alpha");
      const OnnxAttr* beta = attr(n, "beta");
      if ((alpha && alpha->f != 1.0f) || (beta && beta->f != 1.0f))
        fail(n, "alpha and beta must be 1");
      trans_b = attr_int(n, "transB", 0) != 0;
    }
    const QConst w = dq_weights(1, 1);
    if (w.dims.size() != 2) fail(n, "weights must be a matrix");
    const int64_t O = trans_b ? w.dims[0] : w.dims[1];
    const auto bias = op == "Gemm" && has_in(n, 2) ? bias_values(n, n.inputs[2], x, w, int(O), true)
                                                   : std::vector<int32_t>{};
    map_fc(n, x, w, trans_b, bias, unknown, out_name);
  } else if (op == "AveragePool") {
    const QAct& x = dq_input(0, "input");
    map_pool(n, OpKind::AveragePool2D, x, x.quant, out_name);
    // ONNX Runtime's QDQ path on x86 runs int8 activations as uint8 (QDQS8ToU8: zero points
    // + 128), which the pool's float zero-point add sees (docs/onnx-runtime-arithmetic.md).
    if (x.quant.dtype == DType::Int8) net_.layers.back().onnx_zero_point_offset = 128;
  } else if (op == "GlobalAveragePool") {
    map_global_pool(n, dq_input(0, "input"), unknown, out_name);
  } else if (op == "Add") {
    // Measured with onnxruntime 1.31.1 (docs/onnx-runtime-arithmetic.md): a uint8 QDQ Add is
    // fused into QLinearAdd (its float32 rule, rtlgen_add_float). With int8 activations ONNX
    // Runtime fuses no QDQ group of a graph that holds an Add (not even its Convs, which run
    // as dequantize, float Conv, quantize): not the integer rules rtlgen reproduces.
    const QAct& a = dq_input(0, "A");
    const QAct& b = dq_input(1, "B");
    if (a.quant.dtype == DType::Int8)
      fail(n,
           "an int8 QDQ Add is refused: ONNX Runtime 1.31.1 fuses no QDQ group of an int8 "
           "graph that contains an Add (the Add and the Convs run as dequantize, float op, "
           "quantize), which rtlgen does not reproduce bit-exactly; quantize with uint8 "
           "activations (quantize_static activation_type=QUInt8: the Add becomes "
           "QLinearAdd, which rtlgen maps) or export com.microsoft QLinearAdd (QOperator)");
    map_add(n, a, b, unknown, out_name, 0);
  } else if (op == "Concat") {
    std::vector<QAct> xs;
    for (size_t i = 0; i < n.inputs.size(); ++i) xs.push_back(dq_input(i, "input"));
    map_concat(n, xs, unknown, out_name);  // axis and shapes checked first
    // Measured with onnxruntime 1.31.1: a uint8 QDQ Concat is fused into QLinearConcat; an int8
    // one is not, and the QDQ Convs that feed it stay unfused too (float Conv), whose results
    // rtlgen's integer rule does not reproduce.
    if (xs[0].quant.dtype == DType::Int8)
      fail(n,
           "an int8 QDQ Concat is refused: ONNX Runtime 1.31.1 leaves it unfused and with it "
           "the Convs that feed it (dequantize, float Conv, quantize), which rtlgen does not "
           "reproduce bit-exactly; quantize with uint8 activations (quantize_static "
           "activation_type=QUInt8: QLinearConv and QLinearConcat, which rtlgen maps) or "
           "export com.microsoft QLinearConcat (QOperator)");
  } else if (op == "MaxPool" || op == "Flatten" || op == "Reshape") {
    // Order-only ops run on the integers (ONNX Runtime drops their Q/DQ when the quantization
    // is unchanged): the float output stays a dequantized view of the new integer tensor.
    const QAct x = dq_input(0, "input");
    const std::string int_name = "\x01int:" + out_name;
    if (op == "MaxPool")
      map_pool(n, OpKind::MaxPool2D, x, x.quant, int_name);
    else
      map_flatten(n, x, int_name);
    dq_act_[out_name] = int_name;
    return;
  } else {
    fail(n, "unreachable");
  }
  // The layer's float output waits for its QuantizeLinear.
  QAct produced = acts_.at(out_name);
  acts_.erase(out_name);
  pending_[out_name] = net_.layers.size() - 1;
  pending_shape_[net_.layers.size() - 1] = produced.nchw;
  acts_["\x01pending:" + out_name] = produced;
}

void OnnxImporter::node(const OnnxNode& n) {
  const std::string& op = n.op_type;
  const bool ms = n.domain == "com.microsoft";
  if (!n.domain.empty() && n.domain != "ai.onnx" && !ms)
    fail(n, fmt::format("operator domain '{}' is not supported", n.domain));
  if (n.outputs.empty() || n.outputs[0].empty()) fail(n, "has no output");
  const std::string& out_name = n.outputs[0];

  if (op == "Constant") {
    const OnnxAttr* v = attr(n, "value");
    if (!v || !v->has_t) fail(n, "only a Constant with a tensor 'value' is supported");
    OnnxTensor t = v->t;
    t.name = out_name;
    g_.initializers[out_name] = t;
    return;
  }
  if (op == "Identity") {
    const std::string& src = in(n, 0, "input");
    if (acts_.count(src))
      acts_[out_name] = acts_.at(src);
    else if (dq_act_.count(src))
      dq_act_[out_name] = dq_act_.at(src);
    else if (g_.initializers.count(src))
      g_.initializers[out_name] = g_.initializers.at(src);
    else
      fail(n, "the input is not a mapped tensor");
    return;
  }
  if (op == "QuantizeLinear") {
    const std::string& src = in(n, 0, "input");
    if (!has_in(n, 2))
      fail(n, "the zero point input is missing (rtlgen needs an int8/uint8 output)");
    const TensorQuant q = act_quant(n, in(n, 1, "scale"), n.inputs[2], "output quantization");
    if (attr_int(n, "saturate", 1) != 1) fail(n, "saturate 0 is not supported");
    bool is_input = false;
    for (const auto& gi : g_.inputs) is_input = is_input || gi.name == src;
    if (is_input) {
      if (input_bound_) fail(n, "the network input is quantized twice");
      const ValueInfo* vi = nullptr;
      for (const auto& gi : g_.inputs)
        if (gi.name == src) vi = &gi;
      if (vi->elem_type != kFloat) fail(n, "QuantizeLinear of a non-float input");
      net_.input.quant = q;
      input_bound_ = true;
      QAct a;
      a.rtl = net_.input.name;
      a.quant = q;
      a.nchw = vi->dims;
      acts_[out_name] = a;
      if (notes_)
        notes_->lines.push_back(
            fmt::format("the float input '{}' -> QuantizeLinear (scale {:.9g}, "
                        "zero point {}) is dropped: feed quantized {} values",
                        src, q.scale, q.zero_point, to_string(q.dtype)));
      return;
    }
    auto it = pending_.find(src);
    if (it == pending_.end()) {
      if (dq_act_.count(src)) {  // DQ -> (order-only ops) -> Q: must keep the quantization
        const QAct& a = acts_.at(dq_act_.at(src));
        if (q.scale != a.quant.scale || q.zero_point != a.quant.zero_point ||
            q.dtype != a.quant.dtype)
          fail(n, fmt::format("requantizes '{}' without an op (scale {:.9g} -> {:.9g}, zero point "
                              "{} -> {}); not supported",
                              src, a.quant.scale, q.scale, a.quant.zero_point, q.zero_point));
        acts_[out_name] = a;
        for (Layer& l : net_.layers)  // an order-only op's integer tensor gets the Q's name
          if (l.name == a.rtl && l.source.rfind("\x01", 0) == 0) l.source = out_name;
        return;
      }
      fail(n, fmt::format("its input '{}' is not the output of a QDQ group rtlgen mapped", src));
    }
    Layer& l = net_.layers[it->second];
    QAct a = acts_.at("\x01pending:" + src);
    if (q.dtype != a.quant.dtype && l.op != OpKind::Mean && l.op != OpKind::AveragePool2D &&
        !has_weights(l.op))
      fail(n, "changes the data type");
    l.out_quant = q;
    l.source = out_name;
    a.quant = q;
    acts_[out_name] = a;
    acts_.erase("\x01pending:" + src);
    pending_.erase(it);
    return;
  }
  if (op == "DequantizeLinear") {
    const std::string& src = in(n, 0, "input");
    dq_nodes_[out_name] = &n;
    if (acts_.count(src)) {
      const QAct& a = acts_.at(src);
      const TensorQuant q =
          act_quant(n, in(n, 1, "scale"), has_in(n, 2) ? n.inputs[2] : "", "dequantization");
      if (q.scale != a.quant.scale || q.zero_point != a.quant.zero_point ||
          q.dtype != a.quant.dtype)
        fail(n, "dequantizes with parameters different from the tensor's quantization");
      dq_act_[out_name] = src;
    } else if (!g_.initializers.count(src)) {
      fail(n, fmt::format("input '{}' is neither a mapped integer tensor nor a constant", src));
    }
    return;
  }
  if (op == "Relu" || op == "Clip") {
    const std::string& src = in(n, 0, "input");
    auto it = pending_.find(src);
    if (it == pending_.end())
      fail(n, "only a Relu/Clip between a QDQ group's op and its QuantizeLinear is supported");
    Layer& l = net_.layers[it->second];
    if (!has_weights(l.op)) fail(n, "Relu/Clip is supported after Conv/Gemm/MatMul only");
    if (l.activation != Activation::None) fail(n, "two activations in a row");
    Activation act_kind = Activation::Relu;
    if (op == "Clip") {
      float lo = -INFINITY, hi = INFINITY;
      if (has_in(n, 1)) lo = float_values(n, constant(n, n.inputs[1], "min"), "min").at(0);
      if (has_in(n, 2)) hi = float_values(n, constant(n, n.inputs[2], "max"), "max").at(0);
      if (const OnnxAttr* a = attr(n, "min")) lo = a->f;
      if (const OnnxAttr* a = attr(n, "max")) hi = a->f;
      if (lo == 0.0f && hi == 6.0f)
        act_kind = Activation::Relu6;
      else if (lo == -1.0f && hi == 1.0f)
        act_kind = Activation::ReluN1To1;
      else if (lo == 0.0f && std::isinf(hi))
        act_kind = Activation::Relu;
      else
        fail(n, fmt::format("Clip({}, {}) is not supported (0..inf, 0..6, -1..1)", lo, hi));
    }
    l.activation = act_kind;
    const size_t idx = it->second;
    QAct a = acts_.at("\x01pending:" + src);
    acts_.erase("\x01pending:" + src);
    pending_.erase(it);
    pending_[out_name] = idx;
    acts_["\x01pending:" + out_name] = a;
    return;
  }
  if (op == "Conv" || op == "Gemm" || op == "MatMul" || op == "AveragePool" || op == "MaxPool" ||
      op == "GlobalAveragePool" || op == "Flatten" || op == "Reshape" || op == "Add" ||
      op == "Concat") {
    const std::string& src = in(n, 0, "input");
    if (dq_act_.count(src)) return node_qdq(n);
    // Integer tensors directly (QOperator graphs): MaxPool, Flatten, Reshape.
    if (acts_.count(src) && (op == "MaxPool" || op == "Flatten" || op == "Reshape")) {
      const QAct& x = acts_.at(src);
      if (op == "MaxPool")
        map_pool(n, OpKind::MaxPool2D, x, x.quant, out_name);
      else
        map_flatten(n, x, out_name);
      return;
    }
    fail(n, fmt::format("input '{}' is a float tensor that is not a DequantizeLinear output; "
                        "rtlgen maps quantized (QDQ or QOperator) graphs only",
                        src));
  }
  if (op == "QLinearConv") {
    const QAct& x = act(n, in(n, 0, "x"), "x");
    const TensorQuant xq = act_quant(n, in(n, 1, "x_scale"), in(n, 2, "x_zero_point"), "x");
    if (xq.scale != x.quant.scale || xq.zero_point != x.quant.zero_point)
      fail(n, "x_scale/x_zero_point differ from the input tensor's quantization");
    const QConst w =
        weight_const(n, in(n, 3, "w"), in(n, 4, "w_scale"), in(n, 5, "w_zero_point"), 0, "weights");
    const TensorQuant yq = act_quant(n, in(n, 6, "y_scale"), in(n, 7, "y_zero_point"), "y");
    const int64_t O = w.dims.empty() ? 0 : w.dims[0];
    const auto bias =
        has_in(n, 8) ? bias_values(n, n.inputs[8], x, w, int(O), false) : std::vector<int32_t>{};
    return map_conv(n, x, w, bias, yq, out_name);
  }
  if (op == "QLinearMatMul" || (ms && op == "QGemm")) {
    const QAct& x = act(n, in(n, 0, "a"), "a");
    const TensorQuant xq = act_quant(n, in(n, 1, "a_scale"), in(n, 2, "a_zero_point"), "a");
    if (xq.scale != x.quant.scale || xq.zero_point != x.quant.zero_point)
      fail(n, "a_scale/a_zero_point differ from the input tensor's quantization");
    bool trans_b = false;
    std::vector<int32_t> bias;
    TensorQuant yq;
    QConst w;
    if (op == "QGemm") {
      if (attr_int(n, "transA", 0) != 0) fail(n, "transA 1 is not supported");
      if (const OnnxAttr* a = attr(n, "alpha"); a && a->f != 1.0f) fail(n, "alpha must be 1");
      trans_b = attr_int(n, "transB", 0) != 0;
      w = weight_const(n, in(n, 3, "B"), in(n, 4, "b_scale"), in(n, 5, "b_zero_point"),
                       trans_b ? 0 : 1, "weights");
      if (!has_in(n, 7)) fail(n, "QGemm with a float output (no y_scale) is not supported");
      yq = act_quant(n, n.inputs[7], in(n, 8, "y_zero_point"), "y");
      const int64_t O = w.dims.size() == 2 ? (trans_b ? w.dims[0] : w.dims[1]) : 0;
      if (has_in(n, 6)) bias = bias_values(n, n.inputs[6], x, w, int(O), false);
    } else {
      w = weight_const(n, in(n, 3, "b"), in(n, 4, "b_scale"), in(n, 5, "b_zero_point"), 1,
                       "weights");
      yq = act_quant(n, in(n, 6, "y_scale"), in(n, 7, "y_zero_point"), "y");
    }
    return map_fc(n, x, w, trans_b, bias, yq, out_name);
  }
  if (ms && (op == "QLinearAveragePool" || op == "QLinearGlobalAveragePool")) {
    const QAct& x = act(n, in(n, 0, "X"), "X");
    const TensorQuant xq = act_quant(n, in(n, 1, "x_scale"), in(n, 2, "x_zero_point"), "x");
    if (xq.scale != x.quant.scale || xq.zero_point != x.quant.zero_point)
      fail(n, "x_scale/x_zero_point differ from the input tensor's quantization");
    const TensorQuant yq = act_quant(n, in(n, 3, "y_scale"), in(n, 4, "y_zero_point"), "y");
    if (attr_int(n, "channels_last", 0) != 0) fail(n, "channels_last 1 is not supported");
    if (op == "QLinearAveragePool") return map_pool(n, OpKind::AveragePool2D, x, yq, out_name);
    return map_global_pool(n, x, yq, out_name);
  }
  if (ms && op == "QLinearAdd") {
    const QAct& a = act(n, in(n, 0, "A"), "A");
    const TensorQuant aq = act_quant(n, in(n, 1, "A_scale"), in(n, 2, "A_zero_point"), "A");
    const QAct& b = act(n, in(n, 3, "B"), "B");
    const TensorQuant bq = act_quant(n, in(n, 4, "B_scale"), in(n, 5, "B_zero_point"), "B");
    if (aq.scale != a.quant.scale || aq.zero_point != a.quant.zero_point ||
        bq.scale != b.quant.scale || bq.zero_point != b.quant.zero_point)
      fail(n, "A/B scale or zero point differ from the input tensors' quantization");
    const TensorQuant cq = act_quant(n, in(n, 6, "C_scale"), in(n, 7, "C_zero_point"), "C");
    return map_add(n, a, b, cq, out_name, 0);
  }
  if (ms && op == "QLinearConcat") {  // Y_scale, Y_zero_point, then (X, X_scale, X_zp) each
    const TensorQuant yq = act_quant(n, in(n, 0, "Y_scale"), in(n, 1, "Y_zero_point"), "Y");
    if (n.inputs.size() < 5 || (n.inputs.size() - 2) % 3 != 0)
      fail(n, fmt::format("has {} inputs; QLinearConcat takes Y_scale, Y_zero_point and a "
                          "(tensor, scale, zero point) triple per input",
                          n.inputs.size()));
    std::vector<QAct> xs;
    for (size_t i = 2; i < n.inputs.size(); i += 3) {
      const QAct& x = act(n, in(n, i, "input"), "input");
      const TensorQuant xq =
          act_quant(n, in(n, i + 1, "input scale"), in(n, i + 2, "input zero point"), "input");
      if (xq.scale != x.quant.scale || xq.zero_point != x.quant.zero_point)
        fail(n, fmt::format("the scale or zero point of input '{}' differ from the tensor's "
                            "quantization",
                            n.inputs[i]));
      xs.push_back(x);
    }
    if (yq.dtype != xs[0].quant.dtype) fail(n, "Y has another data type than the inputs");
    return map_concat(n, xs, yq, out_name);
  }
  static const std::map<std::string, std::string> kRefused = {
      {"Add", "an Add of float tensors: quantize it (QDQ around it) or use QLinearAdd"},
      {"Concat", "a Concat of float tensors: quantize it (QDQ around it) or use QLinearConcat"},
      {"MatMulInteger", kIntegerOpRefusal},
      {"ConvInteger", kIntegerOpRefusal},
      {"DynamicQuantizeLinear", kIntegerOpRefusal},
      {"Pad", "a standalone Pad is not mapped yet (use the Conv's pads)"},
      {"Softmax", "float Softmax is not mapped; drop it (the hardware outputs the logits)"},
  };
  auto it = kRefused.find(op);
  fail(n, it != kRefused.end() ? it->second
                               : std::string("this operator is not supported by rtlgen's ONNX "
                                             "importer (README: ONNX import lists what is)"));
}

Network OnnxImporter::run(ImportNotes* notes) {
  notes_ = notes;
  net_.source = file_;
  net_.name = sanitize_identifier(std::filesystem::path(file_).stem().string(), "model");
  net_.input.loc.file = file_;
  // The graph input: inputs that are initializers are constants (old exporters list them).
  std::vector<const ValueInfo*> real_inputs;
  for (const auto& gi : g_.inputs)
    if (!g_.initializers.count(gi.name)) real_inputs.push_back(&gi);
  if (real_inputs.size() != 1)
    fail(fmt::format("the graph has {} inputs; rtlgen needs exactly one", real_inputs.size()));
  const ValueInfo& gi = *real_inputs[0];
  if (gi.dims.size() != 4 || gi.dims[0] > 1 || gi.dims[1] < 1 || gi.dims[2] < 1 || gi.dims[3] < 1 ||
      gi.dims[1] > 65536 || gi.dims[2] > 65536 || gi.dims[3] > 65536)
    fail(fmt::format("the graph input '{}' must have a fixed shape (1, C, H, W)", gi.name));
  net_.input.name = sanitize_identifier(gi.name, "input");
  taken_.insert(net_.input.name);
  net_.input.shape = {int(gi.dims[2]), int(gi.dims[3]), int(gi.dims[1])};
  if (gi.elem_type == kInt8 || gi.elem_type == kUInt8) {
    // QOperator with an integer input: its quantization comes from the first consumer's x_scale.
    QAct a;
    a.rtl = net_.input.name;
    a.nchw = {1, gi.dims[1], gi.dims[2], gi.dims[3]};
    a.quant.dtype = gi.elem_type == kInt8 ? DType::Int8 : DType::UInt8;
    bool found = false;
    for (const auto& n : g_.nodes)
      if (!found && n.inputs.size() > 2 && n.inputs[0] == gi.name &&
          n.op_type.rfind("QLinear", 0) == 0) {
        a.quant = act_quant(n, n.inputs[1], n.inputs[2], "network input");
        found = true;
      }
    if (!found) fail("an integer graph input must feed a QLinear* operator (to know its scale)");
    net_.input.quant = a.quant;
    input_bound_ = true;
    acts_[gi.name] = a;
  } else if (gi.elem_type != kFloat) {
    fail(fmt::format("the graph input '{}' is {}", gi.name, dtype_name(gi.elem_type)));
  } else {
    // The QuantizeLinear will set the shape; keep the ONNX dims for it.
    g_.inputs = {gi};
    g_.inputs[0].dims = {1, gi.dims[1], gi.dims[2], gi.dims[3]};
  }
  for (const OnnxNode& n : g_.nodes) node(n);
  if (!input_bound_) fail("the float graph input is never quantized (QuantizeLinear)");
  if (!pending_.empty())
    fail(fmt::format("the output '{}' of node '{}' is never quantized by a QuantizeLinear",
                     pending_.begin()->first, net_.layers[pending_.begin()->second].source));
  if (net_.layers.empty()) fail("the graph has no operator rtlgen maps");
  if (g_.outputs.size() != 1)
    fail(fmt::format("the graph has {} outputs; rtlgen needs exactly one", g_.outputs.size()));
  std::string out = g_.outputs[0].name;
  if (dq_act_.count(out)) {
    if (notes)
      notes->lines.push_back(
          fmt::format("the output DequantizeLinear to '{}' is dropped: "
                      "the network outputs the quantized tensor",
                      out));
    out = dq_act_.at(out);
  }
  if (!acts_.count(out))
    fail(fmt::format("the graph output '{}' is not a quantized tensor rtlgen mapped", out));
  for (Layer& l : net_.layers)
    if (l.source.rfind("\x01int:", 0) == 0) l.source = l.source.substr(5);
  if (acts_.at(out).rtl != net_.layers.back().name)
    fail(fmt::format("the graph output '{}' is not the last mapped layer", out));
  return net_;
}

}  // namespace

Network import_onnx_bytes(const std::string& bytes, const std::string& name, ImportNotes* notes) {
  OnnxImporter imp(bytes, name);
  return imp.run(notes);
}

Network import_onnx(const std::string& path, ImportNotes* notes) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw Error(fmt::format("{}: is a directory, expected a .onnx file", path));
  return import_onnx_bytes(read_file_bytes(path), path, notes);
}

}  // namespace rtlgen
