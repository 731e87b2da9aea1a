// Decoding of Verilog vector parameters in the RTL testbenches: a per-instance vector parameter
// such as rtlgen_dwu_shared's CHANNELS is given to Verilator as a sized hex literal
// (-GCHANNELS=96'h000000040000000200000006: entry 0 in the low 32 bits), so its RTLGEN_P_<NAME>
// definition is not a C++ expression; it is a single C++17 preprocessing number (the quote is a
// digit separator there), which RTLGEN_STR stringifies and verilog_fields() decodes at compile
// time: the testbench reads exactly the literal the model was verilated with.
#pragma once

#include <array>
#include <cstdint>
#include <stdexcept>

#define RTLGEN_STR_(x) #x
#define RTLGEN_STR(x) RTLGEN_STR_(x)

namespace rtlgen_tb {

constexpr int digit_value(char c) {
  return c >= '0' && c <= '9'   ? c - '0'
         : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                : -1;
}

// The NF 32-bit fields of a Verilog parameter value (field i = bits [i*32 +: 32], read as 32-bit
// two's complement): a sized literal <NF*32>'[s]h<hex digits> or <NF*32>'[s]b<binary digits>
// (underscores allowed), or for NF == 1 a plain decimal [-]<digits>. Anything else does not
// compile (a throw in a constant expression).
template <int NF>
constexpr std::array<int64_t, NF> verilog_fields(const char* s) {
  std::array<uint64_t, NF> u{};
  int len = 0;
  while (s[len] != '\0') ++len;
  int quote = -1;
  for (int i = 0; i < len; ++i)
    if (s[i] == '\'') quote = i;
  if (quote < 0) {  // plain decimal: one field
    if (NF != 1) throw std::invalid_argument("verilog_fields: decimal value for a vector");
    const bool neg = s[0] == '-';
    if (len == (neg ? 1 : 0)) throw std::invalid_argument("verilog_fields: no digits");
    uint64_t v = 0;
    for (int i = neg ? 1 : 0; i < len; ++i) {
      if (s[i] < '0' || s[i] > '9') throw std::invalid_argument("verilog_fields: bad digit");
      v = v * 10 + static_cast<uint64_t>(s[i] - '0');
      if (v > 0xffffffffULL) throw std::invalid_argument("verilog_fields: value too wide");
    }
    u[0] = (neg ? 0x100000000ULL - v : v) & 0xffffffffULL;
  } else {
    int width = 0;
    for (int i = 0; i < quote; ++i) {
      if (s[i] < '0' || s[i] > '9') throw std::invalid_argument("verilog_fields: bad width");
      width = width * 10 + (s[i] - '0');
    }
    if (width != NF * 32) throw std::invalid_argument("verilog_fields: width is not N*32");
    int i = quote + 1;
    if (s[i] == 's' || s[i] == 'S') ++i;
    const char base = s[i++];
    const int bits_per_digit = base == 'h' || base == 'H' ? 4 : base == 'b' || base == 'B' ? 1 : 0;
    if (bits_per_digit == 0) throw std::invalid_argument("verilog_fields: base must be h or b");
    if (i >= len) throw std::invalid_argument("verilog_fields: no digits");
    int bit = 0;  // digits from the right: the least significant first
    for (int k = len - 1; k >= i; --k) {
      if (s[k] == '_') continue;
      const int d = digit_value(s[k]);
      if (d < 0 || d >= (1 << bits_per_digit))
        throw std::invalid_argument("verilog_fields: bad digit");
      if (bit >= NF * 32) {
        if (d != 0) throw std::invalid_argument("verilog_fields: value wider than N*32");
      } else {
        u[static_cast<std::size_t>(bit / 32)] |= static_cast<uint64_t>(d) << (bit % 32);
      }
      bit += bits_per_digit;
    }
  }
  std::array<int64_t, NF> r{};
  for (int f = 0; f < NF; ++f) {
    const uint64_t v = u[static_cast<std::size_t>(f)];
    r[static_cast<std::size_t>(f)] =
        v >= 0x80000000ULL ? static_cast<int64_t>(v) - 0x100000000LL : static_cast<int64_t>(v);
  }
  return r;
}

// the decoder itself: layer 0 in the low bits, two's complement fields
static_assert(verilog_fields<3>("96'h000000040000000200000006")[0] == 6 &&
                  verilog_fields<3>("96'h000000040000000200000006")[1] == 2 &&
                  verilog_fields<3>("96'h000000040000000200000006")[2] == 4,
              "verilog_fields: field order");
static_assert(verilog_fields<2>("64'h0000007f_ffffff80")[0] == -128 &&
                  verilog_fields<2>("64'h0000007f_ffffff80")[1] == 127,
              "verilog_fields: signed fields");
static_assert(verilog_fields<2>("64'h5")[0] == 5 && verilog_fields<2>("64'h5")[1] == 0,
              "verilog_fields: short literal");
static_assert(verilog_fields<1>("32'b101")[0] == 5 && verilog_fields<1>("-3")[0] == -3,
              "verilog_fields: binary, decimal");

}  // namespace rtlgen_tb
