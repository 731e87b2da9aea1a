// rtlgen command line: info, run, eval, import (generate and sim join as the RTL lands).
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <numeric>
#include <unistd.h>

#include "rtlgen/error.hpp"
#include "rtlgen/golden.hpp"
#include "rtlgen/idx.hpp"
#include "rtlgen/image.hpp"
#include "rtlgen/network_io.hpp"
#include "rtlgen/tflite_import.hpp"
#include "rtlgen/yaml_writer.hpp"

namespace {

using namespace rtlgen;

// Scores of the last layer as real values (for ranking: the quantized order is the same).
void print_top(const Network& net, const Tensor& out, int top) {
  std::vector<int> order(out.data.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return out.data[a] > out.data[b]; });
  const TensorQuant q = net.layers.back().out_quant;
  fmt::print("top-{} of '{}' ({}):\n", std::min<size_t>(top, order.size()), net.layers.back().name,
             out.shape.str());
  for (int i = 0; i < top && i < int(order.size()); ++i)
    fmt::print("  class {:>5}  q = {:>4}  real = {:.6f}\n", order[i], out.data[order[i]],
               q.scale * (out.data[order[i]] - q.zero_point));
}

int argmax(const Tensor& t) {
  return int(std::max_element(t.data.begin(), t.data.end()) - t.data.begin());
}

int cmd_info(const std::string& net_path) {
  const Network net = load_network(net_path);
  fmt::print("{}", info_table(net));
  return 0;
}

int cmd_run(const std::string& net_path, const std::string& input, const std::string& dump,
            int top) {
  const Network net = load_network(net_path);
  const Tensor in = load_input(input, net.input);
  const std::vector<Tensor> outs = golden::run_network(net, in);
  print_top(net, outs.back(), top);
  if (!dump.empty()) {
    dump_tensors(net, outs, dump);
    fmt::print("wrote {} layer tensors to {}/ (manifest.json)\n", outs.size(), dump);
  }
  return 0;
}

int cmd_eval(const std::string& net_path, const std::string& mnist_dir, int skip, int limit) {
  const Network net = load_network(net_path);
  std::string images_path, labels_path;
  find_mnist_files(mnist_dir, &images_path, &labels_path);
  const IdxArray images = read_idx(images_path), labels = read_idx(labels_path);
  if (images.dims.size() != 3 || labels.dims.size() != 1 || images.dims[0] != labels.dims[0])
    throw Error(fmt::format("{}: images and labels do not match ({} vs {} items)", mnist_dir,
                            images.dims[0], labels.dims[0]));
  const int total = images.dims[0], h = images.dims[1], w = images.dims[2];
  if (h != net.input.shape.h || w != net.input.shape.w || net.input.shape.c != 1)
    throw Error(fmt::format("{}: digits are {}x{} but the network input is {}", images_path, h, w,
                            net.input.shape.str()));
  const int begin = std::min(skip, total);
  const int end = limit > 0 ? std::min(total, begin + limit) : total;
  const bool tty = isatty(fileno(stderr));
  const int offset = net.input.quant.dtype == DType::Int8 ? -128 : 0;
  int correct = 0;
  for (int i = begin; i < end; ++i) {
    Tensor in(net.input.shape, net.input.quant.dtype);
    for (int p = 0; p < h * w; ++p) in.data[p] = images.data[size_t(i) * h * w + p] + offset;
    const auto outs = golden::run_network(net, in);
    correct += argmax(outs.back()) == labels.data[i];
    if (tty && ((i - begin) % 20 == 0 || i + 1 == end)) {
      const int done = i + 1 - begin, n = end - begin;
      const int bar = 40 * done / n;
      fmt::print(stderr, "\r[{}{}] {}/{}  {:.2f}%", std::string(bar, '#'),
                 std::string(40 - bar, '.'), done, n, 100.0 * correct / done);
    }
  }
  if (tty) fmt::print(stderr, "\n");
  const int n = end - begin;
  fmt::print("accuracy: {:.2f}% ({} images)\n", n ? 100.0 * correct / n : 0.0, n);
  return 0;
}

int cmd_import(const std::string& model, const std::string& out_dir) {
  ImportNotes notes;
  Network net = import_tflite(model, &notes);
  const std::string stem = std::filesystem::path(out_dir).filename().string();
  const std::string yaml = (std::filesystem::path(out_dir) / (net.name + ".yaml")).string();
  write_network_yaml(net, yaml, net.name + "_params");
  for (const auto& line : notes.lines) fmt::print("note: {}\n", line);
  fmt::print("wrote {} ({} layers)\n", yaml, net.layers.size());
  (void)stem;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"rtlgen: integer-quantized neural networks to synthesizable Verilog"};
  app.require_subcommand(1);

  std::string net_path, input, dump, mnist_dir, out_dir;
  int top = 5, skip = 0, limit = 0;

  auto* info = app.add_subcommand("info", "per-layer table: shapes, MACs, parameters, accumulators");
  info->add_option("network", net_path, "NET.yaml or MODEL.tflite")->required();

  auto* run = app.add_subcommand("run", "run the golden model on one input");
  run->add_option("network", net_path, "NET.yaml or MODEL.tflite")->required();
  run->add_option("--input", input, ".npy tensor, PGM or BMP image")->required();
  run->add_option("--dump", dump, "write every layer's output as DIR/<layer>.npy + manifest.json");
  run->add_option("--top", top, "how many classes to print")->check(CLI::PositiveNumber);

  auto* eval = app.add_subcommand("eval", "golden-model accuracy on MNIST IDX files");
  eval->add_option("network", net_path, "NET.yaml or MODEL.tflite")->required();
  eval->add_option("--mnist", mnist_dir, "directory with IDX images + labels")->required();
  eval->add_option("--skip", skip, "skip the first N digits (e.g. 8000: the held-out 2,000)");
  eval->add_option("--limit", limit, "evaluate at most N digits");

  auto* imp = app.add_subcommand("import", "convert a .tflite into NET.yaml + .npy parameters");
  imp->add_option("model", net_path, "MODEL.tflite")->required();
  imp->add_option("-o,--out", out_dir, "output directory")->required();

  CLI11_PARSE(app, argc, argv);
  try {
    if (*info) return cmd_info(net_path);
    if (*run) return cmd_run(net_path, input, dump, top);
    if (*eval) return cmd_eval(net_path, mnist_dir, skip, limit);
    if (*imp) return cmd_import(net_path, out_dir);
  } catch (const rtlgen::Error& e) {
    fmt::print(stderr, "rtlgen: error: {}\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "rtlgen: internal error: {}\n", e.what());
    return 3;
  }
  return 0;
}
