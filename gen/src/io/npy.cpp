#include "rtlgen/npy.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "rtlgen/error.hpp"
#include "rtlgen/file_util.hpp"

namespace rtlgen {

int64_t NpyArray::size() const {
  // parse_npy guarantees that a non-empty array's element count fits the file; an empty one
  // may have large other dimensions, so a zero anywhere is checked first (no overflow).
  for (auto d : shape)
    if (d == 0) return 0;
  int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

namespace {

// Extracts the value text of key 'key' from the header dict, e.g. "'<i4'" or "(3, 4)".
std::string header_value(const std::string& header, const std::string& key,
                         const std::string& name) {
  const std::string quoted = "'" + key + "'";
  const auto pos = header.find(quoted);
  if (pos == std::string::npos)
    throw Error(fmt::format("{}: .npy header has no '{}' entry", name, key));
  auto colon = header.find(':', pos + quoted.size());
  if (colon == std::string::npos) throw Error(fmt::format("{}: malformed .npy header", name));
  auto start = header.find_first_not_of(' ', colon + 1);
  if (start == std::string::npos) throw Error(fmt::format("{}: malformed .npy header", name));
  size_t end;
  if (header[start] == '(') {
    end = header.find(')', start);
    if (end == std::string::npos) throw Error(fmt::format("{}: malformed .npy shape", name));
    ++end;
  } else if (header[start] == '\'') {
    end = header.find('\'', start + 1);
    if (end == std::string::npos) throw Error(fmt::format("{}: malformed .npy header", name));
    ++end;
  } else {
    end = header.find_first_of(",}", start);
    if (end == std::string::npos) throw Error(fmt::format("{}: malformed .npy header", name));
  }
  return header.substr(start, end - start);
}

// "(3, 4)", "(7,)", "()": a Python tuple of non-negative integers (a trailing "L" of old
// Python 2 files is accepted). Anything else is an error naming the text.
std::vector<int64_t> parse_shape(const std::string& text, const std::string& name) {
  const auto bad = [&](const char* why) {
    // A corrupted header can hold kilobytes here: show its start only.
    const std::string shown = text.size() > 60 ? text.substr(0, 60) + "..." : text;
    return Error(fmt::format("{}: bad .npy shape '{}' ({})", name, shown, why));
  };
  if (text.size() < 2 || text.front() != '(' || text.back() != ')')
    throw bad("expected a tuple such as (3, 4)");
  std::vector<int64_t> shape;
  std::string inner = text.substr(1, text.size() - 2);
  std::stringstream ss(inner);
  std::string item;
  while (std::getline(ss, item, ',')) {
    const auto b = item.find_first_not_of(' ');
    if (b == std::string::npos) {  // only "(n,)" may end with an empty item
      if (!ss.eof() || shape.empty()) throw bad("empty dimension");
      continue;
    }
    const auto e = item.find_last_not_of(' ');
    item = item.substr(b, e - b + 1);
    if (!item.empty() && item.back() == 'L') item.pop_back();
    if (item.empty()) throw bad("empty dimension");
    int64_t v = 0;
    for (char ch : item) {
      if (ch < '0' || ch > '9') throw bad("dimensions must be non-negative integers");
      v = v * 10 + (ch - '0');
      if (v > std::numeric_limits<int32_t>::max()) throw bad("dimension larger than 2^31 - 1");
    }
    shape.push_back(v);
  }
  if (shape.size() > 32) throw bad("more than 32 dimensions");
  return shape;
}

bool is_float_descr(const std::string& descr) { return descr.size() >= 2 && descr[1] == 'f'; }

int item_size(const std::string& descr) {
  if (descr == "|u1" || descr == "|i1" || descr == "<u1" || descr == "<i1" || descr == "|b1")
    return 1;
  if (descr == "<i2" || descr == "<u2") return 2;
  if (descr == "<i4" || descr == "<u4" || descr == "<f4") return 4;
  if (descr == "<i8" || descr == "<f8") return 8;
  return 0;
}

}  // namespace

NpyArray parse_npy(const std::string& bytes, const std::string& name) {
  if (bytes.size() < 10 || std::memcmp(bytes.data(), "\x93NUMPY", 6) != 0)
    throw Error(fmt::format("{}: not a .npy file (missing \\x93NUMPY magic)", name));
  const int major = static_cast<unsigned char>(bytes[6]);
  size_t header_len, offset;
  if (major == 1) {
    header_len = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) throw Error(fmt::format("{}: truncated .npy header", name));
    header_len = 0;
    for (int i = 0; i < 4; ++i) header_len |= size_t(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
    offset = 12;
  } else {
    throw Error(fmt::format("{}: unsupported .npy version {}", name, major));
  }
  if (offset + header_len > bytes.size())
    throw Error(fmt::format("{}: truncated .npy header", name));
  const std::string header = bytes.substr(offset, header_len);
  NpyArray a;
  std::string descr = header_value(header, "descr", name);
  if (descr.size() < 2 || descr.front() != '\'')
    throw Error(fmt::format("{}: unsupported .npy dtype {}", name, descr));
  a.descr = descr.substr(1, descr.size() - 2);
  if (header_value(header, "fortran_order", name) != "False")
    throw Error(fmt::format("{}: Fortran-ordered .npy is not supported (save with C order)", name));
  a.shape = parse_shape(header_value(header, "shape", name), name);
  const int isz = item_size(a.descr);
  if (isz == 0)
    throw Error(fmt::format(
        "{}: unsupported .npy dtype '{}' (expected |u1, |i1, <i4, <i8 or <f4)", name, a.descr));
  // Element count, checked against the data present: a header that promises more than the
  // file holds is refused before anything is allocated (and no product overflows).
  const size_t data_off = offset + header_len;
  const uint64_t avail = bytes.size() - data_off;
  uint64_t count = 1, need = uint64_t(isz);
  bool overflow = false;
  for (int64_t d : a.shape) {
    overflow = overflow || __builtin_mul_overflow(count, uint64_t(d), &count);
    if (d == 0) overflow = false, count = 0;
  }
  overflow = overflow || __builtin_mul_overflow(count, uint64_t(isz), &need);
  if (overflow || need > avail)
    throw Error(fmt::format("{}: truncated .npy data: shape ({}) of '{}' needs {} bytes, the file "
                            "has {}",
                            name, fmt::join(a.shape, ", "), a.descr,
                            overflow ? std::string("more than 2^64") : std::to_string(need), avail));
  const int64_t n = int64_t(count);
  if (is_float_descr(a.descr))
    a.floats.reserve(size_t(n));
  else
    a.ints.reserve(size_t(n));
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data() + data_off);
  const bool is_float = is_float_descr(a.descr);
  const bool is_signed = a.descr[1] == 'i';
  for (int64_t i = 0; i < n; ++i, p += isz) {
    uint64_t raw = 0;
    for (int b = 0; b < isz; ++b) raw |= uint64_t(p[b]) << (8 * b);
    if (is_float) {
      if (isz == 4) {
        uint32_t r32 = uint32_t(raw);
        float f;
        std::memcpy(&f, &r32, 4);
        a.floats.push_back(f);
      } else {
        double d;
        std::memcpy(&d, &raw, 8);
        a.floats.push_back(d);
      }
    } else if (is_signed) {
      const int shift = 64 - 8 * isz;
      a.ints.push_back(static_cast<int64_t>(raw << shift) >> shift);
    } else {
      a.ints.push_back(static_cast<int64_t>(raw));
    }
  }
  return a;
}

NpyArray read_npy(const std::string& path) {
  require_regular_file(path, "a .npy file");
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(fmt::format("{}: cannot open .npy file", path));
  std::stringstream ss;
  ss << f.rdbuf();
  return parse_npy(ss.str(), path);
}

std::string encode_npy(const std::string& descr, const std::vector<int64_t>& shape,
                       const std::vector<int64_t>& ints, const std::vector<double>& floats) {
  std::string shape_text = "(";
  for (size_t i = 0; i < shape.size(); ++i) shape_text += fmt::format("{}, ", shape[i]);
  if (shape.size() > 1) shape_text.resize(shape_text.size() - 2);
  else if (shape.size() == 1) shape_text.resize(shape_text.size() - 1);
  shape_text += ")";
  std::string header =
      fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': {}, }}", descr, shape_text);
  const size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  std::string out = "\x93NUMPY";
  out += char(1);
  out += char(0);
  out += char(header.size() & 0xff);
  out += char(header.size() >> 8);
  out += header;
  const int isz = item_size(descr);
  if (isz == 0) throw Error(fmt::format("encode_npy: unsupported dtype '{}'", descr));
  if (descr[1] == 'f') {
    for (double d : floats) {
      float f = static_cast<float>(d);
      uint32_t raw;
      std::memcpy(&raw, &f, 4);
      for (int b = 0; b < 4; ++b) out += char((raw >> (8 * b)) & 0xff);
    }
  } else {
    for (int64_t v : ints)
      for (int b = 0; b < isz; ++b) out += char((uint64_t(v) >> (8 * b)) & 0xff);
  }
  return out;
}

void write_npy(const std::string& path, const std::string& descr,
               const std::vector<int64_t>& shape, const std::vector<int64_t>& ints,
               const std::vector<double>& floats) {
  std::ofstream f(path, std::ios::binary);
  if (!f) throw Error(fmt::format("{}: cannot create file", path));
  f << encode_npy(descr, shape, ints, floats);
  if (!f) throw Error(fmt::format("{}: write failed", path));
}

}  // namespace rtlgen
