// The reader half of the ONNX importer (see onnx_importer.hpp): the protobuf wire format of the
// model and typed access to its constants.
#include <cmath>
#include <cstring>

#include "frontends/onnx/onnx_importer.hpp"
#include "rtlgen/protobuf_wire.hpp"

namespace rtlgen {
namespace onnx {

namespace {

using wire::Field;
using wire::Reader;
using wire::WireType;

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

}  // namespace

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

OnnxImporter::OnnxImporter(const std::string& bytes, const std::string& file) : file_(file) {
  try {
    parse(bytes);
  } catch (const wire::WireError& e) {
    throw Error(fmt::format("{}: not a valid ONNX protobuf: {} (while reading {})", file_,
                            e.what(), where_));
  }
}

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

}  // namespace onnx
}  // namespace rtlgen
