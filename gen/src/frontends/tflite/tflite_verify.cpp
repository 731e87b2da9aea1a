// Structure check of a .tflite FlatBuffer that says where it fails: the byte offset, the schema
// path of the table or field (Model.subgraphs[0].operators[3].inputs) and what is wrong.
//
// It applies the same rules as flatbuffers::Verifier (alignment, bounds, vtable size, offsets that
// are non-zero, non-negative and inside the file, vector lengths, NUL-terminated strings, the
// table count limit) to exactly the fields that tfl::*::Verify() checks, so it accepts what
// verify_model() accepts; the importer still runs verify_model() afterwards as a backstop.
#include <fmt/format.h>

#include <cstring>
#include <vector>

#include "rtlgen/tflite_schema.hpp"

namespace rtlgen {
namespace tfl {
namespace {

struct Failed {
  StructureError error;
};

// Option field names by union type, in field-id order (only the fields the importer reads).
struct OptionFields {
  int type;
  const char* table;
  // (name, byte size) per field id; size 0 = int32 vector
  struct Field {
    const char* name;
    int size;
  };
  std::vector<Field> fields;
};

const std::vector<OptionFields>& option_tables() {
  namespace bo = builtin_options;
  static const std::vector<OptionFields> tables = {
      {bo::Conv2DOptions,
       "Conv2DOptions",
       {{"padding", 1},
        {"stride_w", 4},
        {"stride_h", 4},
        {"fused_activation_function", 1},
        {"dilation_w_factor", 4},
        {"dilation_h_factor", 4}}},
      {bo::DepthwiseConv2DOptions,
       "DepthwiseConv2DOptions",
       {{"padding", 1},
        {"stride_w", 4},
        {"stride_h", 4},
        {"depth_multiplier", 4},
        {"fused_activation_function", 1},
        {"dilation_w_factor", 4},
        {"dilation_h_factor", 4}}},
      {bo::Pool2DOptions,
       "Pool2DOptions",
       {{"padding", 1},
        {"stride_w", 4},
        {"stride_h", 4},
        {"filter_width", 4},
        {"filter_height", 4},
        {"fused_activation_function", 1}}},
      {bo::FullyConnectedOptions,
       "FullyConnectedOptions",
       {{"fused_activation_function", 1}, {"weights_format", 1}, {"keep_num_dims", 1}}},
      {bo::SoftmaxOptions, "SoftmaxOptions", {{"beta", 4}}},
      {bo::AddOptions, "AddOptions", {{"fused_activation_function", 1}}},
      {bo::ReducerOptions, "ReducerOptions", {{"keep_dims", 1}}},
      {bo::ReshapeOptions, "ReshapeOptions", {{"new_shape", 0}}},
      {bo::SqueezeOptions, "SqueezeOptions", {{"squeeze_dims", 0}}},
  };
  return tables;
}

class Walker {
 public:
  Walker(const uint8_t* buf, size_t size) : b_(buf), n_(size) {}

  void run() {
    path_ = "file header";
    if (n_ < 8) fail(0, fmt::format("the file has only {} bytes (a header needs 8)", n_));
    if (std::memcmp(b_ + 4, kFileIdentifier, 4) != 0)
      fail(4, "the file identifier (bytes 4-7) is not 'TFL3'");
    path_ = "root table offset";
    const size_t root = offset_at(0, 0);
    path_ = "Model";
    model(table(root, 0));
  }

 private:
  struct Table {
    size_t pos = 0, vtable = 0;
    uint16_t vsize = 0;
  };

  // Appends a path component for the lifetime of the scope.
  class Scope {
   public:
    Scope(Walker& w, const std::string& part) : w_(w), keep_(w.path_.size()) { w.path_ += part; }
    ~Scope() { w_.path_.resize(keep_); }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    Walker& w_;
    size_t keep_;
  };

  [[noreturn]] void fail(size_t at, const std::string& what) const {
    throw Failed{{at, path_, what}};
  }
  bool fits(size_t at, size_t len) const { return len < n_ && at <= n_ - len; }
  uint16_t u16(size_t at) const { return uint16_t(b_[at] | unsigned(b_[at + 1]) << 8); }
  uint32_t u32(size_t at) const {
    return uint32_t(b_[at]) | uint32_t(b_[at + 1]) << 8 | uint32_t(b_[at + 2]) << 16 |
           uint32_t(b_[at + 3]) << 24;
  }
  // `len` bytes at `at`, aligned to `align`, inside the file. A failure names `at` when it lies
  // in the file, else `from` (the vtable slot or offset that leads there).
  void need(size_t at, size_t len, size_t align, const char* what, size_t from) const {
    const size_t place = at < n_ ? at : from;
    if ((at & (align - 1)) != 0)
      fail(place, fmt::format("{} at byte {} is not {}-byte aligned", what, at, align));
    if (!fits(at, len))
      fail(place, fmt::format("{} ({} byte{} at byte {}) runs past the end of the file ({} "
                              "bytes)",
                              what, len, len == 1 ? "" : "s", at, n_));
  }

