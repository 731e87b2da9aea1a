// .tflite -> rtlgen::Network. See rtlgen/tflite_import.hpp for what is supported and how.
//
// Structure: load bytes -> header checks + FlatBuffers verification -> per-tensor facts
// (TensorInfo, with constant data located and sized) -> one pass over the operators in
// execution order building "pending" layers that refer to their producers by index ->
// output/edge checks -> naming.
#include "rtlgen/tflite_import.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "rtlgen/error.hpp"
#include "rtlgen/file_util.hpp"
#include "rtlgen/names.hpp"
#include "rtlgen/quant_checks.hpp"
#include "rtlgen/tflite_schema.hpp"

namespace rtlgen {

// Prefix of an imported layer's name: conv1, dw1, fc1, pool1, add1, ... (also the ONNX importer's)
std::string imported_layer_prefix(OpKind op) {
  switch (op) {
    case OpKind::Conv2D:
      return "conv";
    case OpKind::DepthwiseConv2D:
      return "dw";
    case OpKind::FullyConnected:
      return "fc";
    case OpKind::AveragePool2D:
    case OpKind::MaxPool2D:
      return "pool";
    case OpKind::Mean:
      return "mean";
    case OpKind::Add:
      return "add";
    case OpKind::Concat:
      return "concat";
    case OpKind::Pad:
      return "pad";
    case OpKind::Reshape:
      return "reshape";
    case OpKind::Softmax:
      return "softmax";
  }
  return "layer";
}

namespace {

// BuiltinOperator names, indexed by code (TFLite schema order).
// clang-format off
const char* const kBuiltinNames[] = {
    "ADD", "AVERAGE_POOL_2D", "CONCATENATION", "CONV_2D", "DEPTHWISE_CONV_2D", "DEPTH_TO_SPACE",
    "DEQUANTIZE", "EMBEDDING_LOOKUP", "FLOOR", "FULLY_CONNECTED", "HASHTABLE_LOOKUP",
    "L2_NORMALIZATION", "L2_POOL_2D", "LOCAL_RESPONSE_NORMALIZATION", "LOGISTIC", "LSH_PROJECTION",
    "LSTM", "MAX_POOL_2D", "MUL", "RELU", "RELU_N1_TO_1", "RELU6", "RESHAPE", "RESIZE_BILINEAR",
    "RNN", "SOFTMAX", "SPACE_TO_DEPTH", "SVDF", "TANH", "CONCAT_EMBEDDINGS", "SKIP_GRAM", "CALL",
    "CUSTOM", "EMBEDDING_LOOKUP_SPARSE", "PAD", "UNIDIRECTIONAL_SEQUENCE_RNN", "GATHER",
    "BATCH_TO_SPACE_ND", "SPACE_TO_BATCH_ND", "TRANSPOSE", "MEAN", "SUB", "DIV", "SQUEEZE",
    "UNIDIRECTIONAL_SEQUENCE_LSTM", "STRIDED_SLICE", "BIDIRECTIONAL_SEQUENCE_RNN", "EXP", "TOPK_V2",
    "SPLIT", "LOG_SOFTMAX", "DELEGATE", "BIDIRECTIONAL_SEQUENCE_LSTM", "CAST", "PRELU", "MAXIMUM",
    "ARG_MAX", "MINIMUM", "LESS", "NEG", "PADV2", "GREATER", "GREATER_EQUAL", "LESS_EQUAL",
    "SELECT", "SLICE", "SIN", "TRANSPOSE_CONV", "SPARSE_TO_DENSE", "TILE", "EXPAND_DIMS", "EQUAL",
    "NOT_EQUAL", "LOG", "SUM", "SQRT", "RSQRT", "SHAPE", "POW", "ARG_MIN", "FAKE_QUANT",
    "REDUCE_PROD", "REDUCE_MAX", "PACK", "LOGICAL_OR", "ONE_HOT", "LOGICAL_AND", "LOGICAL_NOT",
    "UNPACK", "REDUCE_MIN", "FLOOR_DIV", "REDUCE_ANY", "SQUARE", "ZEROS_LIKE", "FILL", "FLOOR_MOD",
    "RANGE", "RESIZE_NEAREST_NEIGHBOR", "LEAKY_RELU", "SQUARED_DIFFERENCE", "MIRROR_PAD", "ABS",
    "SPLIT_V", "UNIQUE", "CEIL", "REVERSE_V2", "ADD_N", "GATHER_ND", "COS", "WHERE", "RANK", "ELU",
    "REVERSE_SEQUENCE", "MATRIX_DIAG", "QUANTIZE", "MATRIX_SET_DIAG", "ROUND", "HARD_SWISH", "IF",
    "WHILE", "NON_MAX_SUPPRESSION_V4", "NON_MAX_SUPPRESSION_V5", "SCATTER_ND", "SELECT_V2",
    "DENSIFY", "SEGMENT_SUM", "BATCH_MATMUL", "PLACEHOLDER_FOR_GREATER_OP_CODES", "CUMSUM",
    "CALL_ONCE", "BROADCAST_TO", "RFFT2D", "CONV_3D", "IMAG", "REAL", "COMPLEX_ABS", "HASHTABLE",
    "HASHTABLE_FIND", "HASHTABLE_IMPORT", "HASHTABLE_SIZE", "REDUCE_ALL", "CONV_3D_TRANSPOSE",
    "VAR_HANDLE", "READ_VARIABLE", "ASSIGN_VARIABLE", "BROADCAST_ARGS"};
// clang-format on

constexpr const char* kSupportedOps =
    "CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, AVERAGE_POOL_2D, MAX_POOL_2D, MEAN (over H,W), "
    "ADD, CONCATENATION (channels, equal quantization), PAD, PADV2, RESHAPE, SQUEEZE, SOFTMAX, "
    "RELU/RELU6/RELU_N1_TO_1 (fused into the "
    "producer), QUANTIZE (network input only), DEQUANTIZE (network output only)";

std::string builtin_name(int code) {
  constexpr int n = int(sizeof(kBuiltinNames) / sizeof(kBuiltinNames[0]));
  if (code >= 0 && code < n) return kBuiltinNames[code];
  return fmt::format("BUILTIN_{}", code);
}

const char* type_name(int t) {
  namespace tt = tfl::tensor_type;
  switch (t) {
    case tt::FLOAT32:
      return "float32";
    case tt::FLOAT16:
      return "float16";
    case tt::INT32:
      return "int32";
    case tt::UINT8:
      return "uint8";
    case tt::INT64:
      return "int64";
    case tt::STRING:
      return "string";
    case tt::BOOL:
      return "bool";
    case tt::INT16:
      return "int16";
    case tt::COMPLEX64:
      return "complex64";
    case tt::INT8:
      return "int8";
    case tt::FLOAT64:
      return "float64";
    case tt::COMPLEX128:
      return "complex128";
    case tt::UINT64:
      return "uint64";
    case tt::RESOURCE:
      return "resource";
    case tt::VARIANT:
      return "variant";
    case tt::UINT32:
      return "uint32";
    case tt::UINT16:
      return "uint16";
    case tt::INT4:
      return "int4";
  }
  return "unknown";
}

// Bytes per element; 0 = not a fixed-size type (string, resource, ...). INT4 is packed and
// handled as "unknown size" too (never supported as data here).
int type_size(int t) {
  namespace tt = tfl::tensor_type;
  switch (t) {
    case tt::BOOL:
    case tt::UINT8:
    case tt::INT8:
      return 1;
    case tt::FLOAT16:
    case tt::INT16:
    case tt::UINT16:
      return 2;
    case tt::FLOAT32:
    case tt::INT32:
    case tt::UINT32:
      return 4;
    case tt::INT64:
    case tt::UINT64:
    case tt::FLOAT64:
    case tt::COMPLEX64:
      return 8;
    case tt::COMPLEX128:
      return 16;
  }
  return 0;
}

std::string shape_str(const std::vector<int32_t>& s) {
  // A corrupted model can hold a shape of hundreds of dimensions: show the first few.
  if (s.size() > 8)
    return fmt::format("[{}, ... ({} dimensions)]", fmt::join(s.begin(), s.begin() + 6, ", "),
                       s.size());
  return fmt::format("[{}]", fmt::join(s, ", "));
}

int32_t read_le32(const uint8_t* p) {
  uint32_t v = uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
  int32_t r;
  std::memcpy(&r, &v, 4);
  return r;
}

int64_t read_le64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | p[i];
  int64_t r;
  std::memcpy(&r, &v, 8);
  return r;
}

std::string file_stem(const std::string& path) {
  std::string base = path;
  auto slash = base.find_last_of("/\\");
  if (slash != std::string::npos) base = base.substr(slash + 1);
  auto dot = base.rfind('.');
  if (dot != std::string::npos && dot > 0) base = base.substr(0, dot);
  return base;
}

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
  int64_t elements() const {  // load_tensors bounds non-zero products by kMaxElements
    int64_t n = 1;
    for (int32_t d : shape)
      if (d == 0) return 0;
    for (int32_t d : shape) n *= d;
    return n;
  }
};

