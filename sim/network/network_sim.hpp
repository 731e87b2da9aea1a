// The two halves of the network harness (network_sim):
//   network_sim.cpp    options, frames, golden model, --jobs processes, merging, report. It does
//                      not depend on the design, so `rtlgen sim` compiles it once per compiler,
//                      optimisation level and harness source and keeps the object in its cache.
//   network_model.cpp  one simulation phase on the verilated model (Vnet.h, rtlgen_taps.hpp):
//                      compiled with each design.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "rtlgen/hw_plan.hpp"
#include "rtlgen/tensor.hpp"

namespace network_sim {

struct Frame {
  rtlgen::Tensor input;
  int label = -1;
};

// One hardware layer's output stream, checked beat by beat against the golden model.
struct TapCheck {
  std::string layer;
  std::vector<int32_t> expected;  // all frames of the phase, stream order
  size_t cursor = 0;
  uint64_t mismatches = 0;
  std::string first;
  size_t frame_elems = 0;
  size_t frame_offset = 0;          // global index of the phase's first frame (messages)
  std::vector<uint64_t> frame_end;  // cycle of each frame's last element on this stream
};

struct PhaseResult {
  std::vector<uint64_t> frame_done;  // cycle of each output tlast
  uint64_t first_input = 0;
  uint64_t cycles = 0;
  double seconds = 0, cpu_seconds = 0;
  std::vector<int> hw_class;   // m_axis_tuser at each tlast (classifiers)
  std::vector<int> hw_argmax;  // argmax of the output stream, per frame
};

// Options of one phase: stall probabilities, seed of the stall pattern, cycle budget per frame,
// and a callback after each output frame (progress). The first `stall_free_frames` frames run
// without input idles or output backpressure (the stalls start once that many output frames are
// done), so that they give the steady state while the rest of the phase tests the handshakes:
// one pipeline fill for both.
struct PhaseOptions {
  double idle = 0.0, ready = 1.0;
  size_t stall_free_frames = 0;
  uint64_t seed = 1;
  uint64_t budget_per_frame = 1000;
  std::function<void(size_t)> on_frame;
};

// One simulation phase (network_model.cpp): `count` frames (frames[(first + k) % n]) through a
// fresh model, every tap compared with checks[i] as it streams. Throws (rtlgen_sim::DeadlockError,
// ProtocolError) on deadlock or a protocol error.
PhaseResult run_phase(const rtlgen::HwPlan& plan, const std::vector<Frame>& frames, size_t first,
                      size_t count, std::vector<TapCheck>& checks, const PhaseOptions& opt);

// Whether the design's m_axis_tuser carries the argmax class (network_model.cpp).
bool design_classifies();

}  // namespace network_sim
