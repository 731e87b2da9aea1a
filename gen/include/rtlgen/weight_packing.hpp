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

struct WeightMatrix {
  int mh = 0, mw = 0;
  std::vector<int32_t> w;  // row-major [mh][mw]
};

std::vector<std::string> pack_weights(const WeightMatrix& m, int pe, int simd);
// Inverse of pack_weights (for tests and testbenches); `is_signed` picks int8 or uint8.
WeightMatrix unpack_weights(const std::vector<std::string>& lines, int mh, int mw, int pe,
                            int simd, bool is_signed);

// Depthwise layout (rtlgen_dwu): w[c][t] for C channels and T = K_H * K_W taps in (ky, kx)
// order. Folded by PE (divides C): C / PE chunks, T words per chunk; word j * T + t holds, for
// lane p, w[j * PE + p][t] at bits [p * 8 +: 8]. Lines are hex, PE * 2 digits.
std::vector<std::string> pack_depthwise_weights(const std::vector<int32_t>& w_ct, int channels,
                                                int taps, int pe);
// Inverse of pack_depthwise_weights; returns w[c][t].
std::vector<int32_t> unpack_depthwise_weights(const std::vector<std::string>& lines, int channels,
                                              int taps, int pe, bool is_signed);

// One requantizer constant word: {bias[31:0], multiplier[31:0], shift[7:0]}, 18 hex digits.
// rtlgen_requant's PARAM_FILE line g concatenates the words of channels g*PE + PE-1 .. g*PE
// (lane PE-1 first in the text, lane p at bits [p*72 +: 72]).
std::string pack_requant(int32_t bias, QuantizedMultiplier qm);
// rtlgen_requant_float's 64-bit lane word {bias, 24-bit significand, shift} for a float32 scale;
// false if the scale has no encoding (negative, not finite, 2^24 or more).
bool pack_float_requant(int32_t bias, float scale, std::string* word);

}  // namespace rtlgen
