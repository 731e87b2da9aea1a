// The verified .tflite model: see rtlgen/tflite_model.hpp.
#include "rtlgen/tflite_model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "rtlgen/error.hpp"

namespace rtlgen {
namespace tflite {

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

}  // namespace

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

std::string shape_str(const std::vector<int32_t>& s) {
  // A corrupted model can hold a shape of hundreds of dimensions: show the first few.
  if (s.size() > 8)
    return fmt::format("[{}, ... ({} dimensions)]", fmt::join(s.begin(), s.begin() + 6, ", "),
                       s.size());
  return fmt::format("[{}]", fmt::join(s, ", "));
}

Model::Model(const uint8_t* data, size_t size, std::string file)
    : base_(data), size_(size), file_(std::move(file)) {
  check_header();
  load_tensors();
  check_operators();
}

// ---------------------------------------------------------------------------------------------
// Diagnostics
// ---------------------------------------------------------------------------------------------

void Model::fail(const std::string& what) const { throw Error(fmt::format("{}: {}", file_, what)); }

void Model::fail_at(const void* where, const std::string& path, const std::string& what) const {
  fail(fmt::format("byte {}: {}: {}", static_cast<const uint8_t*>(where) - base_, path, what));
}

std::string Model::tensor_path(size_t t) {
  return fmt::format("Model.subgraphs[0].tensors[{}]", t);
}

std::string Model::tname(int t) const {
  if (t < 0) return "-";
  const std::string& n = tensors_[size_t(t)].name;
  return n.empty() ? fmt::format("#{}", t) : fmt::format("'{}'", n);
}

std::string Model::describe_op(int k) const {
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

std::string Model::op_place(int k) const {
  return fmt::format("byte {}: {}", reinterpret_cast<const uint8_t*>(op_table(k)) - base_,
                     describe_op(k));
}

void Model::op_fail(int k, const std::string& what) const {
  fail(fmt::format("{}: {}", op_place(k), what));
}

std::string Model::op_name(int k) const {
  int c = op_code(k);
  if (c == tfl::builtin_op::CUSTOM) {
    const auto* oc =
        model_->operator_codes()->Get(ops_->Get(flatbuffers::uoffset_t(k))->opcode_index());
    return fmt::format("CUSTOM({})", oc->custom_code() ? oc->custom_code()->str() : "?");
  }
  return builtin_name(c);
}

std::vector<int> Model::op_inputs(int k) const {
  const auto* v = ops_->Get(flatbuffers::uoffset_t(k))->inputs();
  return v ? std::vector<int>(v->begin(), v->end()) : std::vector<int>{};
}

std::vector<int> Model::op_outputs(int k) const {
  const auto* v = ops_->Get(flatbuffers::uoffset_t(k))->outputs();
  return v ? std::vector<int>(v->begin(), v->end()) : std::vector<int>{};
}

const void* Model::graph_input_at() const { return sg_->inputs()->data(); }
const void* Model::graph_output_at() const { return sg_->outputs()->data(); }

// ---------------------------------------------------------------------------------------------
// Structure and semantic checks
// ---------------------------------------------------------------------------------------------

void Model::check_header() {
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

void Model::load_tensors() {
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

void Model::check_operators() {
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
  graph_input_ = in->Get(0);
  graph_output_ = out->Get(0);

  consumers_.assign(tensors_.size(), 0);
  for (flatbuffers::uoffset_t k = 0; k < ops_->size(); ++k)
    if (const auto* v = ops_->Get(k)->inputs())
      for (int32_t t : *v)
        if (t >= 0) ++consumers_[size_t(t)];
  ++consumers_[size_t(graph_output_)];
}

// ---------------------------------------------------------------------------------------------
// Per-operator helpers
// ---------------------------------------------------------------------------------------------

const tfl::Options* Model::options(int k, int type, const char* tn, bool required) const {
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

void Model::expect_io(int k, const std::vector<int>& in, const std::vector<int>& out, size_t min_in,
                      size_t max_in) const {
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
Shape Model::hwc(int k, int t, const char* role) const {
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

Shape Model::hwc4(int k, int t, const char* role) const {
  const auto& s = tensors_[size_t(t)].shape;
  if (s.size() != 4)
    op_fail(k, fmt::format("{} tensor {} must be rank 4 [1, H, W, C], has shape {}", role, tname(t),
                           shape_str(s)));
  return hwc(k, t, role);
}

TensorQuant Model::act_quant(int k, int t, const char* role) const {
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

std::vector<int64_t> Model::const_ints(int k, int t, const char* role) const {
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

Activation Model::fused_act(int k, int code) const {
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

Padding Model::padding_of(int k, int code) const {
  if (code == tfl::padding::SAME) return Padding::Same;
  if (code == tfl::padding::VALID) return Padding::Valid;
  op_fail(k, fmt::format("unknown padding {}", code));
}

void Model::same_quant(int k, int in, int out) const {
  TensorQuant a = act_quant(k, in, "input"), b = act_quant(k, out, "output");
  if (a.dtype != b.dtype || a.scale != b.scale || a.zero_point != b.zero_point)
    op_fail(k, fmt::format("input and output quantization differ ({} scale {:.9g} zp {} vs {} "
                           "scale {:.9g} zp {}); rtlgen requires them equal for this operator",
                           to_string(a.dtype), a.scale, a.zero_point, to_string(b.dtype), b.scale,
                           b.zero_point));
}

void Model::check_out_size(int k, const char* dim, int in, int kernel, int stride, Padding p,
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

// Reads weights tensor `w` (and bias `b`, may be -1) of a conv/dw/fc.
WeightData Model::weights(int k, int w, int b, DType act, int channels, int qdim) const {
  WeightData d;
  const TensorInfo& W = tensors_[size_t(w)];
  if (!W.is_const()) op_fail(k, fmt::format("weights {} must be a constant tensor", tname(w)));
  if (W.sparse) op_fail(k, fmt::format("weights {} are sparse; not supported", tname(w)));
  if (!W.has_quant || W.zero_points.empty())
    op_fail(k, fmt::format("weights {} have no quantization parameters (hybrid or float model?)",
                           tname(w)));
  if (W.quant_details != 0) op_fail(k, fmt::format("weights {} use custom quantization", tname(w)));
  const bool u8 = act == DType::UInt8;
  const int want_type = u8 ? tfl::tensor_type::UINT8 : tfl::tensor_type::INT8;
  if (W.type != want_type)
    op_fail(k, fmt::format("weights {} are {} but the activations are {}; rtlgen supports uint8 "
                           "activations with uint8 weights and int8 activations with int8 "
                           "weights",
                           tname(w), type_name(W.type), to_string(act)));
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
    d.zero_point = int32_t(zp);
  } else {
    for (int64_t zp : W.zero_points)
      if (zp != 0)
        op_fail(k, fmt::format("int8 weights {} must be symmetric (zero point 0), found {}",
                               tname(w), zp));
    d.zero_point = 0;
  }
  d.dtype = u8 ? DType::UInt8 : DType::Int8;
  d.shape.assign(W.shape.begin(), W.shape.end());
  d.values.resize(W.data_size);
  for (size_t i = 0; i < W.data_size; ++i)
    d.values[i] = u8 ? int32_t(W.data[i]) : int32_t(int8_t(W.data[i]));
  d.scales = W.scales;

  if (b >= 0) {
    const TensorInfo& B = tensors_[size_t(b)];
    if (!B.is_const()) op_fail(k, fmt::format("bias {} must be a constant tensor", tname(b)));
    if (B.type != tfl::tensor_type::INT32)
      op_fail(k, fmt::format("bias {} must be int32, is {}", tname(b), type_name(B.type)));
    if (B.elements() != channels)
      op_fail(k, fmt::format("bias {} has shape {}, expected [{}]", tname(b), shape_str(B.shape),
                             channels));
    for (size_t i = 0; i < B.data_size; i += 4) d.bias.push_back(read_le32(B.data + i));
  } else {
    d.bias.assign(size_t(channels), 0);  // absent bias (TFLite allows it): zeros
  }
  return d;
}

}  // namespace tflite
}  // namespace rtlgen
