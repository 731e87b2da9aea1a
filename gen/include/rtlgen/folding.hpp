// Automatic folding: chooses PE / SIMD per layer so that the streaming pipeline meets a cycle
// budget per frame (a target frame rate) or uses at most a number of multipliers.
//
// The rule. Every hardware stage of the dataflow pipeline runs concurrently, so a frame takes
// as long as the slowest stage (the bottleneck). For a target of T cycles per frame each layer
// independently takes the cheapest folding (fewest multipliers, then fewest output lanes) whose
// own cycles per frame are <= T; this balances the pipeline (every stage just fits T, none is
// much faster than it needs to be). For a multiplier budget B the smallest T whose cheapest
// foldings add up to <= B multipliers is found by bisection (the cost is monotone in T).
//
// Utilisation floor. Divisibility can make the last few percent of speed expensive (LeNet: 784
// instead of 800 cycles per frame costs 710 instead of 526 multipliers). With a budget, when the
// fastest folding's utilisation U = MACs / (multipliers x bottleneck cycles) is below
// min_utilisation (default 0.85), the fastest folding with U >= min_utilisation is taken
// instead (the next larger T values are tried in order); if none exists, the fastest. 0 turns
// the floor off (always the fastest). A frame-rate target is always met at the lowest cost.
//
// Divisibility. PE must divide the output channels (MH) and SIMD the reduction length per beat:
// a divisor of the input channels, or for convolutions a multiple of the input channels that
// divides K_H*K_W*C (several taps per beat, first layers). Stream widths between stages must
// divide one another (a width converter joins them). Non-divisible shapes are never padded:
// the folding falls back to the nearest smaller divisor, which is why a budget can be left
// partly unused.
//
// Shared depthwise units. A depthwise layer does K_H*K_W MACs per output element, so late
// MobileNet layers need a small fraction of one multiplier at the pipeline's frame rate, yet a
// unit of its own holds at least one. For each target T, the depthwise layers whose own folding
// uses its multipliers less than kShareBelowUtilisation are packed (first-fit decreasing, the
// same lane count PE for all, PE dividing every member's channels) into rtlgen_dwu_shared units
// whose total busy cycles B = sum (C/PE)*K_H*K_W*windows stay <= kSharedUnitMaxLoad * T; the PE
// with the fewest lanes in total wins (then the fewest units). Sharing is kept only when it
// saves multipliers and every later layer still folds within T. A unit's multipliers are
// reported on its last member; the others report 0.
//
// Folding to a device. With a device, the multiplier budget B becomes the unknown: for each B
// the budget rule above gives a folding, the hardware plan of that folding is estimated by the
// resource model (rtlgen/resource_model.hpp, the same numbers report.json and generate use),
// and the largest B whose estimate fits every resource of the device at `fill` is taken
// (bisection over B; a larger budget never gives a slower pipeline). When even one multiplier
// per layer does not fit, the error names each resource and by how much; when the weights
// exceed all on-chip memory of the device, it says so with both bit counts.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rtlgen/ir.hpp"

namespace rtlgen {

// Multiplier budget `rtlgen import` writes into the YAML, and used for a .tflite given directly.
constexpr int64_t kDefaultMaxMultipliers = 512;
// Utilisation floor for a budget (see above) unless told otherwise.
constexpr double kDefaultMinUtilisation = 0.85;
// Depthwise layers below this own utilisation are candidates for a shared unit.
constexpr double kShareBelowUtilisation = 0.85;
// Busy cycles of a shared depthwise unit per frame, as a fraction of the target T at most: the
// round-robin unit serves bursty line-buffer streams, the slack keeps it off the critical path.
constexpr double kSharedUnitMaxLoad = 0.9;
// At most this many layers share one unit (its input multiplexer and scheduler grow with it).
constexpr int kMaxSharedLayers = 16;
// Fraction of each device resource `fold --device` fills unless told otherwise.
constexpr double kDefaultDeviceFill = 0.8;
// Widest input stream the folding considers, in pixels per beat.
constexpr int kMaxInputPixelsPerBeat = 8;

// One way to fold one layer.
struct FoldChoice {
  int pe = 1, simd = 1;
  int64_t cycles = 0;   // per frame, this stage alone (compute or stream bound)
  int multipliers = 0;  // pe * simd for weighted layers, 0 for pooling
  int out_elems = 1;    // elements per beat of the layer's output stream
  std::string share;    // depthwise: shared unit it belongs to ("" = its own)
};

// A depthwise unit shared by several layers.
struct SharedUnit {
  std::string name;
  int pe = 1;
  int64_t cycles = 0;  // busy cycles per frame, all members together
  std::vector<std::string> layers;
};

struct FoldTarget {
  int64_t max_multipliers = 0;  // > 0: multiplier budget
  double target_fps = 0;        // > 0: frames per second at clock_mhz
  double clock_mhz = 200.0;
  double min_utilisation =
      kDefaultMinUtilisation;   // budget mode: see "Utilisation floor" above; 0 = off
  bool share_depthwise = true;  // see "Shared depthwise units" above
  // Device mode (see "Folding to a device" above): the fastest folding whose resource estimate
  // fits every resource of `device` at `fill`.
  std::string device;
  double fill = kDefaultDeviceFill;
};

struct FoldReport {
  int64_t target_cycles = 0;  // the T the foldings were chosen for
  int64_t bottleneck_cycles = 0;
  std::string bottleneck;  // layer name (or "input stream")
  int64_t multipliers = 0;
  int64_t macs = 0;
  std::vector<std::pair<std::string, FoldChoice>> layers;  // hardware layers, in order
  std::vector<SharedUnit> shared;                          // shared depthwise units
  // Budget mode: the fastest folding within the budget, when the utilisation floor made the
  // choice slower (0 otherwise).
  int64_t fastest_cycles = 0;
  int64_t fastest_multipliers = 0;
  // Device mode: the device, the fill, and the fit of the chosen folding (one line).
  std::string device;
  double fill = 0;
  std::string device_fit;
  double utilisation() const {
    return multipliers > 0 && bottleneck_cycles > 0
               ? double(macs) / (double(multipliers) * double(bottleneck_cycles))
               : 0.0;
  }
};

// Every folding the templates accept for layer `l` whose input stream carries `in_elems`
// elements per beat (empty for layers without hardware, e.g. reshape / softmax).
std::vector<FoldChoice> fold_candidates(const Network& net, const Layer& l, int in_elems);

// Device mode of choose_folding (target.device set): also sets net.device.
FoldReport fold_to_device(Network& net, const FoldTarget& target);

// Chooses and stores `folding` for every layer of a prepared network. Throws rtlgen::Error
// when the target cannot be met (naming the stage that limits it).
FoldReport choose_folding(Network& net, const FoldTarget& target);

}  // namespace rtlgen