// A layer under construction. Producers are indices into the pending list, -1 = network input.
struct Pending {
  Layer layer;
  std::vector<int> in_producers;
  int out_tensor = -1;
  int op_index = -1;
};

constexpr int kNoProducer = -2;
constexpr int64_t kMaxElements = 0x7fffffff;  // per tensor (see load_tensors)
constexpr int kMaxSpatial = 65536;            // activation height/width, kernels, strides
constexpr int kNetworkInput = -1;

class Importer {
 public:
  Importer(const uint8_t* data, size_t size, std::string file, ImportNotes* notes)
      : base_(data), size_(size), file_(std::move(file)), notes_(notes) {}

  Network run();

 private:
  // ---- diagnostics ----
  [[noreturn]] void fail(const std::string& what) const {
    throw Error(fmt::format("{}: {}", file_, what));
  }
  // A failure at a place in the file: "FILE: byte N: PATH: WHAT", PATH as in the schema
  // (Model.subgraphs[0].tensors[3].buffer).
  [[noreturn]] void fail_at(const void* where, const std::string& path,
                            const std::string& what) const {
    fail(fmt::format("byte {}: {}: {}", static_cast<const uint8_t*>(where) - base_, path, what));
  }
  static std::string tensor_path(size_t t) {
    return fmt::format("Model.subgraphs[0].tensors[{}]", t);
  }
  const tfl::Operator* op_table(int k) const { return ops_->Get(flatbuffers::uoffset_t(k)); }
  std::string tname(int t) const {
    if (t < 0) return "-";
    const std::string& n = tensors_[size_t(t)].name;
    return n.empty() ? fmt::format("#{}", t) : fmt::format("'{}'", n);
  }
  std::string describe_op(int k) const {
    const tfl::Operator* op = ops_->Get(flatbuffers::uoffset_t(k));
    std::vector<std::string> ins, outs;
    if (op->inputs())
      for (int32_t t : *op->inputs()) ins.push_back(tname(t));
    if (op->outputs())
      for (int32_t t : *op->outputs()) outs.push_back(tname(t));
    return fmt::format("operator #{} {} (inputs: {}, outputs: {})", k, op_name(k),
                       ins.empty() ? "none" : fmt::to_string(fmt::join(ins, ", ")),
                       outs.empty() ? "none" : fmt::to_string(fmt::join(outs, ", ")));
  }
  // Operator failures name the operator table's byte offset; the operator number is its index
  // in Model.subgraphs[0].operators.
  std::string op_place(int k) const {
    return fmt::format("byte {}: {}", reinterpret_cast<const uint8_t*>(op_table(k)) - base_,
                       describe_op(k));
  }
  [[noreturn]] void op_fail(int k, const std::string& what) const {
    fail(fmt::format("{}: {}", op_place(k), what));
  }
  [[noreturn]] void unsupported(int k, const std::string& why = "") const {
    fail(fmt::format("{} is not supported by rtlgen{}; supported: {}", op_place(k),
                     why.empty() ? "" : " (" + why + ")", kSupportedOps));
  }
  void note(const std::string& s) {
    if (notes_) notes_->lines.push_back(s);
  }

  // ---- structure ----
  void check_header();
  void load_tensors();
  void check_operators();
  int op_code(int k) const { return codes_[size_t(k)]; }
  std::string op_name(int k) const {
    int c = op_code(k);
    if (c == tfl::builtin_op::CUSTOM) {
      const auto* oc =
          model_->operator_codes()->Get(ops_->Get(flatbuffers::uoffset_t(k))->opcode_index());
      return fmt::format("CUSTOM({})", oc->custom_code() ? oc->custom_code()->str() : "?");
    }
    return builtin_name(c);
  }

  // ---- per-operator helpers ----
  std::vector<int> op_inputs(int k) const {
    const auto* v = ops_->Get(flatbuffers::uoffset_t(k))->inputs();
    return v ? std::vector<int>(v->begin(), v->end()) : std::vector<int>{};
  }
  std::vector<int> op_outputs(int k) const {
    const auto* v = ops_->Get(flatbuffers::uoffset_t(k))->outputs();
    return v ? std::vector<int>(v->begin(), v->end()) : std::vector<int>{};
  }
  // Options table, required to be of `type` (nullptr if absent and !required).
  const tfl::Options* options(int k, int type, const char* type_name, bool required) const;
  void expect_io(int k, const std::vector<int>& in, const std::vector<int>& out, size_t min_in,
                 size_t max_in) const;
  Shape hwc(int k, int t, const char* role) const;
  Shape hwc4(int k, int t, const char* role) const;  // requires rank 4 [1,H,W,C]
  TensorQuant act_quant(int k, int t, const char* role) const;
  int act_input(int k, int t, const char* role) const;  // producer of an activation input
  void same_quant(int k, int in, int out) const;
  std::vector<int64_t> const_ints(int k, int t, const char* role) const;
  Activation fused_act(int k, int code) const;
  Padding padding_of(int k, int code) const;
  void check_out_size(int k, const char* dim, int in, int kernel, int stride, Padding p,
                      int out) const;
  void load_weights(int k, Layer& L, int w, int b, int in_t, int channels, int qdim);

  int add_layer(Layer L, std::vector<int> in_producers, int out_tensor, int k);
  TensorQuant producer_quant(int k, int p) const;
  void check_arithmetic(int k, const Layer& L, const std::vector<int>& in_producers) const;

  // ---- operator mappers ----
  void map_conv(int k);
  void map_depthwise(int k);
  void map_fully_connected(int k);
  void map_pool(int k, OpKind kind);
  void map_mean(int k);
  void map_add(int k);
  void map_concat(int k);
  void map_pad(int k, bool v2);
  void map_reshape(int k);
  void map_softmax(int k);
  void map_relu(int k, Activation a);
  void map_quantize(int k);
  void map_dequantize(int k);

  const uint8_t* base_;
  size_t size_;
  std::string file_;
  ImportNotes* notes_;

  const tfl::Model* model_ = nullptr;
  const tfl::SubGraph* sg_ = nullptr;
  const flatbuffers::Vector<flatbuffers::Offset<tfl::Operator>>* ops_ = nullptr;
  std::vector<int> codes_;  // effective builtin code per operator
  std::vector<TensorInfo> tensors_;
  std::vector<int> consumers_;  // per tensor: operator inputs + subgraph outputs using it
  std::vector<int> producer_;   // per tensor: pending index, kNetworkInput or kNoProducer
  std::vector<Pending> pending_;
  int input_tensor_ = -1;
  int output_tensor_ = -1;
  int graph_input_ = -1;  // the subgraph's own input tensor
};

// ---------------------------------------------------------------------------------------------
// Structure and semantic checks
// ---------------------------------------------------------------------------------------------

void Importer::check_header() {
  if (size_ < 8)
    fail(fmt::format(
        "byte 0: file header: not a TensorFlow Lite model: the file has only {} bytes (truncated?)",
        size_));
  if (std::memcmp(base_ + 4, tfl::kFileIdentifier, 4) != 0) {
    std::string id;
    for (int i = 4; i < 8; ++i) {
      char c = char(base_[i]);
      id += (c >= 32 && c < 127) ? std::string(1, c) : fmt::format("\\x{:02x}", base_[i]);
    }
    fail(fmt::format(
        "byte 4: file header: not a TensorFlow Lite model: file identifier (bytes 4-7) is '{}', "
        "expected 'TFL3'",
        id));
  }
  if (size_ >= size_t(FLATBUFFERS_MAX_BUFFER_SIZE))
    fail(
        fmt::format("byte {}: file size: the file is {} bytes; models of 2 GiB or more are not "
                    "supported",
                    size_t(FLATBUFFERS_MAX_BUFFER_SIZE), size_));
  uint32_t root = uint32_t(read_le32(base_));
  if (root >= size_)
    fail(fmt::format(
        "byte 0: root table offset: truncated or corrupt .tflite file: the root table offset {} "
        "lies beyond the end of the file ({} bytes)",
        root, size_));
  if (const auto e = tfl::find_structure_error(base_, size_))
    fail(fmt::format(
        "byte {}: {}: {} (the .tflite file is truncated or corrupt, or not a TensorFlow Lite "
        "model)",
        e->offset, e->path, e->what));
  // Backstop: the FlatBuffers verifier itself (find_structure_error applies its rules).
  if (!tfl::verify_model(base_, size_))
    fail(fmt::format(
        "byte 0: Model: FlatBuffer verification failed ({} bytes) although rtlgen's structure "
        "check passed; please report this file",
        size_));
  model_ = tfl::get_model(base_);
  if (model_->version() != 3)
    fail_at(model_->address(tfl::Model::VT_VERSION), "Model.version",
            fmt::format("schema version {} is not supported (TensorFlow Lite files use version 3)",
                        model_->version()));

  const auto* sgs = model_->subgraphs();
  const void* sgs_at = model_->address(tfl::Model::VT_SUBGRAPHS);
  if (!sgs || sgs->size() == 0) fail_at(sgs_at, "Model.subgraphs", "the model has no subgraph");
  if (sgs->size() != 1)
    fail_at(sgs_at, "Model.subgraphs",
            fmt::format("the model has {} subgraphs; rtlgen supports exactly one (no control "
                        "flow, no multiple signatures)",
                        sgs->size()));
  sg_ = sgs->Get(0);
  ops_ = sg_->operators();
  if (!ops_ || ops_->size() == 0)
    fail_at(sg_->address(tfl::SubGraph::VT_OPERATORS), "Model.subgraphs[0].operators",
            "the subgraph has no operators");
}

