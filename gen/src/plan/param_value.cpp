// Typed instance parameters (rtlgen/hw_plan.hpp): the one value the Verilog printer prints and
// the resource model reads.
#include <fmt/format.h>

#include <utility>

#include "rtlgen/hw_plan.hpp"

namespace rtlgen {

ParamValue ParamValue::integer(int64_t v) {
  ParamValue p;
  p.kind_ = Kind::Integer;
  p.value_ = v;
  return p;
}

ParamValue ParamValue::hex(uint64_t v, int bits) {
  ParamValue p;
  p.kind_ = Kind::Hex;
  p.value_ = int64_t(v);
  p.bits_ = bits;
  return p;
}

ParamValue ParamValue::fields(std::vector<int64_t> v, int bits, bool hex_fields) {
  ParamValue p;
  p.kind_ = Kind::Fields;
  p.fields_ = std::move(v);
  p.bits_ = bits;
  p.hex_fields_ = hex_fields;
  return p;
}

ParamValue ParamValue::string(std::string s) {
  ParamValue p;
  p.kind_ = Kind::String;
  p.text_ = std::move(s);
  return p;
}

int64_t ParamValue::as_int(int64_t otherwise) const {
  return kind_ == Kind::Integer || kind_ == Kind::Hex ? value_ : otherwise;
}

namespace {

// `v` as a `bits`-bit hexadecimal literal (two's complement, zero-padded).
std::string sized_hex(int64_t v, int bits) {
  const uint64_t mask = bits >= 64 ? ~uint64_t(0) : (uint64_t(1) << bits) - 1;
  return fmt::format("{}'h{:0{}x}", bits, uint64_t(v) & mask, (bits + 3) / 4);
}

}  // namespace

std::string ParamValue::verilog() const {
  switch (kind_) {
    case Kind::Integer:
      return value_ < 0 ? fmt::format("-{}", -value_) : fmt::format("{}", value_);
    case Kind::Hex:
      return sized_hex(value_, bits_);
    case Kind::Fields: {
      std::string s = "{";  // field n-1 first: field 0 in the lowest bits
      for (size_t i = fields_.size(); i-- > 0;)
        s += (hex_fields_ ? sized_hex(fields_[i], bits_)
                          : fmt::format("{}'d{}", bits_, fields_[i])) +
             (i ? ", " : "");
      return s + "}";
    }
    case Kind::String:
      return "\"" + text_ + "\"";
  }
  return "";
}

bool ParamValue::operator==(const ParamValue& o) const {
  return kind_ == o.kind_ && value_ == o.value_ && bits_ == o.bits_ &&
         hex_fields_ == o.hex_fields_ && fields_ == o.fields_ && text_ == o.text_;
}

}  // namespace rtlgen
