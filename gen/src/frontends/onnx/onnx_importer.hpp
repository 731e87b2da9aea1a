// The ONNX importer's class (internal to gen/src): the reader half (onnx_model.cpp: protobuf wire
// parsing of ModelProto/GraphProto/NodeProto/TensorProto/AttributeProto/ValueInfoProto, field
// numbers from onnx.proto, and typed access to constants, scales and zero points) and the
// lowering half (onnx_import.cpp: QDQ groups and QOperator nodes onto rtlgen's IR). See
// rtlgen/onnx_import.hpp for what is supported.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rtlgen/error.hpp"
#include "rtlgen/import_naming.hpp"
#include "rtlgen/onnx_import.hpp"

namespace rtlgen {
namespace onnx {

// ONNX TensorProto.DataType values used here.
enum : int { kFloat = 1, kUInt8 = 2, kInt8 = 3, kInt32 = 6, kInt64 = 7 };
constexpr int64_t kMaxElements = int64_t(1) << 28;  // refuse absurd constant sizes early

// "float32", "int8", ... for a TensorProto.DataType.
const char* dtype_name(int t);

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
  // Parses the model (the reader half); throws rtlgen::Error when it is not valid protobuf.
  OnnxImporter(const std::string& bytes, const std::string& file);

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
  ImportedLayerNames names_;  // conv1, pool1, ... (rtlgen/import_naming.hpp)
  ImportNotes* notes_ = nullptr;
};

}  // namespace onnx
}  // namespace rtlgen