void Importer::load_tensors() {
  const auto* tv = sg_->tensors();
  if (!tv || tv->size() == 0)
    fail_at(sg_->address(tfl::SubGraph::VT_TENSORS), "Model.subgraphs[0].tensors",
            "the subgraph has no tensors");
  const auto* bufs = model_->buffers();
  const size_t nbuf = bufs ? bufs->size() : 0;
  tensors_.resize(tv->size());
  for (flatbuffers::uoffset_t i = 0; i < tv->size(); ++i) {
    const tfl::Tensor* t = tv->Get(i);
    TensorInfo& T = tensors_[i];
    T.name = t->name() ? t->name()->str() : "";
    if (t->shape()) T.shape.assign(t->shape()->begin(), t->shape()->end());
    T.type = t->type();
    T.buffer = t->buffer();
    T.sparse = t->has_sparsity();
    const std::string who = fmt::format("tensor #{} {}", i, tname(int(i)));
    const std::string path = tensor_path(i);
    auto fail_field = [&](tfl::voffset_t f, const char* field, const std::string& what) {
      fail_at(t->address(f), path + field, what);
    };
    auto fail_shape = [&](const std::string& what) {
      fail_field(tfl::Tensor::VT_SHAPE, ".shape", what);
    };
    for (int32_t d : T.shape)
      if (d < 0)
        fail_shape(
            fmt::format("{} has shape {} with a negative (dynamic) dimension; rtlgen needs "
                        "static shapes",
                        who, shape_str(T.shape)));
    if (T.shape.size() > 8) fail_shape(fmt::format("{} has rank {}", who, T.shape.size()));
    // Every tensor's element count must fit an int32 (activations are indexed with it, and
    // products of shapes are formed with it); checked before any product can overflow.
    if (std::find(T.shape.begin(), T.shape.end(), 0) == T.shape.end()) {
      int64_t n = 1;
      for (int32_t d : T.shape) {
        if (n > kMaxElements / d)
          fail_shape(fmt::format("{} has shape {}: more than 2^31 - 1 elements are not supported",
                                 who, shape_str(T.shape)));
        n *= d;
      }
    }
    if (T.buffer >= nbuf)
      fail_field(tfl::Tensor::VT_BUFFER, ".buffer",
                 fmt::format("{}: buffer index {} is out of range (the model has {} buffers)", who,
                             T.buffer, nbuf));

    // Locate constant data: inline vector, or (large models) offset/size into the file.
    const tfl::Buffer* b = bufs->Get(T.buffer);
    if (b->data() && b->data()->size() > 0) {
      T.data = b->data()->data();
      T.data_size = b->data()->size();
    } else if (b->offset() > 1) {
      uint64_t off = b->offset(), sz = b->size();
      if (off > size_ || sz > size_ - off)
        fail_at(b->address(tfl::Buffer::VT_OFFSET),
                fmt::format("Model.buffers[{}].offset", T.buffer),
                fmt::format("{}: buffer {} refers to bytes [{}, {}) beyond the end of the file "
                            "({} bytes; truncated?)",
                            who, T.buffer, off, off + sz, size_));
      if (sz > 0) {
        T.data = base_ + off;
        T.data_size = size_t(sz);
      }
    }
    if (T.data) {
      int es = type_size(T.type);
      if (es == 0)
        fail_field(tfl::Tensor::VT_TYPE, ".type",
                   fmt::format("{}: constant of type {} is not supported", who, type_name(T.type)));
      const int64_t n = T.elements();  // <= kMaxElements (checked above)
      if (uint64_t(n) * uint64_t(es) != T.data_size)
        fail_at(T.data, fmt::format("Model.buffers[{}]", T.buffer),
                fmt::format("{}: buffer {} holds {} bytes, but shape {} of {} needs {} bytes", who,
                            T.buffer, T.data_size, shape_str(T.shape), type_name(T.type), n * es));
    }

    if (const tfl::QuantizationParameters* q = t->quantization()) {
      using QP = tfl::QuantizationParameters;
      auto fail_quant = [&](tfl::voffset_t f, const char* field, const std::string& what) {
        fail_at(q->address(f), path + ".quantization" + field, what);
      };
      if (q->scale()) T.scales.assign(q->scale()->begin(), q->scale()->end());
      if (q->zero_point()) T.zero_points.assign(q->zero_point()->begin(), q->zero_point()->end());
      T.qdim = q->quantized_dimension();
      T.quant_details = q->details_type();
      T.has_quant = !T.scales.empty();
      if (!T.scales.empty() && !T.zero_points.empty() && T.zero_points.size() != T.scales.size())
        fail_quant(QP::VT_ZERO_POINT, ".zero_point",
                   fmt::format("{}: quantization has {} scales but {} zero points", who,
                               T.scales.size(), T.zero_points.size()));
      for (size_t j = 0; j < T.scales.size(); ++j)
        if (!std::isfinite(T.scales[j]) || !(T.scales[j] > 0.0f))
          fail_at(q->scale()->data() + j, fmt::format("{}.quantization.scale[{}]", path, j),
                  fmt::format("{}: quantization scale [{}] = {} must be positive and finite", who,
                              j, T.scales[j]));
      if (T.scales.size() > 1) {
        if (T.qdim < 0 || size_t(T.qdim) >= T.shape.size())
          fail_quant(QP::VT_QUANTIZED_DIMENSION, ".quantized_dimension",
                     fmt::format("{}: quantized_dimension {} is out of range for shape {}", who,
                                 T.qdim, shape_str(T.shape)));
        if (int64_t(T.scales.size()) != T.shape[size_t(T.qdim)])
          fail_quant(
              QP::VT_SCALE, ".scale",
              fmt::format("{}: {} per-channel scales along dimension {}, but shape {} has {} "
                          "there",
                          who, T.scales.size(), T.qdim, shape_str(T.shape),
                          T.shape[size_t(T.qdim)]));
      }
    }
  }
}

void Importer::check_operators() {
  const int nt = int(tensors_.size());
  const auto* codes = model_->operator_codes();
  const size_t ncodes = codes ? codes->size() : 0;
  auto check_list = [&](const flatbuffers::Vector<int32_t>* v, const std::string& path,
                        const std::string& who, const char* what, bool allow_absent) {
    if (!v) return;
    for (flatbuffers::uoffset_t j = 0; j < v->size(); ++j) {
      int t = v->Get(j);
      if (t == -1 && allow_absent) continue;
      if (t < 0 || t >= nt)
        fail_at(v->data() + 4 * j, fmt::format("{}[{}]", path, j),
                fmt::format("{}: {} {} refers to tensor index {}, but the subgraph has {} "
                            "tensors (valid: 0..{})",
                            who, what, j, t, nt, nt - 1));
    }
  };
  check_list(sg_->inputs(), "Model.subgraphs[0].inputs", "subgraph", "input", false);
  check_list(sg_->outputs(), "Model.subgraphs[0].outputs", "subgraph", "output", false);
  for (flatbuffers::uoffset_t k = 0; k < ops_->size(); ++k) {
    const tfl::Operator* op = ops_->Get(k);
    const std::string path = fmt::format("Model.subgraphs[0].operators[{}]", k);
    if (op->opcode_index() >= ncodes)
      fail_at(op->address(tfl::Operator::VT_OPCODE_INDEX), path + ".opcode_index",
              fmt::format("operator #{}: opcode index {} is out of range (the model has {} "
                          "operator codes)",
                          k, op->opcode_index(), ncodes));
    codes_.push_back(codes->Get(op->opcode_index())->op());
    const std::string who = fmt::format("operator #{} {}", k, builtin_name(codes_.back()));
    check_list(op->inputs(), path + ".inputs", who, "input", true);
    check_list(op->outputs(), path + ".outputs", who, "output", false);
  }

  const auto* in = sg_->inputs();
  const auto* out = sg_->outputs();
  if (!in || in->size() != 1)
    fail_at(
        sg_->address(tfl::SubGraph::VT_INPUTS), "Model.subgraphs[0].inputs",
        fmt::format("the model has {} inputs; rtlgen supports exactly one", in ? in->size() : 0));
  if (!out || out->size() != 1)
    fail_at(sg_->address(tfl::SubGraph::VT_OUTPUTS), "Model.subgraphs[0].outputs",
            fmt::format("the model has {} outputs; rtlgen supports exactly one",
                        out ? out->size() : 0));
  graph_input_ = input_tensor_ = in->Get(0);
  output_tensor_ = out->Get(0);

  consumers_.assign(tensors_.size(), 0);
  for (flatbuffers::uoffset_t k = 0; k < ops_->size(); ++k)
    if (const auto* v = ops_->Get(k)->inputs())
      for (int32_t t : *v)
        if (t >= 0) ++consumers_[size_t(t)];
  ++consumers_[size_t(output_tensor_)];
}

