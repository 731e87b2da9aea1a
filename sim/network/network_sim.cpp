// Network-level cycle-accurate regression of one generated design.
//
// Checked phase: drives frames into <top>_sim with random idle cycles, applies random
// backpressure on the output, watches every layer's output stream (tap ports) and compares each
// beat with the golden model's tensor for that layer. With --jobs N the frames are split into N
// contiguous shares, each simulated by a process of its own (fork) on a fresh model, and the
// results are merged. Steady state: stall-free, back-to-back frames (also checked) give cycles
// per frame and latency, at least 3 of them because one frame only shows the pipeline latency.
// With enough frames (at least max(2, N) x --perf-frames) they are the first frames of the first
// share, which then runs on with stalls: every frame is simulated once, and the measurement costs
// no pipeline fill of its own. With fewer frames a separate measurement phase (in the parent,
// beside the shares) runs the inputs stall-free, repeated as needed.
// Writes sim_report.json. Exit status: 0 = bit-exact, 1 = mismatches, 2 = deadlock / protocol
// error / bad arguments. This file does not depend on the design (network_sim.hpp): the phases
// run on the verilated model in network_model.cpp.
#include "network_sim.hpp"

#include <fmt/format.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <new>
#include <nlohmann/json.hpp>
#include <thread>

#include "rtlgen/compile.hpp"
#include "rtlgen/error.hpp"
#include "rtlgen/file_util.hpp"
#include "rtlgen/frames.hpp"
#include "rtlgen/golden.hpp"
#include "rtlgen/hw_plan.hpp"
#include "rtlgen/network_io.hpp"
#include "rtlgen/sim_runner.hpp"

namespace fs = std::filesystem;
using namespace rtlgen;
using network_sim::Frame;
using network_sim::PhaseOptions;
using network_sim::PhaseResult;
using network_sim::TapCheck;
using json = nlohmann::ordered_json;

