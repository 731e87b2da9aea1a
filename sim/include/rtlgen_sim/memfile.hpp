// Writing $readmemh files from testbenches.
#pragma once

#include <cstdint>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace rtlgen_sim {

// A memory word of arbitrary width, built from fields (LSB first).
class MemWord {
 public:
  explicit MemWord(int bits) : bits_(bits), words_((static_cast<std::size_t>(bits) + 31) / 32, 0) {}
  // Sets bits [lsb +: width] (width <= 64) to the low bits of v.
  void set(int lsb, int width, uint64_t v) {
    if (lsb < 0 || width < 1 || width > 64 || lsb + width > bits_)
      throw std::out_of_range("MemWord::set: field outside the word");
    for (int i = 0; i < width; ++i) {
      const int b = lsb + i;
      const uint32_t m = uint32_t{1} << (b % 32);
      if ((v >> i) & 1)
        words_[static_cast<std::size_t>(b / 32)] |= m;
      else
        words_[static_cast<std::size_t>(b / 32)] &= ~m;
    }
  }
  bool bit(int b) const { return (words_[static_cast<std::size_t>(b / 32)] >> (b % 32)) & 1; }
  int bits() const { return bits_; }
  // Hex, most significant digit first, ceil(bits/4) digits.
  std::string hex() const {
    static const char* digits = "0123456789abcdef";
    const int n = (bits_ + 3) / 4;
    std::string s(static_cast<std::size_t>(n), '0');
    for (int d = 0; d < n; ++d) {
      int v = 0;
      for (int i = 0; i < 4; ++i) {
        const int b = d * 4 + i;
        if (b < bits_ && bit(b)) v |= 1 << i;
      }
      s[static_cast<std::size_t>(n - 1 - d)] = digits[v];
    }
    return s;
  }

 private:
  int bits_;
  std::vector<uint32_t> words_;
};

// Writes one word per line (for $readmemh).
inline void write_memh(const std::string& path, const std::vector<MemWord>& words) {
  std::ofstream f(path);
  if (!f) throw std::runtime_error("write_memh: cannot open " + path);
  for (const auto& w : words) f << w.hex() << "\n";
  if (!f) throw std::runtime_error("write_memh: write failed for " + path);
}

}  // namespace rtlgen_sim