// ---------------------------------------------------------------------------------------------
// Per-operator helpers
// ---------------------------------------------------------------------------------------------

const tfl::Options* Importer::options(int k, int type, const char* tn, bool required) const {
  const tfl::Operator* op = ops_->Get(flatbuffers::uoffset_t(k));
  const tfl::Options* o = op->builtin_options();
  if (!o) {
    if (required) op_fail(k, fmt::format("missing builtin options ({})", tn));
    return nullptr;
  }
  if (op->builtin_options_type() != type)
    op_fail(k, fmt::format("builtin options have union type {}, expected {} ({})",
                           op->builtin_options_type(), type, tn));
  return o;
}

void Importer::expect_io(int k, const std::vector<int>& in, const std::vector<int>& out,
                         size_t min_in, size_t max_in) const {
  if (in.size() < min_in || in.size() > max_in)
    op_fail(k, min_in == max_in
                   ? fmt::format("expected {} inputs, found {}", min_in, in.size())
                   : fmt::format("expected {} to {} inputs, found {}", min_in, max_in, in.size()));
  for (size_t j = 0; j < min_in; ++j)
    if (in[j] < 0) op_fail(k, fmt::format("required input {} is absent", j));
  if (out.size() != 1) op_fail(k, fmt::format("expected 1 output, found {}", out.size()));
}

// Activation tensor shape -> HWC. Ranks below 4 are padded with leading 1s ([N] and [1, N]
// become 1x1xN); the batch (first dimension of a rank-2..4 tensor) must be 1.
Shape Importer::hwc(int k, int t, const char* role) const {
  const auto& s = tensors_[size_t(t)].shape;
  if (s.empty() || s.size() > 4)
    op_fail(k, fmt::format("{} tensor {} has rank {} (shape {}); rtlgen supports rank 1 to 4", role,
                           tname(t), s.size(), shape_str(s)));
  if (s.size() >= 2 && s[0] != 1)
    op_fail(k, fmt::format("{} tensor {} has shape {}: batch {} is not supported (only 1)", role,
                           tname(t), shape_str(s), s[0]));
  for (int32_t d : s)
    if (d <= 0)
      op_fail(k, fmt::format("{} tensor {} has an empty dimension (shape {})", role, tname(t),
                             shape_str(s)));
  std::vector<int32_t> p(4 - s.size(), 1);
  p.insert(p.end(), s.begin(), s.end());
  if (p[1] > kMaxSpatial || p[2] > kMaxSpatial)
    op_fail(k, fmt::format("{} tensor {} has shape {}: height and width above {} are not supported",
                           role, tname(t), shape_str(s), kMaxSpatial));
  return Shape{p[1], p[2], p[3]};
}

Shape Importer::hwc4(int k, int t, const char* role) const {
  const auto& s = tensors_[size_t(t)].shape;
  if (s.size() != 4)
    op_fail(k, fmt::format("{} tensor {} must be rank 4 [1, H, W, C], has shape {}", role, tname(t),
                           shape_str(s)));
  return hwc(k, t, role);
}

TensorQuant Importer::act_quant(int k, int t, const char* role) const {
  const TensorInfo& T = tensors_[size_t(t)];
  TensorQuant q;
  if (T.type == tfl::tensor_type::UINT8)
    q.dtype = DType::UInt8;
  else if (T.type == tfl::tensor_type::INT8)
    q.dtype = DType::Int8;
  else
    op_fail(k, fmt::format("{} tensor {} is {}; rtlgen needs integer-quantized uint8 or int8 "
                           "activations (is this a float model?)",
                           role, tname(t), type_name(T.type)));
  if (!T.has_quant)
    op_fail(k, fmt::format("{} tensor {} has no quantization parameters", role, tname(t)));
  if (T.quant_details != 0)
    op_fail(k, fmt::format("{} tensor {} uses custom quantization", role, tname(t)));
  if (T.scales.size() != 1 || T.zero_points.size() != 1)
    op_fail(k, fmt::format("{} tensor {} must be quantized per tensor (1 scale, 1 zero point); "
                           "it has {} scales and {} zero points",
                           role, tname(t), T.scales.size(), T.zero_points.size()));
  int64_t zp = T.zero_points[0];
  if (zp < qmin(q.dtype) || zp > qmax(q.dtype))
    op_fail(k, fmt::format("{} tensor {}: zero point {} is outside the {} range", role, tname(t),
                           zp, to_string(q.dtype)));
  q.scale = T.scales[0];
  q.zero_point = int32_t(zp);
  return q;
}

int Importer::act_input(int k, int t, const char* role) const {
  int p = producer_[size_t(t)];
  if (p != kNoProducer) return p;
  if (tensors_[size_t(t)].is_const())
    op_fail(k, fmt::format("{} tensor {} is a constant; rtlgen supports constants only as "
                           "weights and biases",
                           role, tname(t)));
  if (t == graph_input_)
    op_fail(k, fmt::format("{} tensor {} is the float network input, which is only supported "
                           "through a single QUANTIZE operator",
                           role, tname(t)));
  op_fail(k, fmt::format("{} tensor {} is not produced by an earlier supported operator", role,
                         tname(t)));
}

void Importer::same_quant(int k, int in, int out) const {
  TensorQuant a = act_quant(k, in, "input"), b = act_quant(k, out, "output");
  if (a.dtype != b.dtype || a.scale != b.scale || a.zero_point != b.zero_point)
    op_fail(k, fmt::format("input and output quantization differ ({} scale {:.9g} zp {} vs {} "
                           "scale {:.9g} zp {}); rtlgen requires them equal for this operator",
                           to_string(a.dtype), a.scale, a.zero_point, to_string(b.dtype), b.scale,
                           b.zero_point));
}

std::vector<int64_t> Importer::const_ints(int k, int t, const char* role) const {
  const TensorInfo& T = tensors_[size_t(t)];
  if (!T.is_const()) op_fail(k, fmt::format("{} tensor {} must be a constant", role, tname(t)));
  std::vector<int64_t> v;
  if (T.type == tfl::tensor_type::INT32) {
    for (size_t i = 0; i + 4 <= T.data_size; i += 4) v.push_back(read_le32(T.data + i));
  } else if (T.type == tfl::tensor_type::INT64) {
    for (size_t i = 0; i + 8 <= T.data_size; i += 8) v.push_back(read_le64(T.data + i));
  } else {
    op_fail(k, fmt::format("{} tensor {} must be int32 or int64, is {}", role, tname(t),
                           type_name(T.type)));
  }
  return v;
}

Activation Importer::fused_act(int k, int code) const {
  switch (code) {
    case tfl::activation::NONE:
      return Activation::None;
    case tfl::activation::RELU:
      return Activation::Relu;
    case tfl::activation::RELU6:
      return Activation::Relu6;
    case tfl::activation::RELU_N1_TO_1:
      return Activation::ReluN1To1;
  }
  op_fail(k, fmt::format("fused activation {} is not supported (only NONE, RELU, RELU6, "
                         "RELU_N1_TO_1)",
                         code == tfl::activation::TANH       ? "TANH"
                         : code == tfl::activation::SIGN_BIT ? "SIGN_BIT"
                                                             : std::to_string(code).c_str()));
}

Padding Importer::padding_of(int k, int code) const {
  if (code == tfl::padding::SAME) return Padding::Same;
  if (code == tfl::padding::VALID) return Padding::Valid;
  op_fail(k, fmt::format("unknown padding {}", code));
}

void Importer::check_out_size(int k, const char* dim, int in, int kernel, int stride, Padding p,
                              int out) const {
  if (kernel < 1 || stride < 1 || kernel > kMaxSpatial || stride > kMaxSpatial)
    op_fail(k, fmt::format("{}: kernel {} / stride {} must be in 1..{}", dim, kernel, stride,
                           kMaxSpatial));
  const int64_t expect = p == Padding::Same
                             ? (int64_t(in) + stride - 1) / stride
                             : (in >= kernel ? (int64_t(in) - kernel) / stride + 1 : 0);
  if (expect < 1)
    op_fail(k, fmt::format("{}: kernel {} is larger than the input ({}) with VALID padding", dim,
                           kernel, in));
  if (expect != out)
    op_fail(k, fmt::format("output {} is {}, but input {} with kernel {}, stride {} and {} "
                           "padding gives {}",
                           dim, out, in, kernel, stride, to_string(p), expect));
}