namespace {

// Fewest stall-free frames that give a steady-state figure: the spacing of output frames after
// the first one (which carries the pipeline fill) needs two more frames.
constexpr int kMinPerfFrames = 3;
// Share of the checked phase's cycles spent filling the pipeline above which its frames/s is
// reported as latency-dominated.
constexpr double kLatencyDominated = 0.25;

struct Options {
  std::string net, plan, mem_dir, inputs, labels, report = "sim_report.json", simulator;
  int frames = 0, skip = 0, random = 0, perf_frames = 8, jobs = 0;
  uint64_t seed = 1;
  double idle = 0.3, ready = 0.7;
  bool quiet = false;
  // rtlgen sim's profile-guided build: simulate the checked phase and nothing else (no
  // measurement phase, no report, no verdict), to record where the model spends its time.
  bool profile_training = false;
};

std::vector<Frame> load_sim_frames(const Options& o, const Network& net) {
  FrameSource src;
  src.inputs = o.inputs;  // file frames first, then --random N random frames
  src.labels = o.labels;
  src.max_frames = o.frames;
  src.skip = o.skip;
  src.random = o.random;
  src.seed = o.seed;
  Frames loaded = load_frames(net, src);
  std::vector<Frame> frames;
  for (size_t i = 0; i < loaded.inputs.size(); ++i)
    frames.push_back({std::move(loaded.inputs[i]), loaded.labels[i]});
  return frames;
}

double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// The golden model's view of some frames: every hardware layer's tensor and the output.
struct Expected {
  std::vector<TapCheck> checks;
  std::vector<int> argmax;
};

Expected golden_expected(const Network& net, const HwPlan& plan, const std::vector<Frame>& frames,
                         size_t first, size_t count, size_t frame_offset) {
  std::map<std::string, size_t> layer_index;
  for (size_t i = 0; i < net.layers.size(); ++i) layer_index[net.layers[i].name] = i;
  Expected e;
  e.checks.resize(plan.layers.size());
  for (size_t t = 0; t < plan.layers.size(); ++t) {
    e.checks[t].layer = plan.layers[t].layer;
    e.checks[t].frame_elems = size_t(plan.layers[t].out.shape.elements());
    e.checks[t].frame_offset = frame_offset;
  }
  for (size_t k = 0; k < count; ++k) {
    const auto outs = golden::run_network(net, frames[(first + k) % frames.size()].input);
    for (size_t t = 0; t < plan.layers.size(); ++t) {
      const auto& d = outs[layer_index.at(plan.layers[t].layer)].data;
      e.checks[t].expected.insert(e.checks[t].expected.end(), d.begin(), d.end());
    }
    const auto& o_data = outs[layer_index.at(plan.output.tensor)].data;
    e.argmax.push_back(int(std::max_element(o_data.begin(), o_data.end()) - o_data.begin()));
  }
  return e;
}

// Frames checked so far by every process, for the progress line (shared across fork()).
struct SharedCounters {
  static constexpr int kMax = 256;
  std::atomic<uint64_t> done[kMax];
};

SharedCounters* make_shared_counters() {
  void* p = mmap(nullptr, sizeof(SharedCounters), PROT_READ | PROT_WRITE,
                 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw Error("network_sim: mmap of the progress counters failed");
  return new (p) SharedCounters();
}

// "k/N frames checked, F frames/s, T s left": on a terminal one line rewritten twice a second,
// otherwise a plain line every 10 s; nothing with --quiet.
class FrameProgress {
 public:
  FrameProgress(size_t total, bool quiet)
      : total_(total),
        quiet_(quiet),
        tty_(isatty(STDOUT_FILENO) != 0),
        t0_(std::chrono::steady_clock::now()),
        last_(t0_) {}
  void update(size_t done) {
    if (quiet_) return;
    const auto now = std::chrono::steady_clock::now();
    if (std::chrono::duration<double>(now - last_).count() < (tty_ ? 0.5 : 10.0)) return;
    last_ = now;
    print(done);
  }
  void finish(size_t done) {
    if (quiet_) return;
    if (tty_) {
      print(done);
      fmt::print("\n");
    }
    std::fflush(stdout);
  }

 private:
  void print(size_t done) {
    const double t = seconds_since(t0_);
    const double fps = t > 0 ? double(done) / t : 0.0;
    const std::string left =
        fps > 0 && done < total_ ? fmt::format(", {:.0f} s left", double(total_ - done) / fps) : "";
    fmt::print("{}network_sim: {}/{} frames checked, {:.1f} frames/s{}{}", tty_ ? "\r\033[K" : "",
               done, total_, fps, left, tty_ ? "" : "\n");
    std::fflush(stdout);
  }
  size_t total_;
  bool quiet_, tty_;
  std::chrono::steady_clock::time_point t0_, last_;
};

// Deadlock or AXI-Stream protocol error in a phase: exit status 2.
class SimulationFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One process's share of the checked phase, as merged by the parent.
struct Share {
  size_t first = 0, count = 0;
  std::vector<uint64_t> mismatches, seen, expected;  // per hardware layer
  std::vector<std::string> first_mismatch;
  std::vector<int> hw_argmax, hw_class, golden_argmax;
  uint64_t cycles = 0;
  double seconds = 0, cpu_seconds = 0;
  // The stall-free prefix (PhaseOptions::stall_free_frames): the cycle of the first input and the
  // end of each prefix frame at the output and on every layer's stream.
  uint64_t first_input = 0;
  std::vector<uint64_t> prefix_frame_done;
  std::vector<std::vector<uint64_t>> prefix_layer_frame_end;
  std::string error;  // deadlock / protocol error: the run failed
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Share, first, count, mismatches, seen, expected, first_mismatch,
                                   hw_argmax, hw_class, golden_argmax, cycles, seconds, cpu_seconds,
                                   first_input, prefix_frame_done, prefix_layer_frame_end, error)

Share run_share(const Network& net, const HwPlan& plan, const std::vector<Frame>& frames,
                size_t first, size_t count, uint64_t seed, size_t stall_free_frames,
                const Options& o, uint64_t budget, const std::function<void(size_t)>& on_frame) {
  Share s;
  s.first = first;
  s.count = count;
  const double cpu0 = cpu_seconds();
  Expected e = golden_expected(net, plan, frames, first, count, first);
  s.golden_argmax = e.argmax;
  try {
    PhaseOptions po;
    po.idle = o.idle;
    po.ready = o.ready;
    po.seed = seed;
    po.budget_per_frame = budget;
    po.on_frame = on_frame;
    po.stall_free_frames = stall_free_frames;
    const PhaseResult r = network_sim::run_phase(plan, frames, first, count, e.checks, po);
    const auto prefix_of = [&](const std::vector<uint64_t>& ends) {
      return std::vector<uint64_t>(ends.begin(),
                                   ends.begin() + std::min(ends.size(), stall_free_frames));
    };
    s.first_input = r.first_input;
    s.prefix_frame_done = prefix_of(r.frame_done);
    for (const auto& c : e.checks) s.prefix_layer_frame_end.push_back(prefix_of(c.frame_end));
    s.hw_argmax = r.hw_argmax;
    s.hw_class = r.hw_class;
    s.cycles = r.cycles;
    s.seconds = r.seconds;
  } catch (const std::exception& ex) {  // deadlock, protocol error: reported by the parent
    s.error = ex.what();
  }
  for (const auto& c : e.checks) {
    s.mismatches.push_back(c.mismatches);
    s.seen.push_back(c.cursor);
    s.expected.push_back(c.expected.size());
    s.first_mismatch.push_back(c.first);
  }
  s.cpu_seconds = cpu_seconds() - cpu0;
  return s;
}

// The checked phase over all frames, split over `jobs` processes (jobs == 1: in this process);
// the first share starts with `stall_free_frames` frames without stalls.
std::vector<Share> run_checked(const Network& net, const HwPlan& plan,
                               const std::vector<Frame>& frames, const Options& o, size_t jobs,
                               size_t stall_free_frames, uint64_t budget,
                               const std::function<void()>& meanwhile, double* wall_seconds) {
  const size_t n = frames.size();
  FrameProgress progress(n, o.quiet);
  const auto t0 = std::chrono::steady_clock::now();
  if (jobs <= 1) {
    auto s = run_share(net, plan, frames, 0, n, o.seed, stall_free_frames, o, budget,
                       [&](size_t done) { progress.update(done); });
    *wall_seconds = seconds_since(t0);
    progress.finish(n);
    if (meanwhile) meanwhile();
    return {s};
  }
  SharedCounters* counters = make_shared_counters();
  std::vector<pid_t> pids;
  std::vector<std::string> files;
  std::fflush(stdout);
  std::fflush(stderr);
  for (size_t k = 0; k < jobs; ++k) {
    const size_t first = n * k / jobs, count = n * (k + 1) / jobs - first;
    files.push_back(fmt::format("{}.share{}.json", o.report, k));
    const pid_t pid = fork();
    if (pid < 0) throw Error("network_sim: fork failed");
    if (pid == 0) {
      int rc = 0;
      try {
        // Share k's stalls and backpressure come from its own seed (share 0: --seed itself).
        const Share s = run_share(net, plan, frames, first, count, o.seed + 7919 * k,
                                  k == 0 ? stall_free_frames : 0, o, budget,
                                  [&](size_t done) { counters->done[k].store(done); });
        std::ofstream(files.back()) << nlohmann::json(s).dump();
      } catch (const std::exception& ex) {
        fmt::print(stderr, "network_sim: share {}: {}\n", k, ex.what());
        rc = 2;
      }
      std::fflush(stdout);
      _exit(rc);
    }
    pids.push_back(pid);
  }
  if (meanwhile) meanwhile();  // the measurement phase runs while the shares are simulated
  auto total_done = [&] {
    size_t d = 0;
    for (size_t k = 0; k < jobs; ++k) d += counters->done[k].load();
    return d;
  };
  size_t running = jobs;
  std::vector<int> status(jobs, 0);
  while (running) {
    for (size_t k = 0; k < jobs; ++k) {
      if (pids[k] <= 0) continue;
      int st = 0;
      if (waitpid(pids[k], &st, WNOHANG) == pids[k]) {
        status[k] = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
        pids[k] = 0;
        --running;
      }
    }
    progress.update(total_done());
    if (running) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  *wall_seconds = seconds_since(t0);  // the measurement phase ran alongside
  progress.finish(total_done());
  munmap(counters, sizeof(SharedCounters));
  std::vector<Share> shares;
  for (size_t k = 0; k < jobs; ++k) {
    if (status[k] != 0 || !fs::exists(files[k]))
      throw Error(
          fmt::format("network_sim: the process simulating frames of share {} failed "
                      "(exit status {})",
                      k, status[k]));
    std::ifstream f(files[k]);
    shares.push_back(nlohmann::json::parse(f).get<Share>());
    fs::remove(files[k]);
  }
  return shares;
}

size_t default_jobs() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return size_t(std::max(1, CPU_COUNT(&set)));
  return std::max(1u, std::thread::hardware_concurrency());
}

int run(const Options& o) {
  // The network for the golden model; the plan the design was generated from (--plan, as
  // `rtlgen sim` passes it), else the network compiled here up to its plan (a harness run by
  // hand).
  Compiled compiled =
      compile(o.net, CompileOptions(o.plan.empty() ? CompileStage::Plan : CompileStage::Folding));
  if (!o.plan.empty()) compiled.plan = harness_plan_from_json(read_file_bytes(o.plan, "a plan"));
  const Network& net = compiled.net;
  const HwPlan& plan = compiled.plan;
  const std::vector<Frame> frames = load_sim_frames(o, net);
  if (frames.empty()) throw Error("no input frames");
  size_t jobs = o.jobs > 0 ? size_t(o.jobs) : default_jobs();
  if (std::getenv("RTLGEN_FST")) jobs = 1;  // one waveform: one process
  jobs = std::min(jobs, frames.size());
  // Steady state needs >= kMinPerfFrames stall-free frames. With enough frames (the first share
  // holds them all, and at least half of all frames still see stalls) they are the first frames
  // of the checked run; otherwise a measurement phase of their own repeats the inputs as needed.
  const size_t np = size_t(std::max(o.perf_frames, kMinPerfFrames));
  const bool prefix = frames.size() >= std::max<size_t>(2, jobs) * np;
  if (!o.quiet) {
    fmt::print("network_sim: {} ({} hardware layers), {} frames on {} process{}, {}\n", plan.top,
               plan.layers.size(), frames.size(), jobs, jobs > 1 ? "es" : "",
               o.simulator.empty() ? "Verilator" : o.simulator);
    if (prefix)
      fmt::print(
          "network_sim: the first {} frames run stall-free (cycles per frame), the other {} with "
          "random input idles and output backpressure\n",
          np, frames.size() - np);
    else if (np > frames.size())
      fmt::print(
          "network_sim: cycles per frame are measured on {} stall-free frames (the {} "
          "input frame{} repeated): fewer frames would only show the pipeline latency\n",
          np, frames.size(), frames.size() > 1 ? "s" : "");
    std::fflush(stdout);
  }

  fs::current_path(o.mem_dir);  // $readmemh file names are relative to the memory directory
  const uint64_t budget = uint64_t(std::max<int64_t>(plan.est_cycles_per_frame, 1000));
  if (o.profile_training) {
    const Share s = run_share(net, plan, frames, 0, frames.size(), o.seed, 0, o, budget, nullptr);
    if (!s.error.empty()) throw SimulationFailure(s.error);
    return 0;
  }

  // Measurement phase (stall-free, back-to-back, also checked) when the frames are too few for a
  // stall-free prefix: run while the shares of the checked phase are simulated by other processes.
  PhaseResult perf;
  std::vector<TapCheck> perf_checks;
  std::string perf_error;
  auto measure = [&] {
    perf_checks = golden_expected(net, plan, frames, 0, np, 0).checks;
    try {
      PhaseOptions po;  // stall-free
      po.seed = o.seed + 100;
      po.budget_per_frame = budget;
      perf = network_sim::run_phase(plan, frames, 0, np, perf_checks, po);
    } catch (const std::exception& e) {
      perf_error = e.what();
    }
  };
  double checked_wall = 0;  // golden model + simulation of every frame, all processes
  const std::vector<Share> shares =
      run_checked(net, plan, frames, o, jobs, prefix ? np : 0, budget,
                  prefix ? std::function<void()>() : measure, &checked_wall);
  for (const auto& s : shares)
    if (!s.error.empty()) throw SimulationFailure(s.error);
  if (!perf_error.empty()) throw SimulationFailure(perf_error);
  // The stall-free frames: each layer's frame ends and the output's.
  std::vector<std::vector<uint64_t>> perf_layer_ends;
  if (prefix) {
    perf.frame_done = shares[0].prefix_frame_done;
    perf.first_input = shares[0].first_input;
    perf.cycles = perf.frame_done.back() - perf.first_input;
    perf_layer_ends = shares[0].prefix_layer_frame_end;
  } else {
    for (const auto& c : perf_checks) perf_layer_ends.push_back(c.frame_end);
  }

  // Merge the shares (in frame order).
  const size_t nl = plan.layers.size();
  std::vector<uint64_t> layer_mismatches(nl, 0);
  std::vector<std::string> layer_first(nl);
  std::vector<uint64_t> layer_elements(nl, 0);
  uint64_t mismatches = 0;
  std::vector<int> hw_argmax, hw_class, golden_argmax;
  uint64_t checked_cycles = 0;
  double checked_cpu = 0;
  for (const auto& s : shares) {
    for (size_t i = 0; i < nl; ++i) {
      if (layer_first[i].empty() && !s.first_mismatch[i].empty())
        layer_first[i] = s.first_mismatch[i];
      layer_mismatches[i] += s.mismatches[i];
      layer_elements[i] += s.expected[i];
      if (s.seen[i] != s.expected[i]) {
        fmt::print("  {}: only {} of {} elements of frames {}..{} seen\n", plan.layers[i].layer,
                   s.seen[i], s.expected[i], s.first, s.first + s.count - 1);
        ++mismatches;
      }
    }
    hw_argmax.insert(hw_argmax.end(), s.hw_argmax.begin(), s.hw_argmax.end());
    hw_class.insert(hw_class.end(), s.hw_class.begin(), s.hw_class.end());
    golden_argmax.insert(golden_argmax.end(), s.golden_argmax.begin(), s.golden_argmax.end());
    checked_cycles += s.cycles;
    checked_cpu += s.cpu_seconds;
  }
  for (auto m : layer_mismatches) mismatches += m;
  // The hardware's class output (m_axis_tuser on tlast) against the golden argmax.
  uint64_t class_mismatches = 0;
  const bool classifies = network_sim::design_classifies();
  for (size_t i = 0; classifies && i < frames.size(); ++i) {
    const int got = i < hw_class.size() ? hw_class[i] : -1;
    if (got != golden_argmax[i]) {
      if (class_mismatches == 0)
        fmt::print("  class output: frame {} expected class {}, hardware m_axis_tuser {}\n", i,
                   golden_argmax[i], got);
      ++class_mismatches;
    }
  }
  mismatches += class_mismatches;
  for (const auto& c : perf_checks) mismatches += c.mismatches;

  // Per-layer and whole-pipeline steady state: spacing of frame ends after the first frame.
  auto steady = [](const std::vector<uint64_t>& ends) {
    return ends.size() >= 3 ? double(ends.back() - ends[1]) / double(ends.size() - 2) : 0.0;
  };
  std::vector<double> layer_cycles(nl, 0.0);
  for (size_t i = 0; i < nl; ++i) layer_cycles[i] = steady(perf_layer_ends[i]);
  const double cycles_per_frame = steady(perf.frame_done);
  const uint64_t latency = perf.frame_done.front() - perf.first_input;
  const double fps = double(frames.size()) / std::max(checked_wall, 1e-9);
  // Each process simulates the pipeline fill (about the latency) before its first output: with
  // few frames per process that is most of the checked phase, and its frames/s says more about
  // the latency than about the throughput.
  const double fill_fraction =
      std::min(1.0, double(latency) * double(jobs) / std::max(double(checked_cycles), 1.0));

  // Classification from the hardware's own output stream.
  int hw_correct = 0, golden_correct = 0, labelled = 0, argmax_agree = 0;
  for (size_t i = 0; i < frames.size(); ++i) {
    const int hw_arg = i < hw_argmax.size() ? hw_argmax[i] : -1;
    argmax_agree += hw_arg == golden_argmax[i];
    if (frames[i].label >= 0) {
      ++labelled;
      hw_correct += hw_arg == frames[i].label;
      golden_correct += golden_argmax[i] == frames[i].label;
    }
  }

  json j;
  j["top"] = plan.top;
  j["simulator"] = o.simulator.empty() ? "Verilator" : o.simulator;
  j["frames"] = frames.size();
  j["mismatches"] = mismatches;
  j["layers"] = json::array();
  for (size_t i = 0; i < nl; ++i)
    j["layers"].push_back({{"name", plan.layers[i].layer},
                           {"mismatches", layer_mismatches[i]},
                           {"first", layer_first[i]},
                           {"cycles_per_frame", layer_cycles[i]},
                           {"estimated_cycles_per_frame", plan.layers[i].est_cycles}});
  j["cycles_per_frame"] = cycles_per_frame;
  j["latency_cycles"] = latency;
  j["ideal_cycles_per_frame"] = plan.ideal_cycles_per_frame;
  j["estimated_cycles_per_frame"] = plan.est_cycles_per_frame;
  j["ratio_measured_to_ideal"] =
      cycles_per_frame / double(std::max<int64_t>(plan.ideal_cycles_per_frame, 1));
  j["estimate_error"] = (double(plan.est_cycles_per_frame) - cycles_per_frame) / cycles_per_frame;
  j["multipliers"] = plan.multipliers;
  j["sim_frames_per_second"] = fps;
  j["jobs"] = jobs;
  // The checked run: every frame, every process, the stall-free prefix included.
  j["checked_run"] = {{"frames", frames.size()},
                      {"cycles", checked_cycles},
                      {"seconds", checked_wall},
                      {"cpu_seconds", checked_cpu},
                      {"fill_fraction", fill_fraction},
                      {"latency_dominated", fill_fraction > kLatencyDominated}};
  // The part of it that ran with random input idles and output backpressure.
  j["stall_phase"] = {{"idle_probability", o.idle},
                      {"ready_probability", o.ready},
                      {"frames", frames.size() - (prefix ? np : 0)}};
  j["measurement_phase"] = {{"frames", np},
                            {"stall_free_prefix_of_checked_run", prefix},
                            {"input_frames_repeated", !prefix && np > frames.size()},
                            {"cycles", perf.cycles},
                            {"seconds", perf.seconds},
                            {"cpu_seconds", perf.cpu_seconds},
                            {"steady_state_intervals", np - 2}};
  j["argmax_agree_with_golden"] = argmax_agree;
  j["class_output"] = classifies ? (class_mismatches ? "MISMATCH" : "bit-exact") : "none";
  j["class_output_mismatches"] = class_mismatches;
  if (labelled) {
    j["labelled_frames"] = labelled;
    j["hw_accuracy"] = double(hw_correct) / labelled;
    j["golden_accuracy"] = double(golden_correct) / labelled;
  }
  std::ofstream(o.report) << j.dump(2) << "\n";

  for (size_t i = 0; i < nl; ++i) {
    fmt::print("  {:<28} {:>10} elements  {}", plan.layers[i].layer, layer_elements[i],
               layer_mismatches[i]
                   ? fmt::format("{} MISMATCHES, first: {}", layer_mismatches[i], layer_first[i])
                   : "bit-exact");
    if (layer_cycles[i] > 0)
      fmt::print("  {:.0f} cycles/frame (estimate {})", layer_cycles[i], plan.layers[i].est_cycles);
    fmt::print("\n");
  }
  fmt::print(
      "frames {}, mismatches {}, cycles/frame {:.1f} (ideal {}, ratio {:.3f}; estimate {}; "
      "steady state of {} stall-free frames), latency {} cycles, {} multipliers\n",
      frames.size(), mismatches, cycles_per_frame, plan.ideal_cycles_per_frame,
      cycles_per_frame / double(std::max<int64_t>(plan.ideal_cycles_per_frame, 1)),
      plan.est_cycles_per_frame, np, latency, plan.multipliers);
  fmt::print(
      "simulated {:.1f} frames/s with every layer checked ({} frames in {:.1f} s on {} "
      "process{}, {:.1f} CPU s)\n",
      fps, frames.size(), checked_wall, jobs, jobs > 1 ? "es" : "", checked_cpu + perf.cpu_seconds);
  if (fill_fraction > kLatencyDominated)
    fmt::print(
        "  that figure is latency-dominated: the pipeline fill ({} cycles, once per process) is "
        "{:.0f}% of the {} cycles simulated; cycles/frame above is the steady state\n",
        latency, 100.0 * fill_fraction, checked_cycles);
  if (classifies)
    fmt::print("class output (m_axis_tuser): {} of {} frames equal the golden argmax\n",
               frames.size() - class_mismatches, frames.size());
  if (labelled)
    fmt::print("accuracy: hardware {:.2f}%, golden {:.2f}% ({} labelled frames)\n",
               100.0 * hw_correct / labelled, 100.0 * golden_correct / labelled, labelled);
  return mismatches ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument("missing value after " + a);
      return argv[++i];
    };
    try {
      if (a == "--net")
        o.net = next();
      else if (a == "--plan")
        o.plan = next();
      else if (a == "--mem-dir")
        o.mem_dir = next();
      else if (a == "--inputs")
        o.inputs = next();
      else if (a == "--labels")
        o.labels = next();
      else if (a == "--report")
        o.report = next();
      else if (a == "--simulator")
        o.simulator = next();
      else if (a == "--frames")
        o.frames = std::stoi(next());
      else if (a == "--skip")
        o.skip = std::stoi(next());
      else if (a == "--random")
        o.random = std::stoi(next());
      else if (a == "--perf-frames")
        o.perf_frames = std::stoi(next());
      else if (a == "--jobs")
        o.jobs = std::stoi(next());
      else if (a == "--seed")
        o.seed = std::stoull(next());
      else if (a == "--idle")
        o.idle = std::stod(next());
      else if (a == "--ready")
        o.ready = std::stod(next());
      else if (a == "--quiet")
        o.quiet = true;
      else if (a == "--profile-training")
        o.profile_training = true;
      else {
        fmt::print(stderr, "network_sim: unknown argument '{}'\n", a);
        return 2;
      }
    } catch (const std::exception& e) {
      fmt::print(stderr, "network_sim: bad value for {}: {}\n", a, e.what());
      return 2;
    }
  }
  try {
    o.report = fs::absolute(o.report).string();
    o.net = fs::absolute(o.net).string();
    if (!o.plan.empty()) o.plan = fs::absolute(o.plan).string();
    if (!o.inputs.empty()) o.inputs = fs::absolute(o.inputs).string();
    if (!o.labels.empty()) o.labels = fs::absolute(o.labels).string();
    return run(o);
  } catch (const SimulationFailure& e) {
    fmt::print(stderr, "network_sim: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "network_sim: error: {}\n", e.what());
    return 2;
  }
}
