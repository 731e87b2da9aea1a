#include "rtlgen/folding.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "rtlgen/error.hpp"
#include "rtlgen/passes.hpp"

namespace rtlgen {
namespace {

std::vector<int> divisors(int n) {
  std::vector<int> d;
  for (int i = 1; i <= n; ++i)
    if (n % i == 0) d.push_back(i);
  return d;
}

// Cheapest first: fewest multipliers, then fewest output lanes (each lane of a weighted layer
// costs a 32-bit requantizer multiply), then fewest cycles.
bool cheaper(const FoldChoice& a, const FoldChoice& b) {
  if (a.multipliers != b.multipliers) return a.multipliers < b.multipliers;
  if (a.pe != b.pe) return a.pe < b.pe;
  return a.cycles < b.cycles;
}

// Result of choosing for one target T.
struct Attempt {
  bool ok = true;
  std::vector<int64_t> cycle_values;  // every candidate's cycles seen (next T values to try)
  std::string limiting;               // first stage that cannot reach T
  int64_t limiting_best = 0;
  FoldReport report;
};

Attempt attempt(const Network& net, int64_t target) {
  Attempt a;
  std::map<std::string, int> elems;
  elems[net.input.name] = net.input.shape.c * net.input.pixels_per_beat;
  const int64_t input_beats =
      net.input.shape.h * int64_t(net.input.shape.w) / net.input.pixels_per_beat;
  a.report.target_cycles = target;
  a.report.bottleneck = "input stream";
  a.report.bottleneck_cycles = input_beats;
  if (input_beats > target) {
    a.ok = false;
    a.limiting = fmt::format("input stream ({} pixel(s) per beat)", net.input.pixels_per_beat);
    a.limiting_best = input_beats;
  }
  for (const Layer& l : net.layers) {
    const int in_elems = elems.count(l.inputs[0]) ? elems.at(l.inputs[0]) : 1;
    std::vector<FoldChoice> cands = fold_candidates(net, l, in_elems);
    if (cands.empty()) {
      elems[l.name] = in_elems;  // reshape, softmax, ...: the stream passes through
      continue;
    }
    std::sort(cands.begin(), cands.end(), cheaper);
    for (const auto& c : cands) a.cycle_values.push_back(c.cycles);
    const FoldChoice* pick = nullptr;
    for (const auto& c : cands)
      if (c.cycles <= target) {
        pick = &c;
        break;
      }
    if (!pick) {
      const auto fastest = std::min_element(
          cands.begin(), cands.end(),
          [](const FoldChoice& x, const FoldChoice& y) { return x.cycles < y.cycles; });
      if (a.ok) {
        a.ok = false;
        a.limiting = fmt::format("layer '{}' ({})", l.name, to_string(l.op));
        a.limiting_best = fastest->cycles;
      }
      pick = &*fastest;
    }
    elems[l.name] = pick->out_elems;
    a.report.layers.push_back({l.name, *pick});
    a.report.multipliers += pick->multipliers;
    a.report.macs += l.macs;
    if (pick->cycles > a.report.bottleneck_cycles) {
      a.report.bottleneck_cycles = pick->cycles;
      a.report.bottleneck = l.name;
    }
  }
  return a;
}

void store(Network& net, const FoldReport& r) {
  for (const auto& [name, c] : r.layers)
    for (Layer& l : net.layers)
      if (l.name == name) {
        if (has_weights(l.op)) {
          l.folding.pe = c.pe;
          l.folding.simd = c.simd;
        } else if (l.op == OpKind::AveragePool2D || l.op == OpKind::MaxPool2D) {
          l.folding.pe = 0;
          l.folding.simd = c.simd;
        }
      }
}

}  // namespace

bool is_pointwise(const Layer& l) {
  return l.op == OpKind::Conv2D && l.kernel_h == 1 && l.kernel_w == 1 && l.stride_h == 1 &&
         l.stride_w == 1 && l.pads.top == 0 && l.pads.bottom == 0 && l.pads.left == 0 &&
         l.pads.right == 0;
}

std::vector<FoldChoice> fold_candidates(const Network& net, const Layer& l, int in_elems) {
  std::vector<FoldChoice> out;
  const Shape in = net.shape_of(l.inputs[0]);
  const int64_t in_beats = in.elements() / std::max(in_elems, 1);
  const int64_t px = int64_t(l.out_shape.h) * l.out_shape.w;
  const int kk = l.kernel_h * l.kernel_w;
  auto joins = [&](int simd) { return simd % in_elems == 0 || in_elems % simd == 0; };
  switch (l.op) {
    case OpKind::Conv2D:
    case OpKind::FullyConnected: {
      const int mh = output_channels(l), mw = vector_length(net, l);
      const bool direct = l.op == OpKind::FullyConnected || is_pointwise(l);
      const int64_t vectors = l.op == OpKind::FullyConnected ? 1 : px;
      std::vector<int> simds;
      if (direct) {
        for (int d : divisors(mw))
          if (joins(d)) simds.push_back(d);
      } else {
        simds = divisors(in.c);
        for (int k = 2; k * in.c <= mw; ++k)
          if (mw % (k * in.c) == 0) simds.push_back(k * in.c);
      }
      for (int pe : divisors(mh))
        for (int simd : simds) {
          FoldChoice c;
          c.pe = pe;
          c.simd = simd;
          c.multipliers = pe * simd;
          c.cycles = std::max(vectors * (mh / pe) * (mw / simd), in_beats);
          c.out_elems = pe;
          out.push_back(c);
        }
      break;
    }
    case OpKind::DepthwiseConv2D:
      if (l.depth_multiplier != 1) break;  // no RTL: the planner reports it
      for (int pe : divisors(in.c)) {
        FoldChoice c;
        c.pe = pe;
        c.simd = 1;
        c.multipliers = pe;
        c.cycles = std::max(px * (in.c / pe) * kk, in_beats);
        c.out_elems = pe;
        out.push_back(c);
      }
      break;
    case OpKind::AveragePool2D:
    case OpKind::MaxPool2D:
      for (int simd : divisors(in.c)) {
        FoldChoice c;
        c.pe = c.simd = simd;
        c.multipliers = 0;
        c.cycles = std::max(px * (in.c / simd) * kk, in_beats);
        c.out_elems = simd;
        out.push_back(c);
      }
      break;
    case OpKind::Mean: {
      FoldChoice c;
      c.pe = c.simd = in_elems;
      c.cycles = in_beats + in.c / in_elems;
      c.out_elems = in_elems;
      out.push_back(c);
      break;
    }
    default:
      break;
  }
  return out;
}

// Input pixels per beat the hardware can take: the width must split evenly, and every reader of
// the input must accept several pixels per beat (line buffers; width-converted vector inputs).
static std::vector<int> input_widths(const Network& net) {
  std::vector<int> out = {1};
  for (const Layer& l : net.layers)
    for (const auto& in : l.inputs)
      if (in == net.input.name && !(l.op == OpKind::Conv2D || l.op == OpKind::DepthwiseConv2D ||
                                    l.op == OpKind::AveragePool2D || l.op == OpKind::MaxPool2D ||
                                    l.op == OpKind::FullyConnected))
        return out;
  for (int p = 2; p <= kMaxInputPixelsPerBeat && p <= net.input.shape.w; ++p)
    if (net.input.shape.w % p == 0) out.push_back(p);
  return out;
}

static FoldReport choose_folding_for_width(Network& net, const FoldTarget& target);

FoldReport choose_folding(Network& net, const FoldTarget& target) {
  // The input stream width is part of the folding: try each, keep the fastest (then cheapest;
  // then the narrowest input).
  const std::vector<int> widths = input_widths(net);
  FoldReport best;
  int best_width = 0;
  std::string last_error;
  for (int w : widths) {
    net.input.pixels_per_beat = w;
    try {
      const FoldReport r = choose_folding_for_width(net, target);
      const bool better = best_width == 0 ||
                          (target.target_fps > 0  // a frame rate: the cheapest design reaching it
                               ? r.multipliers < best.multipliers
                               : r.bottleneck_cycles < best.bottleneck_cycles ||
                                     (r.bottleneck_cycles == best.bottleneck_cycles &&
                                      r.multipliers < best.multipliers));
      if (better) {
        best = r;
        best_width = w;
      }
    } catch (const Error& e) {
      if (last_error.empty()) last_error = e.what();
    }
  }
  if (best_width == 0) throw Error(last_error);
  net.input.pixels_per_beat = best_width;
  return choose_folding_for_width(net, target);  // stores the winner's folding
}

static FoldReport choose_folding_for_width(Network& net, const FoldTarget& target) {
  if (target.target_fps > 0) {
    if (!(target.clock_mhz > 0))
      throw Error(fmt::format("fold: clock {} MHz must be positive", target.clock_mhz));
    const auto t = int64_t(std::floor(target.clock_mhz * 1e6 / target.target_fps));
    const Attempt a = attempt(net, t);
    if (!a.ok)
      throw Error(fmt::format(
          "fold: {} frames/s at {} MHz needs <= {} cycles per frame, but {} needs at least {} "
          "cycles (at most {:.1f} frames/s); lower the target frame rate",
          target.target_fps, target.clock_mhz, t, a.limiting, a.limiting_best,
          target.clock_mhz * 1e6 / double(a.limiting_best)));
    if (target.max_multipliers > 0 && a.report.multipliers > target.max_multipliers)
      throw Error(fmt::format("fold: {} frames/s needs {} multipliers, more than the budget of {}",
                              target.target_fps, a.report.multipliers, target.max_multipliers));
    store(net, a.report);
    return a.report;
  }
  if (target.max_multipliers <= 0)
    throw Error(
        "fold: give a multiplier budget (--max-multipliers) or a frame rate (--target-fps)");
  // Upper end: every layer at its cheapest folding.
  const Attempt slowest = attempt(net, std::numeric_limits<int64_t>::max());
  if (slowest.report.multipliers > target.max_multipliers)
    throw Error(
        fmt::format("fold: the network needs at least {} multipliers (one per weighted "
                    "layer); the budget is {}",
                    slowest.report.multipliers, target.max_multipliers));
  int64_t lo = 1, hi = slowest.report.bottleneck_cycles;  // hi is always feasible
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo) / 2;
    const Attempt a = attempt(net, mid);
    if (a.ok && a.report.multipliers <= target.max_multipliers)
      hi = mid;
    else
      lo = mid + 1;
  }
  Attempt best = attempt(net, hi);
  const double floor_u = target.min_utilisation;
  if (floor_u > 0 && best.report.utilisation() < floor_u) {
    // Walk up through the next bottleneck values (every one is some candidate's cycle count)
    // until a folding reaches the floor; the cost only falls as T grows.
    const int64_t top = slowest.report.bottleneck_cycles;
    Attempt a = best;
    while (a.report.bottleneck_cycles < top) {
      int64_t next = std::numeric_limits<int64_t>::max();
      for (int64_t c : a.cycle_values)
        if (c > a.report.bottleneck_cycles) next = std::min(next, c);
      if (next == std::numeric_limits<int64_t>::max()) break;
      a = attempt(net, next);
      if (a.ok && a.report.utilisation() >= floor_u) {
        a.report.fastest_cycles = best.report.bottleneck_cycles;
        a.report.fastest_multipliers = best.report.multipliers;
        best = a;
        break;
      }
    }
  }
  store(net, best.report);
  return best.report;
}

}  // namespace rtlgen