// Reads weights tensor `w` (and bias `b`, may be -1) of a conv/dw/fc into L. `channels` is the
// number of output channels, `qdim` the per-channel quantization dimension.
void Importer::load_weights(int k, Layer& L, int w, int b, int in_t, int channels, int qdim) {
  const TensorInfo& W = tensors_[size_t(w)];
  const TensorQuant in_q = act_quant(k, in_t, "input");
  if (!W.is_const()) op_fail(k, fmt::format("weights {} must be a constant tensor", tname(w)));
  if (W.sparse) op_fail(k, fmt::format("weights {} are sparse; not supported", tname(w)));
  if (!W.has_quant || W.zero_points.empty())
    op_fail(k, fmt::format("weights {} have no quantization parameters (hybrid or float model?)",
                           tname(w)));
  if (W.quant_details != 0) op_fail(k, fmt::format("weights {} use custom quantization", tname(w)));
  const bool u8 = in_q.dtype == DType::UInt8;
  const int want_type = u8 ? tfl::tensor_type::UINT8 : tfl::tensor_type::INT8;
  if (W.type != want_type)
    op_fail(k, fmt::format("weights {} are {} but the activations are {}; rtlgen supports uint8 "
                           "activations with uint8 weights and int8 activations with int8 "
                           "weights",
                           tname(w), type_name(W.type), to_string(in_q.dtype)));
  const size_t ns = W.scales.size();
  if (ns != 1 && !(ns == size_t(channels) && W.qdim == qdim))
    op_fail(k, fmt::format("weights {} have {} scales along dimension {}; expected 1 (per "
                           "tensor) or {} along dimension {} (per output channel)",
                           tname(w), ns, W.qdim, channels, qdim));
  if (u8 && ns != 1)
    op_fail(k, fmt::format("uint8 weights {} must be quantized per tensor (have {} scales)",
                           tname(w), ns));
  if (u8) {
    int64_t zp = W.zero_points[0];
    if (zp < 0 || zp > 255)
      op_fail(k, fmt::format("weights {}: zero point {} outside 0..255", tname(w), zp));
    L.weight_zero_point = int32_t(zp);
  } else {
    for (int64_t zp : W.zero_points)
      if (zp != 0)
        op_fail(k, fmt::format("int8 weights {} must be symmetric (zero point 0), found {}",
                               tname(w), zp));
    L.weight_zero_point = 0;
  }
  L.weight_dtype = u8 ? DType::UInt8 : DType::Int8;
  L.weight_shape.assign(W.shape.begin(), W.shape.end());
  L.weights.resize(W.data_size);
  for (size_t i = 0; i < W.data_size; ++i)
    L.weights[i] = u8 ? int32_t(W.data[i]) : int32_t(int8_t(W.data[i]));
  L.weight_scales = W.scales;

  L.bias.clear();
  if (b >= 0) {
    const TensorInfo& B = tensors_[size_t(b)];
    if (!B.is_const()) op_fail(k, fmt::format("bias {} must be a constant tensor", tname(b)));
    if (B.type != tfl::tensor_type::INT32)
      op_fail(k, fmt::format("bias {} must be int32, is {}", tname(b), type_name(B.type)));
    if (B.elements() != channels)
      op_fail(k, fmt::format("bias {} has shape {}, expected [{}]", tname(b), shape_str(B.shape),
                             channels));
    for (size_t i = 0; i < B.data_size; i += 4) L.bias.push_back(read_le32(B.data + i));
  } else {
    L.bias.assign(size_t(channels), 0);  // absent bias (TFLite allows it): zeros
  }
}

TensorQuant Importer::producer_quant(int k, int p) const {
  return p == kNetworkInput ? act_quant(k, input_tensor_, "input")
                            : pending_[size_t(p)].layer.out_quant;
}

// What the FlatBuffers verifier cannot know: scales whose integer arithmetic does not fit
// int32, and accumulators that could overflow int32 (also checked by the passes, but
// `rtlgen import` must not write a description that cannot be loaded).
void Importer::check_arithmetic(int k, const Layer& L, const std::vector<int>& in_producers) const {
  if (in_producers.empty()) return;
  const TensorQuant a = producer_quant(k, in_producers[0]);
  const TensorQuant b = in_producers.size() > 1 ? producer_quant(k, in_producers[1]) : a;
  std::string why = quantization_problem(L, a, b);
  if (why.empty()) why = accumulator_problem(L, a);
  if (!why.empty()) op_fail(k, why);
}

int Importer::add_layer(Layer L, std::vector<int> in_producers, int out_tensor, int k) {
  L.source = tensors_[size_t(out_tensor)].name;
  L.loc.file = file_;
  L.out_quant = act_quant(k, out_tensor, "output");
  L.out_shape = hwc(k, out_tensor, "output");
  check_arithmetic(k, L, in_producers);
  Pending P;
  P.layer = std::move(L);
  P.in_producers = std::move(in_producers);
  P.out_tensor = out_tensor;
  P.op_index = k;
  pending_.push_back(std::move(P));
  if (producer_[size_t(out_tensor)] != kNoProducer)
    op_fail(
        k, fmt::format("output tensor {} is written by more than one operator", tname(out_tensor)));
  producer_[size_t(out_tensor)] = int(pending_.size()) - 1;
  // Activations keep their type through every supported layer.
  for (int p : pending_.back().in_producers) {
    DType d = p == kNetworkInput ? act_quant(k, input_tensor_, "input").dtype
                                 : pending_[size_t(p)].layer.out_quant.dtype;
    if (d != pending_.back().layer.out_quant.dtype)
      op_fail(k, fmt::format("input is {} but output is {}; mixed uint8/int8 layers are not "
                             "supported",
                             to_string(d), to_string(pending_.back().layer.out_quant.dtype)));
  }
  return int(pending_.size()) - 1;
}

// ---------------------------------------------------------------------------------------------
// Operator mappers
// ---------------------------------------------------------------------------------------------

void Importer::map_conv(int k) {
  auto in = op_inputs(k), out = op_outputs(k);
  expect_io(k, in, out, 2, 3);
  const tfl::Options* o = options(k, tfl::builtin_options::Conv2DOptions, "Conv2DOptions", true);
  Layer L;
  L.op = OpKind::Conv2D;
  L.padding = padding_of(k, o->i8(0, 0));
  L.stride_w = o->i32(1, 0);
  L.stride_h = o->i32(2, 0);
  L.activation = fused_act(k, o->i8(3, 0));
  L.dilation_w = o->i32(4, 1);
  L.dilation_h = o->i32(5, 1);
  if (L.dilation_h != 1 || L.dilation_w != 1)
    op_fail(k, fmt::format("dilation {}x{} is not supported (only 1)", L.dilation_h, L.dilation_w));
  const int x = in[0], w = in[1], b = in.size() > 2 ? in[2] : -1, y = out[0];
  int p = act_input(k, x, "input");
  Shape is = hwc4(k, x, "input"), os = hwc4(k, y, "output");
  const auto& ws = tensors_[size_t(w)].shape;
  if (ws.size() != 4)
    op_fail(k, fmt::format("weights {} must be [O, KH, KW, I], have shape {}", tname(w),
                           shape_str(ws)));
  if (ws[3] != is.c)
    op_fail(k, fmt::format("weights {} have {} input channels but the input has {} (grouped "
                           "convolution is not supported)",
                           tname(w), ws[3], is.c));
  if (ws[0] != os.c)
    op_fail(k, fmt::format("weights {} have {} output channels but the output has {}", tname(w),
                           ws[0], os.c));
  L.kernel_h = ws[1];
  L.kernel_w = ws[2];
  check_out_size(k, "height", is.h, L.kernel_h, L.stride_h, L.padding, os.h);
  check_out_size(k, "width", is.w, L.kernel_w, L.stride_w, L.padding, os.w);
  load_weights(k, L, w, b, x, os.c, 0);
  add_layer(std::move(L), {p}, y, k);
}