  // A uoffset_t at `at` (already known to lie in the file): its non-zero, non-negative target
  // inside the file.
  size_t offset_at(size_t at, size_t from) const {
    need(at, 4, 4, "the offset", from);
    const uint32_t o = u32(at);
    if (o == 0) fail(at, "offset 0 (points to itself)");
    if (o > 0x7fffffffu) fail(at, fmt::format("offset {} is negative as a signed int", o));
    if (!fits(at + o, 1))
      fail(at, fmt::format("offset {} points to byte {}, past the end of the file ({} bytes)", o,
                           at + o, n_));
    return at + o;
  }

  // The table at `pos`, referred to from byte `from`: header, vtable, nesting limits.
  Table table(size_t pos, size_t from) {
    if (!fits(pos, 4))
      fail(from, fmt::format("refers to a table at byte {}, past the end of the file ({} bytes)",
                             pos, n_));
    need(pos, 4, 4, "the table", from);
    ++depth_;
    ++tables_;
    if (depth_ > kMaxDepth) fail(pos, fmt::format("tables nested deeper than {}", kMaxDepth));
    if (tables_ > kMaxTables) fail(pos, fmt::format("more than {} tables", kMaxTables));
    int32_t soff;
    std::memcpy(&soff, b_ + pos, 4);
    Table t;
    t.pos = pos;
    t.vtable = pos - size_t(int64_t(soff));  // wraps like the FlatBuffers verifier
    if ((t.vtable & 1) != 0 || !fits(t.vtable, 2))
      fail(pos, fmt::format("vtable offset {} points to byte {}, outside the file ({} bytes)", soff,
                            int64_t(pos) - soff, n_));
    t.vsize = u16(t.vtable);
    if ((t.vsize & 1) != 0) fail(t.vtable, fmt::format("vtable size {} is odd", t.vsize));
    if (!fits(t.vtable, t.vsize))
      fail(t.vtable,
           fmt::format("vtable of {} bytes runs past the end of the file ({} bytes)", t.vsize, n_));
    return t;
  }
  void end_table() { --depth_; }

  // Position of field `vt` of `t`, 0 when absent; its vtable slot.
  size_t field(const Table& t, voffset_t vt) const {
    const size_t fo = vt < t.vsize ? u16(t.vtable + vt) : 0;
    return fo ? t.pos + fo : 0;
  }
  static size_t slot(const Table& t, voffset_t vt) { return t.vtable + vt; }
  void scalar(const Table& t, voffset_t vt, const char* name, size_t size) {
    const size_t at = field(t, vt);
    if (!at) return;
    Scope s(*this, std::string(".") + name);
    need(at, size, size, "the scalar field", slot(t, vt));
  }
  // Target of offset field `vt` of `t`, 0 when absent.
  size_t pointer(const Table& t, voffset_t vt) const {
    const size_t at = field(t, vt);
    return at ? offset_at(at, slot(t, vt)) : 0;
  }

  // Vector at `pos` of `elem`-byte elements: its length.
  uint32_t vector(size_t pos, size_t elem) const {
    need(pos, 4, 4, "the vector length", pos);
    const uint32_t len = u32(pos);
    if (len >= kMaxBytes / elem)
      fail(pos, fmt::format("vector length {} is too large for a 2 GiB file", len));
    if (!fits(pos, 4 + elem * len))
      fail(pos, fmt::format("vector runs past the end of the file (len {}, {} bytes each, file {} "
                            "bytes)",
                            len, elem, n_));
    return len;
  }
  void vector_field(const Table& t, voffset_t vt, const char* name, size_t elem,
                    size_t elem_align = 1) {
    Scope s(*this, std::string(".") + name);
    const size_t v = pointer(t, vt);
    if (!v) return;
    vector(v, elem);
    if (elem_align > 1 && ((v + 4) & (elem_align - 1)) != 0)
      fail(v, fmt::format("its {}-byte elements start at byte {}, not {}-byte aligned", elem, v + 4,
                          elem_align));
  }
  void string_field(const Table& t, voffset_t vt, const char* name) {
    Scope s(*this, std::string(".") + name);
    const size_t v = pointer(t, vt);
    if (!v) return;
    const uint32_t len = vector(v, 1);
    if (!fits(v + 4 + len, 1) || b_[v + 4 + len] != 0)
      fail(v, fmt::format("string of length {} is not NUL-terminated inside the file", len));
  }
  template <class Each>
  void tables_field(const Table& t, voffset_t vt, const char* name, Each each) {
    Scope s(*this, std::string(".") + name);
    const size_t v = pointer(t, vt);
    if (!v) return;
    const uint32_t len = vector(v, 4);
    for (uint32_t i = 0; i < len; ++i) {
      Scope e(*this, fmt::format("[{}]", i));
      const size_t at = v + 4 + 4 * size_t(i);
      Table sub = table(at + u32(at), at);
      each(sub);
      end_table();
    }
  }
  template <class Each>
  void table_field(const Table& t, voffset_t vt, const char* name, Each each) {
    Scope s(*this, std::string(".") + name);
    const size_t at = field(t, vt);
    if (!at) return;
    Table sub = table(offset_at(at, slot(t, vt)), at);
    each(sub);
    end_table();
  }

