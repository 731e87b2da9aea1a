// A minimal, bounds-checked reader of the protocol buffers wire format (varint, 64-bit,
// length-delimited, 32-bit fields), enough to walk the few ONNX messages rtlgen needs without
// libprotobuf. Every read checks the remaining length; malformed input throws WireError, which
// the ONNX importer turns into an rtlgen::Error naming the file and the message being read.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace rtlgen::wire {

struct WireError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class WireType : uint8_t { Varint = 0, Fixed64 = 1, Bytes = 2, Fixed32 = 5 };

// One field of a message: its number, wire type and value (varint/fixed in `number_value`,
// length-delimited payload in `bytes`, a view into the message's buffer).
struct Field {
  uint32_t number = 0;
  WireType type = WireType::Varint;
  uint64_t number_value = 0;
  std::string_view bytes;
};

// Iterates the fields of one message in file order.
class Reader {
 public:
  explicit Reader(std::string_view message) : data_(message) {}
  // Reads the next field into *f; false at the end of the message.
  bool next(Field* f);

 private:
  uint64_t varint();
  std::string_view data_;
  size_t pos_ = 0;
};

// Decoders for field payloads; all throw WireError on malformed data.
int64_t as_int64(const Field& f);       // varint (two's complement, as protobuf int64/int32)
float as_float(const Field& f);         // fixed32
std::string as_string(const Field& f);  // length-delimited
// Repeated scalar fields arrive either packed (one length-delimited field) or one per field;
// these append either form.
void append_int64s(const Field& f, std::vector<int64_t>* out);
void append_floats(const Field& f, std::vector<float>* out);

}  // namespace rtlgen::wire