void Importer::map_depthwise(int k) {
  auto in = op_inputs(k), out = op_outputs(k);
  expect_io(k, in, out, 2, 3);
  const tfl::Options* o =
      options(k, tfl::builtin_options::DepthwiseConv2DOptions, "DepthwiseConv2DOptions", true);
  Layer L;
  L.op = OpKind::DepthwiseConv2D;
  L.padding = padding_of(k, o->i8(0, 0));
  L.stride_w = o->i32(1, 0);
  L.stride_h = o->i32(2, 0);
  const int opt_dm = o->i32(3, 0);
  L.activation = fused_act(k, o->i8(4, 0));
  L.dilation_w = o->i32(5, 1);
  L.dilation_h = o->i32(6, 1);
  if (L.dilation_h != 1 || L.dilation_w != 1)
    op_fail(k, fmt::format("dilation {}x{} is not supported (only 1)", L.dilation_h, L.dilation_w));
  const int x = in[0], w = in[1], b = in.size() > 2 ? in[2] : -1, y = out[0];
  int p = act_input(k, x, "input");
  Shape is = hwc4(k, x, "input"), os = hwc4(k, y, "output");
  const auto& ws = tensors_[size_t(w)].shape;
  if (ws.size() != 4 || ws[0] != 1)
    op_fail(k, fmt::format("weights {} must be [1, KH, KW, C*DM], have shape {}", tname(w),
                           shape_str(ws)));
  if (ws[3] != os.c || os.c % is.c != 0)
    op_fail(k, fmt::format("weights {} have {} channels; the input has {} and the output {} "
                           "(output channels must be input channels x depth multiplier)",
                           tname(w), ws[3], is.c, os.c));
  L.depth_multiplier = os.c / is.c;
  if (opt_dm != 0 && opt_dm != L.depth_multiplier)
    op_fail(k, fmt::format("depth_multiplier option {} disagrees with the shapes ({} -> {} "
                           "channels)",
                           opt_dm, is.c, os.c));
  L.kernel_h = ws[1];
  L.kernel_w = ws[2];
  check_out_size(k, "height", is.h, L.kernel_h, L.stride_h, L.padding, os.h);
  check_out_size(k, "width", is.w, L.kernel_w, L.stride_w, L.padding, os.w);
  load_weights(k, L, w, b, x, os.c, 3);
  add_layer(std::move(L), {p}, y, k);
}

void Importer::map_fully_connected(int k) {
  auto in = op_inputs(k), out = op_outputs(k);
  expect_io(k, in, out, 2, 3);
  const tfl::Options* o =
      options(k, tfl::builtin_options::FullyConnectedOptions, "FullyConnectedOptions", false);
  Layer L;
  L.op = OpKind::FullyConnected;
  L.activation = fused_act(k, o ? o->i8(0, 0) : 0);
  if (o && o->i8(1, 0) != 0) op_fail(k, "shuffled weights format is not supported (only DEFAULT)");
  const int x = in[0], w = in[1], b = in.size() > 2 ? in[2] : -1, y = out[0];
  int p = act_input(k, x, "input");
  Shape is = hwc(k, x, "input");
  const auto& ws = tensors_[size_t(w)].shape;
  if (ws.size() != 2)
    op_fail(k, fmt::format("weights {} must be [O, I], have shape {}", tname(w), shape_str(ws)));
  if (int64_t(ws[1]) != is.elements())
    op_fail(k, fmt::format("weights {} expect {} inputs but the input {} has {} elements "
                           "(batch must be 1)",
                           tname(w), ws[1], tname(x), is.elements()));
  if (tensors_[size_t(y)].elements() != ws[0])
    op_fail(k, fmt::format("output {} has shape {}, expected {} elements", tname(y),
                           shape_str(tensors_[size_t(y)].shape), ws[0]));
  load_weights(k, L, w, b, x, ws[0], 0);
  add_layer(std::move(L), {p}, y, k);
  pending_.back().layer.out_shape = Shape{1, 1, ws[0]};
}

void Importer::map_pool(int k, OpKind kind) {
  auto in = op_inputs(k), out = op_outputs(k);
  expect_io(k, in, out, 1, 1);
  const tfl::Options* o = options(k, tfl::builtin_options::Pool2DOptions, "Pool2DOptions", true);
  Layer L;
  L.op = kind;
  L.padding = padding_of(k, o->i8(0, 0));
  L.stride_w = o->i32(1, 0);
  L.stride_h = o->i32(2, 0);
  L.kernel_w = o->i32(3, 0);
  L.kernel_h = o->i32(4, 0);
  L.activation = fused_act(k, o->i8(5, 0));
  const int x = in[0], y = out[0];
  int p = act_input(k, x, "input");
  Shape is = hwc4(k, x, "input"), os = hwc4(k, y, "output");
  if (is.c != os.c) op_fail(k, fmt::format("input has {} channels, output {}", is.c, os.c));
  check_out_size(k, "height", is.h, L.kernel_h, L.stride_h, L.padding, os.h);
  check_out_size(k, "width", is.w, L.kernel_w, L.stride_w, L.padding, os.w);
  same_quant(k, x, y);
  add_layer(std::move(L), {p}, y, k);
}

void Importer::map_mean(int k) {
  auto in = op_inputs(k), out = op_outputs(k);
  expect_io(k, in, out, 2, 2);
  const int x = in[0], y = out[0];
  int p = act_input(k, x, "input");
  Shape is = hwc4(k, x, "input");
  std::set<int64_t> axes;
  for (int64_t a : const_ints(k, in[1], "axes")) axes.insert(a < 0 ? a + 4 : a);
  if (axes != std::set<int64_t>{1, 2})
    unsupported(k, fmt::format("MEAN is only supported over axes (1, 2) of an NHWC tensor; "
                               "this one reduces axes {}",
                               fmt::join(const_ints(k, in[1], "axes"), ", ")));
  if (tensors_[size_t(y)].elements() != is.c)
    op_fail(k, fmt::format("output {} has shape {}, expected {} elements", tname(y),
                           shape_str(tensors_[size_t(y)].shape), is.c));
  Layer L;
  L.op = OpKind::Mean;
  add_layer(std::move(L), {p}, y, k);
  pending_.back().layer.out_shape = Shape{1, 1, is.c};
}

void Importer::map_add(int k) {
  auto in = op_inputs(k), out = op_outputs(k);
  expect_io(k, in, out, 2, 2);
  const tfl::Options* o = options(k, tfl::builtin_options::AddOptions, "AddOptions", false);
  Layer L;
  L.op = OpKind::Add;
  L.activation = fused_act(k, o ? o->i8(0, 0) : 0);
  const int a = in[0], b = in[1], y = out[0];
  int pa = act_input(k, a, "first input");
  int pb = act_input(k, b, "second input");
  const auto &sa = tensors_[size_t(a)].shape, &sb = tensors_[size_t(b)].shape,
             &sy = tensors_[size_t(y)].shape;
  if (sa != sb || sa != sy)
    op_fail(k, fmt::format("input shapes {} and {} (output {}) differ; broadcasting ADD is not "
                           "supported",
                           shape_str(sa), shape_str(sb), shape_str(sy)));
  hwc(k, a, "first input");
  act_quant(k, a, "first input");
  act_quant(k, b, "second input");
  add_layer(std::move(L), {pa, pb}, y, k);
}

// CONCATENATION along the channels (axis 3 / -1 of NHWC). TFLite's int8 kernel requires every
// input to have the output's scale and zero point (its Prepare refuses otherwise), so the
// hardware is a pure interleave; the uint8 kernel's float rescaling is not reproduced.
void Importer::map_concat(int k) {
  auto in = op_inputs(k), out = op_outputs(k);
  if (in.size() < 2) op_fail(k, fmt::format("expected 2 or more inputs, found {}", in.size()));
  expect_io(k, in, out, in.size(), in.size());
  const tfl::Options* o =
      options(k, tfl::builtin_options::ConcatenationOptions, "ConcatenationOptions", true);
  const int y = out[0];
  const auto& sy = tensors_[size_t(y)].shape;
  const int32_t axis = o->i32(0, 0);
  if (axis != int32_t(sy.size()) - 1 && axis != -1)
    unsupported(k, fmt::format("CONCATENATION along axis {} of a rank-{} tensor: rtlgen "
                               "concatenates the channels only (the last axis)",
                               axis, sy.size()));
  if (o->i8(1, 0) != tfl::activation::NONE)
    op_fail(k, "a fused activation on CONCATENATION is refused (TFLite's kernel does too)");
  Layer L;
  L.op = OpKind::Concat;
  std::vector<int> producers;
  const TensorQuant qy = act_quant(k, y, "output");
  for (size_t j = 0; j < in.size(); ++j) {
    const std::string role = fmt::format("input {}", j);
    producers.push_back(act_input(k, in[j], role.c_str()));
    hwc(k, in[j], role.c_str());
    const TensorQuant q = act_quant(k, in[j], role.c_str());
    if (q.dtype != qy.dtype || q.scale != qy.scale || q.zero_point != qy.zero_point)
      op_fail(k, fmt::format("input {} {} (scale {:.9g}, zero point {}) and the output (scale "
                             "{:.9g}, zero point {}) are quantized differently; TFLite's int8 "
                             "CONCATENATION requires them equal and rtlgen maps only that case",
                             j, tname(in[j]), q.scale, q.zero_point, qy.scale, qy.zero_point));
  }
  add_layer(std::move(L), producers, y, k);
}

