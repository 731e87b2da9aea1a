// Bit and element access on Verilator ports of any width.
//
// Verilator maps a port of W bits to CData (W <= 8), SData (<= 16), IData (<= 32),
// QData (<= 64) or VlWide<N> (N 32-bit words). PortRef erases that difference so drivers,
// monitors and testbenches can address "element i of ELEM_BITS bits" uniformly.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "verilated.h"

namespace rtlgen_sim {

// Sign-extends the low `bits` bits of v (1 <= bits <= 64).
inline int64_t sign_extend(uint64_t v, int bits) {
  if (bits >= 64) return static_cast<int64_t>(v);
  const uint64_t m = uint64_t{1} << (bits - 1);
  v &= (m << 1) - 1;
  return static_cast<int64_t>((v ^ m) - m);
}

// Mask of the low `bits` bits (0 <= bits <= 64).
inline uint64_t low_mask(int bits) { return bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1; }

// A non-owning reference to one Verilator port (or any signal exposed as a port).
class PortRef {
 public:
  PortRef() = default;
  PortRef(CData& p) : words_(&p), bytes_(1), nwords_(0) {}  // NOLINT(google-explicit-constructor)
  PortRef(SData& p) : words_(&p), bytes_(2), nwords_(0) {}  // NOLINT(google-explicit-constructor)
  PortRef(IData& p) : words_(&p), bytes_(4), nwords_(0) {}  // NOLINT(google-explicit-constructor)
  PortRef(QData& p) : words_(&p), bytes_(8), nwords_(0) {}  // NOLINT(google-explicit-constructor)
  template <std::size_t N>
  PortRef(VlWide<N>& p) : words_(p.data()), bytes_(0), nwords_(static_cast<int>(N)) {}  // NOLINT

  bool valid() const { return words_ != nullptr; }
  // Storage capacity in bits (>= the port's declared width).
  int capacity_bits() const { return bytes_ ? bytes_ * 8 : nwords_ * 32; }

  // Reads `width` (1..64) bits starting at bit `lsb`, zero-extended.
  uint64_t get(int lsb, int width) const {
    check(lsb, width);
    if (bytes_) return (load_scalar() >> lsb) & low_mask(width);
    const auto* w = static_cast<const uint32_t*>(words_);
    uint64_t r = 0;
    int got = 0;
    while (got < width) {
      const int bit = lsb + got;
      const int off = bit % 32;
      const int take = std::min(32 - off, width - got);
      const uint64_t chunk = (static_cast<uint64_t>(w[bit / 32]) >> off) & low_mask(take);
      r |= chunk << got;
      got += take;
    }
    return r;
  }
  // Reads `width` bits starting at `lsb`, sign-extended.
  int64_t get_signed(int lsb, int width) const { return sign_extend(get(lsb, width), width); }

  // Writes the low `width` (1..64) bits of v at bit `lsb`; other bits unchanged.
  void set(int lsb, int width, uint64_t v) {
    check(lsb, width);
    v &= low_mask(width);
    if (bytes_) {
      const uint64_t m = low_mask(width) << lsb;
      store_scalar((load_scalar() & ~m) | (v << lsb));
      return;
    }
    auto* w = static_cast<uint32_t*>(words_);
    int put = 0;
    while (put < width) {
      const int bit = lsb + put;
      const int off = bit % 32;
      const int take = std::min(32 - off, width - put);
      const uint32_t m = static_cast<uint32_t>(low_mask(take) << off);
      const uint32_t chunk = static_cast<uint32_t>(((v >> put) & low_mask(take)) << off);
      w[bit / 32] = (w[bit / 32] & ~m) | chunk;
      put += take;
    }
  }

  // Element i of a packed vector of `elem_bits`-bit elements (element i at [i*bits +: bits]).
  uint64_t elem(int i, int elem_bits) const { return get(i * elem_bits, elem_bits); }
  int64_t elem_signed(int i, int elem_bits) const { return get_signed(i * elem_bits, elem_bits); }
  void set_elem(int i, int elem_bits, uint64_t v) { set(i * elem_bits, elem_bits, v); }

  // Sets every bit to zero.
  void clear() {
    if (bytes_) {
      store_scalar(0);
      return;
    }
    auto* w = static_cast<uint32_t*>(words_);
    for (int i = 0; i < nwords_; ++i) w[i] = 0;
  }

 private:
  void check(int lsb, int width) const {
    if (!words_) throw std::logic_error("rtlgen_sim::PortRef: unbound port");
    if (width < 1 || width > 64 || lsb < 0 || lsb + width > capacity_bits())
      throw std::out_of_range("rtlgen_sim::PortRef: bits [" + std::to_string(lsb) + " +: " +
                              std::to_string(width) + "] outside a " +
                              std::to_string(capacity_bits()) + "-bit port");
  }
  uint64_t load_scalar() const {
    switch (bytes_) {
      case 1: return *static_cast<const uint8_t*>(words_);
      case 2: return *static_cast<const uint16_t*>(words_);
      case 4: return *static_cast<const uint32_t*>(words_);
      default: return *static_cast<const uint64_t*>(words_);
    }
  }
  void store_scalar(uint64_t v) {
    switch (bytes_) {
      case 1: *static_cast<uint8_t*>(words_) = static_cast<uint8_t>(v); break;
      case 2: *static_cast<uint16_t*>(words_) = static_cast<uint16_t>(v); break;
      case 4: *static_cast<uint32_t*>(words_) = static_cast<uint32_t>(v); break;
      default: *static_cast<uint64_t*>(words_) = v; break;
    }
  }

  void* words_ = nullptr;
  int bytes_ = 0;   // 1/2/4/8 for scalar ports, 0 for VlWide
  int nwords_ = 0;  // 32-bit words of a VlWide port
};

// Packs elements into a port: element i -> bits [i*elem_bits +: elem_bits] (masked).
inline void pack_elems(PortRef port, const std::vector<int64_t>& elems, int elem_bits) {
  for (std::size_t i = 0; i < elems.size(); ++i)
    port.set_elem(static_cast<int>(i), elem_bits, static_cast<uint64_t>(elems[i]));
}

// Unpacks n elements from a port, sign-extended if is_signed, else zero-extended.
inline std::vector<int64_t> unpack_elems(const PortRef& port, int n, int elem_bits,
                                         bool is_signed) {
  std::vector<int64_t> r(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i)
    r[static_cast<std::size_t>(i)] = is_signed ? port.elem_signed(i, elem_bits)
                                               : static_cast<int64_t>(port.elem(i, elem_bits));
  return r;
}

}  // namespace rtlgen_sim
