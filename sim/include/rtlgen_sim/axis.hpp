// AXI-Stream agents: a driver (source with random idle cycles) and a monitor (sink with random
// backpressure, or passive tap), both bound to Verilator ports through PortRef.
//
// Agents are clocked by rtlgen_sim::Simulation: drive() runs with clk low before the rising edge,
// then the model settles (eval), then sample() observes the handshake of that edge.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "rtlgen_sim/port.hpp"
#include "rtlgen_sim/rng.hpp"

namespace rtlgen_sim {

// One AXI-Stream transfer: `data` holds the beat's elements (element i = tdata[i*bits +: bits]).
struct AxisBeat {
  std::vector<int64_t> data;
  bool last = false;
  uint64_t user = 0;
  uint64_t cycle = 0;  // filled by the monitor/driver: cycle of the handshake
};

// Thrown when a stream violates AXI-Stream rules (tvalid dropped or payload changed while
// stalled) or when a testbench check fails inside an agent callback.
class ProtocolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Anything clocked by Simulation.
class Agent {
 public:
  explicit Agent(std::string name) : name_(std::move(name)) {}
  virtual ~Agent() = default;
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  // clk low, before the rising edge: drive the inputs this agent owns.
  virtual void drive(uint64_t cycle, bool in_reset) = 0;
  // After the model settled, just before the rising edge: observe handshakes.
  virtual void sample(uint64_t cycle, bool in_reset) = 0;
  // Monotonic progress counter (handshakes); Simulation uses it to detect deadlock.
  virtual uint64_t transfers() const = 0;
  // One-line state for deadlock / failure reports.
  virtual std::string status() const = 0;

  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

// Source: presents queued beats, holding each until accepted; between beats inserts idle
// cycles with probability idle_probability. While idle, tdata carries random garbage so a DUT
// that samples data without tvalid is caught.
class AxisDriver : public Agent {
 public:
  AxisDriver(std::string name, PortRef tdata, CData& tvalid, CData& tready, int elems,
             int elem_bits, uint64_t seed = 1)
      : Agent(std::move(name)), tdata_(tdata), tvalid_(&tvalid), tready_(&tready),
        elems_(elems), elem_bits_(elem_bits), rng_(seed) {
    if (elems < 1 || elem_bits < 1 || elems * elem_bits > tdata.capacity_bits())
      throw std::invalid_argument("AxisDriver " + this->name() + ": bad beat format");
  }

  AxisDriver& with_last(CData& tlast) { tlast_ = &tlast; return *this; }
  AxisDriver& with_user(PortRef tuser, int bits) { tuser_ = tuser; user_bits_ = bits; return *this; }
  AxisDriver& idle_probability(double p) { idle_p_ = p; return *this; }

  void push(AxisBeat beat) {
    if (static_cast<int>(beat.data.size()) != elems_)
      throw std::invalid_argument("AxisDriver " + name() + ": beat has " +
                                  std::to_string(beat.data.size()) + " elements, expected " +
                                  std::to_string(elems_));
    queue_.push_back(std::move(beat));
  }
  // Splits a flat element sequence into beats (size must be a multiple of the beat size);
  // tlast on the final beat if last_at_end.
  void push_stream(const std::vector<int64_t>& elems, bool last_at_end = true) {
    if (elems.size() % static_cast<std::size_t>(elems_) != 0)
      throw std::invalid_argument("AxisDriver " + name() + ": stream length not a multiple of beat");
    for (std::size_t i = 0; i < elems.size(); i += static_cast<std::size_t>(elems_)) {
      AxisBeat b;
      b.data.assign(elems.begin() + static_cast<std::ptrdiff_t>(i),
                    elems.begin() + static_cast<std::ptrdiff_t>(i) + elems_);
      b.last = last_at_end && i + static_cast<std::size_t>(elems_) == elems.size();
      queue_.push_back(std::move(b));
    }
  }

