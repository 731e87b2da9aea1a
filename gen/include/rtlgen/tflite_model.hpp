// The reader half of the .tflite importer: a verified model. Construction checks the header and
// the FlatBuffers structure (tfl::find_structure_error, then the verifier), then every tensor
// (static shapes of at most 2^31 - 1 elements, buffer indices, constant sizes, quantization
// vectors) and every operator (opcode and tensor indices in range; one subgraph with one input
// and one output). Afterwards the accessors read tensors, operators, quantization and constants
// without further bounds worries, and fail with messages that name the byte offset and the
// schema path ("FILE: byte 1234: Model.subgraphs[0].operators[3]...: WHAT").
//
// The lowering onto the IR (tflite_import.cpp) knows the operators; this file knows the format.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "rtlgen/ir.hpp"
#include "rtlgen/tflite_schema.hpp"

namespace rtlgen {
namespace tflite {

constexpr int64_t kMaxElements = 0x7fffffff;  // per tensor (checked for every tensor)
constexpr int kMaxSpatial = 65536;            // activation height/width, kernels, strides

// "float32", "int8", ... for a TensorType code.
const char* type_name(int t);
// "[1, 28, 28, 1]" (the first few dimensions of an absurd rank).
std::string shape_str(const std::vector<int32_t>& s);
// "CONV_2D", ... or "BUILTIN_<code>".
std::string builtin_name(int code);

// One tensor of the subgraph, with its constant data located and sized.
struct TensorInfo {
  std::string name;  // as in the file ("" allowed)
  std::vector<int32_t> shape;
  int type = 0;
  uint32_t buffer = 0;
  const uint8_t* data = nullptr;  // constant contents (nullptr: not a constant)
  size_t data_size = 0;
  bool has_quant = false;
  std::vector<float> scales;
  std::vector<int64_t> zero_points;
  int qdim = 0;
  uint8_t quant_details = 0;
  bool sparse = false;

  bool is_const() const { return data != nullptr; }
  int64_t elements() const {  // non-zero products are bounded by kMaxElements (checked)
    int64_t n = 1;
    for (int32_t d : shape)
      if (d == 0) return 0;
    for (int32_t d : shape) n *= d;
    return n;
  }
};

// Weights and bias of a CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED, read and checked.
struct WeightData {
  DType dtype = DType::Int8;
  std::vector<int32_t> shape;
  std::vector<int32_t> values;  // widened
  std::vector<float> scales;    // 1 (per tensor) or one per output channel
  int32_t zero_point = 0;
  std::vector<int32_t> bias;  // one per output channel (zeros when the model has none)
};

class Model {
 public:
  // `data` must stay alive and be 8-byte aligned (FlatBuffers checks alignment relative to it).
  // Throws rtlgen::Error ("FILE: byte N: ...") when the file is not a verified model.
  Model(const uint8_t* data, size_t size, std::string file);

  const std::string& file() const { return file_; }

  // ---- diagnostics ----
  [[noreturn]] void fail(const std::string& what) const;
  // A failure at a place in the file: "FILE: byte N: PATH: WHAT", PATH as in the schema
  // (Model.subgraphs[0].tensors[3].buffer).
  [[noreturn]] void fail_at(const void* where, const std::string& path,
                            const std::string& what) const;
  // Operator failures name the operator table's byte offset and the operator (its index in
  // Model.subgraphs[0].operators, type and tensors).
  std::string op_place(int k) const;
  [[noreturn]] void op_fail(int k, const std::string& what) const;
  std::string tname(int t) const;  // 'name', or #index for an unnamed tensor

  // ---- structure ----
  int num_ops() const { return int(ops_->size()); }
  int op_code(int k) const { return codes_[size_t(k)]; }  // effective builtin code
  std::string op_name(int k) const;                       // CONV_2D, CUSTOM(name), ...
  std::vector<int> op_inputs(int k) const;                // -1 = absent optional input
  std::vector<int> op_outputs(int k) const;
  const TensorInfo& tensor(int t) const { return tensors_[size_t(t)]; }
  size_t num_tensors() const { return tensors_.size(); }
  // Uses of tensor t: operator inputs, plus one if it is the subgraph's output.
  int consumers(int t) const { return consumers_[size_t(t)]; }
  int graph_input() const { return graph_input_; }
  int graph_output() const { return graph_output_; }
  const void* graph_input_at() const;   // Model.subgraphs[0].inputs[0] (for fail_at)
  const void* graph_output_at() const;  // Model.subgraphs[0].outputs[0]

  // ---- per-operator accessors (failures name operator k) ----
  // Options table, required to be of `type` (nullptr if absent and !required).
  const tfl::Options* options(int k, int type, const char* type_name, bool required) const;
  // min_in..max_in inputs (the first min_in present) and one output.
  void expect_io(int k, const std::vector<int>& in, const std::vector<int>& out, size_t min_in,
                 size_t max_in) const;
  // Activation tensor shape -> HWC. Ranks below 4 are padded with leading 1s ([N] and [1, N]
  // become 1x1xN); the batch (first dimension of a rank-2..4 tensor) must be 1.
  Shape hwc(int k, int t, const char* role) const;
  Shape hwc4(int k, int t, const char* role) const;  // requires rank 4 [1,H,W,C]
  // Per-tensor uint8 / int8 quantization of an activation tensor.
  TensorQuant act_quant(int k, int t, const char* role) const;
  std::vector<int64_t> const_ints(int k, int t, const char* role) const;  // int32 / int64
  Activation fused_act(int k, int code) const;
  Padding padding_of(int k, int code) const;
  // Input and output tensors with the same quantization.
  void same_quant(int k, int in, int out) const;
  // Output size `out` along `dim` agrees with TFLite's SAME / VALID rule for the input size,
  // kernel and stride (each in 1..kMaxSpatial).
  void check_out_size(int k, const char* dim, int in, int kernel, int stride, Padding p,
                      int out) const;
  // Weights tensor `w` and bias `b` (-1: absent) for activations of `act`: `channels` output
  // channels, per-channel quantization along dimension `qdim`.
  WeightData weights(int k, int w, int b, DType act, int channels, int qdim) const;

 private:
  static std::string tensor_path(size_t t);
  std::string describe_op(int k) const;
  const tfl::Operator* op_table(int k) const { return ops_->Get(flatbuffers::uoffset_t(k)); }
  void check_header();
  void load_tensors();
  void check_operators();

  const uint8_t* base_;
  size_t size_;
  std::string file_;

  const tfl::Model* model_ = nullptr;
  const tfl::SubGraph* sg_ = nullptr;
  const flatbuffers::Vector<flatbuffers::Offset<tfl::Operator>>* ops_ = nullptr;
  std::vector<int> codes_;  // effective builtin code per operator
  std::vector<TensorInfo> tensors_;
  std::vector<int> consumers_;  // per tensor: operator inputs + subgraph outputs using it
  int graph_input_ = -1;
  int graph_output_ = -1;
};

}  // namespace tflite
}  // namespace rtlgen
