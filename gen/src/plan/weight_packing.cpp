#include "rtlgen/weight_packing.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "rtlgen/error.hpp"

namespace rtlgen {

void RomWord::set(int lsb, int width, uint64_t value) {
  for (int i = 0; i < width; ++i) {
    const int b = lsb + i;
    const uint64_t mask = uint64_t(1) << (b % 64);
    if ((value >> i) & 1)
      limbs_[size_t(b / 64)] |= mask;
    else
      limbs_[size_t(b / 64)] &= ~mask;
  }
}

void RomWord::place(int lsb, const RomWord& part) {
  for (int b = 0; b < part.bits_; b += 64)
    set(lsb + b, std::min(64, part.bits_ - b), part.limbs_[size_t(b / 64)]);
}

std::string RomWord::hex() const {
  static const char* kHex = "0123456789abcdef";
  const int digits = (bits_ + 3) / 4;
  std::string s(size_t(digits), '0');
  for (int d = 0; d < digits; ++d) {
    const int b = d * 4;  // digit d from the right: bits [4d, 4d + 4), within one limb
    s[size_t(digits - 1 - d)] = kHex[(limbs_[size_t(b / 64)] >> (b % 64)) & 15];
  }
  return s;
}

std::vector<std::string> hex_lines(const std::vector<RomWord>& words) {
  std::vector<std::string> lines;
  lines.reserve(words.size());
  for (const auto& w : words) lines.push_back(w.hex());
  return lines;
}

std::vector<bool> varying_columns(const std::vector<RomWord>& words, int bits) {
  std::vector<bool> varies(size_t(std::max(bits, 0)), false);
  if (words.empty()) return varies;
  // per limb: the bits set in every word and in any word
  std::vector<uint64_t> all = words[0].limbs(), any = all;
  for (const auto& w : words)
    for (size_t i = 0; i < all.size() && i < w.limbs().size(); ++i) {
      all[i] &= w.limbs()[i];
      any[i] |= w.limbs()[i];
    }
  for (int b = 0; b < bits && size_t(b / 64) < all.size(); ++b)
    varies[size_t(b)] = ((any[size_t(b / 64)] & ~all[size_t(b / 64)]) >> (b % 64)) & 1;
  return varies;
}

std::vector<RomWord> pack_weight_words(const WeightMatrix& m, int pe, int simd) {
  if (pe <= 0 || simd <= 0 || m.mh % pe || m.mw % simd)
    throw Error(
        fmt::format("pack_weights: PE {} / SIMD {} do not divide {} x {}", pe, simd, m.mh, m.mw));
  const int sf = m.mw / simd, nf = m.mh / pe;
  std::vector<RomWord> words;
  words.reserve(size_t(nf) * sf);
  for (int f = 0; f < nf; ++f)
    for (int s = 0; s < sf; ++s) {
      RomWord word(pe * simd * 8);
      for (int p = 0; p < pe; ++p)
        for (int lane = 0; lane < simd; ++lane)
          word.set((p * simd + lane) * 8, 8,
                   uint64_t(m.w[size_t(f * pe + p) * m.mw + s * simd + lane]));
      words.push_back(std::move(word));
    }
  return words;
}

std::vector<std::string> pack_weights(const WeightMatrix& m, int pe, int simd) {
  return hex_lines(pack_weight_words(m, pe, simd));
}

WeightMatrix unpack_weights(const std::vector<std::string>& lines, int mh, int mw, int pe, int simd,
                            bool is_signed) {
  WeightMatrix m{mh, mw, std::vector<int32_t>(size_t(mh) * mw)};
  const int sf = mw / simd, nf = mh / pe;
  if (int(lines.size()) != nf * sf)
    throw Error(fmt::format("unpack_weights: {} lines, expected {}", lines.size(), nf * sf));
  for (int f = 0; f < nf; ++f)
    for (int s = 0; s < sf; ++s) {
      const std::string& line = lines[size_t(f) * sf + s];
      for (int p = 0; p < pe; ++p)
        for (int lane = 0; lane < simd; ++lane) {
          const size_t b = size_t(p) * simd + lane;
          const int byte = std::stoi(line.substr(line.size() - 2 * (b + 1), 2), nullptr, 16);
          m.w[size_t(f * pe + p) * mw + s * simd + lane] =
              is_signed ? int32_t(int8_t(uint8_t(byte))) : byte;
        }
    }
  return m;
}

std::vector<RomWord> pack_depthwise_weight_words(const std::vector<int32_t>& w_ct, int channels,
                                                 int taps, int pe) {
  if (pe <= 0 || taps <= 0 || channels % pe || w_ct.size() != size_t(channels) * taps)
    throw Error(
        fmt::format("pack_depthwise_weights: PE {} does not divide {} channels, or {} "
                    "weights for {} x {}",
                    pe, channels, w_ct.size(), channels, taps));
  // A depthwise word is a PE x 1 slice of the C x T matrix: reuse the matrix layout with SIMD 1.
  return pack_weight_words({channels, taps, w_ct}, pe, 1);
}

std::vector<std::string> pack_depthwise_weights(const std::vector<int32_t>& w_ct, int channels,
                                                int taps, int pe) {
  return hex_lines(pack_depthwise_weight_words(w_ct, channels, taps, pe));
}

std::vector<int32_t> unpack_depthwise_weights(const std::vector<std::string>& lines, int channels,
                                              int taps, int pe, bool is_signed) {
  return unpack_weights(lines, channels, taps, pe, 1, is_signed).w;
}

bool float_requant_word(int32_t bias, float scale, RomWord* word) {
  // rtlgen_requant_float: {bias[31:0], MANT[23:0], SHIFT[7:0]}, scale = MANT / 2^SHIFT with MANT
  // the significand including the hidden bit and SHIFT = 150 - biased exponent (149 for
  // subnormals); a zero scale is MANT 0.
  uint32_t bits = 0;
  std::memcpy(&bits, &scale, 4);
  const uint32_t exponent = (bits >> 23) & 0xff, fraction = bits & 0x7fffff;
  if ((bits >> 31) != 0 || exponent == 0xff || exponent > 150) return false;
  const uint32_t mant = exponent == 0 ? fraction : (fraction | 0x800000);
  const uint32_t shift = exponent == 0 ? 149 : 150 - exponent;
  *word = RomWord(64);
  word->set(32, 32, uint32_t(bias));
  word->set(8, 24, mant);
  word->set(0, 8, shift);
  return true;
}

bool pack_float_requant(int32_t bias, float scale, std::string* word) {
  RomWord w;
  if (!float_requant_word(bias, scale, &w)) return false;
  *word = w.hex();
  return true;
}

RomWord requant_word(int32_t bias, QuantizedMultiplier qm) {
  RomWord w(72);
  w.set(40, 32, uint32_t(bias));
  w.set(8, 32, uint32_t(qm.multiplier));
  w.set(0, 8, uint8_t(int8_t(qm.shift)));
  return w;
}

std::string pack_requant(int32_t bias, QuantizedMultiplier qm) {
  return requant_word(bias, qm).hex();
}

}  // namespace rtlgen