void Importer::map_pad(int k, bool v2) {
  auto in = op_inputs(k), out = op_outputs(k);
  expect_io(k, in, out, 2, v2 ? 3 : 2);
  const int x = in[0], y = out[0];
  int p = act_input(k, x, "input");
  Shape is = hwc4(k, x, "input"), os = hwc4(k, y, "output");
  std::vector<int64_t> pads = const_ints(k, in[1], "paddings");
  if (pads.size() != 8)
    op_fail(k, fmt::format("paddings {} must be [4, 2] for a rank-4 input, has shape {}",
                           tname(in[1]), shape_str(tensors_[size_t(in[1])].shape)));
  for (int64_t v : pads)
    if (v < 0 || v > 65536) op_fail(k, fmt::format("padding amount {} is not supported", v));
  if (pads[0] || pads[1] || pads[6] || pads[7])
    unsupported(k, fmt::format("only H/W padding is supported; this pads batch by [{}, {}] and "
                               "channels by [{}, {}]",
                               pads[0], pads[1], pads[6], pads[7]));
  same_quant(k, x, y);
  if (v2 && in.size() > 2 && in[2] >= 0) {
    const TensorInfo& C = tensors_[size_t(in[2])];
    TensorQuant q = act_quant(k, y, "output");
    if (!C.is_const() || C.data_size != 1 ||
        C.type != (q.dtype == DType::UInt8 ? tfl::tensor_type::UINT8 : tfl::tensor_type::INT8))
      op_fail(k, fmt::format("constant_values {} must be a single {} constant", tname(in[2]),
                             to_string(q.dtype)));
    int32_t cv = q.dtype == DType::UInt8 ? int32_t(C.data[0]) : int32_t(int8_t(C.data[0]));
    if (cv != q.zero_point)
      unsupported(k, fmt::format("PADV2 pads with {}, but rtlgen pads only with the output "
                                 "zero point {}",
                                 cv, q.zero_point));
  }
  Layer L;
  L.op = OpKind::Pad;
  L.pads.top = int(pads[2]);
  L.pads.bottom = int(pads[3]);
  L.pads.left = int(pads[4]);
  L.pads.right = int(pads[5]);
  if (os.h != int64_t(is.h) + L.pads.top + L.pads.bottom ||
      os.w != int64_t(is.w) + L.pads.left + L.pads.right || os.c != is.c)
    op_fail(k, fmt::format("output shape {} does not match input {} plus paddings", os.str(),
                           is.str()));
  add_layer(std::move(L), {p}, y, k);
}

void Importer::map_reshape(int k) {
  auto in = op_inputs(k), out = op_outputs(k);
  expect_io(k, in, out, 1, 2);
  const int x = in[0], y = out[0];
  int p = act_input(k, x, "input");
  Shape is = hwc(k, x, "input"), os = hwc(k, y, "output");
  if (is.elements() != os.elements())
    op_fail(k, fmt::format("input has {} elements, output {}", is.elements(), os.elements()));
  same_quant(k, x, y);
  Layer L;
  L.op = OpKind::Reshape;
  L.reshape_to = os;
  add_layer(std::move(L), {p}, y, k);
}

void Importer::map_softmax(int k) {
  auto in = op_inputs(k), out = op_outputs(k);
  expect_io(k, in, out, 1, 1);
  const tfl::Options* o = options(k, tfl::builtin_options::SoftmaxOptions, "SoftmaxOptions", false);
  const int x = in[0], y = out[0];
  int p = act_input(k, x, "input");
  Shape is = hwc(k, x, "input"), os = hwc(k, y, "output");
  if (is != os) op_fail(k, fmt::format("input shape {} != output shape {}", is.str(), os.str()));
  TensorQuant q = act_quant(k, y, "output");
  const int32_t want_zp = q.dtype == DType::UInt8 ? 0 : -128;
  if (q.scale != 1.0f / 256.0f || q.zero_point != want_zp)
    op_fail(k, fmt::format("output quantization must be scale 1/256 zero point {} for {}, is "
                           "scale {:.9g} zero point {}",
                           want_zp, to_string(q.dtype), q.scale, q.zero_point));
  Layer L;
  L.op = OpKind::Softmax;
  L.softmax_beta = o ? o->f32(0, 0.0f) : 0.0f;  // schema default when absent
  if (!std::isfinite(L.softmax_beta) || !(L.softmax_beta > 0.0f))
    op_fail(k, fmt::format("softmax beta {} must be positive and finite", L.softmax_beta));
  add_layer(std::move(L), {p}, y, k);
}

// Standalone RELU / RELU6 / RELU_N1_TO_1: folded into the producing layer's fused activation.
void Importer::map_relu(int k, Activation a) {
  auto in = op_inputs(k), out = op_outputs(k);
  expect_io(k, in, out, 1, 1);
  const int x = in[0], y = out[0];
  int p = act_input(k, x, "input");
  auto refuse = [&](const std::string& why) {
    unsupported(k,
                "a standalone activation is supported only when it can be fused into the "
                "CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD or pool that produces its "
                "input, with identical quantization and no other consumer; " +
                    why);
  };
  if (p < 0) refuse("here the input is the network input");
  Pending& P = pending_[size_t(p)];
  const OpKind pk = P.layer.op;
  if (!(has_weights(pk) || pk == OpKind::Add || pk == OpKind::AveragePool2D ||
        pk == OpKind::MaxPool2D))
    refuse(fmt::format("here the producer is a {} layer", to_string(pk)));
  if (consumers_[size_t(x)] != 1)
    refuse(fmt::format("here {} has {} consumers", tname(x), consumers_[size_t(x)]));
  TensorQuant qi = act_quant(k, x, "input"), qo = act_quant(k, y, "output");
  if (qi.dtype != qo.dtype || qi.scale != qo.scale || qi.zero_point != qo.zero_point)
    refuse(fmt::format("here the quantization changes (scale {:.9g} zp {} -> scale {:.9g} zp {})",
                       qi.scale, qi.zero_point, qo.scale, qo.zero_point));
  if (tensors_[size_t(x)].shape != tensors_[size_t(y)].shape)
    refuse("here the input and output shapes differ");
  // Compose the clamps: the result must again be one of the supported activations.
  Activation cur = P.layer.activation, res = cur;
  if (cur == Activation::None || cur == a)
    res = a;
  else if (a == Activation::None)
    res = cur;
  else if ((cur == Activation::Relu && a == Activation::Relu6) ||
           (cur == Activation::Relu6 && a == Activation::Relu))
    res = Activation::Relu6;
  else
    refuse(
        fmt::format("here the producer already applies {} and the combination is not a "
                    "supported activation",
                    to_string(cur)));
  note(fmt::format("operator #{} {}: folded into the fused activation of operator #{} ({} -> {})",
                   k, op_name(k), P.op_index, to_string(cur), to_string(res)));
  P.layer.activation = res;
  check_arithmetic(k, P.layer, P.in_producers);
  P.layer.source = tensors_[size_t(y)].name;
  P.out_tensor = y;
  producer_[size_t(x)] = kNoProducer;
  if (producer_[size_t(y)] != kNoProducer)
    op_fail(k, fmt::format("output tensor {} is written by more than one operator", tname(y)));
  producer_[size_t(y)] = p;
}

// QUANTIZE: only on the network input (float -> int8/uint8, or uint8 -> int8 with equal scale
// and zero points 128 apart); the network input becomes the quantized tensor.
void Importer::map_quantize(int k) {
  auto in = op_inputs(k), out = op_outputs(k);
  expect_io(k, in, out, 1, 1);
  const int x = in[0], y = out[0];
  const std::string why =
      "QUANTIZE is supported only directly on the network input: float32 -> uint8/int8, or "
      "uint8 -> int8 with equal scale and zero points 128 apart";
  if (x != graph_input_ || input_tensor_ != graph_input_ || consumers_[size_t(x)] != 1)
    unsupported(k, why);
  const TensorInfo& X = tensors_[size_t(x)];
  TensorQuant qo = act_quant(k, y, "output");
  if (X.type == tfl::tensor_type::FLOAT32) {
    note(
        fmt::format("operator #{} QUANTIZE: dropped; the network input is the quantized tensor "
                    "{} ({}, scale {:.9g}, zero point {}): feed quantized values "
                    "q = round(x / scale) + zero_point instead of float32 {}",
                    k, tname(y), to_string(qo.dtype), qo.scale, qo.zero_point, tname(x)));
  } else if (X.type == tfl::tensor_type::UINT8 && qo.dtype == DType::Int8) {
    TensorQuant qi = act_quant(k, x, "input");
    if (qi.scale != qo.scale || qi.zero_point - 128 != qo.zero_point) unsupported(k, why);
    note(
        fmt::format("operator #{} QUANTIZE: uint8 -> int8 input conversion dropped; the network "
                    "input is the int8 tensor {}: convert uint8 pixels by subtracting 128",
                    k, tname(y)));
  } else {
    unsupported(k, why);
  }
  if (producer_[size_t(y)] != kNoProducer)
    op_fail(k, fmt::format("output tensor {} is written by more than one operator", tname(y)));
  producer_[size_t(x)] = kNoProducer;
  producer_[size_t(y)] = kNetworkInput;
  input_tensor_ = y;
}

