// Deterministic, platform-independent random numbers for testbenches (xoshiro256**,
// seeded through splitmix64). Unlike std::uniform_int_distribution the sequence is identical
// on every standard library, so a failing seed reproduces everywhere.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>

namespace rtlgen_sim {

class Rng {
 public:
  explicit Rng(uint64_t seed = 1) { reseed(seed); }

  void reseed(uint64_t seed) {
    uint64_t x = seed;
    for (auto& s : s_) s = splitmix64(x);
  }

  uint64_t next_u64() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  uint32_t next_u32() { return static_cast<uint32_t>(next_u64() >> 32); }

  // Uniform integer in [lo, hi] (inclusive); lo <= hi.
  int64_t uniform(int64_t lo, int64_t hi) {
    const uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo) + 1;
    if (span == 0) return static_cast<int64_t>(next_u64());  // full 64-bit range
    // Rejection sampling: no modulo bias.
    const uint64_t limit = ~uint64_t{0} - (~uint64_t{0} % span);
    uint64_t r;
    do r = next_u64();
    while (r >= limit);
    return static_cast<int64_t>(static_cast<uint64_t>(lo) + r % span);
  }
  // Uniform double in [0, 1).
  double uniform01() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  // True with probability p.
  bool chance(double p) { return p > 0.0 && (p >= 1.0 || uniform01() < p); }

  // A random value of an element type: `bits` wide, signed or unsigned.
  int64_t element(int bits, bool is_signed) {
    return is_signed ? uniform(-(int64_t{1} << (bits - 1)), (int64_t{1} << (bits - 1)) - 1)
                     : uniform(0, (int64_t{1} << bits) - 1);
  }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static uint64_t splitmix64(uint64_t& x) {
    uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  uint64_t s_[4];
};

// The seed from environment variable RTLGEN_SEED if set (decimal or 0x hex), else `fallback`.
inline uint64_t seed_from_env(uint64_t fallback) {
  const char* s = std::getenv("RTLGEN_SEED");
  if (!s || !*s) return fallback;
  return std::strtoull(s, nullptr, 0);
}

}  // namespace rtlgen_sim