  // Drops all queued beats (use together with Simulation::reset()).
  void clear() {
    queue_.clear();
    presenting_ = false;
  }
  std::size_t pending() const { return queue_.size(); }  // includes the beat on the bus
  bool done() const { return queue_.empty(); }
  uint64_t sent() const { return sent_; }
  uint64_t last_handshake_cycle() const { return last_cycle_; }

  void drive(uint64_t, bool in_reset) override {
    if (in_reset) {
      presenting_ = false;
      *tvalid_ = 0;
      return;
    }
    if (presenting_) return;  // hold the beat until accepted
    if (!queue_.empty() && !rng_.chance(idle_p_)) {
      const AxisBeat& b = queue_.front();
      tdata_.clear();
      for (int i = 0; i < elems_; ++i)
        tdata_.set_elem(i, elem_bits_, static_cast<uint64_t>(b.data[static_cast<std::size_t>(i)]));
      if (tlast_) *tlast_ = b.last ? 1 : 0;
      if (tuser_.valid()) tuser_.set(0, user_bits_, b.user);
      *tvalid_ = 1;
      presenting_ = true;
    } else {
      *tvalid_ = 0;
      for (int i = 0; i < elems_; ++i) tdata_.set_elem(i, elem_bits_, rng_.next_u64());
      if (tlast_) *tlast_ = static_cast<CData>(rng_.next_u64() & 1);
    }
  }
  void sample(uint64_t cycle, bool in_reset) override {
    if (in_reset || !presenting_ || !*tready_) return;
    queue_.pop_front();
    presenting_ = false;
    ++sent_;
    last_cycle_ = cycle;
  }
  uint64_t transfers() const override { return sent_; }
  std::string status() const override {
    std::ostringstream s;
    s << "driver " << name() << ": sent " << sent_ << ", pending " << queue_.size()
      << (presenting_ ? " (tvalid high, tready " + std::to_string(int(*tready_)) + ")" : "");
    return s.str();
  }

 private:
  PortRef tdata_;
  CData* tvalid_;
  CData* tready_;
  CData* tlast_ = nullptr;
  PortRef tuser_;
  int user_bits_ = 0;
  int elems_;
  int elem_bits_;
  Rng rng_;
  double idle_p_ = 0.0;
  std::deque<AxisBeat> queue_;
  bool presenting_ = false;
  uint64_t sent_ = 0;
  uint64_t last_cycle_ = 0;
};

// Sink / tap: collects beats. As a sink it drives tready (high with probability
// ready_probability each cycle). After passive() it is a tap: it only reads tready, which
// someone else drives (e.g. an internal stream of a generated top exposed as ports).
// With tready == nullptr the stream has no tready and every tvalid cycle is a transfer.
// Checks AXI-Stream stability: once tvalid is high without tready, tvalid must stay high and
// tdata/tlast/tuser must not change until the handshake.
class AxisMonitor : public Agent {
 public:
  AxisMonitor(std::string name, PortRef tdata, CData& tvalid, CData* tready, int elems,
              int elem_bits, bool is_signed, uint64_t seed = 2)
      : Agent(std::move(name)), tdata_(tdata), tvalid_(&tvalid), tready_(tready),
        elems_(elems), elem_bits_(elem_bits), signed_(is_signed), rng_(seed) {
    if (elems < 1 || elem_bits < 1 || elem_bits > 64 || elems * elem_bits > tdata.capacity_bits())
      throw std::invalid_argument("AxisMonitor " + this->name() + ": bad beat format");
  }

  AxisMonitor& with_last(CData& tlast) { tlast_ = &tlast; return *this; }
  AxisMonitor& with_user(PortRef tuser, int bits) { tuser_ = tuser; user_bits_ = bits; return *this; }
  AxisMonitor& ready_probability(double p) { ready_p_ = p; return *this; }
  AxisMonitor& passive(bool is_passive = true) { passive_ = is_passive; return *this; }
  // Called for every beat as it is received (after it is appended to beats()).
  AxisMonitor& on_beat(std::function<void(const AxisBeat&)> cb) { cb_ = std::move(cb); return *this; }
  // Keep received beats in beats() (default true; switch off for very long runs that check
  // in on_beat).
  AxisMonitor& keep_beats(bool keep) { keep_ = keep; return *this; }

