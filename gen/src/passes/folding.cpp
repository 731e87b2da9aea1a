#include "rtlgen/folding.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <tuple>

#include "ops/op.hpp"
#include "rtlgen/error.hpp"
#include "rtlgen/passes.hpp"

namespace rtlgen {
namespace {

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

using Forced = std::map<std::string, FoldChoice>;

// Every layer at its cheapest folding within `target`, except the `forced` ones.
Attempt attempt_plain(const Network& net, int64_t target, const Forced& forced) {
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
    FoldChoice shared;
    if (auto f = forced.find(l.name); f != forced.end()) {
      // a member of a shared depthwise unit: its stage is the unit (or its input stream)
      shared = f->second;
      const int64_t in_beats = stream_shape(net, l.inputs[0]).elements() / std::max(in_elems, 1);
      shared.cycles = std::max(shared.cycles, in_beats);
      if (shared.cycles <= target) pick = &shared;
    }
    for (const auto& c : cands)
      if (!pick && c.cycles <= target) {
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

int gcd(int a, int b) { return b == 0 ? a : gcd(b, a % b); }

// Packs the light depthwise layers of `r` (folded for `target`) into shared units; fills
// `forced` with the members' choices. False when sharing saves nothing.
bool plan_sharing(const Network& net, const FoldReport& r, int64_t target, Forced& forced,
                  std::vector<SharedUnit>& units) {
  struct Cand {
    std::string name;
    const Layer* layer = nullptr;
    int channels = 0;
    int own = 0;       // multipliers of its own unit
    int64_t work = 0;  // busy cycles at the PE being tried
  };
  // Members of one unit share the tap count and the element types (template parameters).
  std::map<std::tuple<int, int, int>, std::vector<Cand>> groups;
  for (const auto& [name, c] : r.layers) {
    const Layer* l = net.find(name);
    if (!l || !op_def(l->op).takes_shared_unit() || l->depth_multiplier != 1 || c.multipliers <= 0)
      continue;
    const double u = double(l->macs) / (double(c.multipliers) * double(target));
    if (u >= kShareBelowUtilisation) continue;
    const int taps = l->kernel_h * l->kernel_w;
    const auto key =
        std::make_tuple(taps, int(net.quant_of(l->inputs[0]).dtype), int(l->weight_dtype));
    groups[key].push_back({name, l, l->out_shape.c, c.multipliers, 0});
  }
  const auto capacity = int64_t(std::floor(kSharedUnitMaxLoad * double(target)));
  for (auto& [key, cands] : groups) {
    if (cands.size() < 2) continue;
    int g = 0;
    int own_total = 0;
    for (const auto& c : cands) {
      g = gcd(g, c.channels);
      own_total += c.own;
    }
    int best_cost = own_total, best_units = 0;
    std::vector<std::vector<const Cand*>> best_bins;
    int best_pe = 0;
    for (int pe : divisors(g)) {
      std::vector<const Cand*> items;
      int cost = 0;
      for (auto& c : cands) {
        c.work = depthwise_busy_cycles(*c.layer, pe);
        if (c.work <= capacity)
          items.push_back(&c);
        else
          cost += c.own;
      }
      std::stable_sort(items.begin(), items.end(),
                       [](const Cand* a, const Cand* b) { return a->work > b->work; });
      std::vector<std::vector<const Cand*>> bins;
      std::vector<int64_t> load;
      for (const Cand* c : items) {
        size_t b = 0;
        while (b < bins.size() &&
               (load[b] + c->work > capacity || int(bins[b].size()) >= kMaxSharedLayers))
          ++b;
        if (b == bins.size()) {
          bins.emplace_back();
          load.push_back(0);
        }
        bins[b].push_back(c);
        load[b] += c->work;
      }
      int n_units = 0;
      for (const auto& bin : bins) {
        if (bin.size() >= 2) {
          cost += pe;
          ++n_units;
        } else {
          cost += bin[0]->own;
        }
      }
      if (cost < best_cost || (cost == best_cost && n_units > 0 && n_units < best_units)) {
        best_cost = cost;
        best_units = n_units;
        best_pe = pe;
        best_bins.clear();
        for (const auto& bin : bins)
          if (bin.size() >= 2) best_bins.push_back(bin);
      }
    }
    for (const auto& bin : best_bins) {
      SharedUnit u;
      u.name = fmt::format("shared_dw{}", units.size());
      u.pe = best_pe;
      for (const auto& [name, c] : r.layers)  // members in stream order
        for (const Cand* m : bin)
          if (m->name == name) {
            u.layers.push_back(name);
            u.cycles += depthwise_busy_cycles(*m->layer, best_pe);
          }
      for (size_t i = 0; i < u.layers.size(); ++i) {
        FoldChoice c;
        c.pe = best_pe;
        c.simd = 1;
        c.cycles = u.cycles;
        c.multipliers = i + 1 == u.layers.size() ? best_pe : 0;
        c.out_elems = best_pe;
        c.share = u.name;
        forced[u.layers[i]] = c;
      }
      units.push_back(u);
    }
  }
  return !units.empty();
}

Attempt attempt(const Network& net, int64_t target, bool share) {
  Attempt a = attempt_plain(net, target, {});
  if (!share || !a.ok) return a;
  Forced forced;
  std::vector<SharedUnit> units;
  if (!plan_sharing(net, a.report, target, forced, units)) return a;
  Attempt b = attempt_plain(net, target, forced);
  if (!b.ok || b.report.multipliers >= a.report.multipliers) return a;
  b.report.shared = units;
  return b;
}

void store(Network& net, const FoldReport& r) {
  for (const auto& [name, c] : r.layers)
    for (Layer& l : net.layers)
      if (l.name == name) {
        if (has_weights(l.op)) {
          l.folding.pe = c.pe;
          l.folding.simd = c.simd;
          l.folding.share = c.share;
        } else if (l.op == OpKind::AveragePool2D || l.op == OpKind::MaxPool2D) {
          l.folding.pe = 0;
          l.folding.simd = c.simd;
        }
      }
}

}  // namespace

std::vector<FoldChoice> fold_candidates(const Network& net, const Layer& l, int in_elems) {
  return op_def(l.op).fold_candidates(net, l, in_elems);
}

// Input pixels per beat the hardware can take: the width must split evenly, and every reader of
// the input must accept several pixels per beat (line buffers; width-converted vector inputs).
static std::vector<int> input_widths(const Network& net) {
  std::vector<int> out = {1};
  for (const Layer& l : net.layers)
    for (const auto& in : l.inputs)
      if (in == net.input.name && !op_def(l.op).takes_wide_input()) return out;
  for (int p = 2; p <= kMaxInputPixelsPerBeat && p <= net.input.shape.w; ++p)
    if (net.input.shape.w % p == 0) out.push_back(p);
  return out;
}

static FoldReport choose_folding_for_width(Network& net, const FoldTarget& target);

FoldReport choose_folding(Network& net, const FoldTarget& target) {
  if (!target.device.empty()) return fold_to_device(net, target);
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
    if (!(target.clock_mhz > 0) || !std::isfinite(target.clock_mhz))
      throw Error(fmt::format("fold: clock {} MHz must be a positive number", target.clock_mhz));
    if (!(target.target_fps > 0) || !std::isfinite(target.target_fps))
      throw Error(
          fmt::format("fold: target {} frames/s must be a positive number", target.target_fps));
    // Cycles per frame allowed; a very slow target (1e-12 frames/s) allows any folding. The
    // bound keeps the float-to-int conversion defined.
    const double allowed = std::floor(target.clock_mhz * 1e6 / target.target_fps);
    const int64_t t = allowed >= 9.0e18 ? std::numeric_limits<int64_t>::max() : int64_t(allowed);
    const Attempt a = attempt(net, t, target.share_depthwise);
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
  const Attempt slowest = attempt(net, std::numeric_limits<int64_t>::max(), target.share_depthwise);
  if (slowest.report.multipliers > target.max_multipliers)
    throw Error(fmt::format(
        "fold: the network needs at least {} multipliers (one per weighted layer{}); the budget "
        "is {}",
        slowest.report.multipliers,
        slowest.report.shared.empty() ? "" : ", one for all light depthwise layers",
        target.max_multipliers));
  // hi is always feasible: the slowest folding, with its shared units loaded within the limit
  int64_t hi = slowest.report.bottleneck_cycles;
  for (const auto& u : slowest.report.shared)
    hi = std::max(hi, int64_t(std::ceil(double(u.cycles) / kSharedUnitMaxLoad)) + 1);
  const int64_t top = hi;
  int64_t lo = 1;
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo) / 2;
    const Attempt a = attempt(net, mid, target.share_depthwise);
    if (a.ok && a.report.multipliers <= target.max_multipliers)
      hi = mid;
    else
      lo = mid + 1;
  }
  Attempt best = attempt(net, hi, target.share_depthwise);
  const double floor_u = target.min_utilisation;
  if (floor_u > 0 && best.report.utilisation() < floor_u) {
    // Walk up through the next bottleneck values (every one is some candidate's cycle count)
    // until a folding reaches the floor; the cost only falls as T grows.
    Attempt a = best;
    while (a.report.bottleneck_cycles < top) {
      int64_t next = std::numeric_limits<int64_t>::max();
      for (int64_t c : a.cycle_values)
        if (c > a.report.bottleneck_cycles) next = std::min(next, c);
      if (next == std::numeric_limits<int64_t>::max()) break;
      a = attempt(net, next, target.share_depthwise);
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