  void model(const Table& m) {
    scalar(m, Model::VT_VERSION, "version", 4);
    tables_field(m, Model::VT_OPERATOR_CODES, "operator_codes", [&](const Table& c) {
      scalar(c, OperatorCode::VT_DEPRECATED_BUILTIN_CODE, "deprecated_builtin_code", 1);
      string_field(c, OperatorCode::VT_CUSTOM_CODE, "custom_code");
      scalar(c, OperatorCode::VT_BUILTIN_CODE, "builtin_code", 4);
    });
    tables_field(m, Model::VT_SUBGRAPHS, "subgraphs", [&](const Table& g) { subgraph(g); });
    string_field(m, Model::VT_DESCRIPTION, "description");
    tables_field(m, Model::VT_BUFFERS, "buffers", [&](const Table& b) {
      vector_field(b, Buffer::VT_DATA, "data", 1);
      scalar(b, Buffer::VT_OFFSET, "offset", 8);
      scalar(b, Buffer::VT_SIZE, "size", 8);
    });
    end_table();
  }

  void subgraph(const Table& g) {
    tables_field(g, SubGraph::VT_TENSORS, "tensors", [&](const Table& t) {
      vector_field(t, Tensor::VT_SHAPE, "shape", 4);
      scalar(t, Tensor::VT_TYPE, "type", 1);
      scalar(t, Tensor::VT_BUFFER, "buffer", 4);
      string_field(t, Tensor::VT_NAME, "name");
      table_field(t, Tensor::VT_QUANTIZATION, "quantization", [&](const Table& q) {
        using Q = QuantizationParameters;
        vector_field(q, Q::VT_SCALE, "scale", 4);
        vector_field(q, Q::VT_ZERO_POINT, "zero_point", 8, 8);
        scalar(q, Q::VT_DETAILS_TYPE, "details_type", 1);
        scalar(q, Q::VT_QUANTIZED_DIMENSION, "quantized_dimension", 4);
      });
    });
    vector_field(g, SubGraph::VT_INPUTS, "inputs", 4);
    vector_field(g, SubGraph::VT_OUTPUTS, "outputs", 4);
    tables_field(g, SubGraph::VT_OPERATORS, "operators", [&](const Table& op) {
      scalar(op, Operator::VT_OPCODE_INDEX, "opcode_index", 4);
      vector_field(op, Operator::VT_INPUTS, "inputs", 4);
      vector_field(op, Operator::VT_OUTPUTS, "outputs", 4);
      scalar(op, Operator::VT_BUILTIN_OPTIONS_TYPE, "builtin_options_type", 1);
      const size_t type_at = field(op, Operator::VT_BUILTIN_OPTIONS_TYPE);
      const int type = type_at ? b_[type_at] : 0;
      table_field(op, Operator::VT_BUILTIN_OPTIONS, "builtin_options",
                  [&](const Table& o) { options(o, type); });
    });
  }

  void options(const Table& o, int type) {
    for (const OptionFields& ot : option_tables()) {
      if (ot.type != type) continue;
      Scope s(*this, fmt::format(" ({})", ot.table));
      for (size_t id = 0; id < ot.fields.size(); ++id) {
        const auto& f = ot.fields[id];
        if (f.size == 0)
          vector_field(o, tfl::field(int(id)), f.name, 4);
        else
          scalar(o, tfl::field(int(id)), f.name, size_t(f.size));
      }
    }
  }
  static constexpr int kMaxDepth = 16;           // as verify_model()
  static constexpr size_t kMaxTables = 1000000;  // flatbuffers::Verifier's default
  static constexpr size_t kMaxBytes = FLATBUFFERS_MAX_BUFFER_SIZE;

  const uint8_t* b_;
  size_t n_;
  std::string path_;
  int depth_ = 0;
  size_t tables_ = 0;
};

}  // namespace

std::optional<StructureError> find_structure_error(const uint8_t* data, size_t size) {
  try {
    Walker(data, size).run();
  } catch (const Failed& f) {
    return f.error;
  }
  return std::nullopt;
}

}  // namespace tfl
}  // namespace rtlgen