  // Forgets collected beats and counters (use together with Simulation::reset()).
  void clear() {
    beats_.clear();
    received_ = 0;
    first_cycle_ = last_cycle_ = 0;
    stalled_ = false;
  }
  uint64_t received() const { return received_; }
  std::deque<AxisBeat>& beats() { return beats_; }
  // All collected elements, in order.
  std::vector<int64_t> elements() const {
    std::vector<int64_t> r;
    for (const auto& b : beats_) r.insert(r.end(), b.data.begin(), b.data.end());
    return r;
  }
  uint64_t first_handshake_cycle() const { return first_cycle_; }
  uint64_t last_handshake_cycle() const { return last_cycle_; }

  void drive(uint64_t, bool in_reset) override {
    if (!tready_ || passive_) return;
    *tready_ = (!in_reset && rng_.chance(ready_p_)) ? 1 : 0;
  }
  void sample(uint64_t cycle, bool in_reset) override {
    if (in_reset) {
      stalled_ = false;
      return;
    }
    const bool valid = *tvalid_ != 0;
    if (!valid) {  // most cycles of most streams: nothing to read
      if (stalled_)
        throw ProtocolError("AXI-Stream " + name() + ": tvalid dropped while stalled at cycle " +
                            std::to_string(cycle));
      return;
    }
    if (stalled_ && !payload_equals(stalled_beat_))
      throw ProtocolError("AXI-Stream " + name() + ": payload changed while stalled at cycle " +
                          std::to_string(cycle));
    const bool ready = tready_ ? *tready_ != 0 : true;
    if (ready) {
      capture(beat_, cycle);  // one buffer for every beat: no allocation per beat
      if (received_ == 0) first_cycle_ = cycle;
      last_cycle_ = cycle;
      ++received_;
      stalled_ = false;
      if (keep_) beats_.push_back(beat_);
      if (cb_) cb_(beat_);
    } else if (!stalled_) {
      capture(stalled_beat_, cycle);
      stalled_ = true;
    }
  }
  uint64_t transfers() const override { return received_; }
  std::string status() const override {
    std::ostringstream s;
    s << "monitor " << name() << ": received " << received_ << (stalled_ ? " (stalled)" : "");
    return s.str();
  }

 private:
  int64_t element(int i) const {
    return signed_ ? tdata_.elem_signed(i, elem_bits_)
                   : static_cast<int64_t>(tdata_.elem(i, elem_bits_));
  }
  void capture(AxisBeat& b, uint64_t cycle) const {
    b.data.resize(static_cast<std::size_t>(elems_));
    for (int i = 0; i < elems_; ++i) b.data[static_cast<std::size_t>(i)] = element(i);
    b.last = tlast_ ? *tlast_ != 0 : false;
    b.user = tuser_.valid() ? tuser_.get(0, user_bits_) : 0;
    b.cycle = cycle;
  }
  // The bus holds beat b's payload (data, tlast, tuser).
  bool payload_equals(const AxisBeat& b) const {
    for (int i = 0; i < elems_; ++i)
      if (element(i) != b.data[static_cast<std::size_t>(i)]) return false;
    return b.last == (tlast_ ? *tlast_ != 0 : false) &&
           b.user == (tuser_.valid() ? tuser_.get(0, user_bits_) : 0);
  }

  PortRef tdata_;
  CData* tvalid_;
  CData* tready_;
  CData* tlast_ = nullptr;
  PortRef tuser_;
  int user_bits_ = 0;
  int elems_;
  int elem_bits_;
  bool signed_;
  Rng rng_;
  double ready_p_ = 1.0;
  bool passive_ = false;
  std::function<void(const AxisBeat&)> cb_;
  bool keep_ = true;
  std::deque<AxisBeat> beats_;
  uint64_t received_ = 0;
  uint64_t first_cycle_ = 0;
  uint64_t last_cycle_ = 0;
  bool stalled_ = false;
  AxisBeat stalled_beat_;
  AxisBeat beat_;  // the beat being received
};

}  // namespace rtlgen_sim
