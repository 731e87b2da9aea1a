// The skip-FIFO pass: once every stage is planned, sizes a FIFO on each fork branch that a join
// (ADD, CONCATENATION) would otherwise deadlock or stall on, from the stage graph's records:
// which input beats each stage's output beats need, and each stage's latency.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "plan/plan_builder.hpp"
#include "rtlgen/error.hpp"

namespace rtlgen::plan {
namespace {

class SkipFifoSizing {
 public:
  explicit SkipFifoSizing(PlanBuilder& b) : b_(b), g_(b.graph), net_(b.net) {}

  void run() {
    for (Join& join : g_.joins) size(join);
  }

 private:
  // need(T, R)[j] = how many beats of stream R must have entered before beat j of stream T can
  // leave its stage (per frame; every stream carries one frame per input frame). Each stage
  // records its own dependence (stage_need); the dependence on R is their composition.
  const std::vector<int64_t>& need(const std::string& t, const std::string& root) {
    const std::string key = t + "\n" + root;
    auto memo = need_memo_.find(key);
    if (memo != need_memo_.end()) return memo->second;
    std::vector<int64_t> v;
    const int64_t beats = g_.streams.at(t).beats_per_frame();
    if (t == root) {
      v = count_up(beats);
    } else if (!g_.stage_need.count(t)) {
      v.assign(size_t(beats), 0);  // another root (the network input): no dependence on `root`
    } else {
      v.assign(size_t(beats), 0);
      for (const auto& [input, dep] : g_.stage_need.at(t)) {
        const std::vector<int64_t> up = need(input, root);
        for (size_t j = 0; j < v.size() && j < dep.size(); ++j)
          if (dep[j] > 0) v[j] = std::max(v[j], up[size_t(dep[j] - 1)]);
      }
    }
    return need_memo_[key] = v;
  }

  bool depends_on(const std::string& t, const std::string& ancestor) const {
    if (t == ancestor) return true;
    auto it = g_.layer_index.find(t);
    if (it == g_.layer_index.end()) return false;
    for (const auto& in : net_.layers[size_t(it->second)].inputs)
      if (depends_on(in, ancestor)) return true;
    return false;
  }

  // The latest tensor that forks and that both join inputs depend on.
  std::string common_fork(const std::string& x, const std::string& y) const {
    std::string best;
    int best_index = -2;
    for (const auto& [t, cons] : g_.consumers) {
      if (cons.size() < 2 || !depends_on(x, t) || !depends_on(y, t)) continue;
      const auto it = g_.layer_index.find(t);
      const int index = it == g_.layer_index.end() ? -1 : it->second;
      if (index > best_index) {
        best_index = index;
        best = t;
      }
    }
    return best;
  }

  // Sizing rule. With the fork's per-output delivery, the branch that needs more of the fork's
  // stream (the long branch, e.g. two 3x3 convolutions) can receive fork beat n only after the
  // other (short) branch has accepted beats 0 .. n-1. While the ADD waits for beat j of the
  // long branch, the short branch has passed on at least need_short(j) fork beats (a bare skip
  // path: exactly the j beats the ADD consumed, its beat j itself waiting in the FIFO), so it
  // must hold need_long(j) - need_short(j) beats for the long branch to get what beat j needs.
  // Capacity = max_j (need_long(j) - need_short(j)) fork beats, a FIFO at the start of the
  // short branch (rtlgen_fifo holds DEPTH + 1). For a bare skip path this is exact (one less
  // deadlocks, tests/e2e); with stages on the short path their own buffering adds slack.
  //
  // A join of more inputs (a concatenation): every fork that is the latest common fork of two
  // of its inputs is balanced alone. Its branches that lead to the join each need, for join
  // beat j, the most fork beats any join input on that branch needs (a later fork on the branch
  // balances those inputs among themselves); the branch needing the most sets the pace and every
  // other branch holds max_j (the most any branch needs - its own need) fork beats.
  void size(Join& join) {
    const Layer& l = *net_.find(join.layer);
    std::set<std::string> roots;
    for (size_t x = 0; x < l.inputs.size(); ++x)
      for (size_t y = x + 1; y < l.inputs.size(); ++y) {
        const std::string r = common_fork(l.inputs[x], l.inputs[y]);
        if (!r.empty()) roots.insert(r);
      }
    for (const std::string& root : roots) balance_fork(join, l, root);
  }

