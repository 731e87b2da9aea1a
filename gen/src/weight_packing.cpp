#include "rtlgen/weight_packing.hpp"

#include <fmt/format.h>

#include <cstring>

#include "rtlgen/error.hpp"

namespace rtlgen {

std::vector<std::string> pack_weights(const WeightMatrix& m, int pe, int simd) {
  if (pe <= 0 || simd <= 0 || m.mh % pe || m.mw % simd)
    throw Error(fmt::format("pack_weights: PE {} / SIMD {} do not divide {} x {}", pe, simd, m.mh,
                            m.mw));
  const int sf = m.mw / simd, nf = m.mh / pe;
  static const char* kHex = "0123456789abcdef";
  std::vector<std::string> lines;
  lines.reserve(size_t(nf) * sf);
  for (int f = 0; f < nf; ++f)
    for (int s = 0; s < sf; ++s) {
      std::string line(size_t(pe) * simd * 2, '0');
      // Byte b = p * SIMD + s_lane is written at character position from the right.
      for (int p = 0; p < pe; ++p)
        for (int lane = 0; lane < simd; ++lane) {
          const auto byte = uint8_t(m.w[size_t(f * pe + p) * m.mw + s * simd + lane] & 0xff);
          const size_t b = size_t(p) * simd + lane;
          const size_t pos = line.size() - 2 * (b + 1);
          line[pos] = kHex[byte >> 4];
          line[pos + 1] = kHex[byte & 15];
        }
      lines.push_back(std::move(line));
    }
  return lines;
}

WeightMatrix unpack_weights(const std::vector<std::string>& lines, int mh, int mw, int pe,
                            int simd, bool is_signed) {
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

std::vector<std::string> pack_depthwise_weights(const std::vector<int32_t>& w_ct, int channels,
                                                int taps, int pe) {
  if (pe <= 0 || taps <= 0 || channels % pe || w_ct.size() != size_t(channels) * taps)
    throw Error(fmt::format("pack_depthwise_weights: PE {} does not divide {} channels, or {} "
                            "weights for {} x {}",
                            pe, channels, w_ct.size(), channels, taps));
  // A depthwise word is a PE x 1 slice of the C x T matrix: reuse the matrix layout with SIMD 1.
  return pack_weights({channels, taps, w_ct}, pe, 1);
}

std::vector<int32_t> unpack_depthwise_weights(const std::vector<std::string>& lines, int channels,
                                              int taps, int pe, bool is_signed) {
  return unpack_weights(lines, channels, taps, pe, 1, is_signed).w;
}

bool pack_float_requant(int32_t bias, float scale, std::string* word) {
  // rtlgen_requant_float: {bias[31:0], MANT[23:0], SHIFT[7:0]}, scale = MANT / 2^SHIFT with MANT
  // the significand including the hidden bit and SHIFT = 150 - biased exponent (149 for
  // subnormals); a zero scale is MANT 0.
  uint32_t bits = 0;
  std::memcpy(&bits, &scale, 4);
  const uint32_t exponent = (bits >> 23) & 0xff, fraction = bits & 0x7fffff;
  if ((bits >> 31) != 0 || exponent == 0xff || exponent > 150) return false;
  const uint32_t mant = exponent == 0 ? fraction : (fraction | 0x800000);
  const uint32_t shift = exponent == 0 ? 149 : 150 - exponent;
  *word = fmt::format("{:08x}{:06x}{:02x}", uint32_t(bias), mant, shift);
  return true;
}

std::string pack_requant(int32_t bias, QuantizedMultiplier qm) {
  return fmt::format("{:08x}{:08x}{:02x}", uint32_t(bias), uint32_t(qm.multiplier),
                     uint8_t(int8_t(qm.shift)));
}

}  // namespace rtlgen
