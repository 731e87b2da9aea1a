// A hand-written, read-only view of the subset of the TensorFlow Lite FlatBuffer schema that
// rtlgen's importer needs (Model, SubGraph, Tensor, QuantizationParameters, Buffer,
// OperatorCode, Operator and the builtin option tables of the supported operators).
//
// Field ids follow the published schema (see docs/tflite-integer-arithmetic.md section 5);
// a field with id n lives at vtable offset 4 + 2n. Every table has a Verify() that checks,
// through flatbuffers::Verifier, exactly the fields the importer reads, so a buffer that
// passes verify_model() can be read without any out-of-bounds access. Fields the importer
// never reads are not verified (and never touched).
//
// Only header-only parts of libflatbuffers are used (Table, Vector, String, Verifier).
#pragma once

#include <flatbuffers/flatbuffers.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace rtlgen {
namespace tfl {

using flatbuffers::Offset;
using flatbuffers::String;
using flatbuffers::Vector;
using flatbuffers::Verifier;
using flatbuffers::voffset_t;

constexpr voffset_t field(int id) { return static_cast<voffset_t>(4 + 2 * id); }

// Identifier at bytes 4..7 of every .tflite file.
constexpr const char* kFileIdentifier = "TFL3";

// --- enums (values from the schema) ---------------------------------------------------------
namespace tensor_type {
constexpr int FLOAT32 = 0, FLOAT16 = 1, INT32 = 2, UINT8 = 3, INT64 = 4, STRING = 5, BOOL = 6,
              INT16 = 7, COMPLEX64 = 8, INT8 = 9, FLOAT64 = 10, COMPLEX128 = 11, UINT64 = 12,
              RESOURCE = 13, VARIANT = 14, UINT32 = 15, UINT16 = 16, INT4 = 17;
}
namespace builtin_op {
constexpr int ADD = 0, AVERAGE_POOL_2D = 1, CONCATENATION = 2, CONV_2D = 3, DEPTHWISE_CONV_2D = 4,
              DEQUANTIZE = 6, FULLY_CONNECTED = 9, MAX_POOL_2D = 17, RELU = 19, RELU_N1_TO_1 = 20,
              RELU6 = 21, RESHAPE = 22, SOFTMAX = 25, CUSTOM = 32, PAD = 34, MEAN = 40,
              SQUEEZE = 43, PADV2 = 60, QUANTIZE = 114;
}
namespace builtin_options {
constexpr int NONE = 0, Conv2DOptions = 1, DepthwiseConv2DOptions = 2, Pool2DOptions = 5,
              FullyConnectedOptions = 8, SoftmaxOptions = 9, ConcatenationOptions = 10,
              AddOptions = 11, ReshapeOptions = 17, PadOptions = 22, ReducerOptions = 27,
              SqueezeOptions = 30, PadV2Options = 43;
}
namespace padding {
constexpr int SAME = 0, VALID = 1;
}
namespace activation {
constexpr int NONE = 0, RELU = 1, RELU_N1_TO_1 = 2, RELU6 = 3, TANH = 4, SIGN_BIT = 5;
}

// Every table view: field addresses for messages that name a byte offset.
struct View : protected flatbuffers::Table {
  // The field's address, or the table's own when the field is absent.
  const uint8_t* address(voffset_t f) const {
    const uint8_t* p = GetAddressOf(f);
    return p ? p : reinterpret_cast<const uint8_t*>(this);
  }
};

// --- builtin option tables ------------------------------------------------------------------
// All option tables are read through this one view: every field the importer reads is a 4-byte
// or 1-byte scalar (or, for ReshapeOptions/SqueezeOptions, an int vector at field 0), so the
// verifier is told which ids hold which kind.
struct Options : View {
  int32_t i32(int id, int32_t def) const { return GetField<int32_t>(field(id), def); }
  int8_t i8(int id, int8_t def) const { return GetField<int8_t>(field(id), def); }
  uint8_t u8(int id, uint8_t def) const { return GetField<uint8_t>(field(id), def); }
  float f32(int id, float def) const { return GetField<float>(field(id), def); }
  const Vector<int32_t>* ints(int id) const {
    return GetPointer<const Vector<int32_t>*>(field(id));
  }
  bool has(int id) const { return CheckField(field(id)); }