// DEQUANTIZE: only on the network output; the network output is its (quantized) input.
void Importer::map_dequantize(int k) {
  auto in = op_inputs(k), out = op_outputs(k);
  expect_io(k, in, out, 1, 1);
  const int x = in[0], y = out[0];
  if (y != output_tensor_ || consumers_[size_t(y)] != 1 || consumers_[size_t(x)] != 1)
    unsupported(k, "DEQUANTIZE is supported only as the last operator, on the network output");
  int p = act_input(k, x, "input");
  act_quant(k, x, "input");
  if (p < 0) unsupported(k, "the model has no layers between QUANTIZE and DEQUANTIZE");
  note(
      fmt::format("operator #{} DEQUANTIZE: dropped; the network output is the quantized "
                  "tensor {}",
                  k, tname(x)));
  producer_[size_t(y)] = p;
  producer_[size_t(x)] = kNoProducer;
}

// ---------------------------------------------------------------------------------------------

Network Importer::run() {
  check_header();
  load_tensors();
  check_operators();
  producer_.assign(tensors_.size(), kNoProducer);
  producer_[size_t(input_tensor_)] = kNetworkInput;

  namespace op = tfl::builtin_op;
  for (int k = 0; k < int(ops_->size()); ++k) {
    switch (op_code(k)) {
      case op::CONV_2D:
        map_conv(k);
        break;
      case op::DEPTHWISE_CONV_2D:
        map_depthwise(k);
        break;
      case op::FULLY_CONNECTED:
        map_fully_connected(k);
        break;
      case op::AVERAGE_POOL_2D:
        map_pool(k, OpKind::AveragePool2D);
        break;
      case op::MAX_POOL_2D:
        map_pool(k, OpKind::MaxPool2D);
        break;
      case op::MEAN:
        map_mean(k);
        break;
      case op::ADD:
        map_add(k);
        break;
      case op::CONCATENATION:
        map_concat(k);
        break;
      case op::PAD:
        map_pad(k, false);
        break;
      case op::PADV2:
        map_pad(k, true);
        break;
      case op::RESHAPE:
      case op::SQUEEZE:
        map_reshape(k);
        break;
      case op::SOFTMAX:
        map_softmax(k);
        break;
      case op::RELU:
        map_relu(k, Activation::Relu);
        break;
      case op::RELU6:
        map_relu(k, Activation::Relu6);
        break;
      case op::RELU_N1_TO_1:
        map_relu(k, Activation::ReluN1To1);
        break;
      case op::QUANTIZE:
        map_quantize(k);
        break;
      case op::DEQUANTIZE:
        map_dequantize(k);
        break;
      default:
        unsupported(k);
    }
  }

  // Output: must be the last layer; no dangling layers.
  const int po = producer_[size_t(output_tensor_)];
  const void* out_at = sg_->outputs()->data();
  if (po == kNoProducer)
    fail_at(out_at, "Model.subgraphs[0].outputs[0]",
            fmt::format("the network output {} is not produced by any operator",
                        tname(output_tensor_)));
  if (po == kNetworkInput || pending_.empty())
    fail_at(out_at, "Model.subgraphs[0].outputs[0]",
            "the model has no layers (its output is its input)");
  if (po != int(pending_.size()) - 1)
    fail_at(out_at, "Model.subgraphs[0].outputs[0]",
            fmt::format("the network output {} is produced by operator #{}, but operator #{} runs "
                        "after it; rtlgen needs a single-output network whose output is computed "
                        "last",
                        tname(output_tensor_), pending_[size_t(po)].op_index,
                        pending_.back().op_index));
  std::vector<int> used(pending_.size(), 0);
  for (const auto& P : pending_)
    for (int p : P.in_producers)
      if (p >= 0) ++used[size_t(p)];
  for (size_t i = 0; i + 1 < pending_.size(); ++i)
    if (!used[i])
      fail(
          fmt::format("{}: its output {} is never used (models with several outputs are not "
                      "supported)",
                      op_place(pending_[i].op_index), tname(pending_[i].out_tensor)));

  // Network input.
  Network net;
  net.source = file_;
  net.name = sanitize_identifier(file_stem(file_), "model");
  {
    const int t = input_tensor_;
    const TensorInfo& T = tensors_[size_t(t)];
    const void* in_at = sg_->inputs()->data();
    if (T.type != tfl::tensor_type::UINT8 && T.type != tfl::tensor_type::INT8)
      fail_at(in_at, "Model.subgraphs[0].inputs[0]",
              fmt::format("the network input {} is {}; rtlgen needs a uint8 or int8 input (or a "
                          "float32 input followed by QUANTIZE)",
                          tname(t), type_name(T.type)));
    if (T.shape.empty() || T.shape.size() > 4 || (T.shape.size() >= 2 && T.shape[0] != 1))
      fail_at(in_at, "Model.subgraphs[0].inputs[0]",
              fmt::format("the network input {} has shape {}; rtlgen needs [1, H, W, C] or [1, N] "
                          "(batch 1)",
                          tname(t), shape_str(T.shape)));
    // Reuse the operator-level helpers with the first consumer for context.
    int k0 = pending_.front().op_index;
    net.input.quant = act_quant(k0, t, "network input");
    net.input.shape = hwc(k0, t, "network input");
    net.input.name = sanitize_identifier(T.name, "input");
    net.input.loc.file = file_;
  }

  // Names: short, from the op and its position (conv1, dw1, pool2, fc1, ...), because they
  // name ports, instances and .mem files and fill report columns; TFLite tensor names are long
  // and alike ("model_1/block_3/conv/Relu;model_1/..."). The tensor name stays in `source:`
  // (the key tools/tflite_compare.py matches on). The input name is reserved first.
  std::set<std::string> taken{net.input.name};
  std::map<std::string, int> count;
  for (Pending& P : pending_) {
    const std::string prefix = imported_layer_prefix(P.layer.op);
    std::string name;
    do name = fmt::format("{}{}", prefix, ++count[prefix]);
    while (taken.count(name));
    taken.insert(name);
    P.layer.name = name;
  }
  for (Pending& P : pending_) {
    P.layer.inputs.clear();
    for (int p : P.in_producers)
      P.layer.inputs.push_back(p == kNetworkInput ? net.input.name
                                                  : pending_[size_t(p)].layer.name);
  }
  for (Pending& P : pending_) net.layers.push_back(std::move(P.layer));
  return net;
}

}  // namespace

std::string sanitize_identifier(const std::string& s, const std::string& fallback) {
  // TF2 converters join fused op names with ';' -- the first one names the result.
  std::string first = s.substr(0, s.find(';'));
  // Collapse repeated path components ("MobilenetV1/MobilenetV1/Conv2d_0" -> one MobilenetV1).
  std::vector<std::string> parts;
  size_t pos = 0;
  while (pos <= first.size()) {
    size_t e = first.find('/', pos);
    if (e == std::string::npos) e = first.size();
    std::string part = first.substr(pos, e - pos);
    if (!part.empty() && (parts.empty() || parts.back() != part)) parts.push_back(part);
    pos = e + 1;
  }
  std::string out;
  for (const std::string& part : parts) {
    if (!out.empty()) out += '_';
    for (char c : part) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (ok)
        out += c;
      else if (out.empty() || out.back() != '_')
        out += '_';
    }
  }
  // Collapse '_' runs (from joins), strip leading digits/underscores and trailing underscores.
  std::string r;
  for (char c : out)
    if (!(c == '_' && (r.empty() || r.back() == '_'))) r += c;
  size_t b = 0;
  while (b < r.size() && (r[b] == '_' || (r[b] >= '0' && r[b] <= '9'))) ++b;
  r = r.substr(b);
  while (!r.empty() && r.back() == '_') r.pop_back();
  // Names become file names and identifiers (at most kMaxNameLength): a long one is cut and
  // given a hash of the whole, so it stays unique and the same for the same model.
  return r.empty() ? fallback : shorten_name(r);
}

Network import_tflite_bytes(const std::string& bytes, const std::string& name, ImportNotes* notes) {
  // FlatBuffers needs aligned storage (the verifier checks alignment relative to the start).
  std::vector<uint64_t> aligned((bytes.size() + 7) / 8 + 1, 0);
  std::memcpy(aligned.data(), bytes.data(), bytes.size());
  Importer imp(reinterpret_cast<const uint8_t*>(aligned.data()), bytes.size(), name, notes);
  return imp.run();
}

Network import_tflite(const std::string& path, ImportNotes* notes) {
  return import_tflite_bytes(read_file_bytes(path, "a .tflite file"), path, notes);
}

}  // namespace rtlgen
