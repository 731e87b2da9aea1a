// The one weight-memory layout shared by the .mem emitter, the testbenches and the round-trip
// tests (docs/rtl-architecture.md, "Weight packing").
//
// A weighted layer is an MH x MW matrix W[oc][k] (k in stream order: OHWI flattening for
// convolutions, [O][I] for FULLY_CONNECTED). Folded by PE (divides MH) and SIMD (divides MW):
// SF = MW / SIMD, NF = MH / PE, NF * SF words; word nf * SF + sf holds, for lane p and SIMD
// position s, W[nf * PE + p][sf * SIMD + s] at bits [(p * SIMD + s) * 8 +: 8] (two's complement
// for int8, plain for uint8). Lines are hex, most significant digit first, PE * SIMD * 2 digits.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rtlgen/fixed_point.hpp"

namespace rtlgen {

// One memory word of `bits()` bits (bit b in limb b / 64): what the packers produce, what the
// .mem file prints (hex()) and what the resource models read (MemFile::varying_columns), so
// that no fact about a ROM has to be read back from its text.
class RomWord {
 public:
  RomWord() = default;
  explicit RomWord(int bits) : bits_(bits), limbs_(size_t(bits + 63) / 64, 0) {}
  int bits() const { return bits_; }
  // Bits [lsb, lsb + width) from the low `width` bits of `value` (width <= 64).
  void set(int lsb, int width, uint64_t value);
  // Bits [lsb, lsb + part.bits()) from `part`.
  void place(int lsb, const RomWord& part);
  const std::vector<uint64_t>& limbs() const { return limbs_; }
  // ceil(bits / 4) digits, most significant first: one $readmemh line.
  std::string hex() const;
  bool operator==(const RomWord& o) const { return bits_ == o.bits_ && limbs_ == o.limbs_; }

 private:
  int bits_ = 0;
  std::vector<uint64_t> limbs_;
};

std::vector<std::string> hex_lines(const std::vector<RomWord>& words);

// Per bit column b < bits (bit b of every word): whether it is not the same in every word.
std::vector<bool> varying_columns(const std::vector<RomWord>& words, int bits);

struct WeightMatrix {
  int mh = 0, mw = 0;
  std::vector<int32_t> w;  // row-major [mh][mw]
};

std::vector<RomWord> pack_weight_words(const WeightMatrix& m, int pe, int simd);
// pack_weight_words as the .mem lines.
std::vector<std::string> pack_weights(const WeightMatrix& m, int pe, int simd);
// Inverse of pack_weights (for tests and testbenches); `is_signed` picks int8 or uint8.
WeightMatrix unpack_weights(const std::vector<std::string>& lines, int mh, int mw, int pe, int simd,
                            bool is_signed);

// Depthwise layout (rtlgen_dwu): w[c][t] for C channels and T = K_H * K_W taps in (ky, kx)
// order. Folded by PE (divides C): C / PE chunks, T words per chunk; word j * T + t holds, for
// lane p, w[j * PE + p][t] at bits [p * 8 +: 8]. Lines are hex, PE * 2 digits.
std::vector<RomWord> pack_depthwise_weight_words(const std::vector<int32_t>& w_ct, int channels,
                                                 int taps, int pe);
std::vector<std::string> pack_depthwise_weights(const std::vector<int32_t>& w_ct, int channels,
                                                int taps, int pe);
// Inverse of pack_depthwise_weights; returns w[c][t].
std::vector<int32_t> unpack_depthwise_weights(const std::vector<std::string>& lines, int channels,
                                              int taps, int pe, bool is_signed);

// One requantizer constant word: {bias[31:0], multiplier[31:0], shift[7:0]}, 18 hex digits.
// rtlgen_requant's PARAM_FILE line g concatenates the words of channels g*PE + PE-1 .. g*PE
// (lane PE-1 first in the text, lane p at bits [p*72 +: 72]).
RomWord requant_word(int32_t bias, QuantizedMultiplier qm);
std::string pack_requant(int32_t bias, QuantizedMultiplier qm);  // requant_word as hex
// rtlgen_requant_float's 64-bit lane word {bias, 24-bit significand, shift} for a float32 scale;
// false if the scale has no encoding (negative, not finite, 2^24 or more).
bool float_requant_word(int32_t bias, float scale, RomWord* word);
bool pack_float_requant(int32_t bias, float scale, std::string* word);  // the word as hex

}  // namespace rtlgen
