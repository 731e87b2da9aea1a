// The hardware plan: every decision about the generated RTL (which template instances, their
// parameters, stream widths, FIFO depths, memory contents, cycle estimates) is made here, by a
// pass over the IR. Emitters only print a plan.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "rtlgen/ir.hpp"
#include "rtlgen/weight_packing.hpp"

namespace rtlgen {

// One parameter value of a template instance, typed: the Verilog printer prints it (verilog())
// and the resource model and the memory passes read it (as_int, fields, text); no literal is
// parsed back.
class ParamValue {
 public:
  enum class Kind { Integer, Hex, Fields, String };
  ParamValue() = default;
  // A decimal integer.
  static ParamValue integer(int64_t v);
  // A sized hexadecimal literal: bits'h, zero-padded to ceil(bits / 4) digits.
  static ParamValue hex(uint64_t v, int bits);
  // A vector of `bits`-bit fields, field 0 in the lowest bits: {F[n-1], ..., F[0]}, each
  // bits'd (decimal) or, with `hex_fields`, bits'h (two's complement, zero-padded).
  static ParamValue fields(std::vector<int64_t> v, int bits, bool hex_fields);
  // A string (a file name).
  static ParamValue string(std::string s);

  Kind kind() const { return kind_; }
  // The integer of an Integer or Hex value; `otherwise` for the other kinds.
  int64_t as_int(int64_t otherwise = 0) const;
  // The fields of a Fields value (field 0 first); empty for the other kinds.
  const std::vector<int64_t>& fields() const { return fields_; }
  // The string of a String value; empty for the other kinds.
  const std::string& text() const { return text_; }
  // The Verilog literal.
  std::string verilog() const;
  bool operator==(const ParamValue& o) const;
  bool operator!=(const ParamValue& o) const { return !(*this == o); }

 private:
  Kind kind_ = Kind::Integer;
  int64_t value_ = 0;
  int bits_ = 0;
  bool hex_fields_ = false;
  std::vector<int64_t> fields_;
  std::string text_;
};

using InstanceParams = std::vector<std::pair<std::string, ParamValue>>;

struct Instance {
  std::string module;                                      // template module name, e.g. rtlgen_swg
  std::string name;                                        // instance name, e.g. conv1_swg
  InstanceParams params;                                   // name -> value, in the order printed
  std::vector<std::pair<std::string, std::string>> ports;  // port -> net expression
};

struct Wire {
  std::string name;
  int width = 1;
};

struct MemFile {
  std::string name;            // file name inside OUT/mem/
  std::vector<RomWord> words;  // one hex line each in the file
  int word_bits = 0;
  // The bit columns that vary over the words (Yosys' opt_mem drops the constant ones).
  std::vector<bool> varying_columns() const { return rtlgen::varying_columns(words, word_bits); }
};

// One stream of a tensor between stages: `prefix`_tdata/_tvalid/_tready, `elems` per beat.
struct StreamInfo {
  std::string tensor;  // tensor (layer) name it carries
  std::string prefix;  // wire prefix in the top
  int elems = 1;       // elements per beat
  Shape shape;
  DType dtype = DType::Int8;  // Int8 = signed elements, UInt8 = unsigned
  int bits = 8;               // element width (wider: the scale-shift scheme's activations)
  int width() const { return elems * bits; }  // tdata bits
  int64_t beats_per_frame() const { return shape.elements() / elems; }
};

struct HwLayer {
  std::string layer;
  OpKind op = OpKind::Conv2D;
  StreamInfo in, out;
  std::vector<std::string> join_inputs;  // further input tensors of a join (ADD's B), for timing
  int pe = 0, simd = 0, sf = 0, nf = 0;
  int multipliers = 0;
  int64_t macs = 0;
  int64_t est_cycles = 0;   // per frame, this stage alone
  int64_t ideal_cycles = 0; // MACs / multipliers (weighted layers)
  int64_t rom_bits = 0;     // weights + requantizer constants
  // Depthwise layer on a shared unit (rtlgen_dwu_shared): the unit's name. Its instance and
  // multipliers belong to the unit's last member; est_cycles is the unit's (all members).
  std::string shared_unit;
  bool lut_buffer = false;  // hw: {buffer: lut}: its rtlgen_swg line buffer in LUT RAM
  std::vector<Instance> instances;
  std::vector<MemFile> mems;
};

// A FIFO on one branch of a fork-join (residual block), sized by the generator.
struct SkipFifo {
  std::string join;     // the ADD layer
  std::string fork;     // tensor whose stream forks
  std::string branch;   // ADD input the FIFO serves (first stage of that branch)
  int64_t capacity = 0; // beats the branch must hold so the fork never blocks the other branch
  int64_t slack = 0;    // extra beats covering the branches' latency difference (throughput)
  int depth = 0;        // rtlgen_fifo DEPTH (capacity + slack = DEPTH + 1)
  int elems = 0;        // elements per beat
};

struct PlanOptions {
  // Testing only: size skip FIFOs for deadlock freedom alone (no latency slack) and add
  // `skip_fifo_adjust` to their depth (-1 must deadlock: the bound is tight).
  bool skip_fifo_bound_only = false;
  int skip_fifo_adjust = 0;
};

struct HwPlan {
  std::string top;  // top module name
  StreamInfo input, output;
  std::vector<Wire> wires;
  std::vector<HwLayer> layers;          // hardware stages in stream order
  std::vector<std::string> software;    // trailing layers left to software (e.g. softmax)
  Instance tlast;                        // frame-boundary generator on the output
  // Classifier outputs (1 x 1 x C, C > 1): an argmax stage puts the class index of the frame
  // on m_axis_tuser (valid with m_axis_tlast; ties go to the lowest index, as ARG_MAX).
  bool classify = false;
  int class_bits = 0;
  Instance argmax;
  int64_t est_cycles_per_frame = 0;      // bottleneck stage
  std::string bottleneck;
  int64_t ideal_cycles_per_frame = 0;    // max over layers of MACs / multipliers
  int64_t multipliers = 0, macs = 0, rom_bits = 0;
  std::vector<std::string> templates;    // template files used (filelist order)
  std::vector<Instance> glue;            // stream forks and skip FIFOs between layers
  std::vector<SkipFifo> skip_fifos;
};

// Plans the whole network. Throws rtlgen::Error (with the layer's YAML location) for layers
// the hardware cannot implement yet, or folding the templates cannot take.
HwPlan plan_hardware(const Network& net, const PlanOptions& opt = {});

// At load (YAML loader, importers): refuses a user name equal to an identifier the planner
// derives from another name (layer 'conv_a_rq' next to 'conv_a', 'input_b1_sk', 's_axis', ...),
// naming the file, the layer and the rename, by planning the network and checking the
// netlist's identifiers (the rule generate applies; the list of generated suffixes lives only in
// the planner). A network the planner refuses for another reason passes: generate reports that.
void check_names_at_load(const Network& net);

}  // namespace rtlgen
