// The pipeline from a network description to a hardware plan, assembled in one place: the
// frontend (by the file's extension), the passes (prepare_network), the check of user names
// against the planner's generated ones, the folding (the network's own `fold:` request, a
// .tflite / .onnx model's default budget, or a request that replaces it) and the hardware plan.
// The CLI, the loaders and the simulation harness all run it, each as far as it needs.
#pragma once

#include <optional>
#include <string>

#include "rtlgen/folding.hpp"
#include "rtlgen/hw_plan.hpp"
#include "rtlgen/ir.hpp"
#include "rtlgen/tflite_import.hpp"  // ImportNotes

namespace rtlgen {

// How far compile() goes.
enum class CompileStage {
  Passes,   // shapes, quantization, accumulators, folding hints checked; names checked
  Folding,  // + the folding request applied (choose_folding)
  Plan,     // + the hardware plan (plan_hardware)
};

struct CompileOptions {
  CompileOptions() = default;
  explicit CompileOptions(CompileStage stage) : until(stage) {}

  CompileStage until = CompileStage::Plan;
  // A folding request that replaces the network's own (rtlgen import's budget). Its errors
  // propagate as choose_folding throws them; those of the network's own request are placed at
  // its `fold:` key (or the file).
  std::optional<FoldTarget> fold;
  PlanOptions plan;
};

struct Compiled {
  Network net;
  ImportNotes notes;                  // remarks of a .tflite / .onnx frontend
  std::optional<FoldReport> folding;  // when a folding was chosen
  HwPlan plan;                        // when compiled until CompileStage::Plan
};

// NET.yaml / NET.yml, MODEL.tflite or MODEL.onnx, as its frontend reads it (no passes run). A
// model carries no folding: it gets the budget `rtlgen import` writes (kDefaultMaxMultipliers).
Network read_network(const std::string& path, ImportNotes* notes = nullptr);

// The pipeline on a network a frontend produced. Throws rtlgen::Error.
Compiled compile(Network net, const CompileOptions& opt = {});
// read_network, then the pipeline.
Compiled compile(const std::string& path, const CompileOptions& opt = {});

}  // namespace rtlgen