  void balance_fork(Join& join, const Layer& l, const std::string& root) {
    struct Branch {
      int index = 0;              // output of the fork
      int slot = 0;               // its first join input
      std::vector<int64_t> need;  // fork beats needed per join beat
      int64_t latency = 0;
    };
    const std::vector<std::vector<int64_t>>& in_need = join.in_need;
    std::vector<Branch> branches;
    const size_t beats = in_need[0].size();
    for (size_t k = 0; k < l.inputs.size(); ++k) {
      if (!depends_on(l.inputs[k], root)) continue;
      const int index = branch_of(l, root, int(k));
      auto b = std::find_if(branches.begin(), branches.end(),
                            [&](const Branch& x) { return x.index == index; });
      if (b == branches.end()) b = branches.insert(branches.end(), {index, int(k), {}, 0});
      b->need.resize(beats, 0);
      const std::vector<int64_t>& r = need(l.inputs[k], root);
      for (size_t j = 0; j < beats; ++j)  // 0 beats needed (an input before its first beat)
        if (in_need[k][j] > 0) b->need[j] = std::max(b->need[j], r[size_t(in_need[k][j] - 1)]);
      b->latency = std::max(b->latency, latency(l.inputs[k], root));
    }
    if (branches.size() < 2) return;
    std::vector<int64_t> most(beats, 0);
    int64_t slowest = 0;
    for (const Branch& b : branches) {
      for (size_t j = 0; j < beats; ++j) most[j] = std::max(most[j], b.need[j]);
      slowest = std::max(slowest, b.latency);
    }
    // Throughput: while the slowest branch computes beat j from its last needed input, the fork
    // must keep feeding, so each faster branch also holds the fork beats of its latency
    // difference to the slowest. For ADD the faster branch is the one that needs less (the skip
    // path); a concatenation's direct first input needs more than a computed second one (its
    // pixel comes first) yet is faster: then each branch gets a FIFO.
    const bool slack_only = !b_.opt.skip_fifo_bound_only;  // a FIFO for the slack alone
    for (auto b = branches.rbegin(); b != branches.rend(); ++b) {
      int64_t cap = 0;
      for (size_t j = 0; j < beats; ++j) cap = std::max(cap, most[j] - b->need[j]);
      const int64_t slack = fork_beats_within(root, slowest - b->latency);
      if (cap > 0 || (slack_only && slack > 0))
        insert_skip_fifo(join, l, root, b->index, b->slot, cap, slack);
    }
  }

  // At most how many beats the fork `root` passes on in `cycles` cycles: no faster than its
  // slowest producer up to the network input allows (cycles per frame over the fork's beats per
  // frame), plus two beats for the output FIFOs on the way, and never more than one frame.
  // A heavily folded network (a multiplier or a few per layer) thus gets skip FIFOs of a few
  // hundred beats where one beat per cycle would ask for whole frames.
  int64_t fork_beats_within(const std::string& root, int64_t cycles) const {
    if (cycles <= 0) return 0;
    const int64_t beats = g_.streams.at(root).beats_per_frame();
    int64_t slowest = beats;  // one beat per cycle at best
    for (const HwLayer& hw : b_.plan.layers)
      if (depends_on(root, hw.layer)) slowest = std::max(slowest, hw.est_cycles);
    const int64_t within = (cycles * beats + slowest - 1) / slowest + 2;
    return std::min(within, beats);
  }

  // Cycles from a stage's last needed input beat to its output beat, summed along the path
  // from `root` (per stage: one output pixel's compute time plus the pipeline registers).
  int64_t latency(const std::string& t, const std::string& root) const {
    if (t == root) return 0;
    auto it = g_.layer_index.find(t);
    if (it == g_.layer_index.end()) return 0;
    int64_t up = 0;
    for (const auto& in : net_.layers[size_t(it->second)].inputs)
      if (depends_on(in, root)) up = std::max(up, latency(in, root));
    auto own = g_.stage_latency.find(t);
    return up + (own == g_.stage_latency.end() ? 0 : own->second);
  }

  // The output of fork `root` that join input `slot` of `l` is on.
  int branch_of(const Layer& l, const std::string& root, int slot) const {
    const std::string& in = l.inputs[size_t(slot)];
    const auto& cons = g_.consumers.at(root);
    const int me = g_.layer_index.at(l.name);
    for (size_t i = 0; i < cons.size(); ++i) {
      const Layer& c = net_.layers[size_t(cons[i].first)];
      if (in == root ? (cons[i].first == me && cons[i].second == slot) : depends_on(in, c.name))
        return int(i);
    }
    fail(l, fmt::format("internal: no branch of '{}' leads to '{}'", root, in));
  }

  void insert_skip_fifo(Join& join, const Layer& l, const std::string& root, int branch, int slot,
                        int64_t capacity, int64_t slack) {
    if (b_.opt.skip_fifo_bound_only) slack = 0;
    Fork& fork = g_.forks.at(root);
    const StreamInfo& b = fork.branches[size_t(branch)];
    if (!skipped_.insert(b.prefix).second)
      fail(l, fmt::format("branch {} of '{}' would need two skip FIFOs (nested joins on one "
                          "branch have no sizing rule yet)",
                          branch, root));
    const int depth = int(std::max<int64_t>(2, capacity + slack - 1 + b_.opt.skip_fifo_adjust));
    fork.outputs[size_t(branch)] = b.prefix + "_sk";  // fork -> FIFO -> the branch's stream
    for (Wire& w : stream_wire_list(b.prefix + "_sk", b.width())) join.wires.push_back(w);
    join.fifos.push_back(fifo_instance(fmt::format("{}_skip{}_fifo", root, branch), b.width(),
                                       depth, b.prefix + "_sk", b.prefix));
    b_.plan.skip_fifos.push_back(
        {l.name, root, l.inputs[size_t(slot)], capacity, slack, depth, b.elems});
  }

  PlanBuilder& b_;
  StageGraph& g_;
  const Network& net_;
  std::map<std::string, std::vector<int64_t>> need_memo_;
  std::set<std::string> skipped_;
};

}  // namespace

void size_skip_fifos(PlanBuilder& b) { SkipFifoSizing(b).run(); }

}  // namespace rtlgen::plan
