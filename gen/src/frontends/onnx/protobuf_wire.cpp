#include "rtlgen/protobuf_wire.hpp"

#include <cstring>

namespace rtlgen::wire {

uint64_t Reader::varint() {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos_ >= data_.size()) throw WireError("truncated varint");
    const uint8_t b = static_cast<uint8_t>(data_[pos_++]);
    v |= uint64_t(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
  throw WireError("varint longer than 10 bytes");
}

bool Reader::next(Field* f) {
  if (pos_ >= data_.size()) return false;
  const uint64_t key = varint();
  f->number = static_cast<uint32_t>(key >> 3);
  if (f->number == 0 || (key >> 3) > 0x1fffffff) throw WireError("field number 0 or too large");
  const unsigned type = unsigned(key & 7);
  f->bytes = {};
  f->number_value = 0;
  switch (type) {
    case 0:
      f->type = WireType::Varint;
      f->number_value = varint();
      break;
    case 1:
      if (data_.size() - pos_ < 8) throw WireError("truncated 64-bit field");
      f->type = WireType::Fixed64;
      std::memcpy(&f->number_value, data_.data() + pos_, 8);  // little-endian host (x86, ARM)
      pos_ += 8;
      break;
    case 2: {
      const uint64_t len = varint();
      if (len > data_.size() - pos_)
        throw WireError("length-delimited field runs past its message");
      f->type = WireType::Bytes;
      f->bytes = data_.substr(pos_, size_t(len));
      pos_ += size_t(len);
      break;
    }
    case 5: {
      if (data_.size() - pos_ < 4) throw WireError("truncated 32-bit field");
      uint32_t v = 0;
      std::memcpy(&v, data_.data() + pos_, 4);
      f->type = WireType::Fixed32;
      f->number_value = v;
      pos_ += 4;
      break;
    }
    default:
      throw WireError("unsupported wire type " + std::to_string(type) + " (groups?)");
  }
  return true;
}

int64_t as_int64(const Field& f) {
  if (f.type != WireType::Varint) throw WireError("integer field is not a varint");
  return static_cast<int64_t>(f.number_value);
}

float as_float(const Field& f) {
  if (f.type != WireType::Fixed32) throw WireError("float field is not 32-bit");
  const uint32_t bits = static_cast<uint32_t>(f.number_value);
  float v;
  std::memcpy(&v, &bits, 4);
  return v;
}

std::string as_string(const Field& f) {
  if (f.type != WireType::Bytes) throw WireError("string field is not length-delimited");
  return std::string(f.bytes);
}

void append_int64s(const Field& f, std::vector<int64_t>* out) {
  if (f.type == WireType::Varint) {
    out->push_back(static_cast<int64_t>(f.number_value));
    return;
  }
  if (f.type != WireType::Bytes) throw WireError("repeated integer field has wrong wire type");
  // A packed run is a sequence of varints; parse it with a Reader over a synthetic view.
  size_t pos = 0;
  while (pos < f.bytes.size()) {
    uint64_t v = 0;
    int shift = 0;
    for (;; shift += 7) {
      if (shift >= 64) throw WireError("varint longer than 10 bytes");
      if (pos >= f.bytes.size()) throw WireError("truncated packed varint");
      const uint8_t b = static_cast<uint8_t>(f.bytes[pos++]);
      v |= uint64_t(b & 0x7f) << shift;
      if (!(b & 0x80)) break;
    }
    out->push_back(static_cast<int64_t>(v));
  }
}

void append_floats(const Field& f, std::vector<float>* out) {
  if (f.type == WireType::Fixed32) {
    out->push_back(as_float(f));
    return;
  }
  if (f.type != WireType::Bytes || f.bytes.size() % 4 != 0)
    throw WireError("repeated float field has wrong wire type or length");
  const size_t n = f.bytes.size() / 4;
  if (n == 0) return;  // an empty packed run: memcpy must not see the empty vector's null data
  const size_t old = out->size();
  out->resize(old + n);
  std::memcpy(out->data() + old, f.bytes.data(), n * 4);
}

}  // namespace rtlgen::wire