  // Verifies the table header and the fields the importer reads for union tag `type`.
  bool Verify(Verifier& v, int type) const {
    if (!VerifyTableStart(v)) return false;
    auto s32 = [&](int id) { return VerifyField<int32_t>(v, field(id), 4); };
    auto s8 = [&](int id) { return VerifyField<int8_t>(v, field(id), 1); };
    bool ok = true;
    switch (type) {
      case builtin_options::Conv2DOptions:  // padding, stride_w, stride_h, act, dil_w, dil_h
        ok = s8(0) && s32(1) && s32(2) && s8(3) && s32(4) && s32(5);
        break;
      case builtin_options::DepthwiseConv2DOptions:  // padding, sw, sh, dm, act, dil_w, dil_h
        ok = s8(0) && s32(1) && s32(2) && s32(3) && s8(4) && s32(5) && s32(6);
        break;
      case builtin_options::Pool2DOptions:  // padding, sw, sh, filter_w, filter_h, act
        ok = s8(0) && s32(1) && s32(2) && s32(3) && s32(4) && s8(5);
        break;
      case builtin_options::FullyConnectedOptions:  // act, weights_format, keep_num_dims
        ok = s8(0) && s8(1) && s8(2);
        break;
      case builtin_options::SoftmaxOptions:  // beta
        ok = VerifyField<float>(v, field(0), 4);
        break;
      case builtin_options::AddOptions:  // act
        ok = s8(0);
        break;
      case builtin_options::ConcatenationOptions:  // axis, act
        ok = s32(0) && s8(1);
        break;
      case builtin_options::ReducerOptions:  // keep_dims
        ok = s8(0);
        break;
      case builtin_options::ReshapeOptions:  // new_shape
      case builtin_options::SqueezeOptions:  // squeeze_dims
        ok = VerifyOffset(v, field(0)) && v.VerifyVector(ints(0));
        break;
      default:  // PadOptions, PadV2Options and the rest: nothing read.
        break;
    }
    return ok && v.EndTable();
  }
};

// --- core tables ----------------------------------------------------------------------------
struct QuantizationParameters : View {
  enum : voffset_t {
    VT_SCALE = field(2),
    VT_ZERO_POINT = field(3),
    VT_DETAILS_TYPE = field(4),
    VT_QUANTIZED_DIMENSION = field(6)
  };
  const Vector<float>* scale() const { return GetPointer<const Vector<float>*>(VT_SCALE); }
  const Vector<int64_t>* zero_point() const {
    return GetPointer<const Vector<int64_t>*>(VT_ZERO_POINT);
  }
  uint8_t details_type() const { return GetField<uint8_t>(VT_DETAILS_TYPE, 0); }
  int32_t quantized_dimension() const { return GetField<int32_t>(VT_QUANTIZED_DIMENSION, 0); }
  bool Verify(Verifier& v) const {
    // The verifier aligns a vector's length field (4 bytes), not its 8-byte elements: a corrupt
    // file may misalign the int64 zero points, which must not be read then (the buffer itself is
    // 8-byte aligned, see verify_model).
    return VerifyTableStart(v) && VerifyOffset(v, VT_SCALE) && v.VerifyVector(scale()) &&
           VerifyOffset(v, VT_ZERO_POINT) && v.VerifyVector(zero_point()) &&
           (!zero_point() || v.VerifyAlignment(reinterpret_cast<uintptr_t>(zero_point()->data()),
                                               sizeof(int64_t))) &&
           VerifyField<uint8_t>(v, VT_DETAILS_TYPE, 1) &&
           VerifyField<int32_t>(v, VT_QUANTIZED_DIMENSION, 4) && v.EndTable();
  }
};

struct Tensor : View {
  enum : voffset_t {
    VT_SHAPE = field(0),
    VT_TYPE = field(1),
    VT_BUFFER = field(2),
    VT_NAME = field(3),
    VT_QUANTIZATION = field(4),
    VT_SPARSITY = field(6)
  };
  const Vector<int32_t>* shape() const { return GetPointer<const Vector<int32_t>*>(VT_SHAPE); }
  int8_t type() const { return GetField<int8_t>(VT_TYPE, 0); }
  uint32_t buffer() const { return GetField<uint32_t>(VT_BUFFER, 0); }
  const String* name() const { return GetPointer<const String*>(VT_NAME); }
  const QuantizationParameters* quantization() const {
    return GetPointer<const QuantizationParameters*>(VT_QUANTIZATION);
  }
  bool has_sparsity() const { return CheckField(VT_SPARSITY); }
  bool Verify(Verifier& v) const {
    return VerifyTableStart(v) && VerifyOffset(v, VT_SHAPE) && v.VerifyVector(shape()) &&
           VerifyField<int8_t>(v, VT_TYPE, 1) && VerifyField<uint32_t>(v, VT_BUFFER, 4) &&
           VerifyOffset(v, VT_NAME) && v.VerifyString(name()) && VerifyOffset(v, VT_QUANTIZATION) &&
           v.VerifyTable(quantization()) && v.EndTable();
  }
};

struct Operator : View {
  enum : voffset_t {
    VT_OPCODE_INDEX = field(0),
    VT_INPUTS = field(1),
    VT_OUTPUTS = field(2),
    VT_BUILTIN_OPTIONS_TYPE = field(3),
    VT_BUILTIN_OPTIONS = field(4)
  };
  uint32_t opcode_index() const { return GetField<uint32_t>(VT_OPCODE_INDEX, 0); }
  const Vector<int32_t>* inputs() const { return GetPointer<const Vector<int32_t>*>(VT_INPUTS); }
  const Vector<int32_t>* outputs() const { return GetPointer<const Vector<int32_t>*>(VT_OUTPUTS); }
  uint8_t builtin_options_type() const { return GetField<uint8_t>(VT_BUILTIN_OPTIONS_TYPE, 0); }
  const Options* builtin_options() const { return GetPointer<const Options*>(VT_BUILTIN_OPTIONS); }
  bool Verify(Verifier& v) const {
    if (!(VerifyTableStart(v) && VerifyField<uint32_t>(v, VT_OPCODE_INDEX, 4) &&
          VerifyOffset(v, VT_INPUTS) && v.VerifyVector(inputs()) && VerifyOffset(v, VT_OUTPUTS) &&
          v.VerifyVector(outputs()) && VerifyField<uint8_t>(v, VT_BUILTIN_OPTIONS_TYPE, 1) &&
          VerifyOffset(v, VT_BUILTIN_OPTIONS)))
      return false;
    const Options* o = builtin_options();
    if (o && !o->Verify(v, builtin_options_type())) return false;
    return v.EndTable();
  }
};

struct SubGraph : View {
  enum : voffset_t {
    VT_TENSORS = field(0),
    VT_INPUTS = field(1),
    VT_OUTPUTS = field(2),
    VT_OPERATORS = field(3),
    VT_NAME = field(4)
  };
  const Vector<Offset<Tensor>>* tensors() const {
    return GetPointer<const Vector<Offset<Tensor>>*>(VT_TENSORS);
  }
  const Vector<int32_t>* inputs() const { return GetPointer<const Vector<int32_t>*>(VT_INPUTS); }
  const Vector<int32_t>* outputs() const { return GetPointer<const Vector<int32_t>*>(VT_OUTPUTS); }
  const Vector<Offset<Operator>>* operators() const {
    return GetPointer<const Vector<Offset<Operator>>*>(VT_OPERATORS);
  }
  bool Verify(Verifier& v) const {
    return VerifyTableStart(v) && VerifyOffset(v, VT_TENSORS) && v.VerifyVector(tensors()) &&
           v.VerifyVectorOfTables(tensors()) && VerifyOffset(v, VT_INPUTS) &&
           v.VerifyVector(inputs()) && VerifyOffset(v, VT_OUTPUTS) && v.VerifyVector(outputs()) &&
           VerifyOffset(v, VT_OPERATORS) && v.VerifyVector(operators()) &&
           v.VerifyVectorOfTables(operators()) && v.EndTable();
  }
};

struct Buffer : View {
  enum : voffset_t { VT_DATA = field(0), VT_OFFSET = field(1), VT_SIZE = field(2) };
  const Vector<uint8_t>* data() const { return GetPointer<const Vector<uint8_t>*>(VT_DATA); }
  uint64_t offset() const { return GetField<uint64_t>(VT_OFFSET, 0); }
  uint64_t size() const { return GetField<uint64_t>(VT_SIZE, 0); }
  bool Verify(Verifier& v) const {
    return VerifyTableStart(v) && VerifyOffset(v, VT_DATA) && v.VerifyVector(data()) &&
           VerifyField<uint64_t>(v, VT_OFFSET, 8) && VerifyField<uint64_t>(v, VT_SIZE, 8) &&
           v.EndTable();
  }
};

struct OperatorCode : View {
  enum : voffset_t {
    VT_DEPRECATED_BUILTIN_CODE = field(0),
    VT_CUSTOM_CODE = field(1),
    VT_VERSION = field(2),
    VT_BUILTIN_CODE = field(3)
  };
  int8_t deprecated_builtin_code() const { return GetField<int8_t>(VT_DEPRECATED_BUILTIN_CODE, 0); }
  const String* custom_code() const { return GetPointer<const String*>(VT_CUSTOM_CODE); }
  int32_t builtin_code() const { return GetField<int32_t>(VT_BUILTIN_CODE, 0); }
  // The effective operator: newer files store it in builtin_code, older ones only in the
  // deprecated int8 field (which saturates at 127 = PLACEHOLDER_FOR_GREATER_OP_CODES).
  int32_t op() const {
    int32_t a = deprecated_builtin_code(), b = builtin_code();
    return a > b ? a : b;
  }
  bool Verify(Verifier& v) const {
    return VerifyTableStart(v) && VerifyField<int8_t>(v, VT_DEPRECATED_BUILTIN_CODE, 1) &&
           VerifyOffset(v, VT_CUSTOM_CODE) && v.VerifyString(custom_code()) &&
           VerifyField<int32_t>(v, VT_BUILTIN_CODE, 4) && v.EndTable();
  }
};

struct Model : View {
  enum : voffset_t {
    VT_VERSION = field(0),
    VT_OPERATOR_CODES = field(1),
    VT_SUBGRAPHS = field(2),
    VT_DESCRIPTION = field(3),
    VT_BUFFERS = field(4)
  };
  uint32_t version() const { return GetField<uint32_t>(VT_VERSION, 0); }
  const Vector<Offset<OperatorCode>>* operator_codes() const {
    return GetPointer<const Vector<Offset<OperatorCode>>*>(VT_OPERATOR_CODES);
  }
  const Vector<Offset<SubGraph>>* subgraphs() const {
    return GetPointer<const Vector<Offset<SubGraph>>*>(VT_SUBGRAPHS);
  }
  const String* description() const { return GetPointer<const String*>(VT_DESCRIPTION); }
  const Vector<Offset<Buffer>>* buffers() const {
    return GetPointer<const Vector<Offset<Buffer>>*>(VT_BUFFERS);
  }
  bool Verify(Verifier& v) const {
    return VerifyTableStart(v) && VerifyField<uint32_t>(v, VT_VERSION, 4) &&
           VerifyOffset(v, VT_OPERATOR_CODES) && v.VerifyVector(operator_codes()) &&
           v.VerifyVectorOfTables(operator_codes()) && VerifyOffset(v, VT_SUBGRAPHS) &&
           v.VerifyVector(subgraphs()) && v.VerifyVectorOfTables(subgraphs()) &&
           VerifyOffset(v, VT_DESCRIPTION) && v.VerifyString(description()) &&
           VerifyOffset(v, VT_BUFFERS) && v.VerifyVector(buffers()) &&
           v.VerifyVectorOfTables(buffers()) && v.EndTable();
  }
};

// Where a buffer fails the structure check: byte offset in the file, schema path of the table or
// field ("Model.subgraphs[0].operators[3].inputs") and what is wrong there.
struct StructureError {
  size_t offset = 0;
  std::string path;
  std::string what;
};

// The first structure error of the buffer in schema order, or none when every field the importer
// reads can be read (same rules as verify_model(); gen/src/frontends/tflite/tflite_verify.cpp).
std::optional<StructureError> find_structure_error(const uint8_t* data, size_t size);

// Verifies the whole buffer (identifier "TFL3" included). `data` must be 8-byte aligned.
inline bool verify_model(const uint8_t* data, size_t size) {
  Verifier::Options opts;
  opts.max_depth = 16;  // Model > SubGraph > Operator > Options is 4 deep
  Verifier v(data, size, opts);
  return v.VerifyBuffer<Model>(kFileIdentifier);
}

inline const Model* get_model(const uint8_t* data) { return flatbuffers::GetRoot<Model>(data); }

}  // namespace tfl
}  // namespace rtlgen
